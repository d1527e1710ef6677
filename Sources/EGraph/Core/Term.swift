/// A term stored flat: each node's children are indices of earlier nodes, and
/// the last node is the root (egg's `RecExpr`).
///
/// Flat storage shares repeated subterms by index and never recurses to add,
/// compare or free a term, however deep it is.
public struct Term: Hashable, Sendable, CustomStringConvertible {
    /// One node of a term.
    public struct Node: Hashable, Sendable {
        /// The operator.
        public var op: Symbol
        /// The literal payload, if any.
        public var payload: Literal?
        /// Indices of the children in ``Term/nodes``, each less than this node's.
        public var children: [Int]

        /// A node with the given operator, children and payload.
        public init(_ op: Symbol, _ children: [Int] = [], payload: Literal? = nil) {
            self.op = op
            self.children = children
            self.payload = payload
        }
    }

    /// The nodes, children before parents; the last is the root.
    public private(set) var nodes: [Node] = []

    /// An empty term, to fill with ``append(_:)``.
    public init() {}

    /// Appends a node and returns its index.
    /// - Precondition: every child index names an earlier node.
    @discardableResult
    public mutating func append(_ node: Node) -> Int {
        precondition(node.children.allSatisfy { $0 >= 0 && $0 < nodes.count }, "a term's children must come before it")
        nodes.append(node)
        return nodes.count - 1
    }

    /// The index of the root node.
    public var root: Int { nodes.count - 1 }

    /// The term as an s-expression.
    public var description: String { render(root) }

    /// The subterm at `index` as an s-expression.
    public func render(_ index: Int) -> String {
        let node = nodes[index]
        if node.op == .literal, let payload = node.payload { return payload.description }
        if node.children.isEmpty && node.payload == nil { return node.op.name }
        var parts = [node.op.name]
        parts.append(contentsOf: node.children.map(render))
        if let payload = node.payload { parts.append(payload.description) }
        return "(" + parts.joined(separator: " ") + ")"
    }

    /// For each node some parent does not splice (and the root), its operands
    /// with directly nested applications of the same AC operator spliced in,
    /// and whether the node must exist as a class; the operands of the other
    /// nodes are left empty.
    ///
    /// Only needed nodes are flattened: flattening every node of the left
    /// fold a sum of n operands is written as held n^2 / 2 operands (40 GB at
    /// n = 100,000) for the one that is kept. A shared subterm is spliced
    /// only within a bound, so no node grows past a size linear in the term.
    func flattenedAC(_ signature: Signature) -> (operands: [[Int]], isNeeded: [Bool]) {
        var operands = [[Int]](repeating: [], count: nodes.count)
        var isNeeded = [Bool](repeating: false, count: nodes.count)
        guard !nodes.isEmpty else { return (operands, isNeeded) }
        isNeeded[nodes.count - 1] = true
        // A subterm used more than once is spliced into each use only while
        // the node stays within this many operands: splicing shared sums
        // doubles per level (a1 = a0 + a0, a2 = a1 + a1, ...), so 26 lets
        // would make 67 million operands. Past the bound a shared sum stays a
        // class of its own, which the lazy ac-flatten rules may splice later.
        let sharedSpliceBound = max(nodes.count, 64)
        var uses = [Int](repeating: 0, count: nodes.count)
        for node in nodes {
            for child in node.children { uses[child] += 1 }
        }
        for index in nodes.indices.reversed() where isNeeded[index] {
            let node = nodes[index]
            if signature.isAC(node.op) {
                // Depth first and left to right, with a stack: the fold is as
                // deep as the sum is wide.
                var flat: [Int] = []
                var stack = node.children.reversed().map { (child: $0, parent: index) }
                while let (child, parent) = stack.popLast() {
                    let inner = nodes[child]
                    // An operand repeated in its parent (a2 = a1 + a1) is one
                    // value used twice: splicing it would compute its operands
                    // twice, and extraction would then have to choose between
                    // the nested form and one of doubled width.
                    if inner.op == node.op && inner.payload == node.payload
                        && (uses[child] == 1
                            || (flat.count + stack.count + inner.children.count <= sharedSpliceBound
                                && nodes[parent].children.lazy.filter { $0 == child }.count == 1))
                    {
                        stack.append(contentsOf: inner.children.reversed().map { (child: $0, parent: child) })
                    } else {
                        flat.append(child)
                    }
                }
                operands[index] = flat
            } else {
                operands[index] = node.children
            }
            for operand in operands[index] { isNeeded[operand] = true }
        }
        return (operands, isNeeded)
    }
}
