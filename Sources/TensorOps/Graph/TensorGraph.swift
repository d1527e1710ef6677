import EGraph

/// The index of a node in a ``TensorGraph``.
public typealias NodeID = Int

/// A node of the tensor IR: an input, a scalar constant, or an operator
/// applied to earlier nodes, with its inferred shape.
public struct TensorNode: Hashable, Sendable {
    /// What a node computes.
    public enum Kind: Hashable, Sendable {
        /// A named input.
        case input(String)
        /// A scalar number.
        case constant(Double)
        /// An operator applied to ``TensorNode/arguments``.
        case apply(TensorOperator)

        /// Equal kinds; numbers compare bit for bit, every NaN alike.
        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.input(let a), .input(let b)): a == b
            case (.constant(let a), .constant(let b)): Literal.number(a) == Literal.number(b)
            case (.apply(let a), .apply(let b)): a == b
            default: false
            }
        }

        /// Hashes consistently with `==`.
        public func hash(into hasher: inout Hasher) {
            switch self {
            case .input(let name): hasher.combine(name)
            case .constant(let value): hasher.combine(Literal.number(value))
            case .apply(let op): hasher.combine(op)
            }
        }
    }

    /// What the node computes.
    public var kind: Kind
    /// Its operands, each an earlier node, in the operator's binary form.
    public var arguments: [NodeID]
    /// The axis of a reduction or squeeze, counted from 0; `nil` for a full
    /// reduction and for operators without an axis.
    public var axis: Int?
    /// The shape of its value.
    public var shape: Shape
}

/// A hash-consed DAG of tensor operations with shapes: the form programs take
/// between parsing and the e-graph, for `grad`, evaluation and printing.
///
/// Adding a node that already exists returns the existing one, so a subterm
/// written twice, or built twice by reverse mode, is computed once.
public struct TensorGraph: Sendable {
    /// The nodes, each after its arguments.
    public private(set) var nodes: [TensorNode] = []
    private var index: [Key: NodeID] = [:]

    private struct Key: Hashable {
        var kind: TensorNode.Kind
        var arguments: [NodeID]
        var axis: Int?
    }

    /// An empty graph.
    public init() {}

    /// The node with id `id`.
    public subscript(id: NodeID) -> TensorNode { nodes[id] }

    /// Adds an input of the given shape.
    public mutating func input(_ name: String, shape: Shape) -> NodeID {
        insert(TensorNode(kind: .input(name), arguments: [], axis: nil, shape: shape))
    }

    /// Adds a scalar constant.
    public mutating func constant(_ value: Double) -> NodeID {
        insert(TensorNode(kind: .constant(value), arguments: [], axis: nil, shape: .scalar))
    }

    /// Adds an operator application, inferring its shape.
    /// - Parameters:
    ///   - op: the operator; `arguments` must hold exactly its arity.
    ///   - arguments: the operands, nodes already in the graph.
    ///   - axis: for reductions and `squeeze`, the axis as written
    ///     (negative counts from the end); `nil` for a full reduction.
    /// - Throws: ``ShapeError`` when the operands' shapes do not fit.
    public mutating func apply(_ op: TensorOperator, _ arguments: [NodeID], axis: Int? = nil) throws(ShapeError)
        -> NodeID
    {
        precondition(arguments.count == op.arity, "\(op) takes \(op.arity) operand(s) in the graph")
        let shapes = arguments.map { nodes[$0].shape }
        let (shape, normalizedAxis) = try TensorGraph.inferShape(op, shapes, axis: axis)
        return insert(TensorNode(kind: .apply(op), arguments: arguments, axis: normalizedAxis, shape: shape))
    }

    private mutating func insert(_ node: TensorNode) -> NodeID {
        let key = Key(kind: node.kind, arguments: node.arguments, axis: node.axis)
        if let existing = index[key] { return existing }
        nodes.append(node)
        index[key] = nodes.count - 1
        return nodes.count - 1
    }

    /// The shape of `op` applied to operands of the given shapes, and the
    /// axis counted from 0.
    public static func inferShape(_ op: TensorOperator, _ shapes: [Shape], axis: Int?) throws(ShapeError)
        -> (Shape, Int?)
    {
        switch op.kind {
        case .elementwise, .fill:
            var shape = shapes[0]
            for other in shapes.dropFirst() {
                guard let joined = Shape.broadcast(shape, other) else {
                    throw ShapeError(
                        "shapes " + shapes.map(\.description).joined(separator: " and ") + " do not broadcast")
                }
                shape = joined
            }
            return (shape, nil)
        case .reduction:
            guard let axis else { return (.scalar, nil) }
            let normalized = try normalize(axis, of: shapes[0], for: op)
            return (shapes[0].reducing(axis: normalized), normalized)
        case .squeeze:
            let normalized = try normalize(axis ?? 0, of: shapes[0], for: op)
            guard shapes[0].dims[normalized].isOne else {
                throw ShapeError(
                    "cannot squeeze axis \(axis ?? 0) of shape \(shapes[0]): its size is \(shapes[0].dims[normalized]), not 1"
                )
            }
            return (shapes[0].removing(axis: normalized), normalized)
        }
    }

    private static func normalize(_ axis: Int, of shape: Shape, for op: TensorOperator) throws(ShapeError) -> Int {
        guard shape.rank > 0 else {
            guard op.kind == .reduction else { throw ShapeError("cannot \(op) axis \(axis) of a scalar") }
            throw ShapeError(
                "cannot reduce axis \(axis) of a scalar: (\(op) a), without an axis, reduces every element")
        }
        guard let normalized = shape.normalizedAxis(axis) else {
            throw ShapeError("axis \(axis) is out of range for shape \(shape)")
        }
        return normalized
    }

    /// The nodes `roots` depend on, each after its arguments.
    /// - Complexity: O(nodes reached), iteratively, however deep.
    public func topologicalOrder(from roots: [NodeID]) -> [NodeID] {
        var visited = [Bool](repeating: false, count: nodes.count)
        var order: [NodeID] = []
        for root in roots where !visited[root] {
            var stack: [(node: NodeID, expanded: Bool)] = [(root, false)]
            while let (node, expanded) = stack.popLast() {
                if expanded {
                    order.append(node)
                    continue
                }
                if visited[node] { continue }
                visited[node] = true
                stack.append((node, true))
                for argument in nodes[node].arguments.reversed() where !visited[argument] {
                    stack.append((argument, false))
                }
            }
        }
        return order
    }
}

/// Operand shapes that an operator cannot combine.
public struct ShapeError: Error, Sendable, CustomStringConvertible {
    /// What does not fit, such as `shapes [n] and [m] do not broadcast`.
    public var message: String

    /// A shape error with a message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
