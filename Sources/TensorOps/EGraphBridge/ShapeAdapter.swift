import EGraph

extension TensorAnalysis: MergeAdapter {
    /// Keeps rewrites from changing a value's shape: makes the analysis the
    /// e-graph's merge adapter (``adapt(merging:into:in:)``).
    public func adaptMerges(in egraph: EGraph) {
        egraph.mergeAdapter = self
    }

    /// Merges a right side of the same shape as its target unchanged,
    /// broadcasts one of a smaller shape back with `(fill carrier result)`
    /// (`(* a (inv a))` becomes a `fill` of 1 shaped like `a`, as `(- x x)`
    /// is `(fill x 0)`), and refuses one that does not broadcast to the
    /// target's shape.
    ///
    /// The carrier is a class of exactly the target's shape other than the
    /// target itself: the first such class the e-graph made, usually an input
    /// (no value of a carrier is read, only its shape).
    /// - Parameters:
    ///   - result: The class of the rewrite's right side.
    ///   - target: The class the rewrite merges it into.
    ///   - egraph: The e-graph, dirty.
    public func adapt(merging result: ClassID, into target: ClassID, in egraph: EGraph) -> MergeAdaptation {
        let targetShape = egraph.data(of: target, for: self).shape
        let resultShape = egraph.data(of: result, for: self).shape
        if targetShape == resultShape { return .unchanged }
        guard Shape.broadcast(targetShape, resultShape) == targetShape else { return .refused }
        let root = egraph.find(target)
        guard let carrier = carriers[targetShape]?.first(where: { egraph.find($0) != root }) else {
            return .refused
        }
        return .wrapped(ENode(TensorVocabulary.fill, [carrier, result]))
    }

    /// Remembers the first two classes of each shape as carriers.
    func noteCarrier(_ id: ClassID, shape: Shape) {
        var known = carriers[shape, default: []]
        guard known.count < 2, !known.contains(id) else { return }
        known.append(id)
        carriers[shape] = known
    }
}
