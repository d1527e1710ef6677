/// The right side of a rewrite compiled against the left side's slots: a
/// post-order list of steps, so instantiating needs no name lookups.
struct InstantiationPlan: Sendable {
    enum PayloadSource: Sendable {
        case none
        case literal(Literal)
        case slot(Int)
    }

    enum Step: Sendable {
        case classSlot(Int)
        /// A node with no payload and at most two children, given as indices
        /// of earlier steps (0 when absent), added by `EGraph.addSmall`.
        case small(op: Symbol, arity: Int, first: Int, second: Int)
        case node(op: Symbol, payload: PayloadSource, children: [Int], restSlots: [Int], isAC: Bool)
    }

    var steps: [Step] = []

    init(_ pattern: Pattern, program: MatchProgram, signature: Signature) {
        var builder = Builder(program: program, signature: signature)
        // Rewrite.init checks that every variable of a right side is bound
        // by its left side and that every group holds one pattern.
        guard pattern.instance(building: &builder, signature: signature) != nil else {
            preconditionFailure("checked by Rewrite.init")
        }
        steps = builder.steps
    }

    /// Compiles a right side to steps, an instance being the index of the
    /// step that makes it.
    private struct Builder: PatternInstanceBuilder {
        let program: MatchProgram
        let signature: Signature
        var steps: [Step] = []

        mutating func instance(of variable: PatternVariable) -> Int? {
            guard let (kind, slot) = program.slot(of: variable), kind == .eclass else { return nil }
            steps.append(.classSlot(slot))
            return steps.count - 1
        }

        func payload(_ literal: Literal) -> PayloadSource? { .literal(literal) }

        func payload(of variable: PatternVariable) -> PayloadSource? {
            program.slot(of: variable).map { .slot($0.slot) }
        }

        /// Steps leave the storing to `EGraph.add`, which collapses an AC
        /// application of one operand and returns the unit of an empty one,
        /// since what the rest variables hold is known only per match.
        mutating func application(_ op: Symbol, payload: PayloadSource?, operands: [Int], rests: [PatternVariable])
            -> Int?
        {
            var restSlots: [Int] = []
            for rest in rests {
                guard let (kind, slot) = program.slot(of: rest), kind == .multiset else { return nil }
                restSlots.append(slot)
            }
            let isAC = signature.isAC(op)
            if payload == nil, restSlots.isEmpty, operands.count <= 2, !isAC || operands.count == 2 {
                steps.append(
                    .small(
                        op: op, arity: operands.count, first: operands.first ?? 0,
                        second: operands.count > 1 ? operands[1] : 0))
            } else {
                steps.append(
                    .node(op: op, payload: payload ?? .none, children: operands, restSlots: restSlots, isAC: isAC))
            }
            return steps.count - 1
        }
    }

    /// Buffers reused across the matches of one apply: manually managed, so
    /// writing a step's value pays no copy-on-write uniqueness check (as
    /// appending to an array did, on every step of every match).
    struct Scratch: ~Copyable {
        /// Per step of the match being instantiated, its class.
        let values: UnsafeMutablePointer<ClassID>
        /// The warm pass's results: per match of a chunk, per step, a class
        /// id or `UInt32.max` where it is unknown.
        let probes: UnsafeMutablePointer<UInt32>
        var node = ENode(.literal)
        /// Whether the last ``InstantiationPlan/instantiate(_:_:in:mergingInto:storesDirectly:memoizes:scratch:)``
        /// stored its root node straight into the class it merges into.
        var storedInTarget = false
        /// Whether the last ``InstantiationPlan/instantiate(_:_:in:mergingInto:storesDirectly:memoizes:scratch:)``
        /// found, in ``memo``, its small root node already merged into the
        /// class it merges into: nothing was added, and its merge is a no-op.
        var foundInTarget = false
        /// Small root nodes this apply has merged, direct-mapped by their
        /// canonical children (``memoSlot(_:_:)``); see
        /// ``InstantiationPlan/instantiate(_:_:in:mergingInto:storesDirectly:memoizes:scratch:)``.
        let memo: UnsafeMutablePointer<MemoEntry>
        /// The memo's capacity, a power of two, less one.
        let memoMask: Int
        /// The warm pass's keys of one step, per match of a chunk: canonical
        /// children and hash, or no hash where nothing is probed.
        let keys: UnsafeMutablePointer<EGraph.SmallKey>

        /// Buffers for `plan`, with a memo of `memoCapacity` entries (a power
        /// of two): an apply of few matches fills few, and the optimizer's
        /// runs make hundreds of small applies, each clearing its memo.
        init(_ plan: InstantiationPlan, memoCapacity: Int) {
            precondition(memoCapacity > 0 && memoCapacity & (memoCapacity - 1) == 0, "a power of two")
            values = .allocate(capacity: plan.steps.count)
            values.initialize(repeating: ClassID(0), count: plan.steps.count)
            probes = .allocate(capacity: plan.steps.count * InstantiationPlan.warmChunk)
            probes.initialize(repeating: 0, count: plan.steps.count * InstantiationPlan.warmChunk)
            memoMask = memoCapacity - 1
            memo = .allocate(capacity: memoCapacity)
            memo.initialize(repeating: MemoEntry(first: 0, second: 0, target: .max), count: memoCapacity)
            keys = .allocate(capacity: InstantiationPlan.warmChunk)
            keys.initialize(
                repeating: EGraph.SmallKey(first: 0, second: 0, hash: nil), count: InstantiationPlan.warmChunk)
        }

        /// The memo entry for a root node with canonical children `first`
        /// and `second`.
        @inline(__always)
        func memoSlot(_ first: UInt32, _ second: UInt32) -> Int {
            let mixed = (UInt64(first) << 32 | UInt64(second)) &* 0x9E37_79B9_7F4A_7C15
            return Int(truncatingIfNeeded: mixed >> 40) & memoMask
        }

        deinit {
            values.deallocate()
            probes.deallocate()
            memo.deallocate()
            keys.deallocate()
        }
    }

    /// A small root node, by its children's canonical ids when it was
    /// merged, and the root of the class it was merged into; `target` is
    /// `UInt32.max` in an empty entry.
    struct MemoEntry {
        var first: UInt32
        var second: UInt32
        var target: UInt32
    }

    /// The most entries of ``Scratch/memo``: 12 bytes each, so the memo
    /// stays in the caches while the hash-cons does not.
    static let memoSize = 4_096

    /// The number of matches ``warm(_:_:in:memoizes:scratch:)`` reads ahead.
    static let warmChunk = 16

    /// Probes, without changing the e-graph, the hash-cons slots and
    /// union-find entries that instantiating the matches in `range` will read.
    ///
    /// A large saturation's hash-cons outgrows the caches, and each lookup
    /// missed (a quarter of the AC workload's time); one match's lookups
    /// depend on each other, but the matches of a chunk do not, so probing the
    /// chunk's first nodes, then their parents, and so on, keeps several misses
    /// in flight at once (measured: the AC workload's apply phase took 355 ms
    /// this way, 470 ms warming one match at a time). Results are only ever
    /// read here: the real instantiation repeats every lookup.
    ///
    /// With `memoizes` (see ``instantiate(_:_:in:mergingInto:storesDirectly:memoizes:scratch:)``),
    /// a root node the memo already has merged into its match's class is not
    /// probed: instantiation will not look it up.
    func warm(_ matches: MatchSet, _ range: Range<Int>, in egraph: EGraph, memoizes: Bool, scratch: inout Scratch) {
        let width = steps.count
        let probes = scratch.probes
        let last = steps.count - 1
        for (position, step) in steps.enumerated() {
            switch step {
            case .classSlot(let slot):
                for (offset, index) in range.enumerated() {
                    probes[offset * width + position] = matches.eclass(match: index, slot: slot).rawValue
                }
            case .small(let op, let arity, let first, let second):
                // In three passes, so the chunk's misses overlap: its
                // slots are prefetched (``prefetchLine(_:)``), then probed,
                // and the union-find entries of what was found prefetched
                // before they are followed.
                let checksMemo = memoizes && position == last && arity == 2
                let unionFind = egraph.unionFind
                let keys = scratch.keys
                for offset in 0..<range.count {
                    let a = arity > 0 ? probes[offset * width + first] : 0
                    let b = arity > 1 ? probes[offset * width + second] : 0
                    keys[offset].hash = nil
                    if a == .max || b == .max { continue }
                    let (ra, rb) = (unionFind.root(of: a), unionFind.root(of: b))
                    if checksMemo {
                        let entry = scratch.memo[scratch.memoSlot(ra, rb)]
                        let target = matches.roots[range.lowerBound + offset].rawValue
                        if entry.target != .max && entry.first == ra && entry.second == rb
                            && unionFind.root(of: entry.target) == unionFind.root(of: target)
                        {
                            continue
                        }
                    }
                    guard let key = egraph.smallKey(op, arity: arity, ra, rb) else { continue }
                    keys[offset] = key
                    egraph.hashCons.prefetch(key.hash!)
                }
                for offset in 0..<range.count {
                    probes[offset * width + position] = .max
                    let key = keys[offset]
                    guard let hash = key.hash,
                        let found = egraph.hashCons.find(
                            op: op.rawValue, arity: arity, first: key.first, second: key.second, hash: hash)
                    else { continue }
                    probes[offset * width + position] = found
                    unionFind.prefetch(found)
                }
                for offset in 0..<range.count where probes[offset * width + position] != .max {
                    probes[offset * width + position] = unionFind.root(of: probes[offset * width + position])
                }
            case .node:
                for offset in 0..<range.count { probes[offset * width + position] = .max }
            }
        }
    }

    /// Prefetches the hash-cons slots of the lookups of the matches in
    /// `range` that depend on nothing but the matches' classes (small nodes
    /// whose operands are all pattern variables), for the next
    /// ``warm(_:_:in:memoizes:scratch:)``: with the next chunk's first
    /// misses in flight while this chunk is instantiated, that warm pass
    /// finds its first slots in the caches.
    func prefetchFirstLookups(_ matches: MatchSet, _ range: Range<Int>, in egraph: EGraph) {
        let unionFind = egraph.unionFind
        for step in steps {
            guard case .small(let op, let arity, let first, let second) = step, arity > 0 else { continue }
            guard case .classSlot(let firstSlot) = steps[first] else { continue }
            var secondSlot: Int?
            if arity > 1 {
                guard case .classSlot(let slot) = steps[second] else { continue }
                secondSlot = slot
            }
            for index in range {
                let a = unionFind.root(of: matches.eclass(match: index, slot: firstSlot).rawValue)
                let b = secondSlot.map { unionFind.root(of: matches.eclass(match: index, slot: $0).rawValue) } ?? 0
                if let hash = egraph.smallKey(op, arity: arity, a, b)?.hash { egraph.hashCons.prefetch(hash) }
            }
        }
    }

    /// Adds the instantiation of match `index` and returns its class; `nil`
    /// when an AC application comes out empty and its operator has no unit.
    ///
    /// `target` is the class the instantiation is merged into, when the
    /// caller merges it as it is. With `storesDirectly`, a small root node
    /// that is absent is stored there directly
    /// (``EGraph/addSmall(_:arity:_:_:mergingInto:)``), which
    /// `scratch.storedInTarget` reports.
    ///
    /// With `memoizes`, a small binary root node is remembered, by its
    /// canonical children, as merged into `target`, and a later match of the
    /// same apply that builds it for the same class (or one merged with it
    /// since) is not looked up again: `scratch.foundInTarget` reports it, and
    /// its merge would change nothing, since unions only ever join classes.
    /// A match's root is often built by many matches of its class: on the
    /// AC workload half the root lookups of the largest iteration repeat
    /// one made a few thousand matches before, each a cache miss in a
    /// hash-cons far larger than the caches.
    /// - Precondition: `target` is given if `storesDirectly` or `memoizes`;
    ///   `storesDirectly` only where ``EGraph/storesMergedNodesDirectly``;
    ///   `memoizes` only where every instantiation is merged into its
    ///   `target` as it is (no merge adapter).
    func instantiate(
        _ matches: MatchSet, _ index: Int, in egraph: EGraph, mergingInto target: ClassID? = nil,
        storesDirectly: Bool = false, memoizes: Bool = false, scratch: inout Scratch
    ) -> ClassID? {
        scratch.storedInTarget = false
        scratch.foundInTarget = false
        if steps.count == 1, case .classSlot(let slot) = steps[0] { return matches.eclass(match: index, slot: slot) }
        let values = scratch.values
        let last = steps.count - 1
        for (position, step) in steps.enumerated() {
            switch step {
            case .classSlot(let slot):
                values[position] = matches.eclass(match: index, slot: slot)
            case .small(let op, let arity, let first, let second):
                let a = arity > 0 ? values[first] : ClassID(0)
                let b = arity > 1 ? values[second] : ClassID(0)
                if position == last, let target, storesDirectly || memoizes {
                    var memoSlot: Int?
                    var ra: UInt32 = 0
                    var rb: UInt32 = 0
                    let root = egraph.unionFind.find(target.rawValue)
                    if memoizes && arity == 2 {
                        ra = egraph.unionFind.find(a.rawValue)
                        rb = egraph.unionFind.find(b.rawValue)
                        let slot = scratch.memoSlot(ra, rb)
                        let entry = scratch.memo[slot]
                        if entry.target != .max && entry.first == ra && entry.second == rb
                            && egraph.unionFind.find(entry.target) == root
                        {
                            scratch.foundInTarget = true
                            return ClassID(root)
                        }
                        memoSlot = slot
                    }
                    if storesDirectly {
                        (values[position], scratch.storedInTarget) = egraph.addSmall(
                            op, arity: arity, a, b, mergingInto: target)
                    } else {
                        values[position] = egraph.addSmall(op, arity: arity, a, b)
                    }
                    if let memoSlot { scratch.memo[memoSlot] = MemoEntry(first: ra, second: rb, target: root) }
                } else {
                    values[position] = egraph.addSmall(op, arity: arity, a, b)
                }
            case .node(let op, let payloadSource, let children, let restSlots, let isAC):
                scratch.node.op = op
                switch payloadSource {
                case .none: scratch.node.payload = nil
                case .literal(let literal): scratch.node.payload = literal
                case .slot(let slot): scratch.node.payload = matches.literal(match: index, slot: slot)
                }
                scratch.node.children.removeAll()
                for child in children { scratch.node.children.append(values[child]) }
                for slot in restSlots {
                    scratch.node.children.append(contentsOf: matches.multiset(match: index, slot: slot))
                }
                if isAC && scratch.node.children.isEmpty && egraph.signature.unit(of: op) == nil { return nil }
                values[position] = egraph.add(reusing: &scratch.node)
            }
        }
        return values[steps.count - 1]
    }
}
