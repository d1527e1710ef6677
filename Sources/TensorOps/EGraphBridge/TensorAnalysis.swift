import EGraph
import Foundation

/// The e-class analysis of tensor programs (DESIGN.md, "Analyses"): shape,
/// constant axes, exact constant value, real sign facts, a binary64 interval,
/// and the relations that prove a max-shifted softmax free of overflow.
///
/// All facts join by accumulation (sets grow, intervals shrink), since every
/// node of a class denotes the same value and any fact proved of one holds
/// for all. Scalar classes with a known value get the value as a literal node
/// (constant folding); folding happens only where binary64 computes the real
/// result exactly, so a class never holds two different reals.
public final class TensorAnalysis: Analysis {
    /// The shapes of the program's inputs, by leaf symbol.
    public let inputShapes: [Symbol: Shape]
    /// The magnitude the intervals assume of every input element, 2^500: far
    /// beyond real data (exp overflows past 709), yet small enough that sums
    /// and products of a few inputs stay finite, so an interval reaches
    /// infinity only through an operation that really overflows, such as
    /// `exp`. Infinite inputs (masked logits) are the rules' to guard for.
    public static let inputBound = 0x1p500

    /// The most elements a reduction is assumed to add, 2^31: it bounds a
    /// sum's interval by its operand's times this count.
    public static let reductionBound = 0x1p31

    /// Classes to broadcast over, by shape (see ``adaptMerges(in:)``).
    var carriers: [Shape: [ClassID]] = [:]

    /// An analysis for a program with these inputs.
    public init(inputShapes: [Symbol: Shape]) { self.inputShapes = inputShapes }

    /// An analysis for the inputs of `program`.
    public convenience init(program: TensorProgram) {
        self.init(
            inputShapes: Dictionary(
                program.inputs.map { (TensorVocabulary.input($0.name), $0.shape) }, uniquingKeysWith: { a, _ in a }))
    }

    // MARK: Analysis

    /// The facts of a new node, from its operator and its children's facts.
    public func make(_ node: ENode, in egraph: EGraph) -> TensorFacts {
        if node.op == .literal, case .number(let value)? = node.payload { return TensorAnalysis.literal(value) }
        if node.children.isEmpty {
            var facts = TensorFacts(shape: inputShapes[node.op] ?? .scalar)
            facts.interval = ValueInterval(-TensorAnalysis.inputBound, TensorAnalysis.inputBound)
            return facts
        }
        let children = node.children.map { egraph.data(of: $0, for: self) }
        var facts = TensorFacts(shape: shape(of: node, children))
        facts.value = TensorAnalysis.value(of: node, children, shape: facts.shape)
        facts.signs = TensorAnalysis.signs(of: node, children).closed
        facts.interval = TensorAnalysis.interval(of: node, children, shape: facts.shape)
        facts.constantAxes = constantAxes(of: node, children, rank: facts.shape.rank)
        relations(of: node, children, in: egraph, into: &facts)
        tighten(&facts)
        return facts
    }

    /// Accumulates facts: sets unite, intervals intersect, and a known value
    /// wins over an unknown one (two different values, which only an unsound
    /// rule could produce, keep the smaller in IEEE total order so the join
    /// stays commutative).
    public func merge(_ a: inout TensorFacts, _ b: TensorFacts) -> DidMerge {
        let original = a
        a.constantAxes.bits |= b.constantAxes.bits
        switch (a.value, b.value) {
        case (nil, let value?): a.value = value
        case (let left?, let right?)
        where right.isTotallyOrdered(belowOrEqualTo: left) && Literal.number(left) != Literal.number(right):
            // Bitwise, so -0 and +0 join the same way in either order.
            a.value = right
        default: break
        }
        a.signs = a.signs.union(b.signs).closed
        a.interval = ValueInterval(
            Swift.max(a.interval.lower, b.interval.lower), Swift.min(a.interval.upper, b.interval.upper))
        a.shiftedAlong.bits |= b.shiftedAlong.bits
        a.holdsOneAlong.bits |= b.holdsOneAlong.bits
        a.isShiftedOverall = a.isShiftedOverall || b.isShiftedOverall
        a.holdsOneOverall = a.holdsOneOverall || b.holdsOneOverall
        a.unitScaledAlong.bits |= b.unitScaledAlong.bits
        a.isUnitScaledOverall = a.isUnitScaledOverall || b.isUnitScaledOverall
        a.maximumOf = TensorAnalysis.united(a.maximumOf, b.maximumOf)
        a.negatedMaximumOf = TensorAnalysis.united(a.negatedMaximumOf, b.negatedMaximumOf)
        tighten(&a)
        return DidMerge(changedLeft: a != original, changedRight: a != b)
    }

    /// Adds a scalar class's known value as a literal node, and notes the
    /// class as a carrier of its shape.
    public func modify(_ id: ClassID, in egraph: EGraph) {
        let facts = egraph.data(of: id, for: self)
        noteCarrier(id, shape: facts.shape)
        guard facts.shape == .scalar, let value = facts.value else { return }
        // The rules are sound over the reals, whose zero has no sign: a zero
        // folded from `-1 * 0` is the zero as written, not a `-0`.
        egraph.union(id, egraph.add(.number(value == 0 ? 0 : value)), foundBy: "constant-folding")
    }

    /// The facts with their class ids canonical.
    public func canonical(_ data: TensorFacts, in egraph: EGraph) -> TensorFacts {
        var data = data
        data.maximumOf = TensorAnalysis.united(data.maximumOf.map { canonical($0, egraph) }, [])
        data.negatedMaximumOf = TensorAnalysis.united(data.negatedMaximumOf.map { canonical($0, egraph) }, [])
        return data
    }

    private func canonical(_ relation: MaximumRelation, _ egraph: EGraph) -> MaximumRelation {
        MaximumRelation(of: egraph.find(relation.of), axis: relation.axis)
    }

    private static func united(_ a: [MaximumRelation], _ b: [MaximumRelation]) -> [MaximumRelation] {
        if b.isEmpty && a.count < 2 { return a }
        var all = a + b
        all.sort()
        var unique: [MaximumRelation] = []
        for relation in all where unique.last != relation { unique.append(relation) }
        return unique
    }

    /// Makes the interval agree with the sign facts and the known value.
    private func tighten(_ facts: inout TensorFacts) {
        if let value = facts.value {
            facts.interval = ValueInterval(value, value)
            return
        }
        var lower = facts.interval.lower
        var upper = facts.interval.upper
        if facts.signs.contains(.atLeastOne) { lower = Swift.max(lower, 1) }
        if facts.signs.contains(.nonnegative) { lower = Swift.max(lower, 0) }
        if facts.signs.contains(.nonpositive) || facts.shiftedAlong.bits != 0 || facts.isShiftedOverall {
            upper = Swift.min(upper, 0)
        }
        if facts.holdsOneAlong.bits != 0 || facts.holdsOneOverall {
            lower = Swift.max(lower, 0)
            upper = Swift.min(upper, 1)
        }
        if facts.unitScaledAlong.bits != 0 || facts.isUnitScaledOverall {
            lower = Swift.max(lower, -1)
            upper = Swift.min(upper, 1)
        }
        facts.interval = ValueInterval(lower, upper)
    }

    // MARK: Shape

    private func shape(of node: ENode, _ children: [TensorFacts]) -> Shape {
        let first = children[0].shape
        switch node.op {
        case TensorVocabulary.sumAll, TensorVocabulary.maxAll:
            return .scalar
        case TensorVocabulary.sum, TensorVocabulary.max:
            guard let axis = TensorAnalysis.axis(node, rank: first.rank) else { return first }
            return first.reducing(axis: axis)
        case TensorVocabulary.squeeze:
            guard let axis = TensorAnalysis.axis(node, rank: first.rank) else { return first }
            return first.removing(axis: axis)
        default:
            // Elementwise operators, `fill`, and AC applications of any
            // arity broadcast their operands.
            var shape = first
            for child in children.dropFirst() { shape = Shape.broadcast(shape, child.shape) ?? shape }
            return shape
        }
    }

    /// The node's axis attribute as an index from the front, if in range.
    static func axis(_ node: ENode, rank: Int) -> Int? {
        guard case .integer(let fromEnd)? = node.payload else { return nil }
        let axis = rank + fromEnd
        return axis >= 0 && axis < rank ? axis : nil
    }

    // MARK: Values

    static func literal(_ value: Double) -> TensorFacts {
        var facts = TensorFacts(shape: .scalar)
        facts.value = value.isNaN ? nil : value
        facts.interval = ValueInterval(value, value)
        facts.constantAxes = .all
        if value > 0 { facts.signs.insert(.positive) }
        if value < 0 { facts.signs.insert(.negative) }
        if value == 0 { facts.signs.formUnion([.nonnegative, .nonpositive]) }
        if value >= 1 { facts.signs.insert(.atLeastOne) }
        facts.signs = facts.signs.closed
        return facts
    }

    /// The exact value of every element, where binary64 computes it exactly.
    private static func value(of node: ENode, _ children: [TensorFacts], shape: Shape) -> Double? {
        let values = children.map(\.value)
        // The maximum of a shifted value along its axis is exactly 0.
        if node.op == TensorVocabulary.max, case .integer(let axis)? = node.payload,
            children[0].shiftedAlong.contains(fromEnd: -axis)
        {
            return 0
        }
        if node.op == TensorVocabulary.maxAll, children[0].isShiftedOverall { return 0 }
        switch node.op {
        case TensorVocabulary.fill: return values[1]
        // A constant is its own maximum.
        case TensorVocabulary.subtractMax, TensorVocabulary.subtractMaxAll: return values[0] == nil ? nil : 0
        case TensorVocabulary.max, TensorVocabulary.maxAll, TensorVocabulary.squeeze: return values[0]
        case TensorVocabulary.sum, TensorVocabulary.sumAll: return values[0] == 0 ? 0 : nil
        default: break
        }
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        let known = values.map { $0! }
        if let function = UnaryFunction.of(node.op) { return function.exactValue(known[0]) }
        if let function = BinaryFunction.of(node.op) { return function.exactValue(known[0], known[1]) }
        switch node.op {
        case TensorVocabulary.add:
            var total = known[0]
            for value in known.dropFirst() {
                let sum = total + value
                guard sum.isFinite, sum - total == value, sum - value == total else { return nil }
                total = sum
            }
            return total
        case TensorVocabulary.multiply:
            var product = known[0]
            for value in known.dropFirst() {
                let result = product * value
                // Exact when the fused residual a·b − result is 0, but only
                // where that residual cannot underflow itself: 1e-300 ·
                // 1e-300 rounds to 0 and so does its residual, 1e-600, and
                // folding it to 0 turned `where(1e-300 * 1e-300, x, inf)`,
                // whose truth is x, into inf. Below 2^-969 (2^53 least
                // normals) a product folds only to the 0 of a 0 operand.
                if result == 0 {
                    guard product == 0 || value == 0 else { return nil }
                } else {
                    guard result.isFinite, result.magnitude >= 0x1p-969,
                        (-result).addingProduct(product, value) == 0
                    else { return nil }
                }
                product = result
            }
            return product
        case TensorVocabulary.inverse:
            let result = 1 / known[0]
            return result.isFinite && (-1.0).addingProduct(result, known[0]) == 0 ? result : nil
        case TensorVocabulary.whereSymbol: return known[0] != 0 ? known[1] : known[2]
        default: return nil
        }
    }

    // MARK: Signs

    private static func signs(of node: ENode, _ children: [TensorFacts]) -> SignFacts {
        let facts = children.map { $0.signs.closed }
        let first = facts[0]
        if let function = UnaryFunction.of(node.op) { return function.signs(first) }
        if let function = BinaryFunction.of(node.op) { return function.signs(first, facts[1]) }
        switch node.op {
        case TensorVocabulary.add:
            var result = SignFacts()
            if facts.allSatisfy({ $0.contains(.nonnegative) }) {
                result.insert(.nonnegative)
                if facts.contains(where: { $0.contains(.positive) }) { result.insert(.positive) }
                if facts.contains(where: { $0.contains(.atLeastOne) }) { result.insert(.atLeastOne) }
            }
            if facts.allSatisfy({ $0.contains(.nonpositive) }) {
                result.insert(.nonpositive)
                if facts.contains(where: { $0.contains(.negative) }) { result.insert(.negative) }
            }
            return result
        case TensorVocabulary.multiply:
            return productSigns(facts)
        case TensorVocabulary.inverse:
            return first.intersection([.positive, .negative, .nonzero, .nonnegative, .nonpositive])
        case TensorVocabulary.sum, TensorVocabulary.sumAll:
            var result = first.intersection([.positive, .negative, .nonnegative, .nonpositive])
            if first.contains(.atLeastOne) { result.insert(.atLeastOne) }
            if node.op == TensorVocabulary.sum, case .integer(let axis)? = node.payload,
                first.contains(.nonnegative), children[0].holdsOneAlong.contains(fromEnd: -axis)
            {
                result.insert(.atLeastOne)
            }
            if node.op == TensorVocabulary.sumAll, first.contains(.nonnegative), children[0].holdsOneOverall {
                result.insert(.atLeastOne)
            }
            return result
        case TensorVocabulary.max, TensorVocabulary.maxAll, TensorVocabulary.squeeze:
            return first
        case TensorVocabulary.subtractMax, TensorVocabulary.subtractMaxAll:
            return .nonpositive
        case TensorVocabulary.unitScale, TensorVocabulary.unitScaleAll:
            // Dividing by a positive magnitude keeps each sign.
            return first.intersection([.positive, .negative, .nonnegative, .nonpositive, .nonzero])
        case TensorVocabulary.whereSymbol:
            return facts[1].intersection(facts[2])
        case TensorVocabulary.fill:
            return facts[1]
        default:
            return []
        }
    }

    /// The signs of a product, from the set of signs each factor may take:
    /// more facts about a factor leave fewer possibilities, so the product's
    /// facts can only grow (`make` stays monotone, as joins require).
    private static func productSigns(_ facts: [SignFacts]) -> SignFacts {
        // Bit 0: may be negative; bit 1: may be zero; bit 2: may be positive.
        func possible(_ signs: SignFacts) -> UInt8 {
            var set: UInt8 = 0b111
            if signs.contains(.positive) { set &= 0b100 }
            if signs.contains(.negative) { set &= 0b001 }
            if signs.contains(.nonnegative) { set &= 0b110 }
            if signs.contains(.nonpositive) { set &= 0b011 }
            if signs.contains(.nonzero) { set &= 0b101 }
            return set
        }
        var product: UInt8 = 0b100
        for factor in facts {
            let signs = possible(factor)
            var next: UInt8 = 0
            for a in 0..<3 where product & (1 << a) != 0 {
                for b in 0..<3 where signs & (1 << b) != 0 {
                    // Signs as -1, 0, +1 at positions 0, 1, 2.
                    next |= 1 << UInt8(((a - 1) * (b - 1)) + 1)
                }
            }
            product = next
        }
        var result = SignFacts()
        if product & 0b011 == 0 { result.insert(.positive) }
        if product & 0b110 == 0 { result.insert(.negative) }
        if product & 0b001 == 0 { result.insert(.nonnegative) }
        if product & 0b100 == 0 { result.insert(.nonpositive) }
        if product & 0b010 == 0 { result.insert(.nonzero) }
        if facts.allSatisfy({ $0.contains(.atLeastOne) }) { result.insert(.atLeastOne) }
        return result
    }

    // MARK: Intervals

    private static func interval(of node: ENode, _ children: [TensorFacts], shape: Shape) -> ValueInterval {
        let bounds = children.map(\.interval)
        let first = bounds[0]
        if let function = UnaryFunction.of(node.op) { return function.interval(first) }
        if let function = BinaryFunction.of(node.op) { return function.interval(first, bounds[1]) }
        switch node.op {
        case TensorVocabulary.add:
            return bounds.dropFirst().reduce(first) { ValueInterval($0.lower + $1.lower, $0.upper + $1.upper) }
        case TensorVocabulary.multiply:
            return bounds.dropFirst().reduce(first) { a, b in
                let products = [a.lower * b.lower, a.lower * b.upper, a.upper * b.lower, a.upper * b.upper]
                if products.contains(where: \.isNaN) { return .everything }
                return ValueInterval(products.min()!, products.max()!)
            }
        case TensorVocabulary.inverse:
            if first.lower > 0 || first.upper < 0 { return ValueInterval(1 / first.upper, 1 / first.lower) }
            if first.lower == 0 && first.upper > 0 { return ValueInterval(1 / first.upper, .infinity) }
            return .everything
        case TensorVocabulary.sum, TensorVocabulary.sumAll:
            let count = reductionBound
            return ValueInterval(Swift.min(0, first.lower * count), Swift.max(0, first.upper * count))
        case TensorVocabulary.max, TensorVocabulary.maxAll, TensorVocabulary.squeeze:
            return first
        case TensorVocabulary.subtractMax, TensorVocabulary.subtractMaxAll:
            // x - max(x) lies between the least minus the greatest and 0.
            return ValueInterval(Swift.min(first.lower - first.upper, 0), 0)
        case TensorVocabulary.whereSymbol:
            return ValueInterval(
                Swift.min(bounds[1].lower, bounds[2].lower), Swift.max(bounds[1].upper, bounds[2].upper))
        case TensorVocabulary.fill:
            return bounds[1]
        default:
            return .everything
        }
    }

    // MARK: Constant axes

    private func constantAxes(of node: ENode, _ children: [TensorFacts], rank: Int) -> AxisSet {
        var axes = AxisSet()
        switch node.op {
        case TensorVocabulary.sumAll, TensorVocabulary.maxAll:
            return .all
        case TensorVocabulary.sum, TensorVocabulary.max:
            axes = children[0].constantAxes
            if case .integer(let axis)? = node.payload { axes = axes.inserting(fromEnd: -axis) }
            return axes
        case TensorVocabulary.squeeze:
            guard case .integer(let axis)? = node.payload, rank > 0 else { return axes }
            for k in 1...rank where children[0].isConstant(alongFromEnd: k < -axis ? k : k + 1) {
                axes = axes.inserting(fromEnd: k)
            }
            return axes
        case TensorVocabulary.fill:
            guard rank > 0 else { return axes }
            for k in 1...rank where children[1].isConstant(alongFromEnd: k) { axes = axes.inserting(fromEnd: k) }
            return axes
        default:
            guard rank > 0 else { return axes }
            for k in 1...rank where children.allSatisfy({ $0.isConstant(alongFromEnd: k) }) {
                axes = axes.inserting(fromEnd: k)
            }
            return axes
        }
    }

    // MARK: Relations

    /// Sees `max_k(x)`, `-max_k(x)`, `x - max_k(x)` (shifted along k) and the
    /// `exp` of a shifted value (holds a 1 along k), and the same for the
    /// maximum over all elements.
    private func relations(of node: ENode, _ children: [TensorFacts], in egraph: EGraph, into facts: inout TensorFacts)
    {
        switch node.op {
        case TensorVocabulary.subtractMax:
            if case .integer(let axis)? = node.payload {
                facts.shiftedAlong = facts.shiftedAlong.inserting(fromEnd: -axis)
            }
        case TensorVocabulary.subtractMaxAll:
            facts.isShiftedOverall = true
        case TensorVocabulary.unitScale:
            if case .integer(let axis)? = node.payload {
                facts.unitScaledAlong = facts.unitScaledAlong.inserting(fromEnd: -axis)
            }
        case TensorVocabulary.unitScaleAll:
            facts.isUnitScaledOverall = true
        case TensorVocabulary.multiply
        where node.children.count == 2 && egraph.find(node.children[0]) == egraph.find(node.children[1]):
            // The square of a unit-scaled value: in [0, 1], with a 1 in each
            // slice (where its magnitude was 1), so its sum along the axis is
            // at least 1. Only this square is known nonnegative: squares in
            // general are not (docs/performance.md, set aside).
            if children[0].unitScaledAlong.bits != 0 || children[0].isUnitScaledOverall {
                facts.holdsOneAlong.bits |= children[0].unitScaledAlong.bits
                facts.holdsOneOverall = facts.holdsOneOverall || children[0].isUnitScaledOverall
                facts.signs = facts.signs.union(.nonnegative).closed
            }
        case TensorVocabulary.max:
            if case .integer(let axis)? = node.payload {
                facts.maximumOf = [MaximumRelation(of: egraph.find(node.children[0]), axis: axis)]
            }
        case TensorVocabulary.maxAll:
            facts.maximumOf = [MaximumRelation(of: egraph.find(node.children[0]), axis: MaximumRelation.overall)]
        case TensorVocabulary.multiply where node.children.count == 2:
            for (index, child) in children.enumerated() where child.value == -1 && child.shape == .scalar {
                facts.negatedMaximumOf = children[1 - index].maximumOf.map {
                    MaximumRelation(of: egraph.find($0.of), axis: $0.axis)
                }
            }
        case TensorVocabulary.add where node.children.count == 2:
            for index in 0..<2 {
                let shifted = egraph.find(node.children[index])
                for relation in children[1 - index].negatedMaximumOf where egraph.find(relation.of) == shifted {
                    if relation.axis == MaximumRelation.overall {
                        facts.isShiftedOverall = true
                    } else {
                        facts.shiftedAlong = facts.shiftedAlong.inserting(fromEnd: -relation.axis)
                    }
                }
            }
            if facts.shiftedAlong.bits != 0 || facts.isShiftedOverall {
                facts.signs = facts.signs.union(.nonpositive).closed
            }
        case TensorVocabulary.exp:
            facts.holdsOneAlong = children[0].shiftedAlong
            facts.holdsOneOverall = children[0].isShiftedOverall
        default:
            break
        }
    }
}
