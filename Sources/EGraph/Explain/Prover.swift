// The proving half of explanations (``Explanation``): concrete terms in AC
// normal form, the steps of a proof, and the prover that turns paths of the
// proof forest into steps.

// MARK: Concrete terms

/// A concrete term in AC normal form (same-operator AC operands flattened,
/// then sorted by their keys), with its printed form as the key that
/// compares and orders it.
///
/// A tree past ``sizeLimit`` operations written out (shared subterms repeat,
/// doubling per level) is truncated: it keeps no children, and
/// ``isTruncated`` marks it and every tree built on it, so an explanation
/// fails clearly instead of spending exponential time and memory.
final class ExplainedTree {
    let op: Symbol
    let payload: Literal?
    let children: [ExplainedTree]
    let key: String
    /// Operations written out, up to just past ``sizeLimit``.
    let size: Int
    /// Whether the tree was too large to keep.
    var isTruncated: Bool { size > ExplainedTree.sizeLimit }
    /// The most operations an explained term is written out with.
    static let sizeLimit = 100_000

    init(_ op: Symbol, _ payload: Literal?, _ children: [ExplainedTree], signature: Signature) {
        var operands = children
        if signature.isAC(op) && payload == nil {
            operands = children.flatMap { $0.op == op && $0.payload == nil && !$0.isTruncated ? $0.children : [$0] }
        }
        let size = operands.reduce(1) { min($0 + $1.size, ExplainedTree.sizeLimit + 1) }
        self.size = size
        self.op = op
        self.payload = payload
        if size > ExplainedTree.sizeLimit {
            self.children = []
            key = "(\(op.name) ...)"
            return
        }
        if signature.isAC(op) && payload == nil { operands.sort { $0.key < $1.key } }
        self.children = operands
        if op == .literal, let payload {
            key = payload.description
        } else if operands.isEmpty && payload == nil {
            key = op.name
        } else {
            var parts = [op.name] + operands.map(\.key)
            if let payload { parts.append(payload.description) }
            key = "(" + parts.joined(separator: " ") + ")"
        }
    }

    /// The tree as a flat term, repeated subtrees shared.
    var term: Term {
        var term = Term()
        var index: [String: Int] = [:]
        func append(_ tree: ExplainedTree) -> Int {
            if let known = index[tree.key] { return known }
            let children = tree.children.map(append)
            let position = term.append(Term.Node(tree.op, children, payload: tree.payload))
            index[tree.key] = position
            return position
        }
        _ = append(self)
        return term
    }
}

/// A step about a subterm, with the whole term it sits in.
struct ProofStep {
    var reason: Explanation.Reason
    var isReversed: Bool
    var isWrapped = false
    var rewrittenBefore: ExplainedTree
    var rewrittenAfter: ExplainedTree
    var before: ExplainedTree
    var after: ExplainedTree
    var bindings: [(String, [ExplainedTree])]

    var reversed: ProofStep {
        ProofStep(
            reason: reason, isReversed: !isReversed, isWrapped: isWrapped, rewrittenBefore: rewrittenAfter,
            rewrittenAfter: rewrittenBefore, before: after, after: before, bindings: bindings)
    }

    func publicStep(_ signature: Signature) -> Explanation.Step {
        Explanation.Step(
            reason: reason, isReversed: isReversed, isWrapped: isWrapped, before: before.term, after: after.term,
            rewrittenBefore: rewrittenBefore.term, rewrittenAfter: rewrittenAfter.term,
            bindings: bindings.map { Explanation.BoundVariable(name: $0.0, terms: $0.1.map(\.term)) })
    }
}

// MARK: Proving

/// Turns paths of the proof forest into steps. Every proof is "before" an
/// edge number: it may only use older edges, which is what makes expanding
/// an edge (whose reason relies on older equalities) terminate.
struct Prover {
    let egraph: EGraph
    let forest: ProofForest
    let maximumSteps: Int
    private var trees: [UInt32: ExplainedTree] = [:]
    private var expansions: [Int: [ProofStep]] = [:]
    private var membersByRoot: [UInt32: [UInt32]] = [:]
    /// Nested proof calls now: each level of a term costs a few, and a term
    /// thousands of levels deep would exhaust the stack.
    private var depth = 0
    /// Proof calls so far: shared subterms can make a naive proof
    /// exponential, and a clear error beats an explanation that never ends.
    private var work = 0
    /// The most nested proof calls, a few per level of the terms.
    static let depthLimit = 1_500
    /// The most proof calls one explanation makes.
    static let workLimit = 2_000_000

    init(egraph: EGraph, forest: ProofForest, maximumSteps: Int) {
        self.egraph = egraph
        self.forest = forest
        self.maximumSteps = maximumSteps
        for id in forest.original.indices {
            membersByRoot[egraph.unionFind.root(of: UInt32(id)), default: []].append(UInt32(id))
        }
    }

    /// The concrete term of a proof term: an id stands for the term it was
    /// added as.
    mutating func tree(_ term: ProofTerm) -> ExplainedTree {
        switch term {
        case .node(let op, let payload, let children):
            return ExplainedTree(op, payload, children.map { tree($0) }, signature: egraph.signature)
        case .id(let id):
            if let known = trees[id] { return known }
            // Children are older ids, so this recursion follows the order
            // the term was built in and ends at leaves.
            let node = forest.original[Int(id)]
            let built = ExplainedTree(
                node.op, node.payload, node.children.map { tree(.id($0.rawValue)) }, signature: egraph.signature)
            trees[id] = built
            return built
        }
    }

    /// Steps from `x` to `y`, relative to `x`, using edges older than `time`.
    mutating func prove(_ x: ProofTerm, _ y: ProofTerm, before time: Int) throws(ExplanationError) -> [ProofStep] {
        if x == y { return [] }
        try enter()
        defer { depth -= 1 }
        switch (x, y) {
        case (.id(let a), .id(let b)):
            guard let path = forest.path(from: a, to: b), path.allSatisfy({ $0.edge < time }) else {
                throw ExplanationError(description: "no proof of \(tree(x).key) = \(tree(y).key)")
            }
            var steps: [ProofStep] = []
            for (edge, forward) in path {
                let expanded = try expand(edge)
                steps += forward ? expanded : expanded.reversed().map(\.reversed)
                if steps.count > maximumSteps { throw tooLong }
            }
            return steps
        case (.node, .id(let b)):
            guard let witness = try witness(for: x, equalTo: b, before: time) else {
                throw ExplanationError(description: "no node of \(tree(y).key) matches \(tree(x).key)")
            }
            return try prove(x, originalNode(witness), before: time) + prove(.id(witness), y, before: time)
        case (.id, .node):
            return try prove(y, x, before: time).reversed().map(\.reversed)
        case (.node(let op, let payload, let xs), .node(let op2, let payload2, let ys)):
            if op == op2, payload == payload2, xs.count == ys.count,
                let pairing = try pairing(xs, ys, isAC: egraph.signature.isAC(op), before: time)
            {
                return try congruence(op, payload, xs, ys, pairing, before: time)
            }
            guard let witness = try witness(for: x, equalTo: nil, before: time) else {
                throw ExplanationError(description: "no node matches \(tree(x).key)")
            }
            return try prove(x, .id(witness), before: time) + prove(.id(witness), y, before: time)
        }
    }

    /// Counts a proof call against the depth and work limits.
    private mutating func enter() throws(ExplanationError) {
        depth += 1
        work += 1
        if depth > Prover.depthLimit {
            throw ExplanationError(
                description: "the terms are too deep to explain (over \(Prover.depthLimit / 3) levels)")
        }
        if work > Prover.workLimit {
            throw ExplanationError(
                description: "the explanation needs more than \(Prover.workLimit) proof steps of work "
                    + "(shared subterms can make it exponential)")
        }
    }

    private var tooLong: ExplanationError {
        ExplanationError(description: "the explanation is longer than \(maximumSteps) steps")
    }

    /// The node an id was added as, its children as ids.
    private func originalNode(_ id: UInt32) -> ProofTerm {
        let node = forest.original[Int(id)]
        return .node(node.op, node.payload, node.children.map { .id($0.rawValue) })
    }

    /// The steps of one edge, walked from its `from` end.
    private mutating func expand(_ edge: Int) throws(ExplanationError) -> [ProofStep] {
        if let known = expansions[edge] { return known }
        let (from, to, reason) = forest.edges[edge]
        var steps: [ProofStep] = []
        switch reason {
        case .congruence:
            steps = try prove(originalNode(from), originalNode(to), before: edge)
        case .rule(let name, let lhs, let rhs, let bindings, let isWrapped):
            steps = try prove(.id(from), lhs, before: edge)
            let left = tree(lhs)
            let right = tree(rhs)
            let bound = bindings.map { variable, binding in
                (variable.name, boundTrees(binding))
            }
            var step = wholeStep(.rule(name), from: left, to: right, bindings: bound)
            step.isWrapped = isWrapped
            steps.append(step)
            steps += try prove(rhs, .id(to), before: edge)
        case .analysis(let name):
            steps = [wholeStep(.analysis(name), from: tree(.id(from)), to: tree(.id(to)))]
        case .asserted:
            steps = [wholeStep(.asserted, from: tree(.id(from)), to: tree(.id(to)))]
        }
        if steps.count > maximumSteps { throw tooLong }
        expansions[edge] = steps
        return steps
    }

    /// A step that rewrites the whole term it is about.
    private func wholeStep(
        _ reason: Explanation.Reason, from before: ExplainedTree, to after: ExplainedTree,
        bindings: [(String, [ExplainedTree])] = []
    ) -> ProofStep {
        ProofStep(
            reason: reason, isReversed: false, rewrittenBefore: before, rewrittenAfter: after, before: before,
            after: after, bindings: bindings)
    }

    private mutating func boundTrees(_ binding: Binding) -> [ExplainedTree] {
        switch binding {
        case .eclass(let id): [tree(.id(id.rawValue))]
        case .multiset(let ids): ids.map { tree(.id($0.rawValue)) }
        case .literal(let literal): [ExplainedTree(.literal, literal, [], signature: egraph.signature)]
        }
    }

    /// Rewrites the operands of `op(xs)` one at a time into those of
    /// `op(ys)` they pair with, each step shown inside the whole application.
    private mutating func congruence(
        _ op: Symbol, _ payload: Literal?, _ xs: [ProofTerm], _ ys: [ProofTerm], _ pairing: [Int],
        before time: Int
    ) throws(ExplanationError) -> [ProofStep] {
        var current = xs.map { tree($0) }
        var steps: [ProofStep] = []
        for (index, partner) in pairing.enumerated() {
            let inner = try prove(xs[index], ys[partner], before: time)
            for var step in inner {
                current[index] = step.before
                step.before = ExplainedTree(op, payload, current, signature: egraph.signature)
                current[index] = step.after
                step.after = ExplainedTree(op, payload, current, signature: egraph.signature)
                steps.append(step)
            }
            current[index] = tree(ys[partner])
            if steps.count > maximumSteps { throw tooLong }
        }
        return steps
    }

    /// For each of `xs`, the index of the operand of `ys` equal to it using
    /// edges older than `time`: positional, or any perfect pairing for an AC
    /// operator (equality is transitive, so taking the first free partner
    /// never blocks a later one).
    private mutating func pairing(_ xs: [ProofTerm], _ ys: [ProofTerm], isAC: Bool, before time: Int)
        throws(ExplanationError) -> [Int]?
    {
        if !isAC {
            for (x, y) in zip(xs, ys) where try !equal(x, y, before: time) { return nil }
            return Array(xs.indices)
        }
        var used = [Bool](repeating: false, count: ys.count)
        var result: [Int] = []
        for x in xs {
            var found: Int?
            for (index, y) in ys.enumerated() where !used[index] {
                if try equal(x, y, before: time) {
                    found = index
                    break
                }
            }
            guard let found else { return nil }
            used[found] = true
            result.append(found)
        }
        return result
    }

    /// Whether two proof terms were equal using edges older than `time`.
    private mutating func equal(_ x: ProofTerm, _ y: ProofTerm, before time: Int) throws(ExplanationError) -> Bool {
        if x == y { return true }
        try enter()
        defer { depth -= 1 }
        switch (x, y) {
        case (.id(let a), .id(let b)): return forest.equal(a, b, before: time)
        case (.node, .id(let b)): return try witness(for: x, equalTo: b, before: time) != nil
        case (.id(let a), .node): return try witness(for: y, equalTo: a, before: time) != nil
        case (.node(let op, let payload, let xs), .node(let op2, let payload2, let ys)):
            if op == op2, payload == payload2, xs.count == ys.count,
                try pairing(xs, ys, isAC: egraph.signature.isAC(op), before: time) != nil
            {
                return true
            }
            guard let witness = try witness(for: x, equalTo: nil, before: time) else { return false }
            return try equal(.id(witness), y, before: time)
        }
    }

    /// An id, equal to `target` when given, whose node is `term`'s top
    /// application with operands equal to `term`'s, all using edges older
    /// than `time`: the e-node a rule matched or instantiated, found again.
    private mutating func witness(for term: ProofTerm, equalTo target: UInt32?, before time: Int)
        throws(ExplanationError) -> UInt32?
    {
        guard case .node(let op, let payload, let children) = term else { return nil }
        try enter()
        defer { depth -= 1 }
        let root: UInt32
        if let target {
            root = egraph.unionFind.root(of: target)
        } else {
            var ids: [ClassID] = []
            for child in children {
                switch child {
                case .id(let id): ids.append(ClassID(id))
                case .node:
                    guard let id = try witness(for: child, equalTo: nil, before: time) else { return nil }
                    ids.append(ClassID(id))
                }
            }
            guard let found = egraph.probe(ENode(op, ids, payload: payload)) else { return nil }
            root = found
        }
        let isAC = egraph.signature.isAC(op)
        for candidate in membersByRoot[root] ?? [] {
            let node = forest.original[Int(candidate)]
            guard node.op == op, node.payload == payload, node.children.count == children.count else { continue }
            if let target, !forest.equal(candidate, target, before: time) { continue }
            let operands = node.children.map { ProofTerm.id($0.rawValue) }
            if try pairing(children, operands, isAC: isAC, before: time) != nil { return candidate }
        }
        return nil
    }

    /// `steps` with every detour cut: where a term recurs, the steps between
    /// its two occurrences go, and so do steps that change nothing modulo AC.
    static func withoutLoops(_ steps: [ProofStep], from start: ExplainedTree) -> [ProofStep] {
        var kept: [ProofStep] = []
        var keys = [start.key]
        var position: [String: Int] = [start.key: 0]
        for step in steps where step.before.key != step.after.key {
            if let earlier = position[step.after.key] {
                for key in keys[(earlier + 1)...] { position[key] = nil }
                keys.removeSubrange((earlier + 1)...)
                kept.removeSubrange(earlier...)
                continue
            }
            kept.append(step)
            keys.append(step.after.key)
            position[step.after.key] = keys.count - 1
        }
        return kept
    }
}
