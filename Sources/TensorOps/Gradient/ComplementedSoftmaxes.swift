/// Reverse mode through the log of a softmax's complement,
/// `l = log(1 - p)` with `p = softmax(z)` along an axis or over every
/// element (an unlikelihood loss), for the optimizer's gradients: the
/// program as written keeps the chain rule's, which is what it computes.
///
/// With `r = p / (1 - p)`, the chain rule writes `dz_j = p_j sum_i g_i r_i -
/// g_j r_j`, and where one logit `z_M` is far above the rest both terms at
/// `M` are near `g_M r_M = g_M exp(gap)`, and cancel to `-g_M p_M`: past a
/// gap of 37 nothing of it is left, past 709 `r_M` overflows and `inf * 0`
/// makes every other entry `nan`. No rewrite of that expression can undo it:
/// the cure is to split the sum at the maximum, which the terms no longer
/// show once the chain rule has mixed the `i` and `j` of every pair. Taken
/// apart at the unique maximum `M`,
///
///     dz_j = p_j (sum_{i != j, i != M} g_i r_i - g_j) + g_M p_j r_M,
///
/// and every factor is bounded: `r_i <= 1` for each `i` that is not the
/// unique maximum (`p_i <= 1/2` there), and `p_j r_M = e_j / (S (S - 1))`,
/// which is `e2_j / (S S2)` in the logits shifted by the second largest,
/// `m2`: `e2 = exp(z - m2)` over the entries other than `M`, `S2` their sum,
/// at least 1. With `e = exp(z - max z)` and `S = sum e`, `r_i = e_i / (S -
/// e_i)`, whose divisor holds the maximum's own 1 and does not cancel. Where
/// the maximum is tied, no entry is `M`, every `r_i <= 1`, and the first term
/// is the whole gradient. This is exact wherever `z` is finite, the way a
/// framework's registered custom gradient is: the gradient is built stable
/// here rather than found by the rules, which cannot split a sum by its
/// argmax.
struct ComplementedSoftmaxes {
    /// Differentiates `node`, whose adjoint is the sum of `terms`, when it is
    /// `log(1 - p)` (or `log1p(-p)`) of a softmax `p` of logits that depend
    /// on the input, passing the logits the gradient above; `false`,
    /// passing nothing, for any other node.
    func differentiate(
        _ node: NodeID, _ terms: [NodeID], in graph: inout TensorGraph, dependsOnInput: [Bool],
        into contributions: inout [NodeID: [NodeID]]
    ) throws(ShapeError) -> Bool {
        guard let softmax = ComplementedSoftmaxes.softmax(complementedBy: node, in: graph),
            dependsOnInput[softmax.logits]
        else { return false }
        let z = softmax.logits
        var g = try graph.unbroadcast(graph.total(terms), to: graph.nodes[z].shape)
        // The seed of a function summed whole is `fill(l, 1)`, which reads
        // only `l`'s shape; every operand `g` meets has that shape already,
        // so the constant alone broadcasts the same, and the printed
        // gradient does not carry the function's own stable form for it.
        if case .apply(.fill) = graph.nodes[g].kind, case .constant = graph.nodes[graph.nodes[g].arguments[1]].kind {
            g = graph.nodes[g].arguments[1]
        }
        let term = try gradient(of: z, along: softmax.axis, adjoint: g, in: &graph)
        contributions[z, default: []].append(term)
        return true
    }

    /// The gradient at `z` of `sum(g * log(1 - softmax(z)))`, built as the
    /// type's documentation splits it.
    private func gradient(of z: NodeID, along axis: Int?, adjoint g: NodeID, in graph: inout TensorGraph)
        throws(ShapeError) -> NodeID
    {
        func reduce(_ op: TensorOperator, _ value: NodeID) throws(ShapeError) -> NodeID {
            try graph.apply(op, [value], axis: axis)
        }
        func apply(_ op: TensorOperator, _ arguments: NodeID...) throws(ShapeError) -> NodeID {
            try graph.apply(op, arguments)
        }
        // `where(eq(v, max v), 0, v - max v)`: the shift the optimizer prints,
        // 0 rather than nan in a row of -inf.
        func shifted(_ value: NodeID) throws(ShapeError) -> NodeID {
            let maximum = try reduce(.max, value)
            return try apply(
                .select, apply(.binary(.equal), value, maximum), graph.constant(0),
                apply(.subtract, value, maximum))
        }
        let (zero, one) = (graph.constant(0), graph.constant(1))
        let e = try apply(.unary(.exp), shifted(z))
        let total = try reduce(.sum, e)
        let p = try apply(.divide, e, total)
        // The unique maximum: 1 where z is its row's maximum and no other
        // entry ties it, 0 elsewhere.
        let isMaximum = try apply(.binary(.equal), z, reduce(.max, z))
        let tied = try apply(.binary(.greater), reduce(.sum, isMaximum), one)
        let unique = try apply(.select, tied, zero, isMaximum)
        // r_i = e_i / (S - e_i) off the unique maximum, 0 at it. The divisor
        // is at least 1 (it holds the maximum's 1), to within a rounding
        // that `maximum` takes back: written so, the stability cost knows it
        // cannot be 0.
        let eOthers = try apply(.select, unique, zero, e)
        let odds = try apply(.divide, eOthers, apply(.binary(.maximum), apply(.subtract, total, eOthers), one))
        let weighted = try apply(.multiply, g, odds)
        let leaveOneOut = try apply(.subtract, reduce(.sum, weighted), weighted)
        let spread = try apply(.multiply, p, apply(.subtract, leaveOneOut, g))
        // g_M p_j r_M through the logits shifted by the second largest.
        let others = try apply(.select, unique, graph.constant(-.infinity), z)
        let e2 = try apply(.select, unique, zero, apply(.unary(.exp), shifted(others)))
        let gMaximum = try reduce(.sum, apply(.select, unique, g, zero))
        // S2 holds the second largest's 1, unless the maximum is alone in
        // its row (S2 = 0 and every e2 = 0, so the share is 0, not 0 / 0).
        let secondTotal = try apply(.binary(.maximum), reduce(.sum, e2), one)
        let share = try apply(.divide, apply(.multiply, gMaximum, e2), apply(.multiply, total, secondTotal))
        return try apply(.add, spread, share)
    }

    /// The logits and axis of the softmax `p` when `node` is `log(1 - p)`,
    /// `log(1 + -p)` (either order) or `log1p(-p)`, with `-p` spelled
    /// `neg p` or `-1 * p`, and `p` spelled `exp(z) / sum(exp z)`, `exp(z) *
    /// (1 / sum(exp z))`, `exp(z) * sum(exp z)^-1` or `exp(z - log(sum(exp
    /// z)))`, of `z`'s own shape.
    static func softmax(complementedBy node: NodeID, in graph: TensorGraph) -> (logits: NodeID, axis: Int?)? {
        let nodes = graph.nodes
        guard case .apply(.unary(let function)) = nodes[node].kind else { return nil }
        let argument = nodes[node].arguments[0]
        var probability: NodeID?
        if function == .log1p {
            probability = negated(argument, in: graph)
        } else if function == .log {
            let operands = nodes[argument].arguments
            switch nodes[argument].kind {
            case .apply(.subtract) where nodes[operands[0]].kind == .constant(1):
                probability = operands[1]
            case .apply(.add):
                for (one, other) in [(operands[0], operands[1]), (operands[1], operands[0])]
                where nodes[one].kind == .constant(1) {
                    probability = probability ?? negated(other, in: graph)
                }
            default:
                break
            }
        }
        guard let probability, let softmax = softmax(probability, in: graph),
            nodes[softmax.logits].shape == nodes[node].shape
        else { return nil }
        return softmax
    }

    /// `p` when `node` is `neg p`, `-1 * p` or `p * -1`.
    private static func negated(_ node: NodeID, in graph: TensorGraph) -> NodeID? {
        let operands = graph.nodes[node].arguments
        switch graph.nodes[node].kind {
        case .apply(.negate): return operands[0]
        case .apply(.multiply):
            if graph.nodes[operands[0]].kind == .constant(-1) { return operands[1] }
            if graph.nodes[operands[1]].kind == .constant(-1) { return operands[0] }
            return nil
        default: return nil
        }
    }

    /// The logits and axis of `node` when it is a softmax as spelled above.
    private static func softmax(_ node: NodeID, in graph: TensorGraph) -> (logits: NodeID, axis: Int?)? {
        let nodes = graph.nodes
        // The logits and axis of `sum(exp z)`, when `exp z` is `exp`, if given.
        func sumOfExp(_ id: NodeID, of exp: NodeID? = nil) -> (logits: NodeID, axis: Int?)? {
            guard case .apply(.sum) = nodes[id].kind else { return nil }
            let summed = nodes[id].arguments[0]
            guard case .apply(.unary(let function)) = nodes[summed].kind, function == .exp, exp ?? summed == summed
            else { return nil }
            return (nodes[summed].arguments[0], nodes[id].axis)
        }
        // The sum `s` when `id` is `1 / s` or `s^-1`.
        func reciprocal(_ id: NodeID) -> NodeID? {
            let operands = nodes[id].arguments
            switch nodes[id].kind {
            case .apply(.divide) where nodes[operands[0]].kind == .constant(1): return operands[1]
            case .apply(.binary(let function)) where function == .power && nodes[operands[1]].kind == .constant(-1):
                return operands[0]
            default: return nil
            }
        }
        let operands = nodes[node].arguments
        switch nodes[node].kind {
        case .apply(.divide):
            return sumOfExp(operands[1], of: operands[0])
        case .apply(.multiply):
            for (exp, other) in [(operands[0], operands[1]), (operands[1], operands[0])] {
                if let sum = reciprocal(other), let softmax = sumOfExp(sum, of: exp) { return softmax }
            }
            return nil
        case .apply(.unary(let function)) where function == .exp:
            let difference = operands[0]
            guard case .apply(.subtract) = nodes[difference].kind else { return nil }
            let (z, normalizer) = (nodes[difference].arguments[0], nodes[difference].arguments[1])
            guard case .apply(.unary(let log)) = nodes[normalizer].kind, log == .log,
                let sum = sumOfExp(nodes[normalizer].arguments[0]), sum.logits == z
            else { return nil }
            return sum
        default:
            return nil
        }
    }
}

extension TensorProgram {
    /// The program with its gradients taken again, each `log(1 - softmax)`
    /// of their functions split at its maximum (`ComplementedSoftmaxes`),
    /// and otherwise as written; `nil` where no function a gradient is taken
    /// of has one. The optimizer starts from it: the rules cannot reach that
    /// gradient from the chain rule's.
    public func splittingComplementedSoftmaxes() throws -> TensorProgram? {
        let functions = graph.topologicalOrder(from: gradients.map(\.function))
        guard functions.contains(where: { ComplementedSoftmaxes.softmax(complementedBy: $0, in: graph) != nil })
        else { return nil }
        return try differentiatingStableForms(scalingShiftsExactly: false) { $0 }
    }
}
