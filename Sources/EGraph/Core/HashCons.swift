/// The hash-cons: an open-addressing table from e-node to the id of an
/// e-node with that key, whose keys live in the e-graph's node table.
///
/// Built for the saturation loop, which looks up every node it instantiates
/// (`Dictionary<ENode, _>` spent a third of a saturation comparing child
/// arrays on collisions, since it stores no hashes):
/// - a slot holds small keys (no payload, at most two children: nearly every
///   node of an algebra) inline, so confirming a hit costs no memory access
///   beyond the slot: measured, a lookup was otherwise three cache misses
///   (slot, node, child array) and a third of a saturation's time;
/// - a slot holding any other key holds its full hash instead, so a probe
///   that meets a different node is rejected without touching the node;
/// - slots are 16 bytes, four to a cache line: the table of a large
///   saturation outgrows the caches, and each lookup's slot miss was a fifth
///   of the AC workload's time with 32-byte slots;
/// - the hash is a fixed multiply-rotate mix with no per-process seed: only
///   lookups depend on it, never an iteration order;
/// - linear probing with backward-shift deletion, so the entry of a node whose
///   children were merged is removed, not left stale;
/// - the slots are a manually managed buffer, so the hot loop pays neither
///   copy-on-write uniqueness checks nor bounds checks.
final class HashCons {
    private struct Slot {
        /// `id + 1`, or 0 for an empty slot.
        var entry: UInt32
        /// For an inline key, its operator's raw value with its arity in the
        /// top two bits; ``Slot/hashedTag`` when the key is not inline.
        var tag: UInt32
        /// An inline key's children (0 when absent), or the low and high
        /// halves of a non-inline key's hash.
        var first: UInt32
        var second: UInt32

        static let hashedTag: UInt32 = 3 << 30
        static let empty = Slot(entry: 0, tag: 0, first: 0, second: 0)

        @inline(__always)
        static func inlineTag(op: UInt32, arity: Int) -> UInt32 { op | UInt32(truncatingIfNeeded: arity) << 30 }

        init(entry: UInt32, tag: UInt32, first: UInt32, second: UInt32) {
            self.entry = entry
            self.tag = tag
            self.first = first
            self.second = second
        }

        init(entry: UInt32, key: ENode, hash: UInt64) {
            if key.payload == nil, key.children.count <= 2 {
                let arity = key.children.count
                self.init(
                    entry: entry, tag: Slot.inlineTag(op: key.op.rawValue, arity: arity),
                    first: arity > 0 ? key.children[0].rawValue : 0, second: arity > 1 ? key.children[1].rawValue : 0)
            } else {
                self.init(
                    entry: entry, tag: Slot.hashedTag, first: UInt32(truncatingIfNeeded: hash),
                    second: UInt32(truncatingIfNeeded: hash >> 32))
            }
        }

        /// The hash of the slot's key: stored, or recomputed from the inline key.
        var hash: UInt64 {
            if tag == Slot.hashedTag { return UInt64(first) | UInt64(second) << 32 }
            return HashCons.hash(op: tag & ~Slot.hashedTag, arity: Int(tag >> 30), first: first, second: second)
        }

        /// Whether `node`, hashed to `hash`, is this slot's key.
        @inline(__always)
        func holds(_ node: ENode, hash: UInt64, keys: NodeKeyTable) -> Bool {
            if tag == Slot.hashedTag {
                return first == UInt32(truncatingIfNeeded: hash) && second == UInt32(truncatingIfNeeded: hash >> 32)
                    && keys[Int(entry - 1)] == node
            }
            let arity = node.children.count
            guard node.payload == nil, arity <= 2, tag == Slot.inlineTag(op: node.op.rawValue, arity: arity) else {
                return false
            }
            return (arity < 1 || node.children[0].rawValue == first)
                && (arity < 2 || node.children[1].rawValue == second)
        }
    }

    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var mask: Int
    /// The number of entries.
    @exclusivity(unchecked) private(set) var count = 0

    init() {
        mask = 63
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: .empty, count: mask + 1)
    }

    deinit { slots.deallocate() }

    private static let multiplier: UInt64 = 0x517c_c1b7_2722_0a95

    @inline(__always)
    private static func mix(_ state: inout UInt64, _ word: UInt64) {
        state = (((state << 5) | (state >> 59)) ^ word) &* multiplier
    }

    @inline(__always)
    private static func finish(_ state: UInt64) -> UInt64 {
        var state = state
        state ^= state >> 31
        state &*= 0xbf58_476d_1ce4_e5b9
        return state ^ (state >> 29)
    }

    /// A well-mixed 64-bit hash of an e-node: rotate-xor-multiply over its
    /// words (as rustc's FxHash), finished so the low bits depend on all.
    static func hash(_ node: ENode) -> UInt64 {
        var state = (UInt64(node.op.rawValue) &+ 1) &* multiplier
        switch node.payload {
        case nil: mix(&state, 0)
        case .number(let value)?:
            mix(&state, 1)
            mix(&state, value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case .integer(let value)?:
            mix(&state, 2)
            mix(&state, UInt64(bitPattern: Int64(value)))
        }
        for child in node.children { mix(&state, UInt64(child.rawValue)) }
        mix(&state, UInt64(node.children.count))
        return finish(state)
    }

    /// ``hash(_:)`` of a node with no payload and `arity` (at most two)
    /// children `first` and `second`, without building the node.
    @inline(__always)
    static func hash(op: UInt32, arity: Int, first: UInt32, second: UInt32) -> UInt64 {
        var state = (UInt64(op) &+ 1) &* multiplier
        mix(&state, 0)
        if arity > 0 { mix(&state, UInt64(first)) }
        if arity > 1 { mix(&state, UInt64(second)) }
        mix(&state, UInt64(arity))
        return finish(state)
    }

    /// The id whose key equals `node`, reading keys from `keys`.
    func find(_ node: ENode, hash: UInt64, keys: NodeKeyTable) -> UInt32? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.entry == 0 { return nil }
            if slot.holds(node, hash: hash, keys: keys) { return slot.entry - 1 }
            index = (index + 1) & mask
        }
    }

    /// The id whose key is the node with operator `op`, no payload and
    /// `arity` (at most two) children `first` and `second` (0 when absent),
    /// hashed by ``hash(op:arity:first:second:)``. Such a key is always
    /// inline, so the lookup reads nothing but slots.
    @inline(__always)
    func find(op: UInt32, arity: Int, first: UInt32, second: UInt32, hash: UInt64) -> UInt32? {
        let tag = Slot.inlineTag(op: op, arity: arity)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.entry == 0 { return nil }
            if slot.tag == tag && slot.first == first && slot.second == second { return slot.entry - 1 }
            index = (index + 1) & mask
        }
    }

    /// Inserts `id`, whose key is `key`, under `hash`.
    /// - Precondition: no entry with an equal key is present.
    func insert(_ id: UInt32, key: ENode, hash: UInt64) {
        precondition(key.op.rawValue < 1 << 30, "too many symbols for the hash-cons")
        if (count + 1) * 8 > (mask + 1) * 5 { grow() }
        place(Slot(entry: id + 1, key: key, hash: hash), hash: hash)
        count += 1
    }

    /// Inserts `id`, whose key is the node `op(first, second)` with no
    /// payload and `arity` (at most two) children, under `hash`.
    /// - Precondition: no entry with an equal key is present.
    func insert(_ id: UInt32, op: UInt32, arity: Int, first: UInt32, second: UInt32, hash: UInt64) {
        precondition(op < 1 << 30, "too many symbols for the hash-cons")
        if (count + 1) * 8 > (mask + 1) * 5 { grow() }
        let tag = Slot.inlineTag(op: op, arity: arity)
        place(Slot(entry: id + 1, tag: tag, first: first, second: second), hash: hash)
        count += 1
    }

    /// Prefetches the slot a lookup under `hash` starts at (``prefetchLine(_:)``).
    @inline(__always)
    func prefetch(_ hash: UInt64) {
        prefetchLine(slots + (Int(truncatingIfNeeded: hash) & mask))
    }

    /// Removes the entry of `id` stored under `hash`, if there is one.
    func remove(_ id: UInt32, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[index].entry
            if entry == 0 { return }
            if entry == id + 1 { break }
            index = (index + 1) & mask
        }
        count -= 1
        // Backward shift: move each later entry of the cluster into the hole
        // unless its home lies cyclically after the hole.
        var hole = index
        var next = (hole + 1) & mask
        while slots[next].entry != 0 {
            let home = Int(truncatingIfNeeded: slots[next].hash) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole].entry = 0
    }

    /// Every stored id with its hash, for the invariant checker.
    var entries: [(id: UInt32, hash: UInt64)] {
        (0...mask).compactMap { slots[$0].entry == 0 ? nil : (slots[$0].entry - 1, slots[$0].hash) }
    }

    private func place(_ slot: Slot, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].entry != 0 { index = (index + 1) & mask }
        slots[index] = slot
    }

    /// Doubles the table, keeping the load under 5/8.
    private func grow() {
        let old = slots
        let oldCapacity = mask + 1
        mask = oldCapacity * 2 - 1
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: .empty, count: mask + 1)
        for index in 0..<oldCapacity where old[index].entry != 0 { place(old[index], hash: old[index].hash) }
        old.deallocate()
    }
}
