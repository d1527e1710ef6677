/// The hash-cons: an open-addressing table from e-node to the id of an
/// e-node with that key, whose keys live in the e-graph's node table.
///
/// Built for the saturation loop, which looks up every node it instantiates
/// (`Dictionary<ENode, _>` spent a third of a saturation comparing child
/// arrays on collisions, since it stores no hashes):
/// - each slot holds its key's full hash beside the id, so a probe that meets
///   a different node is rejected without touching the node's child array;
/// - a slot also holds small keys (no payload, at most two children: nearly
///   every node of an algebra) inline, so confirming a hit costs no memory
///   access beyond the slot: measured, a lookup was otherwise three cache
///   misses (slot, node, child array) and a third of a saturation's time;
/// - the hash is a fixed multiply-rotate mix with no per-process seed: only
///   lookups depend on it, never an iteration order;
/// - linear probing with backward-shift deletion, so the entry of a node whose
///   children were merged is removed, not left stale;
/// - the slots are a manually managed buffer, so the hot loop pays neither
///   copy-on-write uniqueness checks nor bounds checks.
final class HashCons {
    private struct Slot {
        var hash: UInt64
        /// `id + 1`, or 0 for an empty slot.
        var entry: UInt32
        /// The key's operator, when the key is inline.
        var op: UInt32 = 0
        var first: UInt32 = 0
        var second: UInt32 = 0
        /// The number of inline children, or -1 when the key is not inline.
        var inlineArity: Int32 = -1

        init(hash: UInt64, entry: UInt32) {
            self.hash = hash
            self.entry = entry
        }

        init(hash: UInt64, entry: UInt32, key: ENode) {
            self.init(hash: hash, entry: entry)
            guard key.payload == nil, key.children.count <= 2 else { return }
            op = key.op.rawValue
            inlineArity = Int32(key.children.count)
            if key.children.count > 0 { first = key.children[0].rawValue }
            if key.children.count > 1 { second = key.children[1].rawValue }
        }

        /// Whether `node` is this slot's key, when the key is inline;
        /// `nil` when it is not inline.
        func inlineKeyEquals(_ node: ENode) -> Bool? {
            guard inlineArity >= 0 else { return nil }
            guard node.payload == nil, node.op.rawValue == op, node.children.count == Int(inlineArity) else {
                return false
            }
            switch inlineArity {
            case 0: return true
            case 1: return node.children[0].rawValue == first
            default: return node.children[0].rawValue == first && node.children[1].rawValue == second
            }
        }
    }

    private var slots: UnsafeMutablePointer<Slot>
    private var mask: Int
    /// The number of entries.
    private(set) var count = 0

    init() {
        mask = 63
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: Slot(hash: 0, entry: 0), count: mask + 1)
    }

    deinit { slots.deallocate() }

    /// A well-mixed 64-bit hash of an e-node: rotate-xor-multiply over its
    /// words (as rustc's FxHash), finished so the low bits depend on all.
    static func hash(_ node: ENode) -> UInt64 {
        let multiplier: UInt64 = 0x517c_c1b7_2722_0a95
        var state = (UInt64(node.op.rawValue) &+ 1) &* multiplier
        func mix(_ word: UInt64) { state = (((state << 5) | (state >> 59)) ^ word) &* multiplier }
        switch node.payload {
        case nil: mix(0)
        case .number(let value)?:
            mix(1)
            mix(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case .integer(let value)?:
            mix(2)
            mix(UInt64(bitPattern: Int64(value)))
        }
        for child in node.children { mix(UInt64(child.rawValue)) }
        mix(UInt64(node.children.count))
        state ^= state >> 31
        state &*= 0xbf58_476d_1ce4_e5b9
        return state ^ (state >> 29)
    }

    /// The id whose key equals `node`, reading keys from `keys`.
    func find(_ node: ENode, hash: UInt64, keys: [ENode]) -> UInt32? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.entry == 0 { return nil }
            if slot.hash == hash && (slot.inlineKeyEquals(node) ?? (keys[Int(slot.entry - 1)] == node)) {
                return slot.entry - 1
            }
            index = (index + 1) & mask
        }
    }

    /// Inserts `id`, whose key is `key`, under `hash`.
    /// - Precondition: no entry with an equal key is present.
    func insert(_ id: UInt32, key: ENode, hash: UInt64) {
        if (count + 1) * 8 > (mask + 1) * 5 { grow() }
        place(Slot(hash: hash, entry: id + 1, key: key))
        count += 1
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

    private func place(_ slot: Slot) {
        var index = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[index].entry != 0 { index = (index + 1) & mask }
        slots[index] = slot
    }

    /// Doubles the table, keeping the load under 5/8.
    private func grow() {
        let old = slots
        let oldCapacity = mask + 1
        mask = oldCapacity * 2 - 1
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: Slot(hash: 0, entry: 0), count: mask + 1)
        for index in 0..<oldCapacity where old[index].entry != 0 { place(old[index]) }
        old.deallocate()
    }
}
