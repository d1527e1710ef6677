import EGraph

/// A cost of e-nodes for extraction (egg's `CostFunction`, whose `Cost` is
/// any `PartialOrd`).
///
/// The cost is any `Comparable` value, not one number: the stability cost
/// compares a set of risks first and a size second, which no `Double` could
/// pack without one part overflowing into the other.
///
/// Laws extraction relies on: a node costs more than each of its children
/// (so the chosen terms are finite and acyclic), and the cost depends only on
/// the node, its class and its children's costs.
public protocol CostFunction {
    /// What a term costs; lower is better.
    associatedtype Cost: Comparable

    /// The cost of `node` of class `id`, given the best cost found for each
    /// child class. The class identifies the node within one extraction (a
    /// class has one chosen node), which a cost that charges shared subterms
    /// once uses as their identity.
    func cost(of node: ENode, inClass id: ClassID, childCosts: [Cost], in egraph: EGraph) -> Cost
}

/// The size of a term: every node costs 1.
public struct TermSize: CostFunction {
    /// The size cost.
    public init() {}

    /// One plus the children's costs.
    public func cost(of node: ENode, inClass id: ClassID, childCosts: [Double], in egraph: EGraph) -> Double {
        childCosts.reduce(1, +)
    }
}
