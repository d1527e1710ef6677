/// Reverse mode through a normalized quotient `q = a / (S * c)`, with
/// `S = sum(a)` along an axis (or over every element) and `c` constant
/// along it (a temperature), for the gradients of stable forms.
///
/// Node by node, the adjoint reaches `a` twice: `g / (S c)` through the
/// numerator and `-sum(g * a) / (S² c)` through the sum, added apart. Where
/// `q` concentrates on one element (a softmax at a low temperature) the two
/// are nearly equal there and cancel, to rounding times `g`: a log-sum-exp's
/// Hessian-vector product at a temperature of 0.01 lost 9 bits so. Their sum
/// is the softmax VJP's `(g - sum(g * p)) / (S c)`, `p = a / S`, computed
/// here as that one difference, which the inputs' own rounding bounds. The
/// quotient passes `c` its share (`-g q / c`) and the sum none: what it
/// would pass on to `a` is in the difference.
struct NormalizedQuotients {
    /// Differentiates `node`, whose adjoint is the sum of `terms`, when it
    /// is such a quotient, adding what it passes on to `contributions`;
    /// `false`, passing nothing, for any other node.
    ///
    /// The numerator is `a` itself (a softmax), `a * b` (a weighted
    /// softmax, as a gradient's function often is once stabilized), or a
    /// sum of `a * b` along the same axis (an expectation): `a` then gets
    /// `g b` less its mean under `p`, over `S c`, and `b` gets `g a / (S c)`.
    func differentiate(
        _ node: NodeID, _ terms: [NodeID], in graph: inout TensorGraph, dependsOnInput: [Bool],
        into contributions: inout [NodeID: [NodeID]]
    ) throws(ShapeError) -> Bool {
        guard case .apply(.divide) = graph.nodes[node].kind else { return false }
        let (numerator, divisor) = (graph.nodes[node].arguments[0], graph.nodes[node].arguments[1])
        guard let quotient = Quotient(numerator, divisor, graph) else { return false }
        let g = try graph.total(terms)
        let a = quotient.a
        if dependsOnInput[a] {
            // The centered value: g - sum(g * a) / S for a softmax, whose
            // adjoint g varies along the axis; g * (b - N / S) for an
            // expectation, whose adjoint is constant along it.
            let centered: NodeID
            if let b = quotient.b, quotient.isExpectation {
                let mean = try graph.apply(.divide, [numerator, quotient.sum])
                centered = try graph.apply(.multiply, [g, graph.apply(.subtract, [b, mean])])
            } else {
                // g * b less its weighted mean, sum(g * b * a) / S.
                let gb = try quotient.b.map { b throws(ShapeError) in try graph.apply(.multiply, [g, b]) } ?? g
                let weighted = try graph.apply(
                    .sum, [graph.apply(.multiply, [gb, a])], axis: graph.nodes[quotient.sum].axis)
                centered = try graph.apply(.subtract, [gb, graph.apply(.divide, [weighted, quotient.sum])])
            }
            let term = try graph.unbroadcast(graph.apply(.divide, [centered, divisor]), to: graph.nodes[a].shape)
            contributions[a, default: []].append(term)
        }
        if let b = quotient.b, dependsOnInput[b] {
            let term = try graph.apply(.divide, [graph.apply(.multiply, [g, a]), divisor])
            contributions[b, default: []].append(try graph.unbroadcast(term, to: graph.nodes[b].shape))
        }
        if let c = quotient.scale, dependsOnInput[c] {
            let share = try graph.apply(.negate, [graph.apply(.divide, [graph.apply(.multiply, [g, node]), c])])
            contributions[c, default: []].append(try graph.unbroadcast(share, to: graph.nodes[c].shape))
        }
        return true
    }

    /// A quotient `N / (S * c)`: `S` a sum of `a` along an axis or over all,
    /// `N` either `a`, `a * b`, or a sum of `a * b` the same way (an
    /// expectation), `c` absent or constant along the axis (a scalar, or of
    /// the sum's shape).
    private struct Quotient {
        var a: NodeID
        var b: NodeID?
        var isExpectation = false
        var sum: NodeID
        var scale: NodeID?

        init?(_ numerator: NodeID, _ divisor: NodeID, _ graph: TensorGraph) {
            var sum = divisor
            var scale: NodeID?
            if case .apply(.multiply) = graph.nodes[divisor].kind {
                let factors = graph.nodes[divisor].arguments
                guard let index = factors.firstIndex(where: { Quotient.isSum($0, graph) }) else { return nil }
                (sum, scale) = (factors[index], factors[1 - index])
                let shape = graph.nodes[scale!].shape
                guard shape == .scalar || shape == graph.nodes[sum].shape else { return nil }
            }
            guard Quotient.isSum(sum, graph) else { return nil }
            let a = graph.nodes[sum].arguments[0]
            self.sum = sum
            self.scale = scale
            self.a = a
            if numerator == a { return }
            var product = numerator
            // An expectation: the same reduction of a product with `a`.
            if case .apply(.sum) = graph.nodes[numerator].kind {
                guard graph.nodes[numerator].axis == graph.nodes[sum].axis else { return nil }
                product = graph.nodes[numerator].arguments[0]
                isExpectation = true
            }
            guard case .apply(.multiply) = graph.nodes[product].kind,
                let index = graph.nodes[product].arguments.firstIndex(of: a)
            else { return nil }
            let b = graph.nodes[product].arguments[1 - index]
            // Both of the product's shape, so no broadcast needs undoing
            // beyond the unbroadcast of each adjoint.
            let shape = graph.nodes[product].shape
            guard graph.nodes[b].shape == shape, graph.nodes[a].shape == shape else { return nil }
            self.b = b
        }

        static func isSum(_ id: NodeID, _ graph: TensorGraph) -> Bool {
            if case .apply(.sum) = graph.nodes[id].kind { return true }
            return false
        }
    }
}
