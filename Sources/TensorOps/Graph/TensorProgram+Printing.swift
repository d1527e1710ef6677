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
        for node in order where uses[node] > 1 && !graph[node].arguments.isEmpty {
            var name = names[node].flatMap { taken.contains($0) ? nil : $0 }
            while name == nil {
                counter += 1
                if !taken.contains("t\(counter)") { name = "t\(counter)" }
            }
            taken.insert(name!)
            let value = expression(for: node, letName, isRoot: true)
            letName[node] = name
            statements.append(Statement(.binding(name: name!, value: value)))
        }
        for (name, node) in outputs {
            statements.append(Statement(.output(name: name, value: expression(for: node, letName, isRoot: false))))
        }
        return Program(statements)
    }

    /// The expression computing `node`, written out in full with no `let`s:
    /// for short terms shown on their own, as explanations show them.
    public func expression(for node: NodeID) -> Expr {
        expression(for: node, [:], isRoot: true)
    }

    /// The expression for `node`, referring to `let`s by name; a `let`'s own
    /// definition (`isRoot`) is written out rather than referred to.
    private func expression(for node: NodeID, _ letName: [NodeID: String], isRoot: Bool) -> Expr {
        if !isRoot, let name = letName[node] { return Expr(.name(name)) }
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
            for argument in arguments { operands.append(expression(for: argument, letName, isRoot: false)) }
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
