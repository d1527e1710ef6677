extension EGraph {
    /// Restores the invariants after additions and unions: the hash-cons is
    /// canonical, congruent nodes share a class, every class's nodes are
    /// canonical and deduplicated, and analysis data is at a fixpoint.
    ///
    /// Returns the number of unions rebuilding itself performed (congruence
    /// and analyses' `modify`).
    /// - Complexity: proportional to the nodes and classes touched since the
    ///   last rebuild, plus sorting the operator index's changed lists.
    @discardableResult
    public func rebuild() -> Int {
        let unionsBefore = unionCount
        // Analysis facts converge for sound rules, but an unsound rule set can
        // make them narrow forever around a cycle (merging a with a + 1 shifts
        // an interval by 1 per round). Past this many recomputations the
        // propagation stops: facts not yet propagated are only facts unknown,
        // which keeps them sound, and the run goes on to its limits.
        var remakeBudget = 64 * (storedClassCount + 1_000)
        // Prefetching pays only on an e-graph larger than the caches, as
        // when applying (``warmsLookupsFrom``).
        let prefetches = hashCons.count >= warmsLookupsFrom
        while !pending.isEmpty || !analysisPending.isEmpty {
            var untilWarm = prefetches ? 0 : Int.max
            while let id = pending.popLast() {
                if untilWarm == 0 {
                    untilWarm = EGraph.pendingWarmChunk
                    warmPending()
                }
                untilWarm -= 1
                // An unchanged node keeps its hash-cons entry; a collision with
                // it is found when the node that changed is processed. A
                // changed one leaves its old entry, so no key goes stale.
                let key = nodeOfID.key(id.index)
                if key.isSmall {
                    refreshSmallKey(of: id, key)
                    continue
                }
                var node = nodeOfID[id.index]
                canonicalize(&node)
                if node == nodeOfID[id.index] { continue }
                hashCons.remove(id.rawValue, hash: HashCons.hash(nodeOfID[id.index]))
                nodeOfID[id.index] = node
                touched.append(id)
                let hash = HashCons.hash(node)
                if let existing = hashCons.find(node, hash: hash, keys: nodeOfID) {
                    // Congruent to a node already keyed: one entry per key.
                    union(ClassID(existing), id, because: .congruence)
                } else {
                    hashCons.insert(id.rawValue, key: node, hash: hash)
                }
            }
            while let id = analysisPending.popLast() {
                remakeBudget -= 1
                if remakeBudget < 0 {
                    analysisPending.removeAll()
                    analysisConverged = false
                    break
                }
                var node = nodeOfID[id.index]
                canonicalize(&node)
                let root = find(id)
                var changed = false
                for column in columns where column.remake(root, node: node, in: self) {
                    changed = true
                }
                if changed {
                    analysisPending.append(contentsOf: classStorage[root.index]!.parents)
                    for column in columns { column.modify(root, in: self) }
                }
            }
        }
        rebuildClasses()
        isClean = true
        if checksInvariants {
            let problems = invariantViolations() + searchIndexViolations()
            precondition(problems.isEmpty, "e-graph invariant broken: " + problems.prefix(5).joined(separator: "; "))
        }
        return unionCount - unionsBefore
    }

    /// The number of queued keys ``warmPending()`` reads ahead.
    static let pendingWarmChunk = 16

    /// Prefetches (``prefetchLine(_:)``) the old and new hash-cons slots of
    /// each small key among the last ``pendingWarmChunk`` queued, which the
    /// pending loop pops next, and the keys of the chunk queued before them,
    /// which it pops after.
    ///
    /// A large rebuild re-keys keys scattered over a hash-cons and a key
    /// table far larger than the caches, and each key's steps depend on one
    /// another (its key, then its old slot, then its new one), so processed
    /// one at a time every step waited for its miss; prefetched a chunk
    /// ahead, as ``InstantiationPlan/warm(_:_:in:memoizes:scratch:)`` does
    /// for instantiation, a chunk's misses overlap. Only a hint: keys queued
    /// meanwhile (by congruence) are simply not prefetched.
    private func warmPending() {
        let end = pending.count
        let start = max(0, end - EGraph.pendingWarmChunk)
        for position in max(0, start - EGraph.pendingWarmChunk)..<start {
            nodeOfID.prefetch(pending[position].index)
        }
        for position in start..<end {
            let key = nodeOfID.key(pending[position].index)
            guard key.isSmall else { continue }
            let arity = Int(key.shape)
            hashCons.prefetch(HashCons.hash(op: key.op, arity: arity, first: key.first, second: key.second))
            var a = arity > 0 ? unionFind.root(of: key.first) : 0
            var b = arity > 1 ? unionFind.root(of: key.second) : 0
            if a == key.first && b == key.second { continue }
            if arity == 2 && b < a && signature.isAC(Symbol(raw: key.op)) { swap(&a, &b) }
            hashCons.prefetch(HashCons.hash(op: key.op, arity: arity, first: a, second: b))
        }
    }

    /// The pending step for a small key (no payload, at most two children),
    /// from its flat entry alone: most keys queued are unchanged (a node is
    /// queued again for each merge of a child's class), and a changed one
    /// needs no node built.
    private func refreshSmallKey(of id: ClassID, _ key: NodeKeyTable.Key) {
        let arity = Int(key.shape)
        var a = arity > 0 ? unionFind.find(key.first) : 0
        var b = arity > 1 ? unionFind.find(key.second) : 0
        if a == key.first && b == key.second { return }
        if arity == 2 && b < a && signature.isAC(Symbol(raw: key.op)) { swap(&a, &b) }
        let oldHash = HashCons.hash(op: key.op, arity: arity, first: key.first, second: key.second)
        hashCons.remove(id.rawValue, hash: oldHash)
        nodeOfID.setSmall(id.index, op: key.op, arity: arity, first: a, second: b)
        touched.append(id)
        let hash = HashCons.hash(op: key.op, arity: arity, first: a, second: b)
        if let existing = hashCons.find(op: key.op, arity: arity, first: a, second: b, hash: hash) {
            // Congruent to a node already keyed: one entry per key.
            union(ClassID(existing), id, because: .congruence)
        } else {
            hashCons.insert(id.rawValue, op: key.op, arity: arity, first: a, second: b, hash: hash)
        }
    }

    /// Canonicalizes and deduplicates the nodes of every touched class, and
    /// brings the operator index up to date.
    private func rebuildClasses() {
        if classesByOp.count < Symbol.count {
            classesByOp += Array(repeating: [], count: Symbol.count - classesByOp.count)
        }
        rebuildStamp += 1
        var seen: [Int32] = []
        var stamps: [UInt32] = []
        for candidate in touched {
            let id = find(candidate)
            guard revisitStamp[id.index] != rebuildStamp else { continue }
            revisitStamp[id.index] = rebuildStamp
            var nodes = classStorage[id.index]!.nodes
            classStorage[id.index]!.nodes = []
            // The class's nodes begin with its last list, position for
            // position, and merges only append: a node there that
            // canonicalization leaves alone keeps its stamp, and every other
            // is new in this generation. The old stamps are read in place,
            // as the store is not written until this class's list is set.
            let previous = flatNodes.count(of: id.index)
            let previousStamps =
                previous > 0 ? flatNodes.stamps(of: id.index) : UnsafeBufferPointer(start: nil, count: 0)
            stamps.removeAll(keepingCapacity: true)
            for position in nodes.indices {
                let changed = canonicalize(&nodes[position])
                stamps.append(position < previous && !changed ? previousStamps[position] : rebuildStamp)
            }
            let before = nodes.count
            deduplicate(&nodes, stamps: &stamps, scratch: &seen)
            storedNodeCount -= before - nodes.count
            flatNodes.set(id.index, to: nodes, stamps: stamps)
            var previousOp: Symbol?
            for node in nodes where node.op != previousOp {
                previousOp = node.op
                let op = Int(node.op.rawValue)
                if let last = classesByOp[op].last {
                    if last == id { continue }
                    if last > id { markUnsorted(op) }
                }
                classesByOp[op].append(id)
            }
            classStorage[id.index]!.nodes = nodes
        }
        touched.removeAll(keepingCapacity: true)
        // Lists that gained an id out of order, hold an absorbed class or a
        // class that lost its last node of the operator: filter, sort and
        // deduplicate.
        for op in unsortedOps {
            isUnsortedOp[op] = false
            let symbol = Symbol(raw: UInt32(op))
            var list = classesByOp[op].filter { id in
                find(id) == id && classStorage[id.index]!.nodes.contains { $0.op == symbol }
            }
            list.sort()
            var unique: [ClassID] = []
            unique.reserveCapacity(list.count)
            for id in list where unique.last != id { unique.append(id) }
            classesByOp[op] = unique
        }
        unsortedOps.removeAll(keepingCapacity: true)
    }

    /// Removes repeated nodes in place, keeping the first of each in its
    /// order, so the order of a class's nodes never depends on hashing. Large
    /// classes go through an open-addressing table of the kept positions,
    /// hashed as the hash-cons hashes (a `Set<ENode>` spent most of its time
    /// in `Hasher`, and building a new array cost an allocation per class).
    ///
    /// `stamps` are the nodes' generations, moved with them; a kept node
    /// takes the oldest of its repeats', since the node it stands for has
    /// been in the class since then.
    private func deduplicate(_ nodes: inout [ENode], stamps: inout [UInt32], scratch table: inout [Int32]) {
        if nodes.count < 2 { return }
        // Compacts in place: the nodes kept so far are the first `kept`, and
        // those between them and `position` are repeats.
        var kept = 0
        func keep(_ position: Int) {
            nodes.swapAt(kept, position)
            stamps.swapAt(kept, position)
            kept += 1
        }
        if nodes.count <= 16 {
            for position in nodes.indices {
                if let match = nodes[..<kept].firstIndex(of: nodes[position]) {
                    stamps[match] = min(stamps[match], stamps[position])
                } else {
                    keep(position)
                }
            }
        } else {
            let capacity = 1 << (Int.bitWidth - (nodes.count * 2 - 1).leadingZeroBitCount)
            let mask = capacity - 1
            table.removeAll(keepingCapacity: true)
            table.append(contentsOf: repeatElement(-1, count: capacity))
            for position in nodes.indices {
                var slot = Int(truncatingIfNeeded: HashCons.hash(nodes[position])) & mask
                while true {
                    let entry = table[slot]
                    if entry < 0 {
                        table[slot] = Int32(kept)
                        keep(position)
                        break
                    }
                    if nodes[Int(entry)] == nodes[position] {
                        stamps[Int(entry)] = min(stamps[Int(entry)], stamps[position])
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        nodes.removeLast(nodes.count - kept)
        stamps.removeLast(stamps.count - kept)
    }
}
