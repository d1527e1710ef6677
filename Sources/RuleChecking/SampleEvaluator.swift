// One sample point of a rule: match it in an e-graph, build the right side
// from the match, evaluate both sides with the reference arithmetic and
// compare them.

import EGraph
import Optimizer
import TensorOps

/// What one instance of a rule's left side showed.
enum SampleVerdict {
    /// Not a sample point of the rule's domain.
    case rejected(Rejection)
    /// Both sides agreed at every match; whether a right side was smaller
    /// and compared broadcast back.
    case agreed(broadcastsBack: Bool)
    /// A match showed the rule wrong.
    case failed(RuleCheckFailure)
}

/// Checks instances of one rule (see ``RuleChecker``).
struct SampleEvaluator {
    let rewrite: Rewrite
    let signature: Signature
    let options: RuleCheckOptions

    /// A match at the instance's root: the class the right side merges into
    /// and the right side, as expressions over the inputs, and the bindings.
    private struct Instantiation {
        var target: SampleExpression
        var right: SampleExpression
        var bindings: [(variable: PatternVariable, binding: SampleBinding)]
    }

    func check(_ instance: RuleInstance) -> SampleVerdict {
        if let problem = instance.lhs.vocabularyProblem { return .rejected(.notAProgram(problem)) }
        let inputs = Inputs(instance)
        // The raiser checks the shapes the e-graph analysis takes on trust.
        guard (try? inputs.program.raising([("lhs", instance.lhs.term)])) != nil else { return .rejected(.shapes) }
        let instantiations: [Instantiation]
        switch match(instance, inputs) {
        case .found(let found): instantiations = found
        case .rejected(let rejection): return .rejected(rejection)
        }
        var broadcastsBack = false
        var compared = false
        for instantiation in instantiations {
            switch compare(instantiation, inputs) {
            case .failed(let failure): return .failed(failure)
            case .compared(let any, let smaller):
                compared = compared || any
                broadcastsBack = broadcastsBack || smaller
            }
        }
        return compared ? .agreed(broadcastsBack: broadcastsBack) : .rejected(.undefined)
    }

    // MARK: Matching

    /// The matches of the rule at the root of an e-graph holding the
    /// instance alone, each with its right side built from its bindings.
    private enum Matching {
        case found([Instantiation])
        case rejected(Rejection)
    }

    private func match(_ instance: RuleInstance, _ inputs: Inputs) -> Matching {
        let analysis = TensorAnalysis(inputShapes: inputs.shapes)
        let egraph = EGraph(signature: signature)
        egraph.register(analysis)
        let root = egraph.add(instance.lhs.term)
        egraph.rebuild()
        let registry = analysis.conditions()
        let conditions = rewrite.conditions.map { condition in
            // The rule was loaded with another analysis's predicates; its
            // conditions must read this e-graph's analysis.
            guard let own = registry[condition.definition.name], own.arity == condition.arguments.count else {
                return condition
            }
            return Condition(own, condition.arguments)
        }
        func rule(_ conditions: [Condition]) -> Rewrite? {
            try? Rewrite(
                name: rewrite.name, lhs: rewrite.lhs, rhs: rewrite.rhs, conditions: conditions,
                target: rewrite.target, signature: signature)
        }
        guard let bound = rule(conditions) else { return .rejected(.noMatch) }
        let matches = bound.search(egraph)
        // A class of the e-graph stands for the first subexpression of the
        // instance found in it: every class a match binds holds one, since
        // the e-graph holds nothing but the instance (and folded constants).
        var expressions: [ClassID: SampleExpression] = [:]
        for expression in instance.lhs.subexpressions {
            if let id = egraph.lookup(expression.term), expressions[id] == nil { expressions[id] = expression }
        }
        let variables = rewrite.lhs.variables.map(\.variable)
        var found: [Instantiation] = []
        var seen: [String] = []
        for index in 0..<matches.count where egraph.find(matches.roots[index]) == egraph.find(root) {
            let match = matches[index]
            func binding(_ variable: PatternVariable) -> SampleBinding? {
                switch match.binding(of: variable) {
                case .eclass(let id)?:
                    return expressions[egraph.find(id)].map(SampleBinding.expression)
                case .multiset(let ids)?:
                    let operands = ids.compactMap { expressions[egraph.find($0)] }
                    return operands.count == ids.count ? .operands(operands) : nil
                case .literal(.integer(let axis))?:
                    return .axis(axis)
                case .literal?, nil:
                    return nil
                }
            }
            var target = instance.lhs
            if let variable = rewrite.target {
                guard case .expression(let expression)? = binding(variable) else { continue }
                target = expression
            }
            guard let right = rewrite.rhs.instantiated(with: binding, signature: signature) else { continue }
            let key = target.description + " => " + right.description
            if seen.contains(key) { continue }
            seen.append(key)
            let bindings = variables.compactMap { variable in binding(variable).map { (variable, $0) } }
            found.append(Instantiation(target: target, right: right, bindings: bindings))
            if found.count >= options.matchesPerPoint { break }
        }
        if !found.isEmpty { return .found(found) }
        // Tell a condition that failed from a pattern that did not match,
        // for the reason a never-matched rule reports.
        let unconditional = rule([])?.search(egraph)
        let matchedAtRoot =
            unconditional.map { matches in
                (0..<matches.count).contains { egraph.find(matches.roots[$0]) == egraph.find(root) }
            } ?? false
        return .rejected(matchedAtRoot ? .conditions : .noMatch)
    }

    // MARK: Comparing

    /// What comparing one match found.
    private enum Comparison {
        /// No element differed: whether any was compared (the left side was
        /// finite somewhere), and whether the right side was smaller.
        case compared(any: Bool, smaller: Bool)
        /// The match shows the rule wrong.
        case failed(RuleCheckFailure)
    }

    private func compare(_ instantiation: Instantiation, _ inputs: Inputs) -> Comparison {
        let target = instantiation.target
        let right = instantiation.right
        // A class of a well-shaped left side is well shaped: nothing to
        // compare if it is not, nor where the left side cannot be evaluated.
        guard let left = try? inputs.raise(target), let leftValue = inputs.evaluate(left.program) else {
            return .compared(any: false, smaller: false)
        }
        var rightValue: NDArray<ReferenceFloat>?
        func failure(_ kind: RuleCheckFailure.Kind, _ message: String) -> Comparison {
            .failed(
                RuleCheckFailure(
                    kind: kind, message: message, point: point(instantiation, inputs),
                    left: target.description + " = " + Inputs.format(leftValue),
                    right: right.description + (rightValue.map { " = " + Inputs.format($0) } ?? "")))
        }
        if let problem = right.vocabularyProblem {
            return failure(.malformed, "the right side is not a tensor program: \(problem)")
        }
        let raised: (program: TensorProgram, shape: Shape)
        do {
            raised = try inputs.raise(right)
        } catch {
            return failure(.shape, "the right side's shapes do not fit: \(error.message)")
        }
        rightValue = inputs.evaluate(raised.program)
        let smaller = raised.shape != left.shape
        if smaller, Shape.broadcast(left.shape, raised.shape) != left.shape {
            let bigger = Shape.broadcast(left.shape, raised.shape) == raised.shape ? " (it is bigger)" : ""
            return failure(
                .shape,
                "the right side's shape \(raised.shape) does not broadcast to the left side's \(left.shape)\(bigger)")
        }
        guard let rightValue, let broadcast = try? TensorEvaluation.broadcast(rightValue, to: leftValue.shape) else {
            return failure(.malformed, "the right side cannot be evaluated at this point")
        }
        let tolerance = ReferenceFloat(options.relativeTolerance)
        var compared = false
        for (offset, (l, r)) in zip(leftValue.elements, broadcast.elements).enumerated() where l.isFinite {
            compared = true
            let position = Inputs.position(of: offset, in: leftValue.shape)
            let place = position.isEmpty ? "" : " at element \(position)"
            guard r.isFinite else {
                return failure(.undefined, "the right side is \(r) where the left side is \(l)\(place)")
            }
            let difference = (l - r).magnitude
            let scale = ReferenceFloat.maximum(ReferenceFloat.maximum(l.magnitude, r.magnitude), .one)
            if difference > tolerance * scale {
                return failure(
                    .unsound,
                    "the sides differ\(place): left \(l), right \(r), difference \(difference) > "
                        + "\(options.relativeTolerance) × \(scale)")
            }
        }
        return .compared(any: compared, smaller: smaller)
    }

    /// The report's point: each variable with its expression and value, then
    /// each input with its shape and elements.
    private func point(_ instantiation: Instantiation, _ inputs: Inputs) -> [String] {
        var lines: [String] = []
        func shown(_ expression: SampleExpression) -> String {
            switch expression {
            case .leaf, .number: return expression.description
            case .apply: break
            }
            let value = (try? inputs.raise(expression)).flatMap { inputs.evaluate($0.program) }
            return expression.description + (value.map { " = " + Inputs.format($0) } ?? "")
        }
        for (variable, binding) in instantiation.bindings {
            switch binding {
            case .expression(let expression): lines.append("\(variable) = \(shown(expression))")
            case .operands(let operands):
                lines.append("\(variable)... = [" + operands.map(shown).joined(separator: ", ") + "]")
            case .axis(let axis): lines.append("\(variable) = \(axis)")
            }
        }
        for (index, input) in inputs.instance.inputs.enumerated() {
            let text =
                (try? NDArray(shape: input.shape, elements: inputs.instance.values[index]))?.nestedText {
                    Literal.number($0).description
                } ?? "?"
            lines.append("\(input.name) \(Shape(sizes: input.shape)) = " + text)
        }
        return lines
    }
}

/// An instance's inputs: the program declaring them, their shapes for the
/// analysis, and their values in the reference arithmetic.
private struct Inputs {
    let instance: RuleInstance
    let program: TensorProgram
    let shapes: [Symbol: Shape]
    let values: [String: NDArray<ReferenceFloat>]

    init(_ instance: RuleInstance) {
        self.instance = instance
        var graph = TensorGraph()
        var declared: [(name: String, shape: Shape, node: NodeID)] = []
        var shapes: [Symbol: Shape] = [:]
        var values: [String: NDArray<ReferenceFloat>] = [:]
        for (index, input) in instance.inputs.enumerated() {
            let shape = Shape(sizes: input.shape)
            declared.append((input.name, shape, graph.input(input.name, shape: shape)))
            shapes[TensorVocabulary.input(input.name)] = shape
            values[input.name] = try? NDArray(
                shape: input.shape, elements: instance.values[index].map(ReferenceFloat.init))
        }
        program = TensorProgram(graph: graph, inputs: declared, outputs: [])
        self.shapes = shapes
        self.values = values
    }

    /// `expression` as a program of one output over the inputs, and its shape.
    /// - Throws: what the raiser finds wrong, shapes that do not fit included.
    func raise(_ expression: SampleExpression) throws(RaisingError) -> (program: TensorProgram, shape: Shape) {
        let raised = try program.raising([("value", expression.term)])
        return (raised, raised.graph[raised.outputs[0].node].shape)
    }

    /// The value of a raised expression in the reference arithmetic, or
    /// `nil` if it cannot be evaluated.
    func evaluate(_ program: TensorProgram) -> NDArray<ReferenceFloat>? {
        (try? program.evaluate(values))?.first?.value
    }

    /// The elements of a value: as binary64 where that is exact enough to
    /// read (a normal binary64 number), in 20 digits otherwise.
    static func format(_ value: NDArray<ReferenceFloat>) -> String {
        value.nestedText { element in
            let double = element.doubleValue
            guard element.isFinite, !element.isZero, double.isNormal else { return element.description }
            return Literal.number(double).description
        }
    }

    /// The index of the element at row-major `offset` in an array of `shape`.
    static func position(of offset: Int, in shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = offset
        for axis in shape.indices.reversed() {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}
