/// Reverse mode through a max shift of a quotient by a scalar,
/// `w = z - max(z)` with `z = a / t` (logits at a temperature `t`), for the
/// gradients of stable forms.
///
/// Node by node, the derivative of `w` by `t` is `-(z - m) / t` with
/// `-z / t` and `-m / t` computed apart, and they cancel: where the logits
/// tie, the truth is 0 and the difference is rounding times the logits'
/// size, which is how a contrastive loss's temperature gradient came out 18
/// bits wrong. Since `max(a / t) = a_j / t` at the maximum `j` for any `t`
/// along the axis, `dw/dt = -w / t`, computed from the shifted value itself
/// and exactly 0 at every maximum. So the shift passes `t` the adjoint
/// `-sum(g * w) / t` itself; the maximum passes `t` only for its other uses
/// (`-sum(g * m) / t`); and the quotient passes `t` only the adjoint of its
/// other uses, since the shift and the maximum have accounted for theirs.
/// What reaches `a` is unchanged.
struct ScaledShifts {
    /// Terms of a quotient's adjoint whose share of the scalar's adjoint a
    /// shift or a maximum has passed already.
    private var accounted: [NodeID: [NodeID]] = [:]
    /// Terms of a maximum's adjoint that came from the shifts by it.
    private var fromShifts: [NodeID: [NodeID]] = [:]

    /// Differentiates `node`, whose adjoint is the sum of `terms`, when it
    /// is one of the three kinds above, adding what it passes on to
    /// `contributions`; `false`, passing nothing, for any other node.
    mutating func differentiate(
        _ node: NodeID, _ terms: [NodeID], in graph: inout TensorGraph, dependsOnInput: [Bool],
        into contributions: inout [NodeID: [NodeID]]
    ) throws(ShapeError) -> Bool {
        let arguments = graph.nodes[node].arguments
        switch graph.nodes[node].kind {
        case .apply(.select) where graph.isGuardedShift(node):
            let difference = graph.nodes[arguments[2]].arguments
            let (z, maximum) = (difference[0], difference[1])
            guard let scale = scalar(of: z, in: graph) else { return false }
            let g = try graph.total(terms)
            if dependsOnInput[z] {
                contributions[z, default: []].append(g)
                accounted[z, default: []].append(g)
            }
            if dependsOnInput[maximum] {
                let toMaximum = try graph.unbroadcast(graph.apply(.negate, [g]), to: graph.nodes[maximum].shape)
                contributions[maximum, default: []].append(toMaximum)
                fromShifts[maximum, default: []].append(toMaximum)
            }
            if dependsOnInput[scale] {
                try pass(g, times: node, over: scale, in: &graph, into: &contributions)
            }
            return true
        case .apply(.max):
            let z = arguments[0]
            guard let scale = scalar(of: z, in: graph) else { return false }
            let g = try graph.total(terms)
            if dependsOnInput[z] {
                let term = try graph.apply(.multiply, [graph.apply(.binary(.equal), [node, z]), g])
                contributions[z, default: []].append(term)
                accounted[z, default: []].append(term)
            }
            var direct = terms
            for term in fromShifts.removeValue(forKey: node) ?? [] {
                if let index = direct.firstIndex(of: term) { direct.remove(at: index) }
            }
            if !direct.isEmpty && dependsOnInput[scale] {
                try pass(graph.total(direct), times: node, over: scale, in: &graph, into: &contributions)
            }
            return true
        case .apply(.divide):
            guard let done = accounted.removeValue(forKey: node) else { return false }
            var others = terms
            for term in done {
                if let index = others.firstIndex(of: term) { others.remove(at: index) }
            }
            let (a, scale) = (arguments[0], arguments[1])
            if dependsOnInput[a],
                let term = try graph.contribution(of: node, toArgument: 0, adjoint: graph.total(terms))
            {
                contributions[a, default: []].append(term)
            }
            if !others.isEmpty, dependsOnInput[scale],
                let term = try graph.contribution(of: node, toArgument: 1, adjoint: graph.total(others))
            {
                contributions[scale, default: []].append(term)
            }
            return true
        default:
            return false
        }
    }

    /// The scalar `t` of `z = a / t`, if `z` is such a quotient.
    private func scalar(of z: NodeID, in graph: TensorGraph) -> NodeID? {
        guard case .apply(.divide) = graph.nodes[z].kind else { return nil }
        let scale = graph.nodes[z].arguments[1]
        return graph.nodes[scale].shape == .scalar ? scale : nil
    }

    /// Adds `-sum(g * value) / scale` to the scalar's adjoint: the
    /// derivative of a value that is a quotient by `scale` (a shifted one or
    /// a maximum), `-value / scale`, times its adjoint `g`.
    private func pass(
        _ g: NodeID, times value: NodeID, over scale: NodeID, in graph: inout TensorGraph,
        into contributions: inout [NodeID: [NodeID]]
    ) throws(ShapeError) {
        let product = try graph.apply(.multiply, [g, value])
        let term = try graph.apply(.negate, [graph.apply(.divide, [graph.apply(.sum, [product]), scale])])
        contributions[scale, default: []].append(term)
    }
}
