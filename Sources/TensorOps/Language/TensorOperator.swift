/// The operators of the program language (`docs/language.md`).
///
/// There are no softmax, log-softmax or log-sum-exp operators: those are
/// written out by hand, and finding their stable forms is the optimizer's job.
///
/// The elementwise functions of one operand, and those of two that keep
/// their name in the e-graph, are not cases of their own but ``unary(_:)``
/// and ``binary(_:)`` of an entry of ``UnaryFunction/table`` or
/// ``BinaryFunction/table``, which holds their spelling with everything else
/// about them: adding one is an entry there, not a case here.
public enum TensorOperator: CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// `(+ a b ...)`: the elementwise sum, of two or more operands.
    case add
    /// `(- a b)`: the elementwise difference.
    case subtract
    /// `(* a b ...)`: the elementwise product, of two or more operands.
    case multiply
    /// `(/ a b)`: the elementwise quotient.
    case divide
    /// A function of two operands that keeps its name in the e-graph:
    /// `pow`, `maximum`, `minimum` and the comparisons (an entry of
    /// ``BinaryFunction/table``).
    case binary(BinaryFunction)
    /// `(where c a b)`: `a` where `c` is nonzero, else `b`.
    case select
    /// `(neg a)`: the elementwise negation.
    case negate
    /// An elementwise function of one operand: `exp`, `log`, ... (an entry
    /// of ``UnaryFunction/table``).
    case unary(UnaryFunction)
    /// `(sum a k)`: the sum along axis `k`, kept with size 1; `(sum a)`, of
    /// every element.
    case sum
    /// `(max a k)`: the maximum along axis `k`, kept with size 1; `(max a)`,
    /// of every element.
    case max
    /// `(mean a k)` is `(sum a k)` divided by the size of axis `k`; `(mean a)`
    /// is `(sum a)` divided by the number of elements, as numpy's `np.mean`.
    case mean
    /// `(squeeze a k)`: `a` without its axis `k`, of size 1.
    case squeeze
    /// `(fill a c)`: `c` repeated over the broadcast of both shapes; no value
    /// of `a` is read.
    case fill

    /// Every operator: the fixed ones, and one for each entry of
    /// ``BinaryFunction/table`` and ``UnaryFunction/table``, in the tables'
    /// order.
    public static let allCases: [TensorOperator] =
        [.add, .subtract, .multiply, .divide] + BinaryFunction.table.map(\.op) + [.select, .negate]
        + UnaryFunction.table.map(\.op) + [.sum, .max, .mean, .squeeze, .fill]

    /// The operator as written.
    public var name: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        case .binary(let function): function.name
        case .select: "where"
        case .negate: "neg"
        case .unary(let function): function.name
        case .sum: "sum"
        case .max: "max"
        case .mean: "mean"
        case .squeeze: "squeeze"
        case .fill: "fill"
        }
    }

    /// The operator spelled `name`, if any.
    public init?(name: String) {
        guard let op = TensorOperator.byName[name] else { return nil }
        self = op
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// How an operator combines its operands and what it does to shapes.
    public enum Kind: Sendable {
        /// Elementwise over broadcast operands.
        case elementwise
        /// Reduces one axis (kept with size 1) or every axis (to a scalar).
        case reduction
        /// Drops an axis of size 1.
        case squeeze
        /// A tensor of its first operand's shape holding its second.
        case fill
    }

    /// The operator as written.
    public var description: String { name }

    /// What kind of operator this is.
    public var kind: Kind {
        switch self {
        case .sum, .max, .mean: .reduction
        case .squeeze: .squeeze
        case .fill: .fill
        default: .elementwise
        }
    }

    /// The number of tensor operands in the core form (the binary reading of
    /// `+` and `*`); the axis of a reduction or squeeze is not an operand.
    public var arity: Int {
        switch self {
        case .negate, .unary, .sum, .max, .mean, .squeeze:
            1
        case .select: 3
        default: 2
        }
    }

    /// Whether the written form takes two or more operands, read as a left
    /// fold: `(+ a b c)` means `(+ (+ a b) c)`.
    public var isVariadic: Bool { self == .add || self == .multiply }

    /// Whether the result is 1 or 0 (comparisons).
    public var isComparison: Bool { BinaryFunction.of(self)?.isComparison ?? false }

    /// Whether the written form carries an integer axis: optional for
    /// reductions, required for `squeeze`.
    public var axisRequirement: AxisRequirement {
        switch kind {
        case .reduction: .optional
        case .squeeze: .required
        default: .none
        }
    }

    /// What a reduction's second argument must be, and the elementwise
    /// operator a writer may have meant instead: `(max x y)` with `y` a
    /// tensor is the mistake it answers. `nil` for other operators.
    public var axisHint: String? {
        switch self {
        case .sum:
            "'sum' reduces along an integer axis, or over every element without one; "
                + "the elementwise sum of two tensors is (+ a b)"
        case .max:
            "'max' reduces along an integer axis, or over every element without one; "
                + "the elementwise maximum of two tensors is (maximum a b)"
        case .mean:
            "'mean' averages along an integer axis, or over every element without one; "
                + "the elementwise mean of two tensors is (/ (+ a b) 2)"
        default: nil
        }
    }

    /// Whether an operator takes an axis.
    public enum AxisRequirement: Sendable {
        /// No axis.
        case none
        /// An axis or none (reduce everything).
        case optional
        /// Always an axis.
        case required
    }
}
