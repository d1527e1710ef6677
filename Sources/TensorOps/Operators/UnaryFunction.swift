import EGraph
import Foundation

/// An elementwise function of one operand (`exp`, `log`, `log1p`, `expm1`,
/// `sqrt`, `abs`, `tanh`, `sigmoid`, `softplus`), everything the pipeline
/// knows of it in one entry of ``UnaryFunction/table``: its spelling, what
/// the analysis knows of its values, what it costs and risks in extraction,
/// its derivative, and how each evaluator computes it.
///
/// Adding such a function is an entry here (a `static let` and its place in
/// ``table``), its numerics (a ``ReferenceFloat`` implementation) and its
/// row in `docs/language.md`: the language's operator is
/// ``TensorOperator/unary(_:)`` of the entry, spelled as the entry says.
/// `UnaryFunctionTests` fails if an entry disagrees with itself or with the
/// page.
///
/// A class, compared by its symbol: an entry is one row of a table, and the
/// operator that carries it (in every node of a tensor graph) stays one
/// reference wide.
public final class UnaryFunction: OperatorTableEntry {
    /// What can go wrong when the function is evaluated in floating point.
    public enum Risk: Sendable, Equatable {
        /// Nothing: the result is finite wherever the operand is (or the
        /// function is bounded).
        case none
        /// Overflows where the operand exceeds the format's largest `exp`
        /// argument, as `exp` does.
        case overflow
        /// Has a pole (`-inf`) where the operand reaches `at`, or rounds
        /// to it: `log` at 0, `log1p` at -1.
        case pole(at: Double)
    }

    /// The function as written in programs and rules.
    public let name: String
    /// The operator in the e-graph, interned once: the analysis and the cost
    /// compare symbols on every node, and interning takes a lock.
    public let symbol: Symbol
    /// The operation count extraction charges: transcendental functions 4,
    /// `sqrt` 2, `abs` 1.
    public let cost: Double
    /// What can go wrong in floating point.
    public let risk: Risk
    /// The interval of the values, given the operand's.
    public let interval: @Sendable (ValueInterval) -> ValueInterval
    /// The sign facts of the values, given the operand's (closed).
    public let signs: @Sendable (SignFacts) -> SignFacts
    /// The value at a known operand, where it is exact (`exp(0) = 1`);
    /// `nil` where it would be rounded.
    public let exactValue: @Sendable (Double) -> Double?
    /// The adjoint passed to the operand `x` of the node `y = f(x)` whose
    /// adjoint is `g`, built as `aesara.grad` builds it.
    let adjoint: @Sendable (inout TensorGraph, _ x: NodeID, _ y: NodeID, _ g: NodeID) throws(ShapeError) -> NodeID
    /// numpy's float64 result (the judge's float64 evaluator).
    public let binary64: @Sendable (Double) -> Double
    /// numpy's float32 result.
    public let binary32: @Sendable (Float) -> Float
    /// The judge's mpmath result, in ``ReferenceFloat``.
    public let reference: @Sendable (ReferenceFloat) -> ReferenceFloat

    /// An entry of the table; every part is required, so an entry cannot be
    /// written without one.
    init(
        name: String, cost: Double, risk: Risk, interval: @escaping @Sendable (ValueInterval) -> ValueInterval,
        signs: @escaping @Sendable (SignFacts) -> SignFacts, exactValue: @escaping @Sendable (Double) -> Double?,
        adjoint:
            @escaping @Sendable (inout TensorGraph, _ x: NodeID, _ y: NodeID, _ g: NodeID) throws(ShapeError) ->
            NodeID,
        binary64: @escaping @Sendable (Double) -> Double, binary32: @escaping @Sendable (Float) -> Float,
        reference: @escaping @Sendable (ReferenceFloat) -> ReferenceFloat
    ) {
        self.name = name
        symbol = Symbol(name)
        self.cost = cost
        self.risk = risk
        self.interval = interval
        self.signs = signs
        self.exactValue = exactValue
        self.adjoint = adjoint
        self.binary64 = binary64
        self.binary32 = binary32
        self.reference = reference
    }

    /// The language's operator applying it.
    public var op: TensorOperator { .unary(self) }

    /// The entry of `op`, if it is a function of one operand.
    public static func of(_ op: TensorOperator) -> UnaryFunction? {
        if case .unary(let function) = op { return function }
        return nil
    }

    /// The entry whose e-graph symbol is `symbol`: an array lookup, since
    /// the analysis and the cost ask for every node they see.
    public static func of(_ symbol: Symbol) -> UnaryFunction? { bySymbol[symbol] }

    private static let bySymbol = SymbolIndex(table)
}

extension UnaryFunction {
    /// Every function of one operand, in the order the random program
    /// generator draws them (changing it changes the generated programs).
    public static let table: [UnaryFunction] = [exp, log, log1p, expm1, sqrt, abs, tanh, sigmoid, softplus]

    /// `e^x`: overflows past the format's largest argument, the risk the
    /// softmax family's stable forms remove.
    public static let exp = UnaryFunction(
        name: "exp", cost: 4, risk: .overflow,
        interval: { monotone($0, Foundation.exp) }, signs: { _ in .positive },
        exactValue: { $0 == 0 ? 1 : nil },
        adjoint: { graph, _, y, g throws(ShapeError) in try graph.unitDroppingProduct(g, y) },
        binary64: { Foundation.exp($0) }, binary32: { Foundation.exp($0) },
        reference: { x in
            let result = ReferenceFloat.exp(x)
            // Past the exponent range: unknown, not inf or 0 (see ReferenceFloat+EvaluationScalar).
            return x.isFinite && (result.isZero || !result.isFinite) ? .nan : .unsigned(result)
        })

    /// The natural logarithm: a pole at 0.
    public static let log = UnaryFunction(
        name: "log", cost: 4, risk: .pole(at: 0),
        interval: { $0.lower < 0 ? .everything : monotone($0, Foundation.log) },
        signs: { $0.contains(.atLeastOne) ? .nonnegative : [] },
        exactValue: { $0 == 1 ? 0 : nil },
        adjoint: { graph, x, _, g throws(ShapeError) in try graph.apply(.divide, [g, x]) },
        binary64: { Foundation.log($0) }, binary32: { Foundation.log($0) },
        reference: { .unsigned(ReferenceFloat.log($0)) })

    /// `log(1 + x)`, exact for small `x`, where `log(1 + x)` has already
    /// rounded `1 + x`.
    public static let log1p = UnaryFunction(
        name: "log1p", cost: 4, risk: .pole(at: -1),
        interval: { $0.lower < -1 ? .everything : monotone($0, Foundation.log1p) },
        signs: signPreserving, exactValue: { _ in nil },
        adjoint: { graph, x, _, g throws(ShapeError) in
            try graph.apply(.divide, [g, graph.apply(.add, [graph.constant(1), x])])
        },
        binary64: { Foundation.log1p($0) }, binary32: { Foundation.log1p($0) },
        reference: { .unsigned(ReferenceFloat.log1p($0)) })

    /// `exp(x) - 1`, exact for small `x`, where the subtraction cancels.
    public static let expm1 = UnaryFunction(
        name: "expm1", cost: 4, risk: .overflow,
        interval: { monotone($0, Foundation.expm1) }, signs: signPreserving, exactValue: { _ in nil },
        adjoint: { graph, x, _, g throws(ShapeError) in
            try graph.apply(.multiply, [g, graph.apply(.unary(.exp), [x])])
        },
        binary64: { Foundation.expm1($0) }, binary32: { Foundation.expm1($0) },
        reference: { .unsigned(ReferenceFloat.expm1($0)) })

    /// The square root: nan below 0.
    public static let sqrt = UnaryFunction(
        name: "sqrt", cost: 2, risk: .none,
        interval: { $0.lower < 0 ? .everything : monotone($0, Foundation.sqrt) },
        signs: { $0.intersection([.positive, .atLeastOne]).union(.nonnegative) }, exactValue: { _ in nil },
        adjoint: { graph, _, y, g throws(ShapeError) in
            try graph.apply(.divide, [graph.apply(.multiply, [g, graph.constant(0.5)]), y])
        },
        binary64: { $0.squareRoot() }, binary32: { $0.squareRoot() },
        reference: { $0 < .zero ? .nan : .unsigned(ReferenceFloat.sqrt($0)) })

    /// The magnitude.
    public static let abs = UnaryFunction(
        name: "abs", cost: 1, risk: .none,
        interval: { operand in
            if operand.lower >= 0 { return operand }
            if operand.upper <= 0 { return ValueInterval(-operand.upper, -operand.lower) }
            return ValueInterval(0, Swift.max(-operand.lower, operand.upper))
        },
        signs: { operand in
            var result: SignFacts = .nonnegative
            if operand.contains(.nonzero) { result.insert(.positive) }
            if operand.contains(.atLeastOne) { result.insert(.atLeastOne) }
            return result
        },
        exactValue: { Swift.abs($0) },
        adjoint: { graph, x, _, g throws(ShapeError) in
            let sign = try graph.apply(
                .subtract,
                [
                    graph.apply(.binary(.greater), [x, graph.constant(0)]),
                    graph.apply(.binary(.less), [x, graph.constant(0)]),
                ])
            return try graph.apply(.multiply, [g, sign])
        },
        binary64: { Swift.abs($0) }, binary32: { Swift.abs($0) },
        reference: { .unsigned($0.magnitude) })

    /// The hyperbolic tangent, bounded by ±1.
    public static let tanh = UnaryFunction(
        name: "tanh", cost: 4, risk: .none,
        interval: { monotone($0, Foundation.tanh) }, signs: signPreserving, exactValue: { _ in nil },
        adjoint: { graph, _, y, g throws(ShapeError) in
            try graph.apply(
                .multiply, [g, graph.apply(.subtract, [graph.constant(1), graph.apply(.multiply, [y, y])])])
        },
        binary64: { Foundation.tanh($0) }, binary32: { Foundation.tanh($0) },
        reference: { .unsigned(ReferenceFloat.tanh($0)) })

    /// `1 / (1 + exp(-x))`, computed as the judge does, so neither branch
    /// overflows.
    public static let sigmoid = UnaryFunction(
        name: "sigmoid", cost: 4, risk: .none,
        interval: { _ in ValueInterval(0, 1) }, signs: { _ in .positive }, exactValue: { _ in nil },
        adjoint: { graph, _, y, g throws(ShapeError) in
            try graph.apply(
                .multiply,
                [graph.apply(.multiply, [g, y]), graph.apply(.subtract, [graph.constant(1), y])])
        },
        binary64: { numpySigmoid($0) }, binary32: { numpySigmoid($0) },
        reference: { .unsigned(ReferenceFloat.sigmoid($0)) })

    /// `log(1 + exp(x))`, computed as the judge does, so it neither
    /// overflows nor loses `exp(x)` for very negative `x`.
    public static let softplus = UnaryFunction(
        name: "softplus", cost: 4, risk: .none,
        interval: { _ in ValueInterval(0, .infinity) }, signs: { _ in .positive }, exactValue: { _ in nil },
        adjoint: { graph, x, _, g throws(ShapeError) in
            try graph.apply(.multiply, [g, graph.apply(.unary(.sigmoid), [x])])
        },
        binary64: { numpySoftplus($0) }, binary32: { numpySoftplus($0) },
        reference: { .unsigned(ReferenceFloat.softplus($0)) })

    /// The image of `interval` under an increasing `function`.
    private static func monotone(_ interval: ValueInterval, _ function: (Double) -> Double) -> ValueInterval {
        ValueInterval(function(interval.lower), function(interval.upper))
    }

    /// The signs of a function that keeps its operand's sign and zeros
    /// (`log1p`, `expm1`, `tanh`), not its magnitude.
    private static let signPreserving: @Sendable (SignFacts) -> SignFacts = {
        $0.intersection([.positive, .negative, .nonnegative, .nonpositive, .nonzero])
    }
}

/// The judge's `_sigmoid64`, in either format: with `e = exp(-|x|)`,
/// `1 / (1 + e)` for `x >= 0` and `e / (1 + e)` otherwise, so neither branch
/// overflows; NaN gives NaN (through the second branch).
@Sendable func numpySigmoid<T: BinaryFloatingPoint & ElementaryFunctions>(_ x: T) -> T {
    let e = T.exp(-Swift.abs(x))
    return x >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// The judge's `_softplus64`, in either format: `maximum(x, 0) +
/// log1p(exp(-|x|))`, which neither overflows for large `x` nor loses
/// `exp(x)` for very negative `x`.
@Sendable func numpySoftplus<T: BinaryFloatingPoint & ElementaryFunctions>(_ x: T) -> T {
    numpyMaximum(x, 0) + T.log1p(T.exp(-Swift.abs(x)))
}

/// The C library's elementary functions in each binary format (`exp` and
/// `expf`, ...), which the float evaluators use as numpy does.
protocol ElementaryFunctions {
    static func exp(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
}

extension Double: ElementaryFunctions {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
}

extension Float: ElementaryFunctions {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
}
