extension TensorProgram {
    /// The program with each `grad` taken of a stable form of its function
    /// rather than of the function as written; `nil` if it has no `grad`.
    ///
    /// Reverse mode differentiates what it is given: the gradient of a
    /// log-softmax written `log(exp(x) / sum(exp(x)))` divides by `exp(x)`,
    /// and the rules must then find, among the AC variants of every product
    /// the chain rule made, the cancellations that remove it. The gradient of
    /// the max-shifted form is stable as built, and on a chain of
    /// log-softmaxes or an attention block it is found in a fraction of the
    /// time, and more accurate where the expanded gradient's stable form
    /// subtracts nearly equal terms.
    ///
    /// `stabilize` receives one program whose outputs are the differentiated
    /// functions, over the same inputs, and returns it optimized, the same
    /// inputs and outputs in order. The result computes the same gradients
    /// wherever the stable forms' derivatives are those of the functions:
    /// everywhere for the max shift (reverse mode differentiates its guard
    /// as `x - max(x)`), but not at the kinks of a `maximum` or `abs`, where
    /// a stable `logaddexp` takes one side's derivative at a tie. A caller
    /// verifies the result against the program as written.
    ///
    /// The gradients split each `log(1 - softmax)` at its maximum, and, with
    /// `scalingShiftsExactly`, take the temperatures' shifts and the
    /// normalized quotients whole (see ``TensorGraph/gradient(of:withRespectTo:scalingShiftsExactly:splittingComplements:)``).
    public func differentiatingStableForms(
        scalingShiftsExactly: Bool = true, _ stabilize: (TensorProgram) throws -> TensorProgram
    ) throws -> TensorProgram? {
        // A gradient that is an exact zero (of a function that does not read
        // its input) is kept as written: it is a constant or a fill, which
        // every other such gradient of the same shape shares, and taken for
        // a gradient node it would make a function read its own gradient.
        let gradients = self.gradients.filter { !graph.isExactZero($0.gradient) }
        if gradients.isEmpty { return nil }
        // A function that reads a gradient (a gradient of a gradient, a
        // Hessian-vector product) waits for the inner gradient, taken of the
        // stable form and stabilized with it in a later round, rather than
        // being stabilized with the inner one as reverse mode wrote it: those
        // terms are in the unshifted logits and cancel (a temperature's
        // second derivative, a variance, came out as E[x^2] - E[x]^2 at the
        // logits' scale).
        let gradientNodes = Set(gradients.map(\.gradient))
        var readGradients: [NodeID: [NodeID]] = [:]
        var functions: [NodeID] = []
        var pending: [NodeID] = []
        for site in gradients where !functions.contains(site.function) && !pending.contains(site.function) {
            let read = graph.topologicalOrder(from: [site.function]).filter(gradientNodes.contains)
            if read.isEmpty {
                functions.append(site.function)
            } else {
                readGradients[site.function] = read
                pending.append(site.function)
            }
        }
        // The outputs that take no gradient are stabilized with the
        // functions, in the same run: a value left as written beside the
        // gradients of its stable form would be optimized from scratch.
        var values: [NodeID] = []
        for output in outputs where !functions.contains(output.node) && !values.contains(output.node) {
            if !graph.topologicalOrder(from: [output.node]).contains(where: gradientNodes.contains) {
                values.append(output.node)
            }
        }
        var forward = TensorProgram(
            graph: graph, inputs: inputs,
            outputs: functions.enumerated().map { ("f\($0.offset)", $0.element) }
                + values.enumerated().map { ("v\($0.offset)", $0.element) })
        var rebuilt: Rebuilder
        var stableInputs: [(name: String, shape: Shape, node: NodeID)]
        while true {
            let stable = try stabilize(forward)
            guard stable.outputs.count == functions.count + values.count,
                stable.kinks(ofOutputs: functions.count).isSubset(of: forward.kinks(ofOutputs: functions.count))
            else { return nil }
            rebuilt = Rebuilder(source: self, target: stable.graph, scalingShiftsExactly: scalingShiftsExactly)
            stableInputs = stable.inputs.map { ($0.name, $0.shape, $0.node) }
            for input in inputs {
                guard let node = stable.inputs.first(where: { $0.name == input.name })?.node else { return nil }
                rebuilt.mapped[input.node] = node
            }
            for (index, node) in (functions + values).enumerated() { rebuilt.mapped[node] = stable.outputs[index].node }
            for site in gradients {
                guard let input = rebuilt.mapped[site.input] else { return nil }
                rebuilt.gradientOf[site.gradient] = (site.function, input)
            }
            // The functions whose gradients' functions are stable now: their
            // gradients are taken of those, and they are stabilized in the
            // next round with everything before.
            let ready = pending.filter { function in
                readGradients[function, default: []].allSatisfy { gradient in
                    gradients.contains { $0.gradient == gradient && functions.contains($0.function) }
                }
            }
            if ready.isEmpty { break }
            pending.removeAll(where: ready.contains)
            var next: [NodeID] = []
            for node in functions + ready + values { next.append(try rebuilt.node(for: node)) }
            functions += ready
            forward = TensorProgram(
                graph: rebuilt.target, inputs: stableInputs,
                outputs: next.enumerated().map { ("f\($0.offset)", $0.element) })
        }
        var outputs: [(name: String, node: NodeID)] = []
        for output in self.outputs { outputs.append((output.name, try rebuilt.node(for: output.node))) }
        return TensorProgram(graph: rebuilt.target, inputs: stableInputs, outputs: outputs)
    }

    /// How many of each operator with a kink (`maximum`, `minimum`, `abs`,
    /// `where` and the comparisons) the first `count` outputs compute, guarded shifts left
    /// out: where a stable form has a kink the function as written has not,
    /// its derivative there is one side's (a stable `logaddexp` of `a` and
    /// `b` gives `a` all of the gradient at `a = b`), not the function's.
    /// The guarded shift's derivative is `x - max(x)`'s, which is right
    /// everywhere `x` is finite, and the maximum it subtracts cancels from
    /// every shift-invariant function of it.
    func kinks(ofOutputs count: Int) -> KinkCount {
        var counts: [TensorOperator: Int] = [:]
        let order = graph.topologicalOrder(from: outputs.prefix(count).map(\.node))
        // A guarded shift and the comparison it guards with are not kinks.
        // Nor is a unit scale's divisor: the rules use it only where the
        // scale cancels (x / |x|, a cosine), so the derivative through its
        // maximum and magnitude is exactly 0, whichever side a tie takes.
        var guarded: Set<NodeID> = []
        for id in order where graph.isGuardedShift(id) { guarded.formUnion([id, graph[id].arguments[0]]) }
        for id in order {
            if let scale = graph.guardedUnitScale(id) { guarded.formUnion([id, scale.comparison, scale.magnitude]) }
        }
        for id in order where !guarded.contains(id) {
            guard case .apply(let op) = graph[id].kind else { continue }
            let isKink =
                op == .binary(.maximum) || op == .binary(.minimum) || op == .unary(.abs) || op == .select
                || op.isComparison
            if isKink { counts[op, default: 0] += 1 }
        }
        return KinkCount(counts: counts)
    }

    /// Counts of operators with kinks, by operator.
    struct KinkCount {
        var counts: [TensorOperator: Int]

        /// Whether no operator occurs more often here than in `other`.
        func isSubset(of other: KinkCount) -> Bool {
            counts.allSatisfy { op, count in count <= other.counts[op, default: 0] }
        }
    }

    /// Copies the nodes an output needs into another graph, taking the
    /// gradients from the stable forms.
    private struct Rebuilder {
        let source: TensorProgram
        var target: TensorGraph
        /// Whether the gradients take shifts and quotients whole.
        let scalingShiftsExactly: Bool
        /// Nodes of `source` already in `target`.
        var mapped: [NodeID: NodeID] = [:]
        /// The gradient nodes of `source`, with the function to take them
        /// of (a node of `source`: a function whose stable form is mapped
        /// already, or another gradient) and the input of `target`.
        var gradientOf: [NodeID: (function: NodeID, input: NodeID)] = [:]

        /// The node of `target` for `root`, copying what it needs first: by
        /// a stack rather than by recursion, since a deep network's chain of
        /// layers would be as deep a recursion.
        /// - Throws: ``ShapeError`` where a gradient cannot be taken, or a
        ///   gradient's function needs the gradient itself.
        mutating func node(for root: NodeID) throws -> NodeID {
            var stack = [root]
            var waiting: Set<NodeID> = []
            while let id = stack.last {
                if mapped[id] != nil {
                    stack.removeLast()
                    continue
                }
                if let (function, input) = gradientOf[id] {
                    guard let stableFunction = mapped[function] else {
                        guard waiting.insert(id).inserted else {
                            throw ShapeError("the function of a gradient reads the gradient itself")
                        }
                        stack.append(function)
                        continue
                    }
                    mapped[id] = try target.gradient(
                        of: stableFunction, withRespectTo: input, scalingShiftsExactly: scalingShiftsExactly,
                        splittingComplements: true)
                    stack.removeLast()
                    continue
                }
                let node = source.graph[id]
                let missing = node.arguments.filter { mapped[$0] == nil }
                if !missing.isEmpty {
                    stack.append(contentsOf: missing)
                    continue
                }
                stack.removeLast()
                switch node.kind {
                case .input:
                    preconditionFailure("every input is mapped before the outputs are copied")
                case .constant(let value):
                    mapped[id] = target.constant(value)
                case .apply(let op):
                    mapped[id] = try target.apply(op, node.arguments.map { mapped[$0]! }, axis: node.axis)
                }
            }
            return mapped[root]!
        }
    }
}
