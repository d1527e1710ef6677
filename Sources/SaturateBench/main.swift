// saturate-bench: fixed e-graph workloads, timed in a release build.
//
//   swift run -c release saturate-bench [--json] [--runs N] [--workload NAME]... [--case NAME]...
//                                       [--workloads FILE] [--corpus DIR] [--models DIR]
//
// The `corpus` workload optimizes every public case of the judge (the copies
// in Tests/Corpus by default, or every case of --corpus DIR) and times the
// whole optimize call; the `models` workload does the same for the whole
// models of Benchmarks/Models (or --models DIR), with the time of each phase;
// the `limits` workload checks the time and node limits on programs that
// once ran far past them.
//
// Prints a table (or, with --json, one JSON object per line) with the median
// time of the saturation loop over N runs (default 5), and the iterations,
// e-nodes, e-classes, stop reason and proof status of the last run.

import EGraph
import Foundation
import Workloads

struct Options {
    var json = false
    var runs = 5
    var workloads: [String] = []
    var cases: [String] = []
    var file = WorkloadFile.bundledURL
    var corpus: URL?
    var models = defaultModels

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--json": json = true
            case "--runs":
                guard let text = iterator.next(), let value = Int(text), value >= 1 else {
                    throw UsageError("--runs takes a positive integer")
                }
                runs = value
            case "--workload":
                guard let name = iterator.next(), (Workloads.names + extraWorkloads).contains(name) else {
                    throw UsageError(
                        "--workload takes one of: \((Workloads.names + extraWorkloads).joined(separator: ", "))")
                }
                workloads.append(name)
            case "--case":
                guard let name = iterator.next() else { throw UsageError("--case takes a case name") }
                cases.append(name)
            case "--workloads":
                guard let path = iterator.next() else { throw UsageError("--workloads takes a file") }
                file = URL(fileURLWithPath: path)
            case "--corpus":
                guard let path = iterator.next() else { throw UsageError("--corpus takes a directory") }
                corpus = URL(fileURLWithPath: path)
            case "--models":
                guard let path = iterator.next() else { throw UsageError("--models takes a directory") }
                models = URL(fileURLWithPath: path)
            case "--help", "-h":
                throw UsageError(nil)
            default:
                throw UsageError("unknown argument '\(argument)'")
            }
        }
    }
}

/// The workloads beside those of the workload file: the corpus, the model
/// suite and the limit checks.
let extraWorkloads = ["corpus", "models", "limits"]

struct UsageError: Error {
    var message: String?
    init(_ message: String?) { self.message = message }
}

struct Row {
    var workload: String
    var name: String
    var medianMilliseconds: Double
    var iterations: Int
    var nodes: Int
    var classes: Int
    var stopReason: String
    var proved: Bool?
    var expectation: String
    /// The process's peak resident memory after the case, in MiB. It only
    /// grows, so a case that raised it shows a larger figure than the row
    /// before; each case's e-graphs are freed before the next.
    var peakMegabytes = peakResidentMegabytes()

    var json: String {
        let proved = self.proved.map { $0 ? "true" : "false" } ?? "null"
        return """
            {"workload":"\(workload)","case":"\(name)","median_ms":\(String(format: "%.3f", medianMilliseconds)),\
            "iterations":\(iterations),"nodes":\(nodes),"classes":\(classes),"stop_reason":"\(stopReason)",\
            "proved":\(proved),"peak_rss_mb":\(String(format: "%.1f", peakMegabytes)),"check":"\(expectation)"}
            """
    }
}

func measure(_ workloadCase: WorkloadCase, runs: Int) throws -> Row {
    var times: [Double] = []
    var last: CaseOutcome?
    for _ in 0..<runs {
        let prepared = try workloadCase.prepare()
        let outcome = prepared.run()
        times.append(outcome.report.totalSeconds * 1000)
        last = outcome
    }
    times.sort()
    let median =
        times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    let outcome = last!
    var checks: [String] = []
    if let expected = workloadCase.expected, outcome.report.stopReason == .saturated {
        let exact = expected.nodes == outcome.report.nodes && expected.classes == outcome.report.classes
        checks.append(exact ? "exact size" : "SIZE MISMATCH (expected \(expected.nodes)/\(expected.classes))")
    }
    if let expectProved = workloadCase.expectProved, let proved = outcome.proved {
        checks.append(proved == expectProved ? (proved ? "proved" : "not proved, as expected") : "UNEXPECTED")
    }
    return Row(
        workload: workloadCase.workload, name: workloadCase.name, medianMilliseconds: median,
        iterations: outcome.report.iterations.count, nodes: outcome.report.nodes, classes: outcome.report.classes,
        stopReason: outcome.report.stopReason.description, proved: outcome.proved,
        expectation: checks.joined(separator: ", "))
}

/// The process's peak resident set size so far, in MiB (Linux reports
/// `ru_maxrss` in KiB).
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    return Double(usage.ru_maxrss) / 1024
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let file = try WorkloadFile(contentsOf: options.file)
    let selected = try Workloads.cases(from: file).filter {
        (options.workloads.isEmpty || options.workloads.contains($0.workload))
            && (options.cases.isEmpty || options.cases.contains($0.name))
    }
    if !options.json {
        print(
            pad("workload", 12) + pad("case", 26) + pad("median ms", 11, right: true) + pad("iters", 7, right: true)
                + pad("nodes", 9, right: true) + pad("classes", 9, right: true) + pad("peak MiB", 10, right: true)
                + "  "
                + pad("stop", 16) + "check")
    }
    var failures = 0
    var allRows: [Row] = []
    for workloadCase in selected { allRows.append(try measure(workloadCase, runs: options.runs)) }
    if options.workloads.isEmpty || options.workloads.contains("corpus") {
        allRows += try corpusRows(
            runs: options.runs, directory: options.corpus ?? defaultCorpus, publicOnly: options.corpus == nil,
            only: options.cases)
    }
    if options.workloads.isEmpty || options.workloads.contains("limits") {
        allRows += try limitRows(runs: options.runs, only: options.cases)
    }
    for row in allRows {
        if ["MISMATCH", "UNEXPECTED", "AT RISK", "PAST LIMIT"].contains(where: row.expectation.contains) {
            failures += 1
        }
        if options.json {
            print(row.json)
        } else {
            print(
                pad(row.workload, 12) + pad(row.name, 26)
                    + pad(String(format: "%.3f", row.medianMilliseconds), 11, right: true)
                    + pad(String(row.iterations), 7, right: true) + pad(String(row.nodes), 9, right: true)
                    + pad(String(row.classes), 9, right: true)
                    + pad(String(format: "%.1f", row.peakMegabytes), 10, right: true) + "  " + pad(row.stopReason, 16)
                    + row.expectation)
        }
    }
    if options.workloads.isEmpty || options.workloads.contains("models") {
        printModels(
            try modelRows(runs: options.runs, directory: options.models, only: options.cases), json: options.json)
    }
    if failures > 0 {
        FileHandle.standardError.write(Data("saturate-bench: \(failures) case(s) missed their expectation\n".utf8))
        exit(1)
    }
} catch let error as UsageError {
    if let message = error.message { FileHandle.standardError.write(Data("saturate-bench: \(message)\n".utf8)) }
    print(
        "usage: saturate-bench [--json] [--runs N] [--workload NAME]... [--case NAME]... [--workloads FILE]"
            + " [--corpus DIR] [--models DIR]")
    exit(error.message == nil ? 0 : 2)
} catch {
    FileHandle.standardError.write(Data("saturate-bench: \(error)\n".utf8))
    exit(1)
}
