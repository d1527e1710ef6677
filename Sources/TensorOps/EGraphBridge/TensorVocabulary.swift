import EGraph

/// The operators of tensor programs inside the e-graph, and its signature.
///
/// Lowering keeps one spelling per meaning, so equal programs written
/// differently meet: `/` becomes `(* a (inv b))`, `-` becomes
/// `(+ a (* -1 b))`, `neg` becomes `(* -1 a)`, and `+` and `*` are AC, stored
/// as flat multisets. Axes are attributes counted from the end (`-1` is the
/// last axis), which stay meaningful when broadcasting aligns operands of
/// different ranks on the right. Reductions over every axis are the separate
/// operators `sumall` and `maxall`, since an attribute is always present.
public enum TensorVocabulary {
    /// `+`, AC with unit 0.
    public static let add = Symbol("+")
    /// `*`, AC with unit 1.
    public static let multiply = Symbol("*")
    /// The reciprocal, `1 / a`.
    public static let inverse = Symbol("inv")
    /// The sum along one axis, kept with size 1; the axis is an attribute.
    public static let sum = Symbol("sum")
    /// The maximum along one axis, kept with size 1.
    public static let max = Symbol("max")
    /// The sum of every element, a scalar.
    public static let sumAll = Symbol("sumall")
    /// The maximum of every element, a scalar.
    public static let maxAll = Symbol("maxall")
    /// `x - max(x, k)`, and exactly 0 where `x` equals its maximum: the
    /// max-shifted value, of `x`'s shape, with the axis an attribute.
    ///
    /// Plain `x - max(x)` is `-inf - -inf` or `inf - inf`, a nan, where the
    /// maximum is infinite (a row masked entirely to `-inf`, or holding a
    /// `+inf` logit); this is 0 there, so `exp` of it is 1 at the maximum
    /// and its sum along the axis is at least 1 whatever the inputs: a
    /// masked row's log-sum-exp stays `-inf` and a `+inf` logit gets a
    /// one-hot softmax. It raises to `(where (eq x m) 0 (- x m))` with `m`
    /// the maximum, and that form lowers back to it.
    public static let subtractMax = Symbol("submax")
    /// ``subtractMax`` with the maximum over every element.
    public static let subtractMaxAll = Symbol("submaxall")
    /// `x / max(|x|, k)`: `x` scaled so that its largest magnitude along the
    /// axis is 1, of `x`'s shape, with the axis an attribute. It lies in
    /// [-1, 1] and every slice along the axis holds a 1 or a -1, so the sum
    /// of its squares along the axis lies in [1, n] where `sum(x * x)`
    /// overflows past |x| = 1e154 and vanishes below 1e-154. It is 0/0 only
    /// on a slice of zeros, where the norm it serves to divide by is 0 too.
    /// A slice holding an infinity is divided by 1 instead, so it divides
    /// as the unscaled form does. It raises to `(/ x (where (eq m inf) 1 m))`
    /// with `m` = `(max (abs x) k)`, and that form lowers back to it.
    public static let unitScale = Symbol("unitscale")
    /// ``unitScale`` by the largest magnitude over every element.
    public static let unitScaleAll = Symbol("unitscaleall")
    /// `mean` along one axis: a spelling rule files may use, lowered to
    /// `(* (sum a k) (inv (sum (fill a 1) k)))` as programs are (see
    /// ``lower(_:)``); the e-graph itself never holds it.
    public static let mean = Symbol("mean")
    /// The mean of every element, as rule files spell it; lowered to
    /// `(* (sumall a) (inv (sumall (fill a 1))))`.
    public static let meanAll = Symbol("meanall")
    /// `squeeze`, whose axis is an attribute.
    public static let squeeze = Symbol("squeeze")
    /// `fill`.
    public static let fill = Symbol("fill")
    /// `exp`.
    public static let exp = Symbol("exp")

    // Operators the analysis and the cost switch on, interned once: interning
    // takes the symbol table's lock, too slow for code run on every node. The
    // functions of one and two operands have theirs in `UnaryFunction.table`
    // and `BinaryFunction.table`.
    /// `where`.
    public static let whereSymbol = Symbol("where")

    /// The operators of the language that keep their name in the e-graph.
    static let direct: [TensorOperator: Symbol] = {
        var table: [TensorOperator: Symbol] = [:]
        for op in TensorOperator.allCases {
            switch op {
            case .add, .subtract, .multiply, .divide, .negate, .sum, .max, .mean: continue
            default: table[op] = Symbol(op.name)
            }
        }
        return table
    }()

    /// The language operator of a directly named e-graph operator.
    static let directInverse: [Symbol: TensorOperator] = {
        Dictionary(uniqueKeysWithValues: direct.map { ($1, $0) })
    }()

    /// The signature: `+` and `*` AC with units 0 and 1; `sum`, `max`,
    /// `submax`, `unitscale`, `mean` and `squeeze` take one attribute, their
    /// axis from the end.
    public static let signature: Signature = {
        var signature = Signature()
        signature.declareAC(add)
        signature.declareAC(multiply)
        signature.declareUnit(.number(0), of: add)
        signature.declareUnit(.number(1), of: multiply)
        for (op, all) in [(sum, sumAll), (max, maxAll), (mean, meanAll)] {
            signature.declareAttributes(1, of: op, note: reductionNote(op, all: all))
        }
        signature.declareAttributes(
            1, of: squeeze, note: "'squeeze' drops an axis of size 1, an integer (or a variable such as ?k)")
        signature.declareAttributes(1, of: subtractMax)
        signature.declareAttributes(1, of: unitScale)
        return signature
    }()

    /// What a rule writer who wrote `(max ?a ?b)` for the elementwise
    /// maximum, or `(sum ?a)` for the sum of every element, needs to read.
    private static func reductionNote(_ op: Symbol, all: Symbol) -> String {
        let elementwise: String
        switch op {
        case sum: elementwise = "the elementwise sum of two tensors is (+ ?a ?b)"
        case max: elementwise = "the elementwise maximum of two tensors is (maximum ?a ?b)"
        default: elementwise = "a mean of two tensors is (/ (+ ?a ?b) 2)"
        }
        let verb = op == mean ? "averages" : "reduces"
        return "'\(op)' \(verb) along an integer axis (or a variable such as ?k standing for one), "
            + "and (\(all) ?a) over every element; \(elementwise)"
    }

    /// Every operator of the lowered language with the numbers of operands
    /// it takes: what rule files may apply (`RuleSet`'s `vocabulary`).
    /// `+` and `*` take any number (rest variables included).
    public static let operators: [Symbol: ClosedRange<Int>] = {
        var table: [Symbol: ClosedRange<Int>] = [
            add: 0...Int.max, multiply: 0...Int.max, inverse: 1...1, sum: 1...1, max: 1...1, sumAll: 1...1,
            maxAll: 1...1, subtractMax: 1...1, subtractMaxAll: 1...1, unitScale: 1...1, unitScaleAll: 1...1,
            squeeze: 1...1,
            // Lowered away when applied to one operand; listed so that one
            // applied to more is reported as misapplied, not unknown.
            mean: 1...1, meanAll: 1...1,
        ]
        for (op, symbol) in direct { table[symbol] = op.arity...op.arity }
        return table
    }()

    /// The symbol of an input leaf: its name. Inputs cannot be named like
    /// language operators, and e-graph operators always have operands.
    public static func input(_ name: String) -> Symbol { Symbol(name) }
}

extension TensorVocabulary {
    /// A pattern written in the language's spelling, lowered as programs are:
    /// `(/ a b)` to `(* a (inv b))`, `(- a b)` to `(+ a (* -1 b))`,
    /// `(neg a)` to `(* -1 a)`, and `(mean a k)` and `(meanall a)` to a sum
    /// times the inverse of a count, at every depth. Rule files pass it to
    /// `RuleSet` as `desugar`, so a rule reads as a person writes it and
    /// matches what the e-graph stores.
    public static func lower(_ pattern: Pattern) -> Pattern {
        if case .alias(let variable, let inner) = pattern { return .alias(variable, lower(inner)) }
        guard case .node(let op, let payload, let children, let rest) = pattern else { return pattern }
        let lowered = children.map(lower)
        let minusOne = Pattern.number(-1)
        switch op.name {
        case "/" where lowered.count == 2 && rest == nil:
            return .apply(multiply, [lowered[0], .apply(inverse, [lowered[1]])])
        case "-" where lowered.count == 2 && rest == nil:
            return .apply(add, [lowered[0], .apply(multiply, [minusOne, lowered[1]])])
        case "neg" where lowered.count == 1 && rest == nil:
            return .apply(multiply, [minusOne, lowered[0]])
        case "mean" where lowered.count == 1 && rest == nil && payload != nil,
            "meanall" where lowered.count == 1 && rest == nil && payload == nil:
            // The count is a sum of ones, as `TensorProgram.lowered(_:)` spells it.
            let reduce = op.name == "mean" ? sum : sumAll
            // A named operand (`?e:(exp ?x)`) is named once and referred to by its variable in the count.
            let reference: Pattern =
                if case .alias(let variable, _) = lowered[0] { .variable(variable) } else { lowered[0] }
            let ones = Pattern.apply(fill, [reference, .number(1)])
            let total = Pattern.node(op: reduce, payload: payload, children: [lowered[0]], rest: nil)
            let count = Pattern.node(op: reduce, payload: payload, children: [ones], rest: nil)
            return .apply(multiply, [total, .apply(inverse, [count])])
        default:
            return .node(op: op, payload: payload, children: lowered, rest: rest)
        }
    }
}
