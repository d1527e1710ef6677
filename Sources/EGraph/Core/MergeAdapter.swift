/// Sees every merge a rewrite is about to make, of the class its right side
/// instantiated into the class it matched, and keeps, refuses or wraps it: a
/// language keeps a fact rewrites must preserve this way (the tensor language
/// broadcasts a right side whose shape came out smaller). Set on an e-graph
/// as its ``EGraph/mergeAdapter``.
///
/// One per e-graph, not a list: a merge is adapted once, and the proof of a
/// rewrite records the one wrapper its merge was given; adapters that each
/// wrapped would need an order of composition that no language has needed.
public protocol MergeAdapter {
    /// What to make of merging `result` into `target`. It may add nodes; it
    /// reads analysis data, not class contents, since the e-graph is dirty
    /// while rewrites apply.
    /// - Parameters:
    ///   - result: The class of the rewrite's right side.
    ///   - target: The class the rewrite merges it into.
    ///   - egraph: The e-graph, dirty.
    func adapt(merging result: ClassID, into target: ClassID, in egraph: EGraph) -> MergeAdaptation
}

/// What a ``MergeAdapter`` makes of a merge.
public enum MergeAdaptation: Sendable {
    /// Merge the result as it is.
    case unchanged
    /// Skip the merge.
    case refused
    /// Merge this node instead, one of whose children is the result: a
    /// wrapper, such as a broadcast, that explanations can show as part of
    /// the rewrite.
    case wrapped(ENode)
}
