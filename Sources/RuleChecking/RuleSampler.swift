// Drawing instances of a rule's left side: an expression for every variable,
// shapes for the leaves and values for their elements.

import EGraph
import Foundation
import Optimizer
import TensorOps

/// The sampler's draws beyond the generator's own.
extension SplitMix64 {
    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool { uniform() < probability }

    /// An index below `count` (> 0); the modulo bias is below 2^-60 for the
    /// small counts drawn here.
    mutating func index(below count: Int) -> Int { Int(next() % UInt64(count)) }

    /// An index into `weights`, each drawn in proportion to its weight.
    mutating func weighted(_ weights: [Int]) -> Int {
        var ticket = index(below: weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if ticket < weight { return index }
            ticket -= weight
        }
        return weights.count - 1
    }
}

/// What a rule's conditions ask of one variable: the sampler steers that
/// variable's expression toward a form that satisfies the wish, and the
/// e-graph's own conditions decide whether the sample is in the domain.
enum Wish {
    /// Every element > 0 (also asked for nonnegative and nonzero).
    case positive
    /// Every element ≥ 1.
    case atLeastOne
    /// Every element is this number.
    case value(Double)
    /// A known constant.
    case constant
    /// Constant along an axis.
    case constantAlong(AxisChoice)
    /// Constant along every axis.
    case uniform
    /// `y - max(y, k)`.
    case shifted(AxisChoice)
    /// A scalar.
    case scalar
    /// Size 1 along an axis.
    case single(AxisChoice)

    /// An axis as a condition names it: written, or an attribute variable.
    enum AxisChoice {
        case fixed(Int)
        case variable(PatternVariable)
    }

    /// The wishes of every variable a rule's conditions name, read from the
    /// predicates of `TensorAnalysis.conditions()`; other predicates ask
    /// nothing of the sampler.
    static func wishes(of conditions: [Condition]) -> [PatternVariable: [Wish]] {
        var wishes: [PatternVariable: [Wish]] = [:]
        for condition in conditions {
            guard case .variable(let subject)? = condition.arguments.first else { continue }
            let second = condition.arguments.dropFirst().first
            var axis: AxisChoice?
            var number: Double?
            switch second {
            case .variable(let variable)?: axis = .variable(variable)
            case .literal(let literal)?:
                number = literal.doubleValue
                if case .integer(let value) = literal { axis = .fixed(value) }
            case nil: break
            }
            let wish: Wish?
            switch condition.definition.name {
            case "pos", "nonneg", "nonzero": wish = .positive
            case "at-least-one": wish = .atLeastOne
            case "value": wish = number.map(Wish.value)
            case "const": wish = .constant
            case "const-along": wish = axis.map(Wish.constantAlong)
            case "uniform": wish = .uniform
            case "shifted": wish = axis.map(Wish.shifted)
            case "scalar": wish = .scalar
            case "single": wish = axis.map(Wish.single)
            default: wish = nil
            }
            if let wish { wishes[subject, default: []].append(wish) }
        }
        return wishes
    }
}

/// One drawn instance of a rule's left side.
struct RuleInstance {
    /// The input leaves, in creation order, with their shapes.
    var inputs: [(name: String, shape: [Int])]
    /// Whether each input is the argument of an `exp` the sampler drew for
    /// positivity: its elements lie within ±30, so the `exp` lies within
    /// about 1e±13. Unbounded, `exp(1e5)` (1e43429) would swallow a
    /// neighbouring operand of a sum even in 256 bits (the reference loses
    /// `v` in `a + v - a`), and `exp(exp(900))` would pass the reference
    /// arithmetic's own range; both are artifacts, not unsound rules. A
    /// rule's own `exp` still sees arguments up to 1.5e5.
    var moderate: [Bool]
    /// The elements of each input, row-major, in the order of ``inputs``.
    var values: [[Double]]
    /// The left side with its variables bound.
    var lhs: SampleExpression
}

/// Draws instances of a rule's left side (``RuleInstance``).
///
/// Each class variable becomes a small expression over fresh input leaves:
/// a leaf, `exp` of one (positive), `1 + exp` of one (at least 1), a number,
/// a reduction along an axis (constant along it), `sumall` (uniform), a
/// shifted `y - max(y, k)`, or a `fill` of a scalar (uniform, any shape).
/// Inputs carry no sign facts, so these forms are how a sample reaches a
/// domain such as `(pos ?a)`: where a variable has a ``Wish``, a form that
/// grants it is drawn four times in five. A rest variable binds 0 to 2 such
/// expressions, an attribute variable the axis -1 or -2. Leaves take shapes
/// among `[]`, `[3]`, `[2 3]`, `[1 3]` and `[2 1]` (every pair broadcasts),
/// and their elements mix N(0, 1), ±1e3 to ±1.5e5, ±1e-3 and a few exact
/// zeros, per sample drawn from one regime (normal, mixed, large, tiny or
/// positive); the arguments of the drawn `exp` forms stay within ±30.
struct RuleSampler {
    private let lhs: Pattern
    private let signature: Signature
    private let variables: [(variable: PatternVariable, kind: PatternVariableKind)]
    private let wishes: [PatternVariable: [Wish]]
    private let namedLeaves: [Symbol]
    private let numbers: [Double]

    /// The shapes leaves take, and how often.
    static let shapes: [[Int]] = [[], [3], [2, 3], [1, 3], [2, 1]]
    static let shapeWeights = [15, 20, 35, 15, 15]

    /// A sampler for `rewrite`'s left side in a language with `signature`.
    init(_ rewrite: Rewrite, signature: Signature) {
        lhs = rewrite.lhs
        self.signature = signature
        let aliases = rewrite.lhs.aliasVariables
        variables = rewrite.lhs.variables.filter { !aliases.contains($0.variable) }
        wishes = Wish.wishes(of: rewrite.conditions)
        // Leaves written in the rule are inputs too; on the right side
        // alone, they are values the left side never determines.
        var named = rewrite.lhs.leafSymbols
        for symbol in rewrite.rhs.leafSymbols where !named.contains(symbol) { named.append(symbol) }
        namedLeaves = named
        var numbers: [Double] = [0, 1, -1, 2, 0.5, -3]
        for case .value(let value) in wishes.values.joined() where value.isFinite && !numbers.contains(value) {
            numbers.append(value)
        }
        // Sorted, since the wishes come out of a dictionary in no set order.
        self.numbers = numbers.sorted()
    }

    /// A new instance, or `nil` when the left side cannot be spelled with
    /// the drawn bindings (an empty application of an AC operator without a
    /// unit).
    func draw(using random: inout SplitMix64) -> RuleInstance? {
        var builder = Builder(reserved: Set(namedLeaves.map(\.name)), numbers: numbers)
        var axes: [PatternVariable: Int] = [:]
        for (variable, kind) in variables where kind == .literal {
            axes[variable] = random.chance(0.7) ? -1 : -2
        }
        var bindings: [PatternVariable: SampleBinding] = [:]
        for (variable, kind) in variables {
            let wanted = (wishes[variable] ?? []).map { builder.resolve($0, axes) }
            switch kind {
            case .literal:
                bindings[variable] = .axis(axes[variable] ?? -1)
            case .eclass:
                bindings[variable] = .expression(builder.expression(granting: wanted, &random))
            case .multiset:
                let count = random.weighted([3, 4, 3])
                let operands = (0..<count).map { _ in builder.expression(granting: wanted, &random) }
                bindings[variable] = .operands(operands)
            }
        }
        for symbol in namedLeaves {
            builder.inputs.append((symbol.name, RuleSampler.shapes[random.weighted(RuleSampler.shapeWeights)]))
            builder.moderate.append(false)
        }
        guard let expression = lhs.instantiated(with: { bindings[$0] }, signature: signature) else { return nil }
        let regime = random.weighted([30, 30, 15, 10, 15])
        var values: [[Double]] = []
        for (input, isModerate) in zip(builder.inputs, builder.moderate) {
            values.append(
                (0..<input.shape.reduce(1, *)).map { _ in
                    let value = RuleSampler.element(regime: regime, &random)
                    guard isModerate, abs(value) > 30 else { return value }
                    return (value < 0 ? -1 : 1) * (10 + 20 * random.uniform())
                })
        }
        return RuleInstance(inputs: builder.inputs, moderate: builder.moderate, values: values, lhs: expression)
    }

    /// One element in a regime: 0 normal, 1 mixed, 2 large, 3 tiny,
    /// 4 positive (the magnitude of a mixed one).
    private static func element(regime: Int, _ random: inout SplitMix64) -> Double {
        let sign: Double = random.chance(0.5) ? -1 : 1
        switch regime {
        case 0: return random.normal()
        case 2: return sign * (random.chance(0.5) ? 1e3 : 1e5) * (0.5 + random.uniform())
        case 3: return sign * 1e-3 * (0.5 + random.uniform())
        case 4: return abs(element(regime: 1, &random))
        default:
            switch random.weighted([40, 15, 15, 15, 10, 5]) {
            case 0: return random.normal()
            case 1: return sign * 1e3 * (0.5 + random.uniform())
            case 2: return sign * 1e5 * (0.5 + random.uniform())
            case 3: return sign * 1e-3 * (0.5 + random.uniform())
            case 4: return sign * (1 + random.uniform())
            default: return 0
            }
        }
    }
}

/// Builds the expressions of one instance, naming fresh leaves `v0`, `v1`,
/// ... (skipping names the rule itself uses).
private struct Builder {
    var inputs: [(name: String, shape: [Int])] = []
    /// Whether each input is the argument of a drawn `exp`.
    var moderate: [Bool] = []
    let reserved: Set<String>
    let numbers: [Double]
    private var nextLeaf = 0

    init(reserved: Set<String>, numbers: [Double]) {
        self.reserved = reserved
        self.numbers = numbers
    }

    /// A wish with its axis resolved to a number.
    enum Resolved {
        case positive
        case atLeastOne
        case value(Double)
        case constant
        case uniform
        case scalar
        case constantAlong(Int)
        case shifted(Int)
        case single(Int)
    }

    func resolve(_ wish: Wish, _ axes: [PatternVariable: Int]) -> Resolved {
        func axis(_ choice: Wish.AxisChoice) -> Int {
            switch choice {
            case .fixed(let value): value
            case .variable(let variable): axes[variable] ?? -1
            }
        }
        switch wish {
        case .positive: return .positive
        case .atLeastOne: return .atLeastOne
        case .value(let value): return .value(value)
        case .constant: return .constant
        case .uniform: return .uniform
        case .scalar: return .scalar
        case .constantAlong(let choice): return .constantAlong(axis(choice))
        case .shifted(let choice): return .shifted(axis(choice))
        case .single(let choice): return .single(axis(choice))
        }
    }

    mutating func leaf(_ shape: [Int]) -> SampleExpression {
        var name = "v\(nextLeaf)"
        while reserved.contains(name) {
            nextLeaf += 1
            name = "v\(nextLeaf)"
        }
        nextLeaf += 1
        inputs.append((name, shape))
        moderate.append(false)
        return .leaf(Symbol(name))
    }

    /// A leaf of a random shape among those satisfying `accepts` (all, when
    /// none does).
    mutating func leaf(_ random: inout SplitMix64, where accepts: ([Int]) -> Bool = { _ in true }) -> SampleExpression {
        let candidates = RuleSampler.shapes.indices.filter { accepts(RuleSampler.shapes[$0]) }
        guard !candidates.isEmpty else { return leaf(RuleSampler.shapes[2]) }
        let index = candidates[random.weighted(candidates.map { RuleSampler.shapeWeights[$0] })]
        return leaf(RuleSampler.shapes[index])
    }

    /// A leaf whose axis `axis` (from the end) exists: a reduction's operand.
    mutating func leaf(_ random: inout SplitMix64, reducibleAlong axis: Int) -> SampleExpression {
        leaf(&random) { $0.count >= -axis }
    }

    /// A leaf of size 1 along `axis` or of lower rank.
    mutating func leaf(_ random: inout SplitMix64, singleAlong axis: Int) -> SampleExpression {
        leaf(&random) { -axis > $0.count || $0[$0.count + axis] == 1 }
    }

    private static let exp = TensorVocabulary.exp
    private static let add = TensorVocabulary.add

    mutating func expression(granting wishes: [Resolved], _ random: inout SplitMix64) -> SampleExpression {
        if !wishes.isEmpty && random.chance(0.8) {
            return expression(granting: wishes[random.index(below: wishes.count)], &random)
        }
        let axis = random.chance(0.75) ? -1 : -2
        switch random.weighted([30, 14, 6, 10, 8, 8, 6, 6, 6]) {
        case 0: return leaf(&random)
        case 1: return exponential(&random)
        case 2: return onePlusExp(&random)
        case 3: return .number(numbers[random.index(below: numbers.count)])
        case 4: return reduction(TensorVocabulary.sum, axis, &random)
        case 5: return reduction(TensorVocabulary.max, axis, &random)
        case 6: return .apply(TensorVocabulary.sumAll, [leaf(&random)], payload: nil)
        case 7: return shifted(axis, &random)
        default: return filled(with: leaf([]), &random)
        }
    }

    private mutating func expression(granting wish: Resolved, _ random: inout SplitMix64) -> SampleExpression {
        switch wish {
        case .positive:
            switch random.weighted([50, 20, 15, 15]) {
            case 0: return exponential(&random)
            case 1: return onePlusExp(&random)
            case 2: return .number([0.5, 1, 2][random.index(below: 3)])
            default: return filled(with: exponential(&random) { $0.isEmpty }, &random)
            }
        case .atLeastOne:
            switch random.weighted([60, 25, 15]) {
            case 0: return onePlusExp(&random)
            case 1: return .number(random.chance(0.5) ? 1 : 2)
            default: return count(random.chance(0.75) ? -1 : -2, &random)
            }
        case .value(let value):
            return random.chance(0.8) ? .number(value) : filled(with: .number(value), &random)
        case .constant:
            return .number(numbers[random.index(below: numbers.count)])
        case .constantAlong(let axis):
            switch random.weighted([30, 20, 15, 25, 10, 10]) {
            case 0: return reduction(TensorVocabulary.sum, axis, &random)
            case 1: return reduction(TensorVocabulary.max, axis, &random)
            case 2: return .number(numbers[random.index(below: numbers.count)])
            case 3: return leaf(&random, singleAlong: axis)
            case 4: return filled(with: leaf([]), &random)
            default: return mean(axis, &random)
            }
        case .uniform:
            switch random.weighted([35, 25, 20, 20]) {
            case 0: return .apply(TensorVocabulary.sumAll, [leaf(&random)], payload: nil)
            case 1: return .number(numbers[random.index(below: numbers.count)])
            case 2: return leaf([])
            default: return filled(with: leaf([]), &random)
            }
        case .scalar:
            switch random.weighted([50, 25, 25]) {
            case 0: return leaf([])
            case 1: return .number(numbers[random.index(below: numbers.count)])
            default: return .apply(TensorVocabulary.sumAll, [leaf(&random)], payload: nil)
            }
        case .shifted(let axis):
            return shifted(axis, &random)
        case .single(let axis):
            return leaf(&random, singleAlong: axis)
        }
    }

    /// `exp(v)`: positive. Its leaf is marked moderate (see
    /// ``RuleInstance/moderate``).
    private mutating func exponential(
        _ random: inout SplitMix64, where accepts: ([Int]) -> Bool = { _ in true }
    ) -> SampleExpression {
        let argument = leaf(&random, where: accepts)
        moderate[moderate.count - 1] = true
        return .apply(Builder.exp, [argument], payload: nil)
    }

    /// `1 + exp(v)`: at least 1.
    private mutating func onePlusExp(_ random: inout SplitMix64) -> SampleExpression {
        .apply(Builder.add, [.number(1), exponential(&random)], payload: nil)
    }

    /// `sum` or `max` of a leaf along `axis`: constant along it.
    private mutating func reduction(_ op: Symbol, _ axis: Int, _ random: inout SplitMix64) -> SampleExpression {
        .apply(op, [leaf(&random, reducibleAlong: axis)], payload: .integer(axis))
    }

    /// `(sum (fill v 1) axis)`, the count a lowered `mean` divides by: at
    /// least 1 (the sampled shapes have no empty axis).
    private mutating func count(_ axis: Int, _ random: inout SplitMix64) -> SampleExpression {
        let ones = SampleExpression.apply(
            TensorVocabulary.fill, [leaf(&random, reducibleAlong: axis), .number(1)], payload: nil)
        return .apply(TensorVocabulary.sum, [ones], payload: .integer(axis))
    }

    /// `(mean v axis)` as programs lower it, `(* (sum v axis) (inv (sum (fill
    /// v 1) axis)))`: constant along `axis`.
    private mutating func mean(_ axis: Int, _ random: inout SplitMix64) -> SampleExpression {
        let value = leaf(&random, reducibleAlong: axis)
        let ones = SampleExpression.apply(TensorVocabulary.fill, [value, .number(1)], payload: nil)
        let count = SampleExpression.apply(TensorVocabulary.sum, [ones], payload: .integer(axis))
        let total = SampleExpression.apply(TensorVocabulary.sum, [value], payload: .integer(axis))
        return .apply(
            TensorVocabulary.multiply, [total, .apply(TensorVocabulary.inverse, [count], payload: nil)], payload: nil)
    }

    /// `v - max(v, axis)`, lowered: shifted along `axis`.
    private mutating func shifted(_ axis: Int, _ random: inout SplitMix64) -> SampleExpression {
        let value = leaf(&random, reducibleAlong: axis)
        let maximum = SampleExpression.apply(TensorVocabulary.max, [value], payload: .integer(axis))
        let negated = SampleExpression.apply(TensorVocabulary.multiply, [.number(-1), maximum], payload: nil)
        return .apply(Builder.add, [value, negated], payload: nil)
    }

    /// `fill(v, scalar)`: uniform, with the shape of a tensor leaf.
    private mutating func filled(with scalar: SampleExpression, _ random: inout SplitMix64) -> SampleExpression {
        .apply(TensorVocabulary.fill, [leaf(&random) { !$0.isEmpty }, scalar], payload: nil)
    }
}
