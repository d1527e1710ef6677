import EGraph
import Foundation
import Workloads
import XCTest

/// The same workloads give byte-identical reports and e-graphs in two
/// processes. Swift seeds hashing per process, so a result that depended on
/// Dictionary or Set order would differ between the runs.
final class DeterminismTests: XCTestCase {
    private static let outputVariable = "SATURATE_DETERMINISM_OUTPUT"

    func testTheSameWorkloadsGiveTheSameReportInTwoProcesses() throws {
        #if os(Linux)
            let executable = CommandLine.arguments[0]
            var outputs: [String] = []
            for run in 0..<2 {
                let path = FileManager.default.temporaryDirectory
                    .appendingPathComponent(
                        "saturate-determinism-\(ProcessInfo.processInfo.processIdentifier)-\(run).txt")
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = ["WorkloadsTests.DeterminismTests/testWritesItsReportWhenAsked"]
                var environment = ProcessInfo.processInfo.environment
                environment[Self.outputVariable] = path.path
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0, "child test run \(run) failed")
                outputs.append(try String(contentsOf: path, encoding: .utf8))
                try? FileManager.default.removeItem(at: path)
            }
            XCTAssertGreaterThan(outputs[0].count, 1_000)
            XCTAssertEqual(outputs[0], outputs[1], "two processes disagree")
        #else
            throw XCTSkip("re-running the test bundle as a child process is set up for Linux's xctest only")
        #endif
    }

    /// In the child process, writes every count of every workload run and
    /// the final e-graph of each; in an ordinary run, checks that two runs in
    /// this one process agree (no dependence on time or on state left by an
    /// earlier run), which the two-process test then extends to hash seeds.
    func testWritesItsReportWhenAsked() throws {
        let report = try Self.report()
        if let path = ProcessInfo.processInfo.environment[Self.outputVariable] {
            try report.write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            XCTAssertGreaterThan(report.count, 1_000)
            XCTAssertEqual(report, try Self.report(), "two runs in one process disagree")
        }
    }

    /// Every count of every workload run, and the final e-graph of each.
    private static func report() throws -> String {
        let file = try WorkloadFile(contentsOf: WorkloadFile.bundledURL)
        let cases =
            try Workloads.micro(file) + Workloads.math(file) + Workloads.softmax(file)
            + Workloads.ac(file, declared: false).filter { ($0.expected?.nodes ?? .max) <= 1_939 }
            + Workloads.ac(file, declared: true)
        var lines: [String] = []
        for workloadCase in cases {
            let prepared = try workloadCase.prepare()
            let outcome = prepared.run()
            let report = outcome.report
            lines.append(
                "\(workloadCase.workload) \(workloadCase.name) \(report.stopReason) proved=\(outcome.proved as Any)")
            for (index, iteration) in report.iterations.enumerated() {
                let rules = iteration.rules.map { "\($0.name):\($0.matches)/\($0.applications)\($0.banned ? "!" : "")" }
                lines.append(
                    "  \(index) nodes=\(iteration.nodes) classes=\(iteration.classes) \(rules.joined(separator: " "))")
            }
            for id in prepared.egraph.classIDs {
                lines.append("  \(id) = " + prepared.egraph.nodes(in: id).map(\.description).joined(separator: " | "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
