// The `limits` workload: programs that once ran far past their limits,
// timed as the command line runs them (read, optimize, print), each checked
// against the promise it tests.

import EGraph
import Foundation
import Optimizer
import TensorOps

/// One limit case: a program's text, the options it runs with, and the most
/// seconds and e-nodes it may take.
struct LimitCase {
    var name: String
    var text: String
    var options: OptimizeOptions
    var seconds: Double
    var nodes: Int?
}

/// The cases of issue 12: 40 doubling lets in under a second; a sum of
/// 100,000 operands and a 5,000-term log-sum-exp within `--time-limit 2`
/// plus a tenth; a program whose e-graph grows past a node limit of 2,000
/// stopping within a tenth of it.
func limitCases() -> [LimitCase] {
    var doubling = ["(input a0 [n])"]
    for level in 1...40 { doubling.append("(let a\(level) (+ a\(level - 1) a\(level - 1)))") }
    doubling.append("(output y a40)")
    let sum = "(input x [n])\n(output y (+ " + (1...100_000).map { "(* x \($0))" }.joined(separator: " ") + "))"
    let lse =
        "(input x [n])\n(output y (log (+ " + (1...5_000).map { "(exp (* x \($0)))" }.joined(separator: " ") + ")))"
    let attention = try? String(contentsOf: defaultModels.appendingPathComponent("attention_h8.eqs"), encoding: .utf8)
    var timed = OptimizeOptions()
    timed.limits.seconds = 2
    var small = OptimizeOptions()
    small.limits.nodes = 2_000
    var cases = [
        LimitCase(
            name: "doubling_lets_40", text: doubling.joined(separator: "\n"), options: OptimizeOptions(), seconds: 1),
        LimitCase(name: "sum_100000", text: sum, options: timed, seconds: 2.2),
        LimitCase(name: "lse_5000", text: lse, options: timed, seconds: 2.2),
    ]
    if let attention {
        cases.append(
            LimitCase(name: "attention_h8_nodes_2000", text: attention, options: small, seconds: 10, nodes: 2_200))
    }
    return cases
}

/// One row per limit case: the median seconds of reading, optimizing and
/// printing over `runs`, and whether the case kept its promise.
func limitRows(runs: Int, only names: [String]) throws -> [Row] {
    var rows: [Row] = []
    for limitCase in limitCases() where names.isEmpty || names.contains(limitCase.name) {
        var times: [Double] = []
        var last: OptimizationResult?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let program = try TensorProgram(parsing: limitCase.text)
            let result = try optimize(program, options: limitCase.options)
            _ = result.program.text
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            last = result
        }
        let result = last!
        let milliseconds = median(times)
        var checks: [String] = []
        checks.append(
            milliseconds <= limitCase.seconds * 1000
                ? String(format: "within %.1f s", limitCase.seconds)
                : String(format: "PAST LIMIT of %.1f s", limitCase.seconds))
        if let nodes = limitCase.nodes {
            checks.append(result.report.run.nodes <= nodes ? "within \(nodes) nodes" : "PAST LIMIT of \(nodes) nodes")
        }
        if let reason = result.report.unverifiedBecause { checks.append("unverified: \(reason)") }
        rows.append(
            Row(
                workload: "limits", name: limitCase.name, medianMilliseconds: milliseconds,
                iterations: result.report.run.iterations.count, nodes: result.report.run.nodes,
                classes: result.report.run.classes, stopReason: result.report.run.stopReason.description, proved: nil,
                expectation: checks.joined(separator: ", ")))
    }
    return rows
}
