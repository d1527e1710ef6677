/// A term whose leaves may be e-graph ids: a rule's two sides instantiated
/// with the classes a match bound, as they stood when the rule fired.
indirect enum ProofTerm: Hashable {
    /// The term the id was added as (see ``ProofForest/original``).
    case id(UInt32)
    /// An application, AC children flattened as the e-graph stores them.
    case node(Symbol, Literal?, [ProofTerm])
}

/// Why two ids were merged.
enum ProofReason {
    /// A rewrite's instance: `lhs` (an instance of the left side, or of the
    /// target alias's pattern) equals `rhs` (the right side, wrapped as the
    /// merge adapter wrapped it, if `isWrapped`), under `bindings`.
    case rule(name: String, lhs: ProofTerm, rhs: ProofTerm, bindings: [(PatternVariable, Binding)], isWrapped: Bool)
    /// The two ids' nodes have the same operator and equal children.
    case congruence
    /// An analysis found the value of the first id's class (the second id).
    case analysis(String)
    /// A caller's ``EGraph/union(_:_:)`` with no reason.
    case asserted
}

/// The proof forest of egg's explanations (Willsey et al. 2021, after
/// Nieuwenhuis and Oliveras, "Proof-producing congruence closure"): one node
/// per id, and one edge per union that joined two classes, labelled with the
/// reason. Edges join the ids a union was given, not their roots, so the
/// path between two ids is a chain of reasons, each about terms that really
/// were in the e-graph when it fired. Each tree is rerooted at the id being
/// attached, so the forest stays a forest and every path is unique.
///
/// Edges are numbered in the order they were made. Every reason only relies
/// on equalities that held before it (a match was found in a clean e-graph;
/// congruent nodes had equal children), so expanding an edge only walks
/// earlier edges, and an explanation always terminates.
final class ProofForest {
    /// Each id's node as it was added, children as they were then.
    var original: [ENode] = []
    /// Each id's neighbour towards its tree's root, or itself at the root.
    var parent: [UInt32] = []
    /// The edge to ``parent``, or -1 at the root.
    var parentEdge: [Int32] = []
    /// The edges, oldest first.
    var edges: [(from: UInt32, to: UInt32, reason: ProofReason)] = []

    /// Records a new id and the node it was added as.
    func add(_ id: UInt32, node: ENode) {
        precondition(Int(id) == original.count, "ids are recorded in order")
        original.append(node)
        parent.append(id)
        parentEdge.append(-1)
    }

    /// Records that `a` and `b`, in different classes until now, are equal.
    func union(_ a: UInt32, _ b: UInt32, because reason: ProofReason) {
        reroot(a)
        parent[Int(a)] = b
        parentEdge[Int(a)] = Int32(edges.count)
        edges.append((a, b, reason))
    }

    /// Makes `id` the root of its tree by reversing the edges above it.
    private func reroot(_ id: UInt32) {
        var previous = id
        var previousEdge: Int32 = -1
        var current = id
        while true {
            let next = parent[Int(current)]
            let edge = parentEdge[Int(current)]
            parent[Int(current)] = previous
            parentEdge[Int(current)] = previousEdge
            if next == current { break }
            previous = current
            previousEdge = edge
            current = next
        }
    }

    /// The edges from `a` to `b`, each with whether it is walked from its
    /// `from` end; `nil` if they are in different trees.
    func path(from a: UInt32, to b: UInt32) -> [(edge: Int, forward: Bool)]? {
        if a == b { return [] }
        var depthOnA: [UInt32: Int] = [a: 0]
        var upFromA: [UInt32] = [a]
        var current = a
        while parent[Int(current)] != current {
            current = parent[Int(current)]
            depthOnA[current] = upFromA.count
            upFromA.append(current)
        }
        var upFromB: [UInt32] = [b]
        current = b
        while depthOnA[current] == nil {
            let next = parent[Int(current)]
            if next == current { return nil }
            current = next
            upFromB.append(current)
        }
        let meeting = depthOnA[current]!
        var steps: [(edge: Int, forward: Bool)] = []
        for node in upFromA[..<meeting] {
            let edge = Int(parentEdge[Int(node)])
            steps.append((edge, edges[edge].from == node))
        }
        for node in upFromB.dropLast().reversed() {
            let edge = Int(parentEdge[Int(node)])
            steps.append((edge, edges[edge].to == node))
        }
        return steps
    }

    /// Whether `a` and `b` were equal using only edges older than `time`.
    func equal(_ a: UInt32, _ b: UInt32, before time: Int) -> Bool {
        guard let steps = path(from: a, to: b) else { return false }
        return steps.allSatisfy { $0.edge < time }
    }
}
