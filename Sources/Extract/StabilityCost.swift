import EGraph
import TensorOps

/// The numerical-stability cost of tensor e-nodes: an operator cost plus a
/// penalty for each way the node can fail in binary64, read off its
/// children's facts (`TensorAnalysis`).
///
/// | penalty | when |
/// |---|---|
/// | ``overflow`` | `exp` of something that can exceed log(greatest double) ≈ 709.78 |
/// | ``zeroDivision`` | `inv` or `log` of something that can be 0 or underflow to 0 (its interval reaches below the least normal double) |
/// | ``infinityTimesZero`` | a product with one operand that can be infinite and another that can be 0 |
/// | ``infinityMinusInfinity`` | a sum with operands that can be +∞ and −∞ |
/// | ``cancellation`` | a sum of two operands that can both be large (beyond 2^20) with opposite signs, unless the sum is a max-shifted value (`x - max(x)`, exact where it matters) |
///
/// A cost is `level · failureUnit + size`. The level counts failure
/// penalties (the first four rows) along the worst path of the term: a
/// node's level is its own penalties plus the greatest level among its
/// children. Summing levels over children instead would charge a shared
/// subterm once per use, so a form that reuses a risky input (`x / t`) would
/// lose to one that uses it less, whatever else it risks. The size adds
/// operator costs and ``cancellation`` penalties over the tree. Both parts
/// are monotone in the children's costs, so bottom-up extraction is exact;
/// a stable form wins however long it is, and the shortest stable form wins
/// among stable ones.
public struct StabilityCost: CostFunction {
    /// The analysis whose facts the penalties read.
    public let analysis: TensorAnalysis

    /// One failure penalty: a cost at or above it means some output can fail.
    public static let failureUnit = 1e9
    /// `exp` can overflow.
    public static let overflow = failureUnit
    /// `inv` or `log` can meet 0.
    public static let zeroDivision = failureUnit
    /// `∞ · 0` can happen.
    public static let infinityTimesZero = failureUnit
    /// `∞ − ∞` can happen.
    public static let infinityMinusInfinity = failureUnit
    /// Large terms can cancel, losing the small ones: an accuracy risk, not a
    /// failure, so it weighs less than the others and more than any length.
    public static let cancellation = 1e3
    /// Beyond this magnitude an operand counts as large for ``cancellation``.
    static let largeMagnitude = 0x1p20

    /// The largest argument whose `exp` is finite.
    static let largestExpArgument = 709.782712893384
    /// The least positive normal double: below it, division and `log` lose
    /// precision or meet 0.
    static let leastNormal = Double.leastNormalMagnitude

    /// A cost reading `analysis`'s facts.
    public init(analysis: TensorAnalysis) { self.analysis = analysis }

    /// The operator cost plus the penalties; see the type's table.
    public func cost(of node: ENode, childCosts: [Double], in egraph: EGraph) -> Double {
        let children = node.children.map { egraph.data(of: $0, for: analysis) }
        let isShifted =
            node.op == TensorVocabulary.add
            && {
                let facts = analysis.make(node, in: egraph)
                return facts.shiftedAlong.bits != 0 || facts.isShiftedOverall
            }()
        let unit = StabilityCost.failureUnit
        var level = 0.0
        var size = StabilityCost.operatorCost(node)
        for (index, cost) in childCosts.enumerated() {
            let childLevel = (cost / unit).rounded(.down)
            // A fill reads only its first operand's shape, never its value:
            // an operand that could overflow does not make the fill fail.
            if !(index == 0 && node.op == TensorVocabulary.fill) { level = max(level, childLevel) }
            size += cost - childLevel * unit
        }
        let penalty = StabilityCost.penalty(node, children, isShifted: isShifted)
        let ownLevel = (penalty / unit).rounded(.down)
        return (level + ownLevel) * unit + size + (penalty - ownLevel * unit)
    }

    /// What evaluating the node costs, roughly in elementary operations:
    /// transcendental functions cost more than arithmetic, and a fill or
    /// squeeze (no arithmetic) little.
    static func operatorCost(_ node: ENode) -> Double {
        switch node.op {
        case TensorVocabulary.add, TensorVocabulary.multiply: return Double(max(node.children.count - 1, 1))
        case TensorVocabulary.exp, TensorVocabulary.logSymbol, TensorVocabulary.log1pSymbol,
            TensorVocabulary.expm1Symbol, TensorVocabulary.tanhSymbol, TensorVocabulary.powSymbol,
            TensorVocabulary.sigmoidSymbol, TensorVocabulary.softplusSymbol:
            return 4
        case TensorVocabulary.inverse, TensorVocabulary.sqrtSymbol: return 2
        case TensorVocabulary.fill, TensorVocabulary.squeeze: return 0.5
        default: return 1  // leaves, literals and the remaining operators
        }
    }

    /// The failure penalties of one node; `isShifted` says the node computes
    /// a max-shifted value.
    static func penalty(_ node: ENode, _ children: [TensorFacts], isShifted: Bool = false) -> Double {
        var penalty = 0.0
        switch node.op {
        case TensorVocabulary.exp:
            if children[0].interval.upper > largestExpArgument { penalty += overflow }
        case TensorVocabulary.inverse, TensorVocabulary.logSymbol:
            if canReachZero(children[0]) { penalty += zeroDivision }
        case TensorVocabulary.multiply:
            // ∞ · 0 needs two different operands.
            if pairExists(
                children, { $0.interval.lower == -.infinity || $0.interval.upper == .infinity },
                {
                    $0.interval.contains(0) || canReachZero($0)
                })
            {
                penalty += infinityTimesZero
            }
        case TensorVocabulary.add:
            if pairExists(children, { $0.interval.upper == .infinity }, { $0.interval.lower == -.infinity }) {
                penalty += infinityMinusInfinity
            }
            if pairExists(children, { $0.interval.upper > largeMagnitude }, { $0.interval.lower < -largeMagnitude }),
                !isShifted
            {
                penalty += cancellation
            }
        default:
            break
        }
        return penalty
    }

    /// Whether two different operands satisfy `first` and `second`: linear,
    /// since a sum may hold thousands of operands.
    static func pairExists(
        _ children: [TensorFacts], _ first: (TensorFacts) -> Bool, _ second: (TensorFacts) -> Bool
    ) -> Bool {
        var firsts = 0
        var seconds = 0
        var both = 0
        for child in children {
            let isFirst = first(child)
            let isSecond = second(child)
            if isFirst { firsts += 1 }
            if isSecond { seconds += 1 }
            if isFirst && isSecond { both += 1 }
        }
        // A pair needs two operands: impossible only when every candidate
        // for one role is the single candidate for the other.
        return firsts > 0 && seconds > 0 && !(firsts == 1 && seconds == 1 && both == 1)
    }

    /// Whether a value can be 0, or so near it that binary64 rounds it to 0
    /// (a sum of `exp` that underflows, say).
    static func canReachZero(_ facts: TensorFacts) -> Bool {
        let interval = facts.interval
        return interval.contains(0) || (interval.lower > -leastNormal && interval.upper < leastNormal)
            || (interval.lower >= 0 && interval.lower < leastNormal)
            || (interval.upper <= 0 && interval.upper > -leastNormal)
    }
}
