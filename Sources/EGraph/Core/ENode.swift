/// The id of an e-class: a dense 32-bit index.
///
/// 32 bits halve the size of every e-node's child list against `Int`, and no
/// e-graph this engine builds comes near four billion nodes.
public struct ClassID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index into the e-graph's tables.
    public let rawValue: UInt32

    /// Wraps a raw index.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The index as an `Int`, for subscripting arrays.
    @inlinable public var index: Int { Int(rawValue) }

    /// Ids order by creation, which is deterministic for a given sequence of
    /// additions; AC child lists are sorted in this order.
    public static func < (lhs: ClassID, rhs: ClassID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `c` followed by the index, as in the e-graph exports.
    public var description: String { "c\(rawValue)" }
}

/// An e-node: an operator applied to e-classes, with an optional literal.
///
/// Leaves have no children: a symbol such as `x` is an e-node with operator
/// `x`; a number is an e-node with operator ``Symbol/literal`` and a
/// ``Literal/number(_:)`` payload. An operator with an attribute (an axis, say)
/// carries it as the payload beside its children.
///
/// For an operator the ``Signature`` declares associative-commutative, the
/// children are a multiset kept sorted by ``ClassID``.
public struct ENode: Hashable, Sendable, CustomStringConvertible {
    /// The operator.
    public var op: Symbol
    /// The literal payload, if any.
    public var payload: Literal?
    /// The children's e-classes, canonical once the e-graph is rebuilt.
    public var children: ChildList

    /// An e-node with the given operator, children and payload.
    public init(_ op: Symbol, _ children: [ClassID] = [], payload: Literal? = nil) {
        self.op = op
        self.children = ChildList(children)
        self.payload = payload
    }

    /// An e-node with the given operator, children and payload.
    public init(_ op: Symbol, _ children: ChildList, payload: Literal? = nil) {
        self.op = op
        self.children = children
        self.payload = payload
    }

    /// Hashes the children as one block of bytes: the hash-cons hashes every
    /// node added or looked up, and one `combine(bytes:)` is several times
    /// cheaper than combining each id.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(op.rawValue)
        hasher.combine(payload)
        hasher.combine(children.count)
        children.withUnsafeBufferPointer { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A leaf holding a number.
    public static func number(_ value: Double) -> ENode {
        ENode(.literal, payload: .number(value))
    }

    /// Whether the node is a leaf naming a symbol (not a number).
    public var isSymbolLeaf: Bool { children.isEmpty && op != .literal }

    /// The operator with its payload, children as class ids: `(+ c1 c2)`.
    public var description: String {
        if op == .literal, let payload { return payload.description }
        var parts = [op.name]
        if let payload { parts.append("#\(payload)") }
        parts.append(contentsOf: children.map(\.description))
        return children.isEmpty && payload == nil ? op.name : "(" + parts.joined(separator: " ") + ")"
    }

    /// The operator and payload as one label, as the exports show it.
    public var label: String {
        if op == .literal, let payload { return payload.description }
        if let payload { return "\(op.name) \(payload)" }
        return op.name
    }
}
