import EGraph

/// A cost of e-nodes for extraction (egg's `CostFunction`).
///
/// Laws extraction relies on: the cost is monotone (a node costs more than
/// each of its children) and depends only on the node and its children's
/// classes, so the cheapest term of a class is built from the cheapest terms
/// of its children and bottom-up extraction is exact.
public protocol CostFunction {
    /// The cost of `node`, given the best cost found for each child class.
    func cost(of node: ENode, childCosts: [Double], in egraph: EGraph) -> Double
}

/// Costs as extraction compares them: a NaN cost, which a cost function may
/// produce from facts it did not expect, is the worst cost rather than a
/// trap or a value that compares false with everything (egg's extractor
/// panics on NaN; this one never does).
enum NormalizedCost {
    static func normalize(_ cost: Double) -> Double { cost.isNaN ? .infinity : cost }
}

/// The size of a term: every node costs 1.
public struct TermSize: CostFunction {
    /// The size cost.
    public init() {}

    /// One plus the children's costs.
    public func cost(of node: ENode, childCosts: [Double], in egraph: EGraph) -> Double {
        childCosts.reduce(1, +)
    }
}
