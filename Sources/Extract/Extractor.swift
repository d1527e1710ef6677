import EGraph

/// Picks, for every e-class, a cheapest node under a cost function, and
/// builds terms from those choices (egg's `Extractor`).
///
/// The choice is exact for an additive monotone cost: costs are relaxed to a
/// fixpoint, each class keeping its cheapest node. Ties go to the node that
/// comes first in its class, whose order is deterministic, never to hash order.
public struct Extractor {
    /// The e-graph extracted from, clean.
    public let egraph: EGraph
    /// The best cost of each canonical class (`.infinity` when no finite term
    /// exists), indexed by class id.
    public private(set) var bestCost: [Double]
    /// The chosen node of each canonical class.
    public private(set) var bestNode: [ENode?]

    /// Computes the cheapest node of every class.
    /// - Complexity: O(passes × nodes), the passes bounded by the depth of
    ///   the cheapest terms.
    public init<Cost: CostFunction>(_ egraph: EGraph, cost: Cost) {
        self.egraph = egraph
        let classes = egraph.classIDs
        let size = (classes.last?.index ?? -1) + 1
        var bestCost = [Double](repeating: .infinity, count: size)
        var bestNode = [ENode?](repeating: nil, count: size)
        var changed = true
        var childCosts: [Double] = []
        while changed {
            changed = false
            for id in classes {
                for node in egraph.nodes(in: id) {
                    childCosts.removeAll(keepingCapacity: true)
                    var complete = true
                    for child in node.children {
                        let childCost = bestCost[egraph.find(child).index]
                        if childCost == .infinity {
                            complete = false
                            break
                        }
                        childCosts.append(childCost)
                    }
                    guard complete else { continue }
                    let nodeCost = NormalizedCost.normalize(cost.cost(of: node, childCosts: childCosts, in: egraph))
                    // Strictly cheaper only: the first node of equal cost stays.
                    if nodeCost < bestCost[id.index] {
                        bestCost[id.index] = nodeCost
                        bestNode[id.index] = node
                        changed = true
                    }
                }
            }
        }
        self.bestCost = bestCost
        self.bestNode = bestNode
    }

    /// The cost `costFunction` gives `node` over its children's cheapest
    /// terms: what extraction compared the node by, and its class's best
    /// cost when it was chosen. `.infinity` when a child class has no finite
    /// term; a NaN cost is the worst, as in extraction.
    /// - Precondition: `costFunction` is the one this extractor ran.
    public func cost<Cost: CostFunction>(of node: ENode, by costFunction: Cost) -> Double {
        let childCosts = node.children.map { bestCost[egraph.find($0).index] }
        guard !childCosts.contains(.infinity) else { return .infinity }
        return NormalizedCost.normalize(costFunction.cost(of: node, childCosts: childCosts, in: egraph))
    }

    /// The cost of the cheapest term of `id`'s class.
    public func cost(of id: ClassID) -> Double { bestCost[egraph.find(id).index] }

    /// The costs of the cheapest terms of several classes.
    public func costs(of ids: [ClassID]) -> [Double] { ids.map(cost(of:)) }

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
    /// deep term cannot exhaust the stack.
    private func build(_ id: ClassID, into term: inout Term, _ built: inout [ClassID: Int]) -> Int? {
        var stack: [(id: ClassID, expanded: Bool)] = [(id, false)]
        while let (current, expanded) = stack.popLast() {
            if built[current] != nil { continue }
            guard let node = bestNode[current.index] else { return nil }
            let children = node.children.map { egraph.find($0) }
            if expanded {
                built[current] = term.append(Term.Node(node.op, children.map { built[$0]! }, payload: node.payload))
            } else {
                stack.append((current, true))
                for child in children.reversed() where built[child] == nil { stack.append((child, false)) }
            }
        }
        return built[id]
    }
}
