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
        for (root, output) in zip(roots, outputs) {
            let chosen = extractor.chosenNodes(for: [root])
            for id in chosen.keys.sorted() {
                let own = extractor.function.ownRisks(of: chosen[id]!, in: extractor.egraph)
                guard !own.isEmpty, let term = extractor.terms(for: [id]).first ?? nil else { continue }
                var text = printer.render(term)
                if text.count > termLimit {
                    text = String(text.prefix(termLimit / 2)) + " … " + String(text.suffix(termLimit / 2))
                }
                for risk in own { risks.append(RemainingRisk(output: output, term: text, risk: risk)) }
            }
        }
        return risks
    }
}
