import EGraph
import Foundation

/// An elementwise function of two operands that keeps its name in the
/// e-graph (`pow`, `maximum`, `minimum` and the comparisons `eq`, `ne`, `lt`,
/// `le`, `gt`, `ge`), everything the pipeline knows of it in one entry of
/// ``BinaryFunction/table``: its spelling, what the analysis knows of its
/// values, what it costs in extraction, its derivative, and how each
/// evaluator computes it.
///
/// The arithmetic operators are not entries: `-` and `/` are lowered into
/// other e-graph operators (`+`, `*`, `inv`), whose facts and costs are not
/// theirs, and `+` and `*` take any number of operands there.
///
/// Adding such a function is an entry here (a `static let` and its place in
/// ``table``) and its row in `docs/language.md`: the language's operator is
/// ``TensorOperator/binary(_:)`` of the entry, spelled as the entry says.
/// `BinaryFunctionTests` fails if an entry disagrees with itself.
///
/// A class, compared by its symbol, for the reasons ``UnaryFunction`` is.
public final class BinaryFunction: OperatorTableEntry {
    /// The function as written in programs and rules.
    public let name: String
    /// The operator in the e-graph, interned once.
    public let symbol: Symbol
    /// The operation count extraction charges.
    public let cost: Double
    /// Whether the result is 1 or 0.
    public let isComparison: Bool
    /// The value at known operands, where it is exact; `nil` where it would
    /// be rounded or is not folded.
    public let exactValue: @Sendable (Double, Double) -> Double?
    /// The sign facts of the values, given the operands' (closed).
    public let signs: @Sendable (SignFacts, SignFacts) -> SignFacts
    /// The interval of the values, given the operands'.
    public let interval: @Sendable (ValueInterval, ValueInterval) -> ValueInterval
    /// The adjoint passed to operand `position` (0 or 1) of the node
    /// `result = f(x, y)` whose adjoint is `g`, before it is summed back to
    /// the operand's shape; `nil` where none flows (a comparison).
    let adjoint:
        @Sendable (inout TensorGraph, _ x: NodeID, _ y: NodeID, _ result: NodeID, _ g: NodeID, _ position: Int)
            throws(ShapeError) -> NodeID?
    /// numpy's float64 result.
    public let binary64: @Sendable (Double, Double) -> Double
    /// numpy's float32 result.
    public let binary32: @Sendable (Float, Float) -> Float
    /// The judge's mpmath result, in ``ReferenceFloat``.
    public let reference: @Sendable (ReferenceFloat, ReferenceFloat) -> ReferenceFloat

    /// An entry of the table; every part is required, so an entry cannot be
    /// written without one.
    init(
        name: String, cost: Double, isComparison: Bool = false,
        exactValue: @escaping @Sendable (Double, Double) -> Double?,
        signs: @escaping @Sendable (SignFacts, SignFacts) -> SignFacts,
        interval: @escaping @Sendable (ValueInterval, ValueInterval) -> ValueInterval,
        adjoint:
            @escaping @Sendable (
                inout TensorGraph, _ x: NodeID, _ y: NodeID, _ result: NodeID, _ g: NodeID, _ position: Int
            ) throws(ShapeError) -> NodeID?,
        binary64: @escaping @Sendable (Double, Double) -> Double, binary32: @escaping @Sendable (Float, Float) -> Float,
        reference: @escaping @Sendable (ReferenceFloat, ReferenceFloat) -> ReferenceFloat
    ) {
        self.name = name
        symbol = Symbol(name)
        self.cost = cost
        self.isComparison = isComparison
        self.exactValue = exactValue
        self.signs = signs
        self.interval = interval
        self.adjoint = adjoint
        self.binary64 = binary64
        self.binary32 = binary32
        self.reference = reference
    }

    /// The language's operator applying it.
    public var op: TensorOperator { .binary(self) }

    /// The entry of `op`, if it is one.
    public static func of(_ op: TensorOperator) -> BinaryFunction? {
        if case .binary(let function) = op { return function }
        return nil
    }

    /// The entry whose e-graph symbol is `symbol`: an array lookup, since
    /// the analysis and the cost ask for every node they see.
    public static func of(_ symbol: Symbol) -> BinaryFunction? { bySymbol[symbol] }

    private static let bySymbol = SymbolIndex(table)
}

extension BinaryFunction {
    /// Every function of two operands that keeps its name, in the order the
    /// random program generator draws them after the arithmetic (changing
    /// it changes the generated programs).
    public static let table: [BinaryFunction] = [
        power, maximum, minimum, equal, notEqual, less, lessOrEqual, greater, greaterOrEqual,
    ]

    /// `a` to the power `b`, as the C library's `pow` (numpy's `np.power`).
    public static let power: BinaryFunction = BinaryFunction(
        name: "pow", cost: 4, exactValue: { _, _ in nil }, signs: { a, _ in a.contains(.positive) ? .positive : [] },
        interval: { _, _ in .everything },
        adjoint: { graph, x, y, result, g, position throws(ShapeError) in
            if position == 0 {
                let lowered = try graph.apply(.binary(.power), [x, graph.apply(.subtract, [y, graph.constant(1)])])
                return try graph.apply(.multiply, [graph.apply(.multiply, [g, y]), lowered])
            }
            let slope = try graph.apply(
                .multiply, [graph.apply(.multiply, [g, graph.apply(.unary(.log), [x])]), result])
            return try graph.apply(
                .select, [graph.apply(.binary(.equal), [x, graph.constant(0)]), graph.constant(0), slope])
        },
        binary64: { Foundation.pow($0, $1) }, binary32: { Foundation.pow($0, $1) }, reference: judgePower)

    /// The elementwise maximum, nan if either operand is (`np.maximum`).
    public static let maximum: BinaryFunction = BinaryFunction(
        name: "maximum", cost: 1, exactValue: { Swift.max($0, $1) },
        signs: { a, b in
            let either = a.union(b).intersection([.positive, .nonnegative, .atLeastOne])
            let both = a.intersection(b).intersection([.negative, .nonpositive])
            return either.union(both)
        },
        interval: { a, b in ValueInterval(Swift.max(a.lower, b.lower), Swift.max(a.upper, b.upper)) },
        adjoint: chosenOperand,
        binary64: { numpyMaximum($0, $1) }, binary32: { numpyMaximum($0, $1) },
        reference: { $0.isNaN || $1.isNaN ? .nan : .unsigned($0 >= $1 ? $0 : $1) })

    /// The elementwise minimum, nan if either operand is (`np.minimum`).
    public static let minimum: BinaryFunction = BinaryFunction(
        name: "minimum", cost: 1, exactValue: { Swift.min($0, $1) },
        signs: { a, b in
            let both = a.intersection(b).intersection([.positive, .nonnegative, .atLeastOne])
            let either = a.union(b).intersection([.negative, .nonpositive])
            return either.union(both)
        },
        interval: { a, b in ValueInterval(Swift.min(a.lower, b.lower), Swift.min(a.upper, b.upper)) },
        adjoint: chosenOperand,
        binary64: { numpyMinimum($0, $1) }, binary32: { numpyMinimum($0, $1) },
        reference: { $0.isNaN || $1.isNaN ? .nan : .unsigned($0 <= $1 ? $0 : $1) })

    /// 1 where the operands are equal, else 0 (false for nan).
    public static let equal: BinaryFunction = comparison("eq", { $0 == $1 }, { $0 == $1 }, { $0 == $1 })
    /// 1 where the operands differ, else 0 (true for nan).
    public static let notEqual: BinaryFunction = comparison("ne", { $0 != $1 }, { $0 != $1 }, { !($0 == $1) })
    /// 1 where `a < b`, else 0.
    public static let less: BinaryFunction = comparison("lt", { $0 < $1 }, { $0 < $1 }, { $0 < $1 })
    /// 1 where `a <= b`, else 0.
    public static let lessOrEqual: BinaryFunction = comparison("le", { $0 <= $1 }, { $0 <= $1 }, { $0 <= $1 })
    /// 1 where `a > b`, else 0.
    public static let greater: BinaryFunction = comparison("gt", { $0 > $1 }, { $0 > $1 }, { $0 > $1 })
    /// 1 where `a >= b`, else 0.
    public static let greaterOrEqual: BinaryFunction = comparison("ge", { $0 >= $1 }, { $0 >= $1 }, { $0 >= $1 })

    /// A comparison: 1 or 0, through which no adjoint flows, not folded.
    /// The reference's `ne` is `!(a == b)`, true for nan, as the floats' is.
    private static func comparison(
        _ name: String, _ binary64: @escaping @Sendable (Double, Double) -> Bool,
        _ binary32: @escaping @Sendable (Float, Float) -> Bool,
        _ reference: @escaping @Sendable (ReferenceFloat, ReferenceFloat) -> Bool
    ) -> BinaryFunction {
        BinaryFunction(
            name: name, cost: 1, isComparison: true, exactValue: { _, _ in nil }, signs: { _, _ in .nonnegative },
            interval: { _, _ in ValueInterval(0, 1) }, adjoint: { _, _, _, _, _, _ in nil },
            binary64: { binary64($0, $1) ? 1 : 0 }, binary32: { binary32($0, $1) ? 1 : 0 },
            reference: { reference($0, $1) ? .one : .zero })
    }

    /// The adjoint of `maximum` and `minimum`: `g` goes to the operand the
    /// result equals, the first where both do.
    private static let chosenOperand:
        @Sendable (inout TensorGraph, NodeID, NodeID, NodeID, NodeID, Int) throws(ShapeError) -> NodeID? = {
            graph, x, _, result, g, position throws(ShapeError) in
            let chosen = try graph.apply(.binary(.equal), [result, x])
            if position == 0 { return try graph.apply(.multiply, [chosen, g]) }
            return try graph.apply(.multiply, [graph.apply(.subtract, [graph.constant(1), chosen]), g])
        }
}
