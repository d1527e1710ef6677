/// An e-graph: a set of terms closed under congruence, partitioned into
/// e-classes of equal terms (Willsey et al., "egg: Fast and Extensible
/// Equality Saturation", POPL 2021).
///
/// Adding and merging leave the e-graph *dirty*: the hash-cons may hold stale
/// entries and congruent nodes may sit in different classes until
/// ``rebuild()`` restores the invariants, once per batch of changes rather
/// than once per change (egg's deferred rebuilding). Every read that needs the
/// invariants (searching, listing classes or nodes, counting) checks
/// ``isClean`` and traps with a message when it is not.
///
/// The e-graph is a class, not a value: analyses, conditions and rewrites read
/// it while the runner mutates it, and copies of a graph of thousands of
/// classes are never wanted.
///
/// Its mutable tables, and those of the hash-cons, union-find, key table and
/// flat node store, are `@exclusivity(unchecked)`: a class's stored
/// properties otherwise pay a dynamic exclusivity check on every modifying
/// access, a tenth of the AC workload's time (`swift_beginAccess` and its
/// thread-local access set), spent mostly in adding nodes. Unchecked is
/// safe only while no access to them overlaps another: each stays a read or
/// write of one table within one method, never held across a call back into
/// the e-graph, which a change to these types must keep so.
public final class EGraph {
    /// The operators' declarations: which are AC, their units and attributes.
    public let signature: Signature

    /// Whether every invariant holds: no union or addition awaits ``rebuild()``.
    @exclusivity(unchecked) public internal(set) var isClean = true

    /// Sees every merge a rewrite is about to make and keeps, refuses or
    /// wraps it (``MergeAdapter``); `nil` keeps every merge.
    public var mergeAdapter: (any MergeAdapter)?

    /// Whether ``rebuild()`` runs the full invariant checker and traps on a
    /// violation. Defaults to the `SATURATE_CHECK_INVARIANTS` environment
    /// variable being set to `1`, which the tests and CI do.
    public var checksInvariants = EGraph.invariantsRequestedByEnvironment

    /// The class ids' union-find. `let` with reference semantics, as is the
    /// hash-cons: the hot loops then pay no exclusivity check to reach them.
    let unionFind = UnionFindTable()
    /// The hash-cons, keyed by `nodeOfID`.
    let hashCons = HashCons()
    /// The e-node of each id, canonical as of the last time its children
    /// changed: the keys of the hash-cons.
    let nodeOfID = NodeKeyTable()
    /// Class storage by id; `nil` at ids that are no longer canonical. It
    /// may end before the last ids made: an id stored straight into another
    /// class (``addSmall(_:arity:_:_:mergingInto:)``) is never canonical, so
    /// it gets its `nil`, and ``revisitStamp`` its entry, only when a later
    /// class is made (``padClassTables(through:)``), in one batch rather
    /// than two appends per node.
    @exclusivity(unchecked) var classStorage: [EClassStorage?] = []
    /// Per class id, its nodes as the searcher reads them, position for
    /// position: rewritten with the nodes of every class a rebuild revisits,
    /// so valid at canonical ids when clean.
    let flatNodes = FlatNodeStore()
    /// Ids of e-nodes whose hash-cons entry must be refreshed (their children
    /// were merged), as in egg's `pending`.
    @exclusivity(unchecked) var pending: [ClassID] = []
    /// Ids of e-nodes whose analysis data must be recomputed.
    @exclusivity(unchecked) var analysisPending: [ClassID] = []
    @usableFromInline
    var columns: [any AnalysisColumnProtocol] = []
    /// Canonical classes holding each operator, indexed by symbol raw value,
    /// sorted by id once the e-graph is clean.
    @exclusivity(unchecked) var classesByOp: [[ClassID]] = []
    /// Classes whose node lists may hold non-canonical or repeated nodes, or
    /// that gained operators: the only ones `rebuild()` revisits.
    @exclusivity(unchecked) var touched: [ClassID] = []
    /// Operators whose `classesByOp` list may be unsorted or hold absorbed
    /// classes, each once, with `isUnsortedOp` flagging them by raw value: a
    /// merge marks the operator of every node it moves, and appending each to
    /// a list sorted and deduplicated at the rebuild cost the AC workload
    /// thousands of entries per rebuild.
    @exclusivity(unchecked) var unsortedOps: [Int] = []
    @exclusivity(unchecked) var isUnsortedOp: [Bool] = []
    /// The fewest hash-cons entries for which applying a rewrite warms its
    /// lookups (``InstantiationPlan/warm(_:_:in:memoizes:scratch:)``) and a
    /// rebuild prefetches what it will read: by default 32,768, which fill
    /// 65,536 slots, a megabyte, as large as a core's L2 cache here. The
    /// tests lower it to exercise those paths on small e-graphs.
    var warmsLookupsFrom = 1 << 15
    /// Per id, the rebuild that last revisited it, to revisit each class once.
    @exclusivity(unchecked) var revisitStamp: [UInt32] = []
    @exclusivity(unchecked) var rebuildStamp: UInt32 = 0

    /// The number of rebuilds so far: every e-node carries the generation of
    /// the rebuild that last made it, as a node of its class, what it is
    /// (added, moved by a merge, or changed by canonicalization), so a search
    /// that saw the e-graph clean at generation g has seen every node of a
    /// generation at most g (semi-naive search, ``Rewrite``).
    var generation: UInt32 { rebuildStamp }
    /// E-nodes stored in canonical classes, repeats included until a rebuild
    /// removes them: exact when clean, an upper bound when dirty.
    @exclusivity(unchecked) var storedNodeCount = 0
    /// Canonical classes.
    @exclusivity(unchecked) var storedClassCount = 0
    /// Whether every rebuild so far brought the analyses to their fixpoint; a
    /// rebuild that ran out of its propagation budget (only an unsound rule
    /// set needs it) clears this, and the invariant checker then skips the
    /// check that facts are the join over their class's nodes.
    public internal(set) var analysisConverged = true
    /// Unions performed since creation, counting those rebuilding made.
    @exclusivity(unchecked) public internal(set) var unionCount = 0
    /// The ids made since creation, one per node added. With
    /// ``unionCount``, a version of the e-graph: both unchanged, nothing was
    /// added or merged, and what was read off it still holds. A rewrite whose
    /// right side's root was there already adds its inner nodes with no
    /// union at all.
    public var idCount: Int { nodeOfID.count }
    /// The proof forest, when ``recordsExplanations`` is set.
    var proofs: ProofForest?

    /// Whether every merge records its reason (a rule and its instance,
    /// congruence, or an analysis), so ``explain(_:_:maximumSteps:)`` can
    /// replay why two terms are equal. Set it before adding nodes.
    public var recordsExplanations: Bool {
        get { proofs != nil }
        set {
            precondition(nodeOfID.isEmpty, "turn explanations on before adding nodes")
            proofs = newValue ? ProofForest() : nil
        }
    }

    /// An empty e-graph for a language with the given signature.
    public init(signature: Signature = Signature()) {
        self.signature = signature
    }

    // MARK: Analyses

    /// Registers an analysis. Its data is computed for every node added after.
    /// - Precondition: the e-graph is empty, and `analysis` is not registered.
    public func register<A: Analysis>(_ analysis: A) {
        precondition(nodeOfID.isEmpty, "register analyses before adding nodes")
        precondition(column(for: analysis) == nil, "analysis \(A.self) is already registered")
        columns.append(AnalysisColumn(analysis))
    }

    /// The data `analysis` holds for the class of `id`.
    ///
    /// Readable on a dirty e-graph, since analyses read their children's data
    /// while nodes are being added.
    /// - Precondition: `analysis` is registered.
    @inlinable
    public func data<A: Analysis>(of id: ClassID, for analysis: A) -> A.Data {
        guard let column = column(for: analysis) else {
            preconditionFailure("analysis \(A.self) is not registered with this e-graph")
        }
        return column.value(at: find(id))
    }

    @inlinable
    func column<A: Analysis>(for analysis: A) -> AnalysisColumn<A>? {
        let identity = ObjectIdentifier(analysis)
        for column in columns where column.analysisIdentity == identity {
            return column as? AnalysisColumn<A>
        }
        return nil
    }

    // MARK: Reading

    /// The canonical id of `id`'s class.
    public func find(_ id: ClassID) -> ClassID {
        ClassID(unionFind.find(id.rawValue))
    }

    /// Whether two ids name the same class.
    public func areEquivalent(_ a: ClassID, _ b: ClassID) -> Bool { find(a) == find(b) }

    /// The canonical class ids, in increasing order.
    /// - Complexity: O(number of ids ever made).
    public var classIDs: [ClassID] {
        requireClean("listing classes")
        return classStorage.indices.compactMap { classStorage[$0] == nil ? nil : ClassID(UInt32($0)) }
    }

    /// The e-nodes of `id`'s class, canonical and without duplicates.
    public func nodes(in id: ClassID) -> [ENode] {
        requireClean("reading a class")
        return classStorage[find(id).index]!.nodes
    }

    /// The canonical classes holding a node with operator `op`, by id.
    public func classes(withOperator op: Symbol) -> [ClassID] {
        requireClean("searching")
        let index = Int(op.rawValue)
        return index < classesByOp.count ? classesByOp[index] : []
    }

    /// The number of canonical e-nodes (leaves included).
    public var nodeCount: Int {
        requireClean("counting nodes")
        return storedNodeCount
    }

    /// The number of canonical e-classes.
    public var classCount: Int {
        requireClean("counting classes")
        return storedClassCount
    }

    /// An upper bound on the number of e-nodes, valid when dirty: exact after
    /// a rebuild, and counting nodes that rebuilding may find congruent.
    public var estimatedNodeCount: Int { storedNodeCount }

    /// The class holding `node`, if the e-graph has it.
    public func lookup(_ node: ENode) -> ClassID? {
        var node = node
        canonicalize(&node)
        return hashCons.find(node, hash: HashCons.hash(node), keys: nodeOfID).map { find(ClassID($0)) }
    }

    /// ``lookup(_:)-(ENode)`` that changes nothing, not even the union-find's
    /// path compression, so readers may share a clean e-graph across
    /// threads; the root's raw id, or `nil`.
    func probe(_ node: ENode) -> UInt32? {
        var node = node
        for index in node.children.indices {
            node.children[index] = ClassID(unionFind.root(of: node.children[index].rawValue))
        }
        if signature.isAC(node.op) { node.children.sort() }
        return hashCons.find(node, hash: HashCons.hash(node), keys: nodeOfID).map { unionFind.root(of: $0) }
    }

    /// ``lookup(_:)-(Term)`` that changes nothing (see ``probe(_:)-(ENode)``).
    func probe(_ term: Term) -> UInt32? {
        let flattened = term.flattenedAC(signature)
        var ids = [UInt32?](repeating: nil, count: term.nodes.count)
        for index in term.nodes.indices where flattened.isNeeded[index] {
            let node = term.nodes[index]
            var children: [ClassID] = []
            for operand in flattened.operands[index] {
                guard let id = ids[operand] else { return nil }
                children.append(ClassID(id))
            }
            ids[index] =
                signature.isAC(node.op) && children.count == 1
                ? unionFind.root(of: children[0].rawValue) : probe(ENode(node.op, children, payload: node.payload))
            if ids[index] == nil { return nil }
        }
        return ids[term.nodes.count - 1]
    }

    /// The class of a term, if every one of its nodes is present; nested
    /// applications of an AC operator are looked up flattened, as ``add(_:)-(Term)``
    /// stores them.
    public func lookup(_ term: Term) -> ClassID? {
        probe(term).map(ClassID.init)
    }

    func requireClean(_ action: String, file: StaticString = #file, line: UInt = #line) {
        precondition(
            isClean, "e-graph is dirty while \(action): call rebuild() after adding or merging", file: file, line: line)
    }

    // MARK: Adding

    /// Adds an e-node and returns its class, or the existing class of an
    /// equal node (hash-consing).
    ///
    /// An AC node's children are sorted; an AC node with one child is that
    /// child's class, and one with none is the operator's unit.
    /// - Precondition: an empty AC node's operator has a declared unit.
    @discardableResult
    public func add(_ node: ENode) -> ClassID {
        var node = node
        return add(reusing: &node)
    }

    /// Adds `node`, canonicalizing it in place. Callers that add many nodes
    /// pass the same buffer each time, so a node already present (the common
    /// case when saturating) costs no allocation.
    func add(reusing node: inout ENode) -> ClassID {
        if signature.isAC(node.op) {
            if node.children.count == 1 { return find(node.children[0]) }
            if node.children.isEmpty {
                guard let unit = signature.unit(of: node.op) else {
                    preconditionFailure("empty application of AC operator \(node.op) without a declared unit")
                }
                return add(ENode(.literal, payload: unit))
            }
        }
        canonicalize(&node)
        let hash = HashCons.hash(node)
        if let existing = hashCons.find(node, hash: hash, keys: nodeOfID) { return find(ClassID(existing)) }
        return insert(node, hash: hash)
    }

    /// Adds the node `op(first, second)` with no payload and `arity` children
    /// (0, 1 or 2; absent ones ignored), as ``add(_:)-(ENode)`` would.
    ///
    /// Instantiating right sides adds mostly such nodes, and mostly ones the
    /// e-graph holds already: this path finds them from the ids alone, with
    /// no child array to fill (measured: the AC workload's apply phase took
    /// about 700 ms through ``add(_:)-(ENode)``, 470 ms this way).
    func addSmall(_ op: Symbol, arity: Int, _ first: ClassID, _ second: ClassID) -> ClassID {
        addSmall(op, arity: arity, first, second, mergingInto: nil).id
    }

    /// Whether a node a rewrite instantiates may be stored straight into
    /// the class it is merged into (``addSmall(_:arity:_:_:mergingInto:)``):
    /// only when nothing watches the class it would otherwise make, that is
    /// no analysis computing its data, no proof forest recording its merge
    /// and no merge adapter vetting it.
    var storesMergedNodesDirectly: Bool { columns.isEmpty && proofs == nil && mergeAdapter == nil }

    /// ``addSmall(_:arity:_:_:)``, and for a node to be merged into `target`
    /// at once: an absent node is then stored in `target`'s class directly,
    /// as one union of its own new id, instead of in a class of its own that
    /// the merge would empty into `target`'s. Returns the node's class and
    /// whether it was stored so (a merge that joined distinct classes).
    ///
    /// Most of a large saturation's new nodes are such right sides, and
    /// the class made and emptied for each cost an allocation, a union and
    /// the rebuild's revisit of both classes.
    /// - Precondition: `target` is `nil`, or ``storesMergedNodesDirectly``.
    func addSmall(_ op: Symbol, arity: Int, _ first: ClassID, _ second: ClassID, mergingInto target: ClassID?)
        -> (id: ClassID, stored: Bool)
    {
        var a = arity > 0 ? unionFind.find(first.rawValue) : 0
        var b = arity > 1 ? unionFind.find(second.rawValue) : 0
        if signature.isAC(op) {
            if arity < 2 {
                var node = ENode(op, arity == 0 ? [] : [first])
                return (add(reusing: &node), false)
            }
            if b < a { swap(&a, &b) }
        }
        let hash = HashCons.hash(op: op.rawValue, arity: arity, first: a, second: b)
        if let existing = hashCons.find(op: op.rawValue, arity: arity, first: a, second: b, hash: hash) {
            return (ClassID(unionFind.find(existing)), false)
        }
        let children =
            switch arity {
            case 0: ChildList()
            case 1: ChildList(ClassID(a))
            default: ChildList(ClassID(a), ClassID(b))
            }
        let node = ENode(op, children)
        guard let target else { return (insert(node, hash: hash), false) }
        let root = find(target)
        let id = ClassID(unionFind.makeSet())
        // The target's set is at least as large, so its root stays the root.
        _ = unionFind.union(root.rawValue, id.rawValue)
        nodeOfID.append(node)
        storedNodeCount += 1
        unionCount += 1
        addParent(id, of: node)
        classStorage[root.index]!.nodes.append(node)
        // Matches come grouped by class, so most nodes stored in a row
        // touch the same one.
        if touched.last != root { touched.append(root) }
        hashCons.insert(id.rawValue, key: node, hash: hash)
        isClean = false
        return (root, true)
    }

    /// A small node's hash-cons key: its children in the order the
    /// hash-cons keeps them, and its hash (`nil` where there is no key).
    struct SmallKey {
        var first: UInt32
        var second: UInt32
        var hash: UInt64?
    }

    /// The key ``addSmall(_:arity:_:_:)`` looks `op(first, second)` up by,
    /// given canonical children (0 when absent), or `nil` for an AC
    /// application of fewer than two operands, which has none.
    @inline(__always)
    func smallKey(_ op: Symbol, arity: Int, _ first: UInt32, _ second: UInt32) -> SmallKey? {
        var a = first
        var b = second
        if signature.isAC(op) {
            if arity < 2 { return nil }
            if b < a { swap(&a, &b) }
        }
        return SmallKey(first: a, second: b, hash: HashCons.hash(op: op.rawValue, arity: arity, first: a, second: b))
    }

    /// Stores `node`, canonical and absent from the hash-cons, in a new class.
    private func insert(_ node: ENode, hash: UInt64) -> ClassID {
        let id = ClassID(unionFind.makeSet())
        nodeOfID.append(node)
        padClassTables(through: id.index)
        classStorage.append(EClassStorage(nodes: [node]))
        revisitStamp.append(0)
        storedNodeCount += 1
        storedClassCount += 1
        touched.append(id)
        addParent(id, of: node)
        hashCons.insert(id.rawValue, key: node, hash: hash)
        proofs?.add(id.rawValue, node: node)
        isClean = false
        for column in columns { column.makeData(for: id, node: node, in: self) }
        for column in columns { column.modify(id, in: self) }
        return find(id)
    }

    /// Gives every id before `index` made since the last class its entries
    /// in ``classStorage`` and ``revisitStamp``, so the class made at `index`
    /// is appended at its own position.
    private func padClassTables(through index: Int) {
        let missing = index - classStorage.count
        guard missing > 0 else { return }
        classStorage.append(contentsOf: repeatElement(nil, count: missing))
        revisitStamp.append(contentsOf: repeatElement(0, count: missing))
    }

    /// Records the node of `id` as a parent of each of its children.
    private func addParent(_ id: ClassID, of node: ENode) {
        var previous: ClassID?
        for child in node.children where child != previous {
            // AC children are sorted, so adjacent repeats are the only ones
            // that matter for AC nodes; a repeated non-AC child only costs a
            // duplicate parent entry.
            classStorage[child.index]!.parents.append(id)
            previous = child
        }
    }

    /// Adds every node of a term and returns the root's class.
    ///
    /// Directly nested applications of an AC operator are flattened as they
    /// are written (`(+ a (+ b c))` becomes one node `(+ a b c)`); the inner
    /// application is added only if something else refers to it.
    @discardableResult
    public func add(_ term: Term) -> ClassID {
        precondition(!term.nodes.isEmpty, "cannot add an empty term")
        let flattened = term.flattenedAC(signature)
        var ids = [ClassID?](repeating: nil, count: term.nodes.count)
        for index in term.nodes.indices where flattened.isNeeded[index] {
            let node = term.nodes[index]
            let children = flattened.operands[index].map { ids[$0]! }
            ids[index] = add(ENode(node.op, children, payload: node.payload))
        }
        return ids[term.nodes.count - 1]!
    }

    /// Maps children to their canonical ids and sorts AC children, and
    /// returns whether the node changed. Writes only what changes, so a node
    /// whose child list is shared (with the hash-cons, say) is not copied
    /// when it is already canonical.
    @discardableResult
    func canonicalize(_ node: inout ENode) -> Bool {
        var isSorted = true
        var changed = false
        var previous: UInt32 = 0
        for index in node.children.indices {
            let raw = node.children[index].rawValue
            let root = unionFind.find(raw)
            if root != raw {
                node.children[index] = ClassID(root)
                changed = true
            }
            if root < previous { isSorted = false }
            previous = root
        }
        if !isSorted, signature.isAC(node.op) {
            node.children.sort()
            changed = true
        }
        return changed
    }

    /// Removes the nodes of `id`'s class that `keep` rejects, as egg's
    /// constant folding keeps only the leaves of a class whose value it knows:
    /// the class still means the same, and rules stop matching inside it.
    /// Removed nodes stay in the hash-cons, so adding one again finds the class.
    /// - Precondition: at least one node is kept.
    public func retainNodes(in id: ClassID, where keep: (ENode) -> Bool) {
        let root = find(id)
        var nodes = classStorage[root.index]!.nodes
        classStorage[root.index]!.nodes = []
        let before = nodes.count
        var removedOps: [Int] = []
        nodes.removeAll { node in
            if keep(node) { return false }
            removedOps.append(Int(node.op.rawValue))
            return true
        }
        precondition(!nodes.isEmpty, "retainNodes must keep at least one node of a class")
        storedNodeCount -= before - nodes.count
        // The nodes no longer line up with the searcher's list, whose stamps
        // the rebuild carries over by position: the kept ones are stamped
        // anew, which only makes semi-naive search look at them again.
        flatNodes.clear(root.index)
        for op in removedOps { markUnsorted(op) }
        classStorage[root.index]!.nodes = nodes
        touched.append(root)
        isClean = false
    }

    // MARK: Merging

    /// Asserts that two classes are equal, deferring congruence to
    /// ``rebuild()``. Returns whether they were distinct.
    @discardableResult
    public func union(_ a: ClassID, _ b: ClassID) -> Bool {
        union(a, b, because: .asserted)
    }

    /// ``union(_:_:)`` for an analysis that found `a`'s class equal to `b`
    /// (its value, say): explanations name `analysis` as the reason.
    @discardableResult
    public func union(_ a: ClassID, _ b: ClassID, foundBy analysis: String) -> Bool {
        union(a, b, because: .analysis(analysis))
    }

    /// ``union(_:_:)``, recording `reason` when explanations are on.
    @discardableResult
    func union(_ a: ClassID, _ b: ClassID, because reason: @autoclosure () -> ProofReason) -> Bool {
        let rootA = unionFind.find(a.rawValue)
        let rootB = unionFind.find(b.rawValue)
        if rootA == rootB { return false }
        proofs?.union(a.rawValue, b.rawValue, because: reason())
        let (rootRaw, absorbedRaw) = unionFind.union(rootA, rootB)
        let root = ClassID(rootRaw)
        let absorbed = ClassID(absorbedRaw)
        unionCount += 1
        storedClassCount -= 1
        touched.append(root)
        isClean = false
        let moved = classStorage[absorbed.index].take()!
        flatNodes.clear(absorbed.index)
        pending.append(contentsOf: moved.parents)
        var changedLeft = false
        var changedRight = false
        for column in columns {
            let result = column.mergeData(into: root, from: absorbed)
            changedLeft = changedLeft || result.changedLeft
            changedRight = changedRight || result.changedRight
        }
        if changedLeft { analysisPending.append(contentsOf: classStorage[root.index]!.parents) }
        if changedRight { analysisPending.append(contentsOf: moved.parents) }
        var previousOp: Symbol?
        for node in moved.nodes where node.op != previousOp {
            markUnsorted(Int(node.op.rawValue))
            previousOp = node.op
        }
        classStorage[root.index]!.nodes.append(contentsOf: moved.nodes)
        classStorage[root.index]!.parents.append(contentsOf: moved.parents)
        for column in columns { column.modify(root, in: self) }
        return true
    }

    /// Records that the operator index's list for `op` needs fixing.
    func markUnsorted(_ op: Int) {
        if op >= isUnsortedOp.count { isUnsortedOp += Array(repeating: false, count: op + 1 - isUnsortedOp.count) }
        if isUnsortedOp[op] { return }
        isUnsortedOp[op] = true
        unsortedOps.append(op)
    }
}

/// The nodes and parent list of one canonical class.
struct EClassStorage {
    /// The class's e-nodes; canonical and deduplicated after a rebuild.
    var nodes: [ENode]
    /// Ids of the e-nodes that have this class as a child, possibly repeated.
    var parents: [ClassID] = []
}

extension EGraph {
    static let invariantsRequestedByEnvironment: Bool = {
        ProcessEnvironment.value(of: "SATURATE_CHECK_INVARIANTS") == "1"
    }()
}
