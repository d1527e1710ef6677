/// Why two terms of an e-graph are equal: a chain of rewrites from one to
/// the other, each naming the rule (or analysis) that justified it, as egg's
/// explanations do.
///
/// Terms are read modulo associativity and commutativity, as the e-graph
/// stores them: AC operands are flattened and sorted, so regrouping and
/// reordering are not steps. Congruence is not a step either: a rewrite
/// inside a larger term shows as that term before and after.
public struct Explanation: Sendable {
    /// One rewrite of the whole term.
    public struct Step: Sendable {
        /// The rule applied, or the analysis that found a value.
        public var reason: Reason
        /// Whether the rule was used right to left: `after` is the left side.
        public var isReversed: Bool
        /// Whether the e-graph's ``EGraph/mergeAdapter`` wrapped the rule's
        /// right side (the tensor language broadcasts a right side of a
        /// smaller shape back with `fill`): the rewritten term is then that
        /// wrapper, one of whose children is the right side's instance.
        public var isWrapped: Bool
        /// The whole term before the step.
        public var before: Term
        /// The whole term after it.
        public var after: Term
        /// The part of `before` the step rewrote: an instance of the rule's
        /// left side (its right side when reversed).
        public var rewrittenBefore: Term
        /// What replaced it: the instance of the other side.
        public var rewrittenAfter: Term
        /// The rule's variables as this instance binds them, in the order the
        /// rule binds them; a rest variable binds several terms.
        public var bindings: [BoundVariable]
    }

    /// Why a step holds.
    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// A rewrite rule, by name.
        case rule(String)
        /// An analysis that computed the rewritten term's value.
        case analysis(String)
        /// A merge a caller asserted with ``EGraph/union(_:_:)``.
        case asserted

        /// The rule's or analysis's name.
        public var description: String {
            switch self {
            case .rule(let name): name
            case .analysis(let name): name
            case .asserted: "asserted"
            }
        }
    }

    /// A rule variable and what one step bound it to.
    public struct BoundVariable: Sendable {
        /// The variable, with its `?`.
        public var name: String
        /// The terms bound: one for a class variable or a payload, any number
        /// for a rest variable.
        public var terms: [Term]
    }

    /// The term explained from.
    public var start: Term
    /// The term explained to.
    public var end: Term
    /// The steps, from `start` to `end`; each step's `before` is the previous
    /// step's `after`, modulo AC.
    public var steps: [Step]
}

/// Why ``EGraph/explain(_:_:maximumSteps:)`` could not explain.
public struct ExplanationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}

extension EGraph {
    /// The chain of rewrites that makes `from` equal to `to`, shortened: no
    /// term recurs along it, so detours the saturation took are cut out.
    ///
    /// - Throws: if explanations were not recorded (see
    ///   ``recordsExplanations``), a term is not in the e-graph, the two are
    ///   in different classes, or the chain would exceed `maximumSteps`.
    /// - Precondition: the e-graph is clean.
    public func explain(_ from: Term, _ to: Term, maximumSteps: Int = 100_000) throws(ExplanationError)
        -> Explanation
    {
        requireClean("explaining")
        guard let proofs else {
            throw ExplanationError(description: "explanations were not recorded: set recordsExplanations first")
        }
        guard let first = probe(from) else { throw ExplanationError(description: "\(from) is not in the e-graph") }
        guard let second = probe(to) else { throw ExplanationError(description: "\(to) is not in the e-graph") }
        guard first == second else { throw ExplanationError(description: "\(from) and \(to) are not equal") }
        // Proof terms nest as the terms are written out, so a term whose
        // shared parts double per level would cost exponential time before
        // any step exists.
        for term in [from, to] where term.writtenSize(limit: ExplainedTree.sizeLimit) > ExplainedTree.sizeLimit {
            throw ExplanationError(
                description:
                    "the terms are too large to explain written out (over \(ExplainedTree.sizeLimit) operations)")
        }
        var prover = Prover(egraph: self, forest: proofs, maximumSteps: maximumSteps)
        let start = ProofTerm(from, signature: signature)
        let end = ProofTerm(to, signature: signature)
        let steps = try prover.prove(start, end, before: proofs.edges.count)
        let startTree = prover.tree(start)
        let endTree = prover.tree(end)
        let truncated = [startTree, endTree] + steps.flatMap { [$0.before, $0.after] }
        if truncated.contains(where: \.isTruncated) {
            throw ExplanationError(
                description:
                    "the terms are too large to explain written out (over \(ExplainedTree.sizeLimit) operations)")
        }
        let shortened = Prover.withoutLoops(steps, from: startTree)
        return Explanation(
            start: startTree.term, end: endTree.term, steps: shortened.map { $0.publicStep(signature) })
    }
}

// MARK: Proof terms

extension Term {
    /// How many operations the term has written out, shared subterms
    /// repeated, up to just past `limit`.
    fileprivate func writtenSize(limit: Int) -> Int {
        var sizes: [Int] = []
        sizes.reserveCapacity(nodes.count)
        for node in nodes {
            sizes.append(node.children.reduce(1) { min($0 + sizes[$1], limit + 1) })
        }
        return sizes.last ?? 0
    }
}

extension ProofTerm {
    /// A term, AC applications flattened and collapsed as the e-graph stores
    /// them.
    init(_ term: Term, signature: Signature) {
        let flattened = term.flattenedAC(signature)
        var built: [ProofTerm?] = Array(repeating: nil, count: term.nodes.count)
        for index in term.nodes.indices where flattened.isNeeded[index] {
            let node = term.nodes[index]
            built[index] = ProofTerm.application(
                node.op, node.payload, flattened.operands[index].map { built[$0]! }, signature)
        }
        self = built[term.root]!
    }

    /// `pattern` with its variables replaced by their bindings, as the
    /// engine instantiates it (``Pattern/instance(building:signature:)``).
    static func instantiating(
        _ pattern: Pattern, _ bindings: [PatternVariable: Binding], signature: Signature
    ) -> ProofTerm {
        var builder = Builder(bindings: bindings, signature: signature)
        guard let term = pattern.instance(building: &builder, signature: signature) else {
            preconditionFailure("a variable of \(pattern) is unbound")
        }
        return term
    }

    /// Builds proof terms from a match's bindings.
    private struct Builder: PatternInstanceBuilder {
        let bindings: [PatternVariable: Binding]
        let signature: Signature

        func instance(of variable: PatternVariable) -> ProofTerm? {
            guard case .eclass(let id)? = bindings[variable] else { return nil }
            return .id(id.rawValue)
        }

        func payload(_ literal: Literal) -> Literal? { literal }

        func payload(of variable: PatternVariable) -> Literal? {
            guard case .literal(let literal)? = bindings[variable] else { return nil }
            return literal
        }

        func application(_ op: Symbol, payload: Literal?, operands: [ProofTerm], rests: [PatternVariable])
            -> ProofTerm?
        {
            var all = operands
            for rest in rests {
                guard case .multiset(let ids)? = bindings[rest] else { return nil }
                all += ids.map { .id($0.rawValue) }
            }
            return ProofTerm.application(op, payload, all, signature)
        }
    }

    /// An application as ``EGraph/add(_:)-(ENode)`` stores it: an AC
    /// application of one operand is that operand, of none the unit.
    static func application(_ op: Symbol, _ payload: Literal?, _ children: [ProofTerm], _ signature: Signature)
        -> ProofTerm
    {
        if signature.isAC(op) && payload == nil {
            if children.count == 1 { return children[0] }
            if children.isEmpty, let unit = signature.unit(of: op) { return .node(.literal, unit, []) }
        }
        return .node(op, payload, children)
    }
}

extension Pattern {
    /// The pattern the alias `variable` names inside this one.
    func aliasedPattern(_ variable: PatternVariable) -> Pattern? {
        switch self {
        case .variable: return nil
        case .alias(let name, let inner): return name == variable ? inner : inner.aliasedPattern(variable)
        case .node(_, _, let children, _):
            for child in children {
                if let found = child.aliasedPattern(variable) { return found }
            }
            return nil
        }
    }
}
