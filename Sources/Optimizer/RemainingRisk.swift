// What an optimized program still risks, for warnings: the extracted nodes
// the stability cost charges, by output.

import EGraph
import Extract
import TensorOps

/// A risk the returned program still takes: one node of one output that the
/// stability cost charges (Herbie warns the same way when its result can
/// still fail).
public struct RemainingRisk: Sendable, Equatable, CustomStringConvertible {
    /// The output whose term holds the node.
    public var output: String
    /// The node's subterm, in the language (shortened when long).
    public var term: String
    /// What can go wrong there.
    public var risk: StabilityCost.Risk

    /// `output y: (exp (/ x t)) exp can overflow`.
    public var description: String { "output \(output): \(term) \(risk.rawValue)" }

    /// The longest subterm a warning prints before eliding its middle.
    static let termLimit = 160

    /// The risks of the terms `extractor` chose for `roots`, each risky node
    /// once per output, in class order (deterministic).
    static func find(
        in extractor: Extractor<StabilityCost>, roots: [ClassID], outputs: [String], program: TensorProgram
    ) -> [RemainingRisk] {
        let printer = ExplanationPrinter(program: program)
        var risks: [RemainingRisk] = []
        // Outputs share their risky subterms (every parameter's gradient
        // of a model runs through the same forward pass): each is rendered
        // once, not once per output.
        var rendered: [ClassID: String] = [:]
        for (root, output) in zip(roots, outputs) {
            let chosen = extractor.chosenNodes(for: [root])
            for id in chosen.keys.sorted() {
                let node = chosen[id]!
                var own = extractor.function.ownRisks(of: node, in: extractor.egraph)
                // An underflow is the chosen operand's, not the node's alone
                // (only a log or an inverse, of one operand, can take it).
                if node.children.count == 1, let operand = extractor.cost(of: node.children[0]),
                    extractor.function.underflows(node, childCosts: [operand])
                {
                    own.append(.underflow)
                }
                guard !own.isEmpty else { continue }
                // A term far past what a warning shows is not built and
                // rendered whole only to be cut: on a sum of 100,000
                // operands that took a second.
                var text: String
                if let known = rendered[id] {
                    text = known
                } else if node.children.count > termLimit / 2 {
                    text = "(\(node.op) … \(node.children.count) operands)"
                } else if let term = extractor.terms(for: [id]).first ?? nil {
                    // A term that prints short is shown whole; a longer one
                    // as a glimpse of its top, since the middle of a long
                    // print (lets and all) says nothing of the node.
                    let whole = term.nodes.count <= termLimit / 4 ? printer.render(term) : nil
                    if let whole, whole.count <= termLimit {
                        text = whole
                    } else {
                        text =
                            term.nodes.count > 4 * termLimit
                            ? "(\(node.op) … \(term.nodes.count) operations)" : printer.glimpse(term)
                    }
                } else {
                    continue
                }
                if text.count > termLimit {
                    text = String(text.prefix(termLimit / 2)) + " … " + String(text.suffix(termLimit / 2))
                }
                rendered[id] = text
                for risk in own { risks.append(RemainingRisk(output: output, term: text, risk: risk)) }
            }
        }
        return risks
    }
}
