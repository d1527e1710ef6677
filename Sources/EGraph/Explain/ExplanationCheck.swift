extension Explanation {
    /// What is wrong with this explanation, read against `rules`: empty when
    /// it is a real proof modulo AC.
    ///
    /// The check trusts nothing the explainer computed beyond the terms it
    /// printed: the steps must chain from ``start`` to ``end``; each step's
    /// `after` must be its `before` with one occurrence of `rewrittenBefore`
    /// (a subterm, or a part of an AC application's operands) replaced by
    /// `rewrittenAfter`; and for a rule, the two rewritten terms must be its
    /// sides (the alias's pattern for a rule with a target) instantiated with
    /// the step's bindings, read right to left when reversed, the right side
    /// wrapped in one node when the merge adapter wrapped it. Conditions are
    /// not re-checked (they read analysis facts), nor are analysis steps,
    /// which a caller checks by evaluating them, nor `ac-flatten(op)` steps
    /// beyond their chaining: they only regroup, which AC normal form
    /// already ignores.
    public func problems(rules: [Rewrite], signature: Signature) -> [String] {
        let terms = [start, end] + steps.flatMap { [$0.before, $0.after, $0.rewrittenBefore, $0.rewrittenAfter] }
        if terms.contains(where: { $0.nodes.isEmpty }) { return ["the explanation holds an empty term"] }
        var problems: [String] = []
        let byName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var previous = ExplainedTree(start, signature: signature)
        for (number, step) in steps.enumerated() {
            let label = "step \(number + 1) (\(step.reason))"
            let before = ExplainedTree(step.before, signature: signature)
            let after = ExplainedTree(step.after, signature: signature)
            let target = ExplainedTree(step.rewrittenBefore, signature: signature)
            let replacement = ExplainedTree(step.rewrittenAfter, signature: signature)
            if before.key != previous.key {
                problems.append("\(label): starts from \(before.key), not from \(previous.key)")
            }
            if !before.replacingOnce(target, with: replacement, signature: signature).contains(after.key) {
                problems.append(
                    "\(label): \(after.key) is not \(before.key) with \(target.key) rewritten to \(replacement.key)")
            }
            if case .rule(let name) = step.reason {
                if let rule = byName[name] {
                    problems += Explanation.instanceProblems(step, rule, label, signature)
                } else if !name.hasPrefix("ac-flatten(") {
                    problems.append("\(label): no rule is named \(name)")
                }
            }
            previous = after
        }
        let end = ExplainedTree(end, signature: signature)
        if previous.key != end.key { problems.append("the steps end at \(previous.key), not at \(end.key)") }
        return problems
    }

    /// Whether a rule step's rewritten terms are the rule's sides under its
    /// bindings.
    private static func instanceProblems(_ step: Step, _ rule: Rewrite, _ label: String, _ signature: Signature)
        -> [String]
    {
        var bindings: [String: [ExplainedTree]] = [:]
        for variable in step.bindings {
            bindings[variable.name] = variable.terms.map { ExplainedTree($0, signature: signature) }
        }
        let matched = rule.target.map { rule.lhs.aliasedPattern($0) ?? .variable($0) } ?? rule.lhs
        guard let left = ExplainedTree(matched, bindings, signature: signature),
            let right = ExplainedTree(rule.rhs, bindings, signature: signature)
        else {
            return ["\(label): the bindings do not instantiate \(rule)"]
        }
        let from = ExplainedTree(step.isReversed ? step.rewrittenAfter : step.rewrittenBefore, signature: signature)
        let to = ExplainedTree(step.isReversed ? step.rewrittenBefore : step.rewrittenAfter, signature: signature)
        var problems: [String] = []
        if from.key != left.key { problems.append("\(label): \(from.key) is not the instance \(left.key)") }
        let rightMatches = step.isWrapped ? to.children.contains { $0.key == right.key } : to.key == right.key
        if !rightMatches { problems.append("\(label): \(to.key) is not the instance \(right.key)") }
        return problems
    }
}

extension ExplainedTree {
    /// A flat term as a tree in AC normal form.
    convenience init(_ term: Term, signature: Signature) {
        var built: [ExplainedTree] = []
        for node in term.nodes {
            built.append(ExplainedTree(node.op, node.payload, node.children.map { built[$0] }, signature: signature))
        }
        let root = built[term.root]
        self.init(root.op, root.payload, root.children, signature: signature)
    }

    /// A pattern instantiated with concrete terms, or `nil` if a variable is
    /// unbound or bound to the wrong number of terms.
    ///
    /// The one instantiation that does not go through
    /// ``Pattern/instance(building:signature:)``, on purpose: this checks
    /// the proofs that walk builds, and a fault in it must show up here as a
    /// rejected step rather than be repeated.
    convenience init?(_ pattern: Pattern, _ bindings: [String: [ExplainedTree]], signature: Signature) {
        guard let tree = ExplainedTree.instantiate(pattern, bindings, signature) else { return nil }
        self.init(tree.op, tree.payload, tree.children, signature: signature)
    }

    private static func instantiate(_ pattern: Pattern, _ bindings: [String: [ExplainedTree]], _ signature: Signature)
        -> ExplainedTree?
    {
        switch pattern {
        case .variable(let variable):
            guard let terms = bindings[variable.name], terms.count == 1 else { return nil }
            return terms[0]
        case .alias(_, let inner):
            return instantiate(inner, bindings, signature)
        case .node(Pattern.groupOperator, nil, let grouped, nil) where grouped.count == 1:
            return instantiate(grouped[0], bindings, signature)
        case .node(let op, let payloadPattern, _, _):
            var payload: Literal?
            switch payloadPattern {
            case nil: payload = nil
            case .literal(let literal)?: payload = literal
            case .variable(let variable)?:
                guard let terms = bindings[variable.name], terms.count == 1, let literal = terms[0].payload else {
                    return nil
                }
                payload = literal
            }
            guard let operands = operands(of: pattern, bindings, signature) else { return nil }
            if signature.isAC(op) && payload == nil {
                if operands.count == 1 { return operands[0] }
                if operands.isEmpty, let unit = signature.unit(of: op) {
                    return ExplainedTree(.literal, unit, [], signature: signature)
                }
            }
            return ExplainedTree(op, payload, operands, signature: signature)
        }
    }

    /// The operands of `pattern`'s instance, a directly nested application
    /// of the same AC operator spliced in by the pattern, as the e-graph
    /// instantiates it (so an empty nested rest adds nothing, not the unit).
    private static func operands(
        of pattern: Pattern, _ bindings: [String: [ExplainedTree]], _ signature: Signature
    ) -> [ExplainedTree]? {
        guard case .node(let op, let payloadPattern, let children, let rest) = pattern else { return nil }
        var operands: [ExplainedTree] = []
        for child in children {
            if signature.isAC(op), case .node(op, payloadPattern, _, _) = child {
                guard let inner = self.operands(of: child, bindings, signature) else { return nil }
                operands += inner
            } else {
                guard let operand = instantiate(child, bindings, signature) else { return nil }
                operands.append(operand)
            }
        }
        if let rest {
            guard let terms = bindings[rest.name] else { return nil }
            operands += terms
        }
        return operands
    }

    /// The keys of every term made by replacing one occurrence of `target`
    /// with `replacement`: a whole subterm, or, for an AC application, part
    /// of its operands.
    func replacingOnce(_ target: ExplainedTree, with replacement: ExplainedTree, signature: Signature) -> Set<String> {
        Set(replacingOnceTrees(target, with: replacement, signature: signature).map(\.key))
    }

    /// The terms themselves, which parents rebuild around.
    private func replacingOnceTrees(_ target: ExplainedTree, with replacement: ExplainedTree, signature: Signature)
        -> [ExplainedTree]
    {
        var results: [ExplainedTree] = []
        if key == target.key { results.append(replacement) }
        if target.op == op, target.payload == payload, signature.isAC(op), payload == nil,
            target.children.count < children.count
        {
            var remaining = children
            var isPart = true
            for operand in target.children {
                guard let position = remaining.firstIndex(where: { $0.key == operand.key }) else {
                    isPart = false
                    break
                }
                remaining.remove(at: position)
            }
            if isPart { results.append(ExplainedTree(op, payload, remaining + [replacement], signature: signature)) }
        }
        for index in children.indices {
            for variant in children[index].replacingOnceTrees(target, with: replacement, signature: signature) {
                var operands = children
                operands[index] = variant
                results.append(ExplainedTree(op, payload, operands, signature: signature))
            }
        }
        return results
    }
}
