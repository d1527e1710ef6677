import EGraph

/// Picks, for every e-class, a cheapest node under a cost function, and
/// builds terms from those choices (egg's `Extractor`).
///
/// Costs are relaxed bottom-up to a fixpoint, each class keeping a node only
/// when it is strictly cheaper than the one it has, which makes the choice
/// exact for a cost that adds its children's costs (``TermSize``). For a
/// cost that charges a shared subterm once (the tensor `StabilityCost`'s risks, a
/// union of sets) the choice is greedy: each class minimizes its own cost,
/// not its contribution to the whole program, as extraction-gym's greedy
/// DAG extractor does. Ties go to the node that comes first in its class,
/// whose order is deterministic, never to hash order.
///
/// A cost that is not comparable with itself (a `Double` NaN) never wins, so
/// it counts as the worst cost rather than trapping (egg's extractor panics
/// on NaN; this one never does).
public struct Extractor<Function: CostFunction> {
    /// The e-graph extracted from, clean.
    public let egraph: EGraph
    /// The cost function.
    public let function: Function
    /// The best cost of each canonical class (`nil` when no finite term
    /// exists), indexed by class id.
    public private(set) var bestCost: [Function.Cost?] {
        get { storedCost }
        set { storedCost = newValue }
    }
    @usableFromInline var storedCost: [Function.Cost?] = []
    /// The chosen node of each canonical class.
    public private(set) var bestNode: [ENode?] {
        get { storedNode }
        set { storedNode = newValue }
    }
    @usableFromInline var storedNode: [ENode?] = []

    /// Computes the cheapest node of every class.
    ///
    /// A cost that is not monotone (a node costing no more than one of its
    /// operands: the tensor cost's `fill` charges its shape operand's size
    /// but not its risks) can leave the choices in a cycle. Around any
    /// cycle some class costs no more than its operand on the cycle (costs
    /// cannot strictly rise all the way round), and one of the two choices
    /// at that edge is at fault: the parent's node, when it is the
    /// non-monotone one (a `fill` over a risky term of its own class), or
    /// the operand's, when the parent kept a cost computed over the
    /// operand's old term and the operand then improved through it. Each is
    /// tried as a ban, the costs relaxed again, and the ban that leaves more
    /// classes a finite term is kept (the parent's on a tie), until no
    /// cycle is left.
    /// - Complexity: O(passes × nodes) child checks, the passes bounded by
    ///   the depth of the cheapest terms; a node is costed again only after
    ///   one of its children's costs changed. A cycle, rare, costs two more
    ///   relaxations.
    @inlinable
    public init(_ egraph: EGraph, cost function: Function) {
        self.egraph = egraph
        self.function = function
        var banned: Set<ENode> = []
        (storedCost, storedNode) = Extractor.relax(egraph, function, banned: banned)
        while let (parent, operand) = faultyEdgeOnCycle() {
            let trials = [parent, operand].map { node in
                var trial = banned
                trial.insert(node)
                let (costs, nodes) = Extractor.relax(egraph, function, banned: trial)
                return (banned: trial, costs: costs, nodes: nodes, finite: costs.count { $0 != nil })
            }
            let kept = trials[1].finite > trials[0].finite ? trials[1] : trials[0]
            (banned, storedCost, storedNode) = (kept.banned, kept.costs, kept.nodes)
        }
    }

    /// The cheapest cost and node of every class, `banned` nodes never
    /// chosen.
    @inlinable
    static func relax(_ egraph: EGraph, _ function: Function, banned: Set<ENode>) -> ([Function.Cost?], [ENode?]) {
        let classes = egraph.classIDs
        let size = (classes.last?.index ?? -1) + 1
        var bestCost = [Function.Cost?](repeating: nil, count: size)
        var bestNode = [ENode?](repeating: nil, count: size)
        var changed = true
        var childCosts: [Function.Cost] = []
        // A node whose children's costs have not changed since its class was
        // last evaluated costs what it did then, and lost or won then: it is
        // skipped. Passes after the first re-cost only what changed below
        // (on a model's e-graphs, re-costing every node each pass was a
        // third of the optimizer's time).
        var lastChange = [Int](repeating: -1, count: size)
        var evaluated = [Int](repeating: -1, count: size)
        var pass = 0
        while changed {
            changed = false
            for id in classes {
                let since = evaluated[id.index]
                evaluated[id.index] = pass
                for node in egraph.nodes(in: id) {
                    if since >= 0 && !node.children.contains(where: { lastChange[egraph.find($0).index] >= since }) {
                        continue
                    }
                    if !banned.isEmpty && banned.contains(node) { continue }
                    childCosts.removeAll(keepingCapacity: true)
                    var complete = true
                    for child in node.children {
                        guard let childCost = bestCost[egraph.find(child).index] else {
                            complete = false
                            break
                        }
                        childCosts.append(childCost)
                    }
                    guard complete else { continue }
                    let nodeCost = function.cost(of: node, inClass: id, childCosts: childCosts, in: egraph)
                    guard nodeCost == nodeCost else { continue }  // not comparable: never chosen
                    // Strictly cheaper only: the first node of equal cost stays.
                    if let current = bestCost[id.index], !(nodeCost < current) { continue }
                    bestCost[id.index] = nodeCost
                    bestNode[id.index] = node
                    lastChange[id.index] = pass
                    changed = true
                }
            }
            pass += 1
        }
        return (bestCost, bestNode)
    }

    /// On a cycle of chosen nodes, an edge whose parent costs no more than
    /// its operand: the two classes' chosen nodes. `nil` when the choices
    /// are acyclic. Depth-first over the choices, in class order, so the
    /// edge is deterministic.
    @usableFromInline
    func faultyEdgeOnCycle() -> (parent: ENode, operand: ENode)? {
        // 0 unvisited, 1 on the current path, 2 done.
        var state = [UInt8](repeating: 0, count: storedNode.count)
        for root in egraph.classIDs where state[root.index] == 0 && storedNode[root.index] != nil {
            var path: [(id: ClassID, next: Int)] = [(root, 0)]
            state[root.index] = 1
            while let (id, next) = path.last {
                let children = storedNode[id.index]!.children
                guard next < children.count else {
                    state[id.index] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let child = egraph.find(children[next])
                switch state[child.index] {
                case 0 where storedNode[child.index] != nil:
                    state[child.index] = 1
                    path.append((child, 0))
                case 1:
                    // The cycle is the path from `child` to `id`, closed by
                    // the edge back to `child`.
                    let start = path.firstIndex { $0.id == child }!
                    let cycle = path[start...].map(\.id)
                    var edge = (cycle[cycle.count - 1], child)  // comparable costs never fall back to it
                    for (index, parent) in cycle.enumerated() {
                        let below = cycle[(index + 1) % cycle.count]
                        if let parentCost = storedCost[parent.index], let childCost = storedCost[below.index],
                            !(childCost < parentCost)
                        {
                            edge = (parent, below)
                            break
                        }
                    }
                    return (storedNode[edge.0.index]!, storedNode[edge.1.index]!)
                default:
                    break
                }
            }
        }
        return nil
    }

    /// The cost the cost function gives `node` of class `id` over its
    /// children's cheapest terms: what extraction compared the node by.
    /// `nil` when a child class has no finite term or the cost is not
    /// comparable (a NaN), as in extraction.
    public func cost(of node: ENode, inClass id: ClassID) -> Function.Cost? {
        var childCosts: [Function.Cost] = []
        for child in node.children {
            guard let cost = bestCost[egraph.find(child).index] else { return nil }
            childCosts.append(cost)
        }
        let cost = function.cost(of: node, inClass: egraph.find(id), childCosts: childCosts, in: egraph)
        return cost == cost ? cost : nil
    }

    /// The cost of the cheapest term of `id`'s class, `nil` when it has none.
    public func cost(of id: ClassID) -> Function.Cost? { bestCost[egraph.find(id).index] }

    /// The costs of the cheapest terms of several classes.
    public func costs(of ids: [ClassID]) -> [Function.Cost?] { ids.map(cost(of:)) }

    /// The cheapest term of each root's class, sharing subterms between them;
    /// `nil` for a class with no finite term.
    public func terms(for roots: [ClassID]) -> [Term?] {
        roots.map { root in
            var term = Term()
            var built: [ClassID: Int] = [:]
            guard build(egraph.find(root), into: &term, &built) != nil else { return nil }
            return term
        }
    }

    /// The node chosen in each class the cheapest terms of `roots` use, by
    /// canonical class: what an export marks as extracted. Classes with no
    /// finite term are left out.
    public func chosenNodes(for roots: [ClassID]) -> [ClassID: ENode] {
        var chosen: [ClassID: ENode] = [:]
        var stack = roots.map { egraph.find($0) }
        while let id = stack.popLast() {
            guard chosen[id] == nil, let node = bestNode[id.index] else { continue }
            chosen[id] = node
            stack.append(contentsOf: node.children.map { egraph.find($0) })
        }
        return chosen
    }

    /// Appends the chosen term of `id` after its children, iteratively so a
    /// deep term cannot exhaust the stack; `nil` where a class has no chosen
    /// node, or the chosen nodes form a cycle.
    ///
    /// The initializer leaves no cycle among the choices; the walk still
    /// checks (a class met again while its own children are pending), since
    /// one it missed would grow the term until the allocator failed, as a
    /// random program's gradient of a gradient through `expm1` and `log1p`
    /// once did.
    private func build(_ id: ClassID, into term: inout Term, _ built: inout [ClassID: Int]) -> Int? {
        var stack: [(id: ClassID, expanded: Bool)] = [(id, false)]
        var pending: Set<ClassID> = []
        while let (current, expanded) = stack.popLast() {
            if built[current] != nil { continue }
            guard let node = bestNode[current.index] else { return nil }
            let children = node.children.map { egraph.find($0) }
            if expanded {
                pending.remove(current)
                built[current] = term.append(Term.Node(node.op, children.map { built[$0]! }, payload: node.payload))
            } else {
                guard pending.insert(current).inserted else { return nil }
                stack.append((current, true))
                for child in children.reversed() where built[child] == nil { stack.append((child, false)) }
            }
        }
        return built[id]
    }
}
