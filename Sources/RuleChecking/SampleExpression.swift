// The ground expressions the rule checker builds: a rule's pattern with every
// variable replaced by a small expression over input leaves.

import EGraph
import Optimizer
import TensorOps

/// A ground expression of the lowered tensor vocabulary (see
/// `TensorVocabulary`): what a pattern becomes once its variables are bound.
///
/// A tree rather than a flat `Term`, since the checker builds, compares and
/// prints a handful of small ones per sample; ``term`` flattens it for the
/// e-graph and for raising into a program.
indirect enum SampleExpression: CustomStringConvertible {
    /// An input leaf.
    case leaf(Symbol)
    /// A number leaf.
    case number(Double)
    /// An operator applied to operands, with its attribute (an axis), if any.
    case apply(Symbol, [SampleExpression], payload: Literal?)

    /// The expression as a flat term, the root last.
    var term: Term {
        var term = Term()
        append(to: &term)
        return term
    }

    @discardableResult
    private func append(to term: inout Term) -> Int {
        switch self {
        case .leaf(let symbol):
            return term.append(Term.Node(symbol))
        case .number(let value):
            return term.append(Term.Node(.literal, payload: .number(value)))
        case .apply(let op, let operands, let payload):
            let children = operands.map { $0.append(to: &term) }
            return term.append(Term.Node(op, children, payload: payload))
        }
    }

    /// The s-expression, as rule files and e-graph terms print.
    var description: String { term.description }

    /// Every subexpression, operands before the applications holding them,
    /// the expression itself last.
    var subexpressions: [SampleExpression] {
        var all: [SampleExpression] = []
        func walk(_ expression: SampleExpression) {
            if case .apply(_, let operands, _) = expression { operands.forEach(walk) }
            all.append(expression)
        }
        walk(self)
        return all
    }

    /// Why the expression is not a program of the lowered tensor vocabulary,
    /// or `nil` when it is one.
    ///
    /// Checked before an expression reaches the e-graph or the raiser, which
    /// trust their callers' arities (the analysis reads the second operand of
    /// every `fill`, the raiser the single operand of every `sum`): a rule
    /// file may spell anything, and checking it must never trap.
    var vocabularyProblem: String? {
        guard case .apply(let op, let operands, let payload) = self else { return nil }
        for operand in operands {
            if let problem = operand.vocabularyProblem { return problem }
        }
        let arity: Int?
        let takesAxis: Bool
        switch op {
        case TensorVocabulary.add, TensorVocabulary.multiply:
            (arity, takesAxis) = (nil, false)
        case TensorVocabulary.inverse, TensorVocabulary.sumAll, TensorVocabulary.maxAll,
            TensorVocabulary.subtractMaxAll, TensorVocabulary.unitScaleAll:
            (arity, takesAxis) = (1, false)
        case TensorVocabulary.sum, TensorVocabulary.max, TensorVocabulary.subtractMax, TensorVocabulary.unitScale,
            TensorVocabulary.squeeze:
            (arity, takesAxis) = (1, true)
        default:
            // `-`, `/`, `neg` and `mean` are lowered away when they have
            // their language's arity; `sum` and `max` are spelled with an axis.
            let lowered: Set<TensorOperator> = [.add, .subtract, .multiply, .divide, .negate, .sum, .max, .mean]
            guard let language = TensorOperator(name: op.name), !lowered.contains(language) else {
                return "'\(op)' with \(operands.count) operand(s) is not an operator of the tensor language"
            }
            (arity, takesAxis) = (language.arity, false)
        }
        if let arity, operands.count != arity {
            return "'\(op)' takes \(arity) operand(s), found \(operands.count)"
        }
        if arity == nil && operands.count < 2 {
            return "'\(op)' applied to \(operands.count) operand(s)"
        }
        switch (takesAxis, payload) {
        case (true, .integer?), (false, nil): return nil
        case (true, _): return "'\(op)' needs an integer axis"
        case (false, _): return "'\(op)' takes no attribute"
        }
    }
}

/// What a pattern variable stands for in a sample: an expression, the
/// operands a rest variable binds, or an axis.
enum SampleBinding {
    /// A class variable's expression.
    case expression(SampleExpression)
    /// A rest variable's operands (possibly none).
    case operands([SampleExpression])
    /// An attribute variable's axis, counted from the end.
    case axis(Int)
}

extension Pattern {
    /// The expression this pattern spells with its variables bound, as the
    /// engine instantiates it (`Pattern.instance(building:signature:)`), or
    /// `nil` when a variable is unbound or an empty application of an AC
    /// operator has no unit (the engine skips such a right side too).
    func instantiated(
        with binding: @escaping (PatternVariable) -> SampleBinding?, signature: Signature
    ) -> SampleExpression? {
        var builder = SampleBuilder(binding: binding, signature: signature)
        return instance(building: &builder, signature: signature)
    }

    /// The leaf symbols the pattern names (`x` in `(+ x ?a)`), in order of
    /// first appearance.
    var leafSymbols: [Symbol] {
        var symbols: [Symbol] = []
        func walk(_ pattern: Pattern) {
            switch pattern {
            case .variable: break
            case .alias(_, let inner): walk(inner)
            case .node(let op, let payload, let children, let rest):
                if op != .literal && op != Pattern.groupOperator && children.isEmpty && rest == nil && payload == nil
                    && !symbols.contains(op)
                {
                    symbols.append(op)
                }
                children.forEach(walk)
            }
        }
        walk(self)
        return symbols
    }

    /// The variables that name a class of the pattern (`?e` in `?e:(exp ?x)`).
    var aliasVariables: [PatternVariable] {
        switch self {
        case .variable: return []
        case .alias(let variable, let inner): return [variable] + inner.aliasVariables
        case .node(_, _, let children, _): return children.flatMap(\.aliasVariables)
        }
    }
}

/// Builds sample expressions from a sample's bindings.
private struct SampleBuilder: PatternInstanceBuilder {
    let binding: (PatternVariable) -> SampleBinding?
    let signature: Signature

    func instance(of variable: PatternVariable) -> SampleExpression? {
        guard case .expression(let expression)? = binding(variable) else { return nil }
        return expression
    }

    func payload(_ literal: Literal) -> Literal? { literal }

    func payload(of variable: PatternVariable) -> Literal? {
        guard case .axis(let axis)? = binding(variable) else { return nil }
        return .integer(axis)
    }

    func application(_ op: Symbol, payload: Literal?, operands: [SampleExpression], rests: [PatternVariable])
        -> SampleExpression?
    {
        if op == .literal {
            guard case .number(let value)? = payload else { return nil }
            return .number(value)
        }
        var all = operands
        for rest in rests {
            guard case .operands(let bound)? = binding(rest) else { return nil }
            all += bound
        }
        return signature.storedApplication(
            op, hasPayload: payload != nil, operands: all, unit: { .number($0.doubleValue) },
            make: { all.isEmpty && payload == nil ? .leaf(op) : .apply(op, all, payload: payload) })
    }
}
