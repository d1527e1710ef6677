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

    /// For each node, its operands with directly nested applications of the
    /// same AC operator spliced in, and whether the node must exist as a class
    /// (the root, and nodes some parent does not splice).
    func flattenedAC(_ signature: Signature) -> (operands: [[Int]], isNeeded: [Bool]) {
        var operands: [[Int]] = []
        operands.reserveCapacity(nodes.count)
        var isNeeded = [Bool](repeating: false, count: nodes.count)
        for node in nodes {
            guard signature.isAC(node.op) else {
                operands.append(node.children)
                continue
            }
            var flat: [Int] = []
            for child in node.children {
                let inner = nodes[child]
                if inner.op == node.op && inner.payload == node.payload {
                    flat.append(contentsOf: operands[child])
                } else {
                    flat.append(child)
                }
            }
            operands.append(flat)
        }
        if !nodes.isEmpty { isNeeded[nodes.count - 1] = true }
        for index in nodes.indices.reversed() where isNeeded[index] {
            for operand in operands[index] { isNeeded[operand] = true }
        }
        return (operands, isNeeded)
    }
}
