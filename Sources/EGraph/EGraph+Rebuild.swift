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
        while !pending.isEmpty || !analysisPending.isEmpty {
            while let id = pending.popLast() {
                var node = nodeOfID[id.index]
                canonicalize(&node)
                // An unchanged node keeps its hash-cons entry; a collision with
                // it is found when the node that changed is processed. A
                // changed one leaves its old entry, so no key goes stale.
                if node == nodeOfID[id.index] { continue }
                hashCons.remove(id.rawValue, hash: HashCons.hash(nodeOfID[id.index]))
                nodeOfID[id.index] = node
                touched.append(id)
                let hash = HashCons.hash(node)
                if let existing = hashCons.find(node, hash: hash, keys: nodeOfID) {
                    // Congruent to a node already keyed: one entry per key.
                    union(ClassID(existing), id)
                } else {
                    hashCons.insert(id.rawValue, key: node, hash: hash)
                }
            }
            while let id = analysisPending.popLast() {
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
            let problems = invariantViolations()
            precondition(problems.isEmpty, "e-graph invariant broken: " + problems.prefix(5).joined(separator: "; "))
        }
        return unionCount - unionsBefore
    }

    /// Canonicalizes and deduplicates the nodes of every touched class, and
    /// brings the operator index up to date.
    private func rebuildClasses() {
        if classesByOp.count < Symbol.count {
            classesByOp += Array(repeating: [], count: Symbol.count - classesByOp.count)
        }
        rebuildStamp &+= 1
        var seen = Set<ENode>()
        for candidate in touched {
            let id = find(candidate)
            guard revisitStamp[id.index] != rebuildStamp else { continue }
            revisitStamp[id.index] = rebuildStamp
            var nodes = classStorage[id.index]!.nodes
            classStorage[id.index]!.nodes = []
            for position in nodes.indices { canonicalize(&nodes[position]) }
            let before = nodes.count
            nodes = deduplicated(nodes, scratch: &seen)
            storedNodeCount -= before - nodes.count
            for node in nodes {
                let op = Int(node.op.rawValue)
                if let last = classesByOp[op].last {
                    if last == id { continue }
                    if last > id { unsortedOps.append(op) }
                }
                classesByOp[op].append(id)
            }
            classStorage[id.index]!.nodes = nodes
        }
        touched.removeAll(keepingCapacity: true)
        // Lists that gained an id out of order, hold an absorbed class or a
        // class that lost its last node of the operator: filter, sort and
        // deduplicate.
        unsortedOps.sort()
        var previous = -1
        for op in unsortedOps where op != previous {
            previous = op
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

    /// Removes repeated nodes, keeping the first of each in its order, so the
    /// order of a class's nodes never depends on hashing.
    private func deduplicated(_ nodes: [ENode], scratch seen: inout Set<ENode>) -> [ENode] {
        if nodes.count < 2 { return nodes }
        if nodes.count <= 16 {
            var kept: [ENode] = []
            kept.reserveCapacity(nodes.count)
            for node in nodes where !kept.contains(node) { kept.append(node) }
            return kept
        }
        seen.removeAll(keepingCapacity: true)
        return nodes.filter { seen.insert($0).inserted }
    }
}
