// The `models` workload: optimize every program of Benchmarks/Models (whole
// models: attention VJPs, MLPs with their parameters' gradients, losses),
// timing the whole `optimize` call and each of its phases.

import Foundation
import Optimizer
import TensorOps

/// The model suite of the repository (`Benchmarks/Models`), found from this
/// file so the benchmark runs from any directory of a fresh clone.
let defaultModels = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Benchmarks/Models")

/// One model's figures: the program's size, the e-graph's, and the median
/// time of each phase and of the whole call.
struct ModelRow {
    var name: String
    /// Operations of the program with `grad` expanded: the size the time
    /// should grow with.
    var operations: Int
    var nodes: Int
    var iterations: Int
    var stopReason: String
    /// The median over the runs of each phase of the optimization report,
    /// in milliseconds, in the report's order.
    var phaseMilliseconds: [(phase: String, milliseconds: Double)]
    var medianMilliseconds: Double
    /// The returned program's worst cond bits on the probe's adversarial
    /// inputs (infinite when unverified).
    var bits: Double

    var json: String {
        let phases = phaseMilliseconds.map { "\"\($0.phase)\":\(String(format: "%.3f", $0.milliseconds))" }
        return """
            {"workload":"models","case":"\(name)","median_ms":\(String(format: "%.3f", medianMilliseconds)),\
            "operations":\(operations),"nodes":\(nodes),"iterations":\(iterations),"stop_reason":"\(stopReason)",\
            "phases_ms":{\(phases.joined(separator: ","))},"cond_bits":\(bits.isFinite ? String(format: "%.2f", bits) : "null")}
            """
    }
}

/// Optimizes every `.eqs` of `directory` (those named in `only`, when it is
/// not empty) `runs` times each.
func modelRows(runs: Int, directory: URL, only names: [String]) throws -> [ModelRow] {
    guard FileManager.default.fileExists(atPath: directory.path) else {
        FileHandle.standardError.write(Data("saturate-bench: no models at \(directory.path); skipping them\n".utf8))
        return []
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eqs") }
    var rows: [ModelRow] = []
    for file in files.sorted() {
        let name = String(file.dropLast(4))
        guard names.isEmpty || names.contains(name) else { continue }
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let program = try TensorProgram(parsing: text, file: file)
        var times: [Double] = []
        var phases: [String: [Double]] = [:]
        var last: OptimizationResult?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try optimize(program)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            for (phase, seconds) in result.report.phaseSeconds { phases[phase, default: []].append(seconds * 1000) }
            last = result
        }
        let result = last!
        rows.append(
            ModelRow(
                name: name, operations: program.graph.nodes.count,
                nodes: result.report.run.nodes, iterations: result.report.run.iterations.count,
                stopReason: result.report.run.stopReason.description,
                phaseMilliseconds: result.report.phaseSeconds.map { ($0.phase, median(phases[$0.phase]!)) },
                medianMilliseconds: median(times), bits: result.report.accuracyAfter?.maximumBits ?? .infinity))
    }
    return rows
}

/// Prints the rows as a table, or one JSON object a line, then a summary:
/// the median and the largest of the programs' medians.
func printModels(_ rows: [ModelRow], json: Bool) {
    guard !rows.isEmpty else { return }
    let medians = rows.map(\.medianMilliseconds)
    let summary = (median: median(medians), max: medians.max()!)
    if json {
        for row in rows { print(row.json) }
        print(
            "{\"workload\":\"models\",\"case\":\"(summary)\",\"median_ms\":\(String(format: "%.3f", summary.median)),"
                + "\"max_ms\":\(String(format: "%.3f", summary.max)),\"programs\":\(rows.count)}")
        return
    }
    print(
        "\n" + pad("model", 22) + pad("ops", 6, right: true) + pad("nodes", 8, right: true)
            + pad("iters", 6, right: true) + pad("median ms", 11, right: true) + pad("bits", 6, right: true) + "  "
            + pad("stop", 14) + "phases (ms)")
    for row in rows {
        let phases = row.phaseMilliseconds.map { "\($0.phase) \(String(format: "%.1f", $0.milliseconds))" }
        print(
            pad(row.name, 22) + pad(String(row.operations), 6, right: true) + pad(String(row.nodes), 8, right: true)
                + pad(String(row.iterations), 6, right: true)
                + pad(String(format: "%.1f", row.medianMilliseconds), 11, right: true)
                + pad(row.bits.isFinite ? String(format: "%.1f", row.bits) : "-", 6, right: true) + "  "
                + pad(row.stopReason, 14) + phases.joined(separator: ", "))
    }
    print(
        "models: \(rows.count) programs, median \(String(format: "%.1f", summary.median)) ms, "
            + "slowest \(String(format: "%.1f", summary.max)) ms")
}
