import Foundation

extension EGraph {
    /// Every violated invariant, described; empty when the e-graph is sound.
    ///
    /// Checks that the e-graph is clean, that every node of every class is
    /// canonical (AC children sorted) and appears once in the whole e-graph,
    /// that the hash-cons maps every such node to its class and holds no stale
    /// key, that congruence
    /// holds (no canonical node in two classes), and that each analysis's data
    /// equals the join of `make` over the class's nodes.
    /// - Complexity: O(total nodes × analyses), plus hashing every node.
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        guard isClean else { return ["the e-graph is dirty"] }
        var owner: [ENode: ClassID] = [:]
        owner.reserveCapacity(storedNodeCount)
        var counted = 0
        for index in classStorage.indices {
            guard let storage = classStorage[index] else { continue }
            let id = ClassID(UInt32(index))
            if find(id) != id { problems.append("class \(id) is stored but not canonical") }
            if storage.nodes.isEmpty { problems.append("class \(id) has no nodes") }
            for node in storage.nodes {
                counted += 1
                var canonical = node
                canonicalize(&canonical)
                if canonical != node { problems.append("node \(node) in \(id) is not canonical") }
                if signature.isAC(node.op), !node.children.elementsEqual(node.children.sorted()) {
                    problems.append("AC node \(node) in \(id) has unsorted children")
                }
                if let other = owner.updateValue(id, forKey: node) {
                    problems.append(
                        other == id
                            ? "node \(node) appears twice in \(id)"
                            : "congruence broken: \(node) is in \(other) and \(id)")
                }
                if let keyed = hashCons.find(node, hash: HashCons.hash(node), keys: nodeOfID) {
                    if find(ClassID(keyed)) != id { problems.append("hash-cons maps \(node) to c\(keyed), not \(id)") }
                } else {
                    problems.append("hash-cons lacks \(node) of \(id)")
                }
            }
            for column in columns where analysisConverged {
                guard let joined = column.joinMismatch(id, nodes: storage.nodes, in: self) else { continue }
                problems.append(
                    "\(column.analysisName) data of \(id) is \(column.dataDescription(of: id)), not the join over "
                        + "its nodes, \(joined)")
            }
        }
        var expectedIndex = [[ClassID]](repeating: [], count: classesByOp.count)
        for index in classStorage.indices {
            guard let storage = classStorage[index] else { continue }
            let id = ClassID(UInt32(index))
            for node in storage.nodes where expectedIndex[Int(node.op.rawValue)].last != id {
                expectedIndex[Int(node.op.rawValue)].append(id)
            }
        }
        for op in classesByOp.indices where classesByOp[op] != expectedIndex[op] {
            problems.append(
                "operator index of \(Symbol.name(ofRaw: UInt32(op))) lists \(classesByOp[op]), not \(expectedIndex[op])"
            )
        }
        if storedClassCount != classStorage.lazy.filter({ $0 != nil }).count {
            problems.append("class count \(storedClassCount) is wrong")
        }
        for (keyed, hash) in hashCons.entries {
            let key = nodeOfID[Int(keyed)]
            var canonical = key
            canonicalize(&canonical)
            if canonical != key { problems.append("hash-cons key \(key) of c\(keyed) is stale") }
            if HashCons.hash(key) != hash { problems.append("hash-cons entry of c\(keyed) has the wrong hash") }
        }
        if counted != storedNodeCount {
            problems.append("node count is \(storedNodeCount) but \(counted) nodes are stored")
        }
        return problems
    }
}

/// Environment reads in one place, so tests and CI switch checks on the same way.
enum ProcessEnvironment {
    static func value(of name: String) -> String? { ProcessInfo.processInfo.environment[name] }
}
