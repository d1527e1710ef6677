/// An e-node as the searcher reads it, with small child lists and literal
/// leaves inline.
///
/// Matching read each candidate node's child array, a heap object of its own:
/// one cache miss per node tried, seven tenths of the searcher's time on the
/// AC workload. Nearly every node has no payload and at most two children, or
/// is a literal leaf, and fits here.
struct FlatNode {
    /// The operator's raw value.
    var op: UInt32
    /// The number of children (0, 1 or 2) of a node with no payload;
    /// ``FlatNode/number`` or ``FlatNode/integer`` for a leaf with that
    /// payload; ``FlatNode/complex`` for any other node.
    var shape: UInt32
    /// A small node's children (0 when absent), or the low and high halves of
    /// a literal leaf's ``FlatNode/bits(of:)``.
    var first: UInt32
    var second: UInt32

    static let number: UInt32 = 0xFFFF_FFFD
    static let integer: UInt32 = 0xFFFF_FFFE
    static let complex: UInt32 = 0xFFFF_FFFF

    init(_ node: ENode) {
        op = node.op.rawValue
        let arity = node.children.count
        switch node.payload {
        case nil where arity <= 2:
            shape = UInt32(arity)
            first = arity > 0 ? node.children[0].rawValue : 0
            second = arity > 1 ? node.children[1].rawValue : 0
        case let literal? where arity == 0:
            let bits = FlatNode.bits(of: literal)
            shape = bits.shape
            first = UInt32(truncatingIfNeeded: bits.value)
            second = UInt32(truncatingIfNeeded: bits.value >> 32)
        default:
            shape = FlatNode.complex
            first = 0
            second = 0
        }
    }

    /// A literal as a shape and 64 bits that are equal exactly when the
    /// literals are equal (`Literal`'s `==`: NaNs are one value).
    static func bits(of literal: Literal) -> (shape: UInt32, value: UInt64) {
        switch literal {
        case .number(let value): (number, value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case .integer(let value): (integer, UInt64(bitPattern: Int64(value)))
        }
    }
}

/// The flat nodes of every class, in one manually managed pool: each class's
/// list is a contiguous run, written whole when a rebuild revisits the class.
///
/// One pool of plain memory rather than an array per class, so the searcher
/// reaches a list with no retain and no exclusivity check. A rewritten list
/// goes to the end of the pool and its old run becomes garbage; a full pool
/// is compacted into one at least twice the size of what is live.
///
/// Beside each node lies its *stamp*: the rebuild that last made it, as a
/// node of its class, what it is now (see ``EGraph/generation``). Semi-naive
/// search reads the stamps to skip matches made only of nodes it has seen.
final class FlatNodeStore {
    private struct Run {
        var start: Int
        var count: Int
        /// The greatest stamp of the run's nodes, 0 for an empty run.
        var newest: UInt32
    }

    @exclusivity(unchecked) private var pool: UnsafeMutablePointer<FlatNode>
    /// The stamps, position for position with `pool`.
    @exclusivity(unchecked) private var stampPool: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var capacity = 256
    /// Slots of the pool in use, live or garbage.
    @exclusivity(unchecked) private var used = 0
    /// Slots of the pool holding current lists.
    @exclusivity(unchecked) private var live = 0
    /// Per class id, where its list lies.
    @exclusivity(unchecked) private var runs: UnsafeMutablePointer<Run>
    @exclusivity(unchecked) private var idCapacity = 64
    /// The number of ids with a list (possibly empty).
    @exclusivity(unchecked) private(set) var idCount = 0

    init() {
        pool = .allocate(capacity: capacity)
        stampPool = .allocate(capacity: capacity)
        runs = .allocate(capacity: idCapacity)
    }

    deinit {
        pool.deallocate()
        stampPool.deallocate()
        runs.deallocate()
    }

    /// The list of class `id`, valid until the next write to the store.
    /// - Precondition: a list was set for `id`.
    @inline(__always)
    func nodes(of id: Int) -> UnsafeBufferPointer<FlatNode> {
        precondition(id < idCount, "no flat nodes for class \(id)")
        return UnsafeBufferPointer(start: pool + runs[id].start, count: runs[id].count)
    }

    /// The stamps of class `id`'s list, position for position, valid until
    /// the next write to the store.
    /// - Precondition: a list was set for `id`.
    @inline(__always)
    func stamps(of id: Int) -> UnsafeBufferPointer<UInt32> {
        precondition(id < idCount, "no flat nodes for class \(id)")
        return UnsafeBufferPointer(start: stampPool + runs[id].start, count: runs[id].count)
    }

    /// The greatest stamp of class `id`'s list: no node of the class is newer.
    /// - Precondition: a list was set for `id`.
    @inline(__always)
    func newest(of id: Int) -> UInt32 {
        precondition(id < idCount, "no flat nodes for class \(id)")
        return runs[id].newest
    }

    /// The length of class `id`'s list, 0 if it has none.
    func count(of id: Int) -> Int { id < idCount ? runs[id].count : 0 }

    /// Replaces the list of class `id` with `nodes`, flattened, and their
    /// stamps.
    /// - Precondition: `stamps` has a stamp per node.
    func set(_ id: Int, to nodes: [ENode], stamps: [UInt32]) {
        precondition(stamps.count == nodes.count, "a stamp per node")
        while id >= idCount { appendID() }
        clear(id)
        if used + nodes.count > capacity { compact(making: nodes.count) }
        for (offset, node) in nodes.enumerated() { (pool + used + offset).initialize(to: FlatNode(node)) }
        (stampPool + used).initialize(from: stamps, count: stamps.count)
        runs[id] = Run(start: used, count: nodes.count, newest: stamps.max() ?? 0)
        used += nodes.count
        live += nodes.count
    }

    /// Empties the list of class `id`, as when the class is absorbed, or
    /// when its nodes were filtered and no longer line up with the list.
    func clear(_ id: Int) {
        guard id < idCount else { return }
        live -= runs[id].count
        runs[id].count = 0
        runs[id].newest = 0
    }

    private func appendID() {
        if idCount == idCapacity {
            let grown = UnsafeMutablePointer<Run>.allocate(capacity: idCapacity * 2)
            grown.initialize(from: runs, count: idCount)
            runs.deallocate()
            runs = grown
            idCapacity *= 2
        }
        (runs + idCount).initialize(to: Run(start: 0, count: 0, newest: 0))
        idCount += 1
    }

    /// Copies the live lists, in id order, into a new pool with room for at
    /// least `count` more nodes and at least half free.
    private func compact(making count: Int) {
        let newCapacity = max(capacity, (live + count) * 2)
        let target = UnsafeMutablePointer<FlatNode>.allocate(capacity: newCapacity)
        let stampTarget = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        var next = 0
        for id in 0..<idCount where runs[id].count > 0 {
            (target + next).initialize(from: pool + runs[id].start, count: runs[id].count)
            (stampTarget + next).initialize(from: stampPool + runs[id].start, count: runs[id].count)
            runs[id].start = next
            next += runs[id].count
        }
        pool.deallocate()
        stampPool.deallocate()
        pool = target
        stampPool = stampTarget
        capacity = newCapacity
        used = next
    }
}

extension EGraph {
    /// Every class whose flat nodes differ from its nodes, or whose stamps
    /// are not of a generation so far, described: the searcher's copy must
    /// match what the invariant checker verifies.
    func searchIndexViolations() -> [String] {
        var problems: [String] = []
        for index in classStorage.indices {
            guard let storage = classStorage[index] else { continue }
            guard index < flatNodes.idCount else {
                problems.append("class c\(index) has no flat nodes")
                continue
            }
            let flat = flatNodes.nodes(of: index)
            let expected = storage.nodes.map(FlatNode.init)
            let matches =
                flat.count == expected.count
                && zip(flat, expected).allSatisfy {
                    $0.op == $1.op && $0.shape == $1.shape && $0.first == $1.first && $0.second == $1.second
                }
            if !matches { problems.append("flat nodes of c\(index) are stale") }
            let stamps = flatNodes.stamps(of: index)
            if let late = stamps.first(where: { $0 > generation }) {
                problems.append("a node of c\(index) is stamped \(late), after generation \(generation)")
            }
            if flatNodes.newest(of: index) != stamps.max() ?? 0 {
                problems.append("the newest stamp of c\(index) is not its nodes' greatest")
            }
        }
        return problems
    }
}
