/// Turning the IR back into a program: shared subterms become `let`s.
extension TensorProgram {
    /// The program this IR computes, in the language: the same inputs in the
    /// same order, a `let` for each operation used more than once (named as
    /// the source named it where possible), and the outputs in order.
    ///
    /// Left-nested `+` and `*` print as one application, `(+ a b c)`, which
    /// the language reads as the same left fold.
    public func program() -> Program {
        let roots = outputs.map(\.node)
        let order = graph.topologicalOrder(from: roots)
        var uses = [Int](repeating: 0, count: graph.nodes.count)
        for node in order {
            for argument in graph[node].arguments { uses[argument] += 1 }
        }
        for root in roots { uses[root] += 1 }
        var taken = Set(inputs.map(\.name))
        var letName: [NodeID: String] = [:]
        var statements = inputs.map { Statement(.input(name: $0.name, shape: $0.shape)) }
        var counter = 0
        var unbounded = (depth: Int.max, width: Int.max)
        for node in order where uses[node] > 1 && !graph[node].arguments.isEmpty {
            var name = names[node].flatMap { taken.contains($0) ? nil : $0 }
            while name == nil {
                counter += 1
                if !taken.contains("t\(counter)") { name = "t\(counter)" }
            }
            taken.insert(name!)
            let value = expression(for: node, letName, isRoot: true, budget: &unbounded)
            letName[node] = name
            statements.append(Statement(.binding(name: name!, value: value)))
        }
        for (name, node) in outputs {
            let value = expression(for: node, letName, isRoot: false, budget: &unbounded)
            statements.append(Statement(.output(name: name, value: value)))
        }
        return Program(statements)
    }

    /// The expression computing `node`, written out in full with no `let`s:
    /// for short terms shown on their own, as explanations show them.
    public func expression(for node: NodeID) -> Expr {
        var unbounded = (depth: Int.max, width: Int.max)
        return expression(for: node, [:], isRoot: true, budget: &unbounded)
    }

    /// The expression computing `node` down to `depth` applications, what
    /// lies deeper written `…`, and at most `width` operands an application
    /// (the rest one `…`): a glimpse of a node in a large program, as a
    /// warning shows it, in time bounded by the glimpse.
    public func expression(for node: NodeID, depth: Int, width: Int = 6) -> Expr {
        var budget = (depth: depth, width: width)
        return expression(for: node, [:], isRoot: true, budget: &budget)
    }

    /// The expression for `node`, referring to `let`s by name; a `let`'s own
    /// definition (`isRoot`) is written out rather than referred to. A
    /// `budget` cuts it short (see ``expression(for:depth:width:)``).
    private func expression(
        for node: NodeID, _ letName: [NodeID: String], isRoot: Bool,
        budget: inout (depth: Int, width: Int)
    ) -> Expr {
        if !isRoot, let name = letName[node] { return Expr(.name(name)) }
        if budget.depth <= 0, case .apply = graph[node].kind { return Expr(.name("…")) }
        let current = graph[node]
        switch current.kind {
        case .input(let name): return Expr(.name(name))
        case .constant(let value): return Expr(.number(value))
        case .apply(let op):
            var operands: [Expr] = []
            var arguments = current.arguments
            if op.isVariadic {
                // Splice the left operand while it is the same operator and
                // not shared, to print the left fold as one application.
                var spliced: [NodeID] = []
                var left = arguments[0]
                spliced.append(arguments[1])
                while case .apply(op) = graph[left].kind, letName[left] == nil {
                    spliced.append(graph[left].arguments[1])
                    left = graph[left].arguments[0]
                }
                spliced.append(left)
                arguments = spliced.reversed()
            }
            budget.depth -= 1
            for (index, argument) in arguments.enumerated() {
                if index == budget.width && arguments.count > budget.width + 1 {
                    operands.append(Expr(.name("…")))
                    break
                }
                operands.append(expression(for: argument, letName, isRoot: false, budget: &budget))
            }
            budget.depth += 1
            return Expr(.apply(op, operands, axis: current.axis))
        }
    }
}

extension TensorProgram: CustomStringConvertible {
    /// The program as `optimize` prints it: inputs, `let`s for shared
    /// subterms, outputs, in the language's text (``program()`` printed).
    public var text: String { program().description }

    /// ``text``, so `print(result.program)` prints the program.
    public var description: String { text }
}
