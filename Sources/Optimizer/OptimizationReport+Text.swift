import EGraph
import Extract
import Foundation
import TensorOps

extension OptimizationReport {
    /// What a user should know without asking for the report, one line
    /// each: the input was returned unchanged, or an output still risks
    /// failing (which node, which risk). Cancellations are accuracy risks
    /// the probe measures, so they warn only when the input was kept.
    public var warnings: [String] {
        var lines: [String] = []
        if keptInput {
            lines.append(
                "the program is returned as written (grad expanded): the rewritten one was less accurate on the probe's inputs"
            )
        }
        for risk in remainingRisks where risk.risk.isFailure { lines.append(risk.description) }
        return lines
    }

    /// The report as lines of text, for `saturate optimize --report`.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "stop: \(run.stopReason) after \(run.iterations.count) iteration\(run.iterations.count == 1 ? "" : "s"), "
                + "\(run.nodes) e-nodes, "
                + "\(run.classes) e-classes, \(String(format: "%.3f", run.totalSeconds)) s saturating")
        lines.append(
            "phases: "
                + phaseSeconds.map { "\($0.phase) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", "))
        lines.append("cost before: " + costBefore.map { String(format: "%.1f", $0) }.joined(separator: ", "))
        lines.append("cost after:  " + costAfter.map { String(format: "%.1f", $0) }.joined(separator: ", "))
        if let accuracyBefore, let accuracyAfter {
            lines.append(
                String(
                    format:
                        "accuracy (cond bits, worst/mean over adversarial inputs): before %.1f/%.2f, after %.1f/%.2f",
                    accuracyBefore.maximumBits, accuracyBefore.meanBits, accuracyAfter.maximumBits,
                    accuracyAfter.meanBits) + (keptInput ? " (kept the input: the rewrite was less accurate)" : "")
                    + (accuracyIsUpperBound ? " (upper bounds: measured without the sensitivities)" : ""))
        }
        if let unverifiedBecause { lines.append("accuracy: not verified (\(unverifiedBecause))") }
        for risk in remainingRisks { lines.append("risk: \(risk)") }
        let applied = run.ruleTotals.filter { $0.applications > 0 }.sorted { $0.applications > $1.applications }
        lines.append(
            "rules applied: "
                + (applied.isEmpty ? "none" : applied.map { "\($0.name) \($0.applications)" }.joined(separator: ", ")))
        for (index, iteration) in run.iterations.enumerated() {
            let top = iteration.rules.filter { $0.applications > 0 }.sorted { $0.applications > $1.applications }
                .prefix(4).map { "\($0.name) \($0.applications)" }
            let banned = iteration.rules.filter(\.banned).map(\.name)
            lines.append(
                "  iteration \(index): \(iteration.nodes) nodes, \(iteration.classes) classes, "
                    + String(
                        format: "%.1f ms",
                        (iteration.searchSeconds + iteration.applySeconds + iteration.rebuildSeconds) * 1000)
                    + (top.isEmpty ? "" : "; most applied: " + top.joined(separator: ", "))
                    + (banned.isEmpty ? "" : "; banned: " + banned.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
