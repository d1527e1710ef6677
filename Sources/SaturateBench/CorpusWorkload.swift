// The `corpus` workload: optimize every public case of the judge.

import EGraph
import Extract
import Foundation
import Optimizer
import TensorOps

/// The project's corpus (`Tests/Corpus`), which holds copies of the judge's
/// public cases beside its own: found from this file, so a fresh clone
/// benchmarks them without the judge beside it.
let defaultCorpus = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/Corpus")

/// One row per corpus case: the median time of the whole `optimize` call
/// (saturation, extraction and verification) over `runs`, with the
/// e-graph's size and stop reason of the last run. A case whose result still
/// risks a failure, or is less accurate than 8 cond bits on the adversarial
/// inputs, misses its expectation. With `publicOnly`, only the judge's public
/// cases are read: those whose `.json` names no generator, the project's own
/// families being generated (`scripts/make-corpus.py`).
func corpusRows(runs: Int, directory: URL, publicOnly: Bool, only names: [String]) throws -> [Row] {
    guard FileManager.default.fileExists(atPath: directory.path) else {
        FileHandle.standardError.write(Data("saturate-bench: no corpus at \(directory.path); skipping it\n".utf8))
        return []
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eqs") }
    var rows: [Row] = []
    for file in files.sorted() {
        let name = String(file.dropLast(4))
        guard names.isEmpty || names.contains(name) else { continue }
        if publicOnly, isGenerated(directory.appendingPathComponent(name + ".json")) { continue }
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let program = try TensorProgram(parsing: text, file: file)
        var times: [Double] = []
        var last: OptimizationResult?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            last = try optimize(program)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let result = last!
        let bits = result.report.accuracyAfter?.maximumBits ?? .infinity
        let stable = result.report.costAfter.allSatisfy { $0 < StabilityCost.failureUnit } && bits <= 8
        rows.append(
            Row(
                workload: "corpus", name: name, medianMilliseconds: median(times),
                iterations: result.report.run.iterations.count, nodes: result.report.run.nodes,
                classes: result.report.run.classes, stopReason: result.report.run.stopReason.description, proved: nil,
                expectation: stable
                    ? String(format: "stable, %.1f cond bits", bits) : String(format: "AT RISK, %.1f cond bits", bits)))
    }
    return rows
}

/// Whether a case's `.json` says a script generated it (or cannot be read):
/// not one of the judge's public cases.
func isGenerated(_ url: URL) -> Bool {
    guard let data = try? Data(contentsOf: url),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return true }
    return object["generator"] != nil
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
