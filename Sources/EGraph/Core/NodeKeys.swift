/// The hash-cons keys: for every id, the e-node it was added as, canonical
/// as of the last time its children changed.
///
/// A small key (no payload, at most two children: nearly every key of an
/// algebra) is stored flat, 16 bytes per id with no child array; any other
/// key lives in a side list the flat entry points into. As an `[ENode]` the
/// table cost the rebuild two cache misses per queued key (the node, then
/// its child array) and an allocation and a release per key refreshed
/// (measured: the AC workload's rebuilds took 200 ms that way, 140 ms this).
final class NodeKeyTable {
    /// A key, flat.
    struct Key {
        /// The operator's raw value.
        var op: UInt32
        /// The number of children of a small key; ``Key/complex`` otherwise.
        var shape: UInt32
        /// A small key's children (0 when absent); for any other key,
        /// `first` is its position in the side list.
        var first: UInt32
        var second: UInt32

        static let complex = UInt32.max

        var isSmall: Bool { shape != Key.complex }
    }

    @exclusivity(unchecked) private var keys: UnsafeMutablePointer<Key>
    @exclusivity(unchecked) private var capacity = 64
    /// The number of ids.
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var complexKeys: [ENode] = []

    init() { keys = .allocate(capacity: capacity) }

    deinit { keys.deallocate() }

    /// Whether no id has been made.
    var isEmpty: Bool { count == 0 }

    /// The flat key of id `index`.
    @inline(__always)
    func key(_ index: Int) -> Key {
        assert(index < count)
        return keys[index]
    }

    /// The key of id `index`, as a node.
    subscript(index: Int) -> ENode {
        get {
            precondition(index < count, "no key for id \(index)")
            let key = keys[index]
            guard key.isSmall else { return complexKeys[Int(key.first)] }
            let op = Symbol(raw: key.op)
            switch key.shape {
            case 0: return ENode(op)
            case 1: return ENode(op, ChildList(ClassID(key.first)))
            default: return ENode(op, ChildList(ClassID(key.first), ClassID(key.second)))
            }
        }
        set {
            precondition(index < count, "no key for id \(index)")
            if let small = NodeKeyTable.smallKey(newValue) {
                keys[index] = small
            } else if !keys[index].isSmall {
                complexKeys[Int(keys[index].first)] = newValue
            } else {
                keys[index] = complexKey(newValue)
            }
        }
    }

    /// Prefetches the flat key of id `index` (``prefetchLine(_:)``).
    @inline(__always)
    func prefetch(_ index: Int) {
        assert(index < count)
        prefetchLine(keys + index)
    }

    /// Sets the key of id `index` to the small node `op(first, second)` with
    /// `arity` children, building no node.
    @inline(__always)
    func setSmall(_ index: Int, op: UInt32, arity: Int, first: UInt32, second: UInt32) {
        assert(index < count)
        keys[index] = Key(op: op, shape: UInt32(arity), first: first, second: second)
    }

    /// Records `node` as the key of the next id.
    func append(_ node: ENode) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Key>.allocate(capacity: capacity * 2)
            grown.initialize(from: keys, count: count)
            keys.deallocate()
            keys = grown
            capacity *= 2
        }
        (keys + count).initialize(to: NodeKeyTable.smallKey(node) ?? complexKey(node))
        count += 1
    }

    private static func smallKey(_ node: ENode) -> Key? {
        let arity = node.children.count
        guard node.payload == nil && arity <= 2 else { return nil }
        return Key(
            op: node.op.rawValue, shape: UInt32(arity), first: arity > 0 ? node.children[0].rawValue : 0,
            second: arity > 1 ? node.children[1].rawValue : 0)
    }

    private func complexKey(_ node: ENode) -> Key {
        complexKeys.append(node)
        return Key(op: node.op.rawValue, shape: Key.complex, first: UInt32(complexKeys.count - 1), second: 0)
    }
}
