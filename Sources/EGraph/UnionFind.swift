/// Disjoint sets over dense 32-bit ids, with path compression (halving) and
/// union by size, so `find` is amortized inverse-Ackermann.
///
/// The e-graph keeps its class ids here; nothing in it knows about e-nodes.
public struct UnionFind: Sendable {
    private var parents: [UInt32] = []
    private var sizes: [UInt32] = []

    /// An empty structure.
    public init() {}

    /// The number of ids ever made.
    public var count: Int { parents.count }

    /// Makes a new singleton set and returns its id.
    public mutating func makeSet() -> UInt32 {
        let id = UInt32(parents.count)
        parents.append(id)
        sizes.append(1)
        return id
    }

    /// The representative of `id`'s set, halving the path on the way.
    public mutating func find(_ id: UInt32) -> UInt32 {
        var current = id
        while parents[Int(current)] != current {
            let grandparent = parents[Int(parents[Int(current)])]
            parents[Int(current)] = grandparent
            current = grandparent
        }
        return current
    }

    /// The representative of `id`'s set without compressing: for read paths
    /// that cannot mutate.
    public func root(of id: UInt32) -> UInt32 {
        var current = id
        while parents[Int(current)] != current { current = parents[Int(current)] }
        return current
    }

    /// Joins the sets of two representatives and returns `(root, absorbed)`.
    ///
    /// The larger set's root stays the root; ties keep `a`, so the outcome is
    /// fixed by the call, never by memory layout.
    /// - Precondition: `a` and `b` are distinct representatives.
    public mutating func union(_ a: UInt32, _ b: UInt32) -> (root: UInt32, absorbed: UInt32) {
        precondition(a != b && parents[Int(a)] == a && parents[Int(b)] == b, "union takes two distinct roots")
        let (root, absorbed) = sizes[Int(a)] >= sizes[Int(b)] ? (a, b) : (b, a)
        parents[Int(absorbed)] = root
        sizes[Int(root)] += sizes[Int(absorbed)]
        return (root, absorbed)
    }
}
