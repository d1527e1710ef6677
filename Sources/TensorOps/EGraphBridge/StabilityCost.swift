import EGraph
import Extract
import Foundation

/// The numerical-stability cost of tensor e-nodes: an operator cost plus the
/// risks each node takes in binary64 (or the cost's ``precision``), read off
/// its children's facts (`TensorAnalysis`).
///
/// | risk | kind | when |
/// |---|---|---|
/// | overflow | failure | `exp` or `expm1` of something that can exceed log(greatest double) ≈ 709.78 (88.72 in binary32) |
/// | zero division | failure | `inv` or `log` of something that can be 0 or underflow to 0 (its interval reaches below the least normal value, 2.2e-308 or 1.2e-38), `log1p` of something that can reach −1 |
/// | ∞ · 0 | failure | a product with one operand that can be infinite and another that can be 0 |
/// | ∞ − ∞ | failure | a sum with operands that can be +∞ and −∞ |
/// | underflow | failure | `inv` or `log` of a term that can underflow to 0 where its true value is not: a product with an `exp` of something that can fall below log(least normal) ≈ −708 (−87 in binary32), summed, none of whose exponentials holds a 1 (is max-shifted) |
/// | cancellation | accuracy | a sum of two operands that can both be large (beyond 2^20) with opposite signs, unless the sum is a max-shifted value (`x - max(x)`, exact where it matters) |
///
/// A term's cost (``Value``) is the set of its risky nodes, each counted
/// once however often the term uses it, and its size. Costs compare the
/// number of failures first, then the number of cancellations, then the
/// size: a stable form wins however long it is, removing any one risk lowers
/// the cost, and the shortest form wins among equally safe ones. Counting
/// each risky node once, rather than once per use, keeps a form that reuses
/// a risky input (`x / t` in every term of a tempered softmax) from losing
/// to one that uses it less while risking more.
public struct StabilityCost: CostFunction {
    /// The analysis whose facts the penalties read.
    public let analysis: TensorAnalysis
    /// The format whose overflow and underflow thresholds the risks are
    /// judged by.
    public let precision: Precision

    /// What a term costs: its distinct risky nodes and its size.
    public struct Value: Comparable, Sendable, CustomStringConvertible {
        /// The classes of the nodes that can fail (overflow, divide by zero,
        /// ∞ · 0, ∞ − ∞), sorted, each once.
        public private(set) var failures: [UInt32] = []
        /// The classes of the sums that can cancel, sorted, each once.
        public private(set) var cancellations: [UInt32] = []
        /// The operator costs added over the term as a tree, an operand repeated
        /// within one sum counted once.
        public private(set) var size: Double = 0
        /// Whether the term can underflow to 0 where its true value is not:
        /// a product with an unshifted `exp` of something that can be very
        /// negative, or a sum of such. A term's, not its class's: the same
        /// log-sum-exp as a sum of shifted exponentials cannot, and a value
        /// that is 0 where the truth is tiny is what a log or an inverse then
        /// turns into an infinity.
        public fileprivate(set) var canVanish = false

        /// The cost of nothing.
        public init() {}

        /// Orders by failures, then cancellations, then size, and last a term
        /// that cannot vanish before one that can. Last, so that a term
        /// always costs more than each of its operands (its risks include
        /// theirs, its size is larger), which keeps the extractor's choices
        /// free of cycles; the risk itself is charged where it fails, to the
        /// log or inverse of a term that can vanish.
        public static func < (a: Value, b: Value) -> Bool {
            (a.failures.count, a.cancellations.count, a.size, a.canVanish ? 1 : 0)
                < (b.failures.count, b.cancellations.count, b.size, b.canVanish ? 1 : 0)
        }

        /// Equal counts, size and vanishing (which risks they are does not
        /// matter to the order).
        public static func == (a: Value, b: Value) -> Bool {
            (a.failures.count, a.cancellations.count, a.size, a.canVanish)
                == (b.failures.count, b.cancellations.count, b.size, b.canVanish)
        }

        /// Whether some output can fail.
        public var canFail: Bool { !failures.isEmpty }

        /// One number for reports and thresholds: ``failureUnit`` per
        /// failure, ``cancellation`` per cancellation, plus the size.
        public var scalar: Double {
            Double(failures.count) * StabilityCost.failureUnit + Double(cancellations.count)
                * StabilityCost.cancellation
                + size
        }

        /// `2 failures, 1 cancellation, size 31.5`.
        public var description: String {
            "\(failures.count) failure\(failures.count == 1 ? "" : "s"), \(cancellations.count) cancellation"
                + "\(cancellations.count == 1 ? "" : "s"), size \(size)"
        }

        /// The cost of several terms together: risks they share count once.
        public func joined(with other: Value, risks: Bool = true) -> Value {
            var joined = self
            if risks {
                joined.failures = Value.union(failures, other.failures)
                joined.cancellations = Value.union(cancellations, other.cancellations)
            }
            joined.size += other.size
            return joined
        }

        /// The cost of several outputs together.
        public static func total(_ values: [Value]) -> Value {
            values.reduce(Value()) { $0.joined(with: $1) }
        }

        fileprivate mutating func add(failure id: UInt32?, cancellation: UInt32?, size: Double) {
            if let id { failures = Value.union(failures, [id]) }
            if let cancellation { cancellations = Value.union(cancellations, [cancellation]) }
            self.size += size
        }

        /// The union of two sorted arrays, sorted.
        private static func union(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
            if b.isEmpty { return a }
            if a.isEmpty { return b }
            var result: [UInt32] = []
            result.reserveCapacity(a.count + b.count)
            var (i, j) = (0, 0)
            while i < a.count || j < b.count {
                if j == b.count || (i < a.count && a[i] < b[j]) {
                    result.append(a[i])
                    i += 1
                } else if i == a.count || b[j] < a[i] {
                    result.append(b[j])
                    j += 1
                } else {
                    result.append(a[i])
                    i += 1
                    j += 1
                }
            }
            return result
        }
    }

    /// A way a node can go wrong in binary64.
    public enum Risk: String, Sendable, CaseIterable {
        /// `exp` or `expm1` can overflow.
        case overflow = "exp can overflow"
        /// `inv` or `log` can meet 0, or `log1p` −1.
        case zeroDivision = "can divide by zero or take the log of 0"
        /// `∞ · 0` can happen.
        case infinityTimesZero = "can multiply infinity by zero"
        /// `∞ − ∞` can happen.
        case infinityMinusInfinity = "can subtract infinity from infinity"
        /// Large terms of opposite signs can cancel.
        case cancellation = "can cancel large terms"
        /// `inv` or `log` of a term whose exponentials can all underflow.
        case underflow = "can underflow to 0 and divide by it or take its log"

        /// Whether the risk is a failure (`inf` or `nan` from finite
        /// inputs), rather than a loss of accuracy.
        public var isFailure: Bool { self != .cancellation }

        /// The risk's weight in ``Value/scalar``.
        public var penalty: Double { isFailure ? StabilityCost.failureUnit : StabilityCost.cancellation }
    }

    /// The weight of one failure in ``Value/scalar``: a scalar at or above
    /// it means some output can fail.
    public static let failureUnit = 1e9
    /// Large terms can cancel, losing the small ones: an accuracy risk, not a
    /// failure, so it weighs less than the others and more than any length.
    public static let cancellation = 1e3
    /// Beyond this magnitude an operand counts as large for ``cancellation``.
    static let largeMagnitude = 0x1p20

    /// A cost reading `analysis`'s facts, judging risks by `precision`'s
    /// thresholds.
    public init(analysis: TensorAnalysis, precision: Precision = .float64) {
        self.analysis = analysis
        self.precision = precision
    }

    /// The children's risks and sizes joined, the node's own risks and
    /// operator cost added; see the type's table.
    public func cost(of node: ENode, inClass id: ClassID, childCosts: [Value], in egraph: EGraph) -> Value {
        var value = Value()
        for (index, child) in childCosts.enumerated() {
            // An operand repeated in a sum (`a + a`, AC operands sorted, so
            // next to each other) is computed once: charging its size per
            // use made a chain of doubling sums cost 2^k, and a flattened
            // sum of 2^k leaves looked no dearer than the nested form, so
            // extraction printed the exponential one. Not in a product:
            // `a * a` charged once would win over the grouped power
            // `(a * b)^2`, which overflows where `a * a * b * b` does not.
            if node.op == TensorVocabulary.add, index > 0,
                egraph.find(node.children[index]) == egraph.find(node.children[index - 1])
            {
                continue
            }
            // A fill reads only its first operand's shape, never its value:
            // an operand that could overflow does not make the fill fail.
            value = value.joined(with: child, risks: !(index == 0 && node.op == TensorVocabulary.fill))
        }
        let risks = ownRisks(of: node, in: egraph)
        value.add(
            failure: risks.contains(where: \.isFailure) ? id.rawValue : nil,
            cancellation: risks.contains(.cancellation) ? id.rawValue : nil,
            size: StabilityCost.operatorCost(node))
        // A failure of its own beside the node's others: a log-sum-exp
        // whose log of 0 is possible either way (weights of unknown sign)
        // still risks one more where its exponentials are not shifted.
        if underflows(node, childCosts: childCosts) {
            value.add(failure: id.rawValue | StabilityCost.underflowTag, cancellation: nil, size: 0)
        }
        value.canVanish = canVanish(node, inClass: id, childCosts: childCosts, in: egraph)
        return value
    }

    /// Marks the failure ids of underflow risks apart from a node's other
    /// failures: class ids stay far below 2^31.
    static let underflowTag: UInt32 = 1 << 31

    /// Whether `node` takes a log or an inverse of a term (its cost among
    /// `childCosts`) that can vanish: the ``Risk/underflow`` risk.
    public func underflows(_ node: ENode, childCosts: [Value]) -> Bool {
        guard node.op == TensorVocabulary.inverse || UnaryFunction.of(node.op)?.name == UnaryFunction.log.name else {
            return false
        }
        return childCosts.first?.canVanish ?? false
    }

    /// Whether the term `node` heads can vanish (``Value/canVanish``).
    private func canVanish(_ node: ENode, inClass id: ClassID, childCosts: [Value], in egraph: EGraph) -> Bool {
        if UnaryFunction.of(node.op)?.name == UnaryFunction.exp.name {
            let facts = egraph.data(of: id, for: analysis)
            if facts.holdsOneAlong.bits != 0 || facts.holdsOneOverall { return false }
            let operand = egraph.data(of: node.children[0], for: analysis).interval
            return operand.lower < Foundation.log(precision.leastNormal)
        }
        switch node.op {
        case TensorVocabulary.multiply:
            return childCosts.contains { $0.canVanish }
        case TensorVocabulary.add:
            return !childCosts.isEmpty && childCosts.allSatisfy { $0.canVanish }
        case TensorVocabulary.sum, TensorVocabulary.sumAll, TensorVocabulary.mean, TensorVocabulary.meanAll,
            TensorVocabulary.max, TensorVocabulary.maxAll, TensorVocabulary.squeeze:
            return childCosts.first?.canVanish ?? false
        case TensorVocabulary.fill:
            return childCosts.count > 1 && childCosts[1].canVanish
        case TensorVocabulary.whereSymbol:
            return childCosts.count > 2 && (childCosts[1].canVanish || childCosts[2].canVanish)
        default:
            return false
        }
    }

    /// The risks `node` takes itself, its children's aside.
    public func ownRisks(of node: ENode, in egraph: EGraph) -> [Risk] {
        // Only these operators take risks: the rest (most nodes) need no
        // facts read, which extraction would otherwise do every pass.
        switch node.op {
        case TensorVocabulary.inverse, TensorVocabulary.multiply, TensorVocabulary.add:
            break
        default:
            guard let function = UnaryFunction.of(node.op), function.risk != .none else { return [] }
        }
        // An operand repeated in the node is one value: `a + a` doubles `a`
        // exactly and `a * a` squares it, so neither cancels nor makes ∞ − ∞
        // or ∞ · 0 with itself. Counting it as two flagged every level of a
        // chain of doubling sums as a cancellation, and extraction preferred
        // one flattened sum of 2^k leaves to the k exact doublings. AC
        // operands are sorted, so a repeat is next to its first occurrence.
        var children: [TensorFacts] = []
        var previous: ClassID?
        for child in node.children {
            let id = egraph.find(child)
            if id == previous { continue }
            previous = id
            children.append(egraph.data(of: id, for: analysis))
        }
        // x - max(x) written as a sum (the analysis's relation, read from the
        // children's facts rather than by remaking the node's).
        let isShifted =
            node.op == TensorVocabulary.add && node.children.count == 2
            && (0..<2).contains { index in
                let shifted = egraph.find(node.children[index])
                return children.count == 2
                    && children[1 - index].negatedMaximumOf.contains { egraph.find($0.of) == shifted }
            }
        return StabilityCost.risks(node, children, isShifted: isShifted, precision: precision)
    }

    /// What evaluating the node costs, roughly in elementary operations:
    /// transcendental functions cost more than arithmetic, and a fill or
    /// squeeze (no arithmetic) little.
    static func operatorCost(_ node: ENode) -> Double {
        if let function = UnaryFunction.of(node.op) { return function.cost }
        if let function = BinaryFunction.of(node.op) { return function.cost }
        switch node.op {
        case TensorVocabulary.add, TensorVocabulary.multiply: return Double(max(node.children.count - 1, 1))
        case TensorVocabulary.inverse: return 2
        case TensorVocabulary.fill, TensorVocabulary.squeeze: return 0.5
        // No more than the subtraction it guards, so that x - max(x) stays
        // grouped rather than split as x - (small + max(x)), which loses the
        // small term where max(x) is large (docs/extraction.md).
        case TensorVocabulary.subtractMax, TensorVocabulary.subtractMaxAll: return 1
        // A division by the largest magnitude.
        case TensorVocabulary.unitScale, TensorVocabulary.unitScaleAll: return 2
        default: return 1  // leaves, literals and the remaining operators
        }
    }

    /// The risks of one node in `precision`; `isShifted` says the node
    /// computes a max-shifted value.
    ///
    /// Only `exp`'s and underflow's thresholds depend on the format: the
    /// analysis bounds inputs far beyond any format's data, so its intervals
    /// reach infinity only through an operation that overflows for any
    /// input, and `∞ · 0`, `∞ − ∞` are read off them alike.
    static func risks(
        _ node: ENode, _ children: [TensorFacts], isShifted: Bool = false, precision: Precision = .float64
    ) -> [Risk] {
        if let function = UnaryFunction.of(node.op) {
            let operand = children[0].interval
            switch function.risk {
            case .none:
                return []
            // expm1 overflows where exp does: charging only exp would make
            // exp(x) - 1 look safe once spelled expm1(x).
            case .overflow:
                return operand.upper > precision.largestExpArgument ? [.overflow] : []
            // log(a) meets its pole where a reaches 0, log1p(a) where a
            // reaches -1 (as log(1 - exp x) spelled log1p(-exp x) does at 0).
            case .pole(let at):
                let distance = ValueInterval(operand.lower - at, operand.upper - at)
                return canReachZero(distance, leastNormal: precision.leastNormal) ? [.zeroDivision] : []
            }
        }
        switch node.op {
        case TensorVocabulary.inverse:
            if canReachZero(children[0], leastNormal: precision.leastNormal) { return [.zeroDivision] }
        case TensorVocabulary.multiply:
            // ∞ · 0 needs two different operands.
            if pairExists(
                children, { $0.interval.lower == -.infinity || $0.interval.upper == .infinity },
                { $0.interval.contains(0) || canReachZero($0, leastNormal: precision.leastNormal) })
            {
                return [.infinityTimesZero]
            }
        case TensorVocabulary.add:
            var risks: [Risk] = []
            if pairExists(children, { $0.interval.upper == .infinity }, { $0.interval.lower == -.infinity }) {
                risks.append(.infinityMinusInfinity)
            }
            if pairExists(children, { $0.interval.upper > largeMagnitude }, { $0.interval.lower < -largeMagnitude }),
                !isShifted
            {
                risks.append(.cancellation)
            }
            return risks
        default:
            break
        }
        return []
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

    /// Whether a value can be 0, or so near it that the format whose least
    /// normal value is `leastNormal` rounds it to 0 (a sum of `exp` that
    /// underflows, say).
    static func canReachZero(_ facts: TensorFacts, leastNormal: Double = Double.leastNormalMagnitude) -> Bool {
        canReachZero(facts.interval, leastNormal: leastNormal)
    }

    /// Whether a value of `interval` can be 0 or round to it.
    static func canReachZero(_ interval: ValueInterval, leastNormal: Double = Double.leastNormalMagnitude) -> Bool {
        return interval.contains(0) || (interval.lower > -leastNormal && interval.upper < leastNormal)
            || (interval.lower >= 0 && interval.lower < leastNormal)
            || (interval.upper <= 0 && interval.upper > -leastNormal)
    }
}
