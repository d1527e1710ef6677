import Foundation
import TensorOps
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The capture groups of `pattern` matched against all of `text` (or, unless
/// `whole`, its first match), an unmatched optional group as ""; `nil` when
/// it does not match. NSRegularExpression, since `Regex` needs macOS 13.
private func captures(_ pattern: String, in text: String, whole: Bool = true) -> [String]? {
    let expression = try! NSRegularExpression(pattern: whole ? "^(?:" + pattern + ")$" : pattern)
    guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
        return nil
    }
    return (1..<match.numberOfRanges).map { group in
        Range(match.range(at: group), in: text).map { String(text[$0]) } ?? ""
    }
}

/// A pseudo-terminal for a child's stderr, and everything the child wrote to it.
private final class PseudoTerminal: @unchecked Sendable {
    /// The child's end, to pass as its stderr.
    let childEnd: FileHandle
    private let master: Int32
    private let lock = NSLock()
    private var received = Data()
    private let drained = DispatchSemaphore(value: 0)

    init() throws {
        // Through dlsym: the Glibc module leaves out the X/Open terminal calls.
        let library = dlopen(nil, RTLD_NOW)
        func function<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        typealias Call = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let openTerminal = function("posix_openpt", as: Call.self),
            let grant = function("grantpt", as: Call.self), let unlock = function("unlockpt", as: Call.self),
            let name = function("ptsname", as: Name.self)
        else { throw XCTSkip("no pseudo-terminal calls in the C library") }
        let master = openTerminal(O_RDWR | O_NOCTTY)
        guard master >= 0, grant(master) == 0, unlock(master) == 0, let path = name(master) else {
            if master >= 0 { close(master) }
            throw XCTSkip("no pseudo-terminal available")
        }
        let child = open(path, O_RDWR | O_NOCTTY)
        guard child >= 0 else {
            close(master)
            throw XCTSkip("cannot open the pseudo-terminal \(String(cString: path))")
        }
        self.master = master
        childEnd = FileHandle(fileDescriptor: child, closeOnDealloc: true)
        // Read as the child writes, so a full terminal buffer can never block it.
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                // Once every copy of the child's end is closed, Linux reports
                // EIO and macOS end of file.
                guard count > 0 else { break }
                lock.withLock { received.append(contentsOf: buffer[0..<count]) }
            }
            drained.signal()
        }
    }

    /// Everything written, once the child has exited (closing this process's
    /// copy of its end first, so the reader sees the end).
    func finish() throws -> String {
        try childEnd.close()
        if drained.wait(timeout: .now() + 10) == .timedOut { XCTFail("the terminal reader did not finish") }
        close(master)
        return lock.withLock { String(decoding: received, as: UTF8.self) }
    }
}

/// The seed example optimized plainly and with every inspection option, run
/// once for all the tests that read them.
private struct SeedRuns: Sendable {
    var plain: SaturateProcess.Run
    var inspected: SaturateProcess.Run
    var json: String
    var dot: String
}

/// `saturate optimize` for someone inspecting a run: `--dump-egraph` writes the
/// final e-graph with the extraction marked, without changing what is printed;
/// `--report` accounts for each iteration; a terminal shows progress, a pipe
/// never does. All through the real executable, as a user runs it.
final class InspectionTests: XCTestCase {
    private static let seed = SaturateProcess.packageRoot.appendingPathComponent("examples/seed_softmax_grad.eqs").path
    /// A time limit far past the run's length, so a loaded machine stops the
    /// run where an idle one does (by its goal) and outputs can be compared;
    /// and the seed's gradient optimized as written, whose e-graph of
    /// thousands of nodes, some of which can overflow, the dumps show (the
    /// gradient of its stable form is 0 at once).
    private static let patientLimits = ["--time-limit", "600", "--written-gradients"]
    /// The progress line's delay in these runs, in seconds: the seed takes
    /// more than a second in a debug build, but not much more.
    private static let progressDelay = 0.25
    private static let environment = ProcessInfo.processInfo.environment.merging(
        ["SATURATE_PROGRESS_DELAY": "\(progressDelay)"]) { _, new in new }

    private static let seedRuns: Result<SeedRuns, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("seed.json")
        let dot = directory.appendingPathComponent("seed.dot")
        let runs = try SaturateProcess.inParallel([
            { @Sendable in try SaturateProcess.run(["optimize", seed] + patientLimits, environment: environment) },
            { @Sendable in
                try SaturateProcess.run(
                    ["optimize", seed, "--dump-egraph", json.path, "--report", "--dump-egraph", dot.path]
                        + patientLimits, environment: environment)
            },
        ])
        return SeedRuns(
            plain: runs[0], inspected: runs[1],
            json: (try? String(contentsOf: json, encoding: .utf8)) ?? "",
            dot: (try? String(contentsOf: dot, encoding: .utf8)) ?? "")
    }

    /// The seed runs, both checked to have succeeded.
    private func seedRuns(line: UInt = #line) throws -> SeedRuns {
        _ = try SaturateProcess.require()
        let runs = try Self.seedRuns.get()
        for run in [runs.plain, runs.inspected] {
            XCTAssertFalse(run.crashed, run.summary, line: line)
            XCTAssertEqual(run.status, 0, run.summary, line: line)
        }
        return runs
    }

    /// The JSON dump's nodes, keyed by id.
    private func jsonNodes(_ runs: SeedRuns) throws -> (nodes: [String: [String: Any]], object: [String: Any]) {
        let object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(runs.json.utf8)) as? [String: Any],
            "the JSON dump is an object:\n\(runs.json.prefix(300))")
        return (try XCTUnwrap(object["nodes"] as? [String: [String: Any]]), object)
    }

    // MARK: stdout

    func testDumpingAndReportingLeaveStdoutUnchanged() throws {
        let runs = try seedRuns()
        XCTAssertFalse(runs.plain.stdout.isEmpty)
        XCTAssertEqual(runs.inspected.stdout, runs.plain.stdout)
        XCTAssertNoThrow(try TensorProgram(parsing: runs.plain.stdout, file: "<stdout>"), runs.plain.stdout)
        // Past the progress line's delay, yet stderr, a file here, stayed empty.
        XCTAssertGreaterThan(
            runs.plain.seconds, 2 * Self.progressDelay, "the run is too quick to show that progress stays off")
        XCTAssertEqual(runs.plain.stderr, "", "no progress or other noise on a stderr that is not a terminal")
    }

    // MARK: JSON

    func testJSONDumpIsAnEGraphWithEachOutputsExtractedTermMarked() throws {
        let runs = try seedRuns()
        let (nodes, object) = try jsonNodes(runs)
        XCTAssertGreaterThan(nodes.count, 1)
        var classes: [String: [String]] = [:]
        for (id, node) in nodes {
            XCTAssertNotNil(node["op"] as? String, "\(id) has an op")
            XCTAssertNotNil(node["cost"] as? Double, "\(id) has a cost")
            let eclass = try XCTUnwrap(node["eclass"] as? String, "\(id) has an eclass")
            classes[eclass, default: []].append(id)
            for child in try XCTUnwrap(node["children"] as? [String], "\(id) has children") {
                XCTAssertNotNil(nodes[child], "child \(child) of \(id) is a node")
            }
        }
        let roots = try XCTUnwrap(object["root_eclasses"] as? [String])
        XCTAssertEqual(roots.count, 1, "the seed has one output")
        for root in roots { XCTAssertNotNil(classes[root], "root class \(root) has nodes") }

        let marked = Set(nodes.filter { $0.value["extracted"] as? Bool == true }.map(\.key))
        XCTAssertLessThan(marked.count, nodes.count, "only the extraction is marked, not the whole e-graph")
        var markedIn: [String: String] = [:]
        for id in marked.sorted() {
            let eclass = try XCTUnwrap(nodes[id]?["eclass"] as? String)
            XCTAssertNil(markedIn[eclass], "class \(eclass) has one extracted node")
            markedIn[eclass] = id
        }
        // The marks form a term from each root: the walk down the marked node
        // of each class reaches only classes that have one, and ends.
        var finished: Set<String> = []
        var onPath: Set<String> = []
        func walk(_ eclass: String) throws {
            if finished.contains(eclass) { return }
            XCTAssertFalse(onPath.contains(eclass), "the extracted term loops through class \(eclass)")
            guard !onPath.contains(eclass) else { return }
            let id = try XCTUnwrap(markedIn[eclass], "class \(eclass) in an extracted term has a marked node")
            onPath.insert(eclass)
            for child in try XCTUnwrap(nodes[id]?["children"] as? [String]) {
                try walk(try XCTUnwrap(nodes[child]?["eclass"] as? String))
            }
            onPath.remove(eclass)
            finished.insert(eclass)
        }
        for root in roots { try walk(root) }
        XCTAssertEqual(finished, Set(markedIn.keys), "every marked node is in some output's term")

        // class_data names the same choices.
        let classData = try XCTUnwrap(object["class_data"] as? [String: [String: Any]])
        XCTAssertEqual(Set(classData.keys), Set(classes.keys))
        let chosen = classData.compactMapValues { $0["extracted"] as? String }
        XCTAssertEqual(chosen, markedIn)
    }

    /// Each node carries the stability cost extraction compared it by: the
    /// extracted node of a class is one of its cheapest, and the outputs'
    /// extracted nodes cost what the report says the outputs cost.
    func testJSONDumpCarriesTheStabilityCostOfEachNode() throws {
        let runs = try seedRuns()
        let (nodes, object) = try jsonNodes(runs)
        var cheapest: [String: Double] = [:]
        for node in nodes.values {
            let eclass = try XCTUnwrap(node["eclass"] as? String)
            let cost = try XCTUnwrap(node["cost"] as? Double)
            XCTAssertGreaterThan(cost, 0)
            cheapest[eclass] = min(cheapest[eclass] ?? .infinity, cost)
        }
        let extracted = nodes.filter { $0.value["extracted"] as? Bool == true }
        for (id, node) in extracted {
            let eclass = try XCTUnwrap(node["eclass"] as? String)
            XCTAssertEqual(node["cost"] as? Double, cheapest[eclass], "\(id) is a cheapest node of class \(eclass)")
        }
        let costs = Set(nodes.values.compactMap { $0["cost"] as? Double })
        XCTAssertTrue(costs.contains { $0 >= 1e9 }, "some node can overflow, and its cost says so")
        let after = try XCTUnwrap(
            runs.inspected.stderr.split(separator: "\n").first { $0.hasPrefix("cost after:") }, runs.inspected.stderr)
        let roots = try XCTUnwrap(object["root_eclasses"] as? [String])
        let rootCosts = roots.compactMap { root in
            extracted.values.first { $0["eclass"] as? String == root }?["cost"] as? Double
        }
        XCTAssertEqual(
            "cost after:  " + rootCosts.map { String(format: "%.1f", $0) }.joined(separator: ", "), String(after))
    }

    func testJSONDumpHasTheSizeTheReportGives() throws {
        let runs = try seedRuns()
        let (nodes, _) = try jsonNodes(runs)
        let stop = try XCTUnwrap(runs.inspected.stderr.split(separator: "\n").first { $0.hasPrefix("stop: ") })
        let classCount = Set(nodes.values.compactMap { $0["eclass"] as? String }).count
        XCTAssertTrue(stop.contains(" \(nodes.count) e-nodes, \(classCount) e-classes"), "\(stop)")
    }

    // MARK: DOT

    func testDOTDumpIsWellFormedAndMarksTheNodesTheJSONMarks() throws {
        let runs = try seedRuns()
        let dot = runs.dot
        XCTAssertTrue(dot.hasPrefix("digraph "), String(dot.prefix(100)))
        XCTAssertTrue(dot.hasSuffix("}\n"))
        var depth = 0
        for character in dot where character == "{" || character == "}" {
            depth += character == "{" ? 1 : -1
            XCTAssertGreaterThanOrEqual(depth, 0, "a brace closes before it opens")
        }
        XCTAssertEqual(depth, 0, "braces balance")

        // Both dumps name a node "class.position", so the marks must agree.
        let (nodes, object) = try jsonNodes(runs)
        let markedInJSON = Set(nodes.filter { $0.value["extracted"] as? Bool == true }.map(\.key))
        var declared: Set<String> = []
        var markedInDOT: Set<String> = []
        for line in dot.split(separator: "\n") where !line.contains(" -> ") && line.contains("[label=") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("\""), let close = trimmed.dropFirst().firstIndex(of: "\"") else {
                XCTFail("a node line without a quoted id: \(line)")
                continue
            }
            let id = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            declared.insert(id)
            if line.contains("style=\"filled,bold\"") { markedInDOT.insert(id) }
        }
        XCTAssertEqual(declared, Set(nodes.keys), "the DOT draws the nodes the JSON lists")
        XCTAssertFalse(markedInDOT.isEmpty)
        XCTAssertEqual(markedInDOT, markedInJSON)
        // The output's box, and only it, is drawn as a root.
        let roots = try XCTUnwrap(object["root_eclasses"] as? [String])
        let boldBoxes = dot.components(separatedBy: "    subgraph cluster_").dropFirst()
            .filter { $0.contains("\n        style=bold\n") }.map { String($0.prefix { $0.isNumber }) }
        XCTAssertEqual(boldBoxes, roots)
    }

    // MARK: --report

    func testReportHasOneLinePerIterationWithSizesRulesAndTime() throws {
        let report = try seedRuns().inspected.stderr
        let lines = report.split(separator: "\n").map(String.init)
        let stop = try XCTUnwrap(lines.first { $0.hasPrefix("stop: ") }, report)
        let count = try XCTUnwrap(
            captures(#"after (\d+) iterations, (\d+) e-nodes, (\d+) e-classes"#, in: stop, whole: false), stop)
        let iterations = try XCTUnwrap(Int(count[0]))
        XCTAssertGreaterThan(iterations, 1)
        let pattern =
            #"  iteration (\d+): (\d+) nodes, (\d+) classes, (\d+\.\d) ms"#
            + #"(?:; most applied: (.+?))?(?:; banned: .+)?"#
        let matches = lines.compactMap { captures(pattern, in: $0) }
        XCTAssertEqual(
            lines.filter { $0.hasPrefix("  iteration ") }.count, matches.count,
            "every iteration line has nodes, classes and ms:\n\(report)")
        XCTAssertEqual(matches.map { Int($0[0])! }, Array(0..<iterations), report)
        // The last iteration ends where the run does.
        XCTAssertEqual(matches.last?[1], count[1])
        XCTAssertEqual(matches.last?[2], count[2])
        let applied = matches.map { $0[4] }.filter { !$0.isEmpty }
        XCTAssertFalse(applied.isEmpty, "some iteration applied rules:\n\(report)")
        for rules in applied {
            let entries = rules.split(separator: ", ").map(String.init)
            XCTAssertLessThanOrEqual(entries.count, 4, rules)
            let counts = try entries.map { entry in
                let parts = try XCTUnwrap(captures(#"[^ ,;]+ ([1-9]\d*)"#, in: entry), "a rule and its count: \(entry)")
                return Int(parts[0])!
            }
            XCTAssertEqual(counts, counts.sorted(by: >), "the most applied first: \(rules)")
        }
    }

    // MARK: Errors

    func testAnExtensionOtherThanDotOrJSONIsAUsageError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["graph.txt", "graph", "graph.json.bak", "dot"] {
            let path = directory.appendingPathComponent(name).path
            let run = try SaturateProcess.run(["optimize", Self.seed, "--dump-egraph", path])
            XCTAssertFalse(run.crashed, run.summary)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains("--dump-egraph writes .dot or .json, found '\(path)'"), run.summary)
            XCTAssertTrue(run.stderr.contains("usage: "), run.summary)
            XCTAssertEqual(run.stdout, "")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(name) is not written")
        }
        let missing = try SaturateProcess.run(["optimize", Self.seed, "--dump-egraph"])
        XCTAssertEqual(missing.status, 2, missing.summary)
        XCTAssertTrue(missing.stderr.contains("--dump-egraph needs a value"), missing.summary)
    }

    func testAnUnwritablePathFailsWithAMessage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let taken = directory.appendingPathComponent("taken.json")
        try FileManager.default.createDirectory(at: taken, withIntermediateDirectories: false)
        let file = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        // Found before the run: no directory, a file where the directory
        // should be, a directory where the file should be.
        let cases = [
            directory.appendingPathComponent("no/such/directory/graph.json").path,
            file.appendingPathComponent("graph.dot").path,
            taken.path,
        ]
        for path in cases {
            try assertDumpRefused(["optimize", Self.seed, "--dump-egraph", path], path: path)
        }
    }

    /// Runs `arguments` and checks that the dump to `path` is refused with
    /// status 1, a message naming it, and nothing printed.
    private func assertDumpRefused(_ arguments: [String], path: String, line: UInt = #line) throws {
        let run = try SaturateProcess.run(arguments)
        XCTAssertFalse(run.crashed, run.summary, line: line)
        XCTAssertEqual(run.status, 1, run.summary, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("\(path): cannot write the e-graph ("), run.summary, line: line)
        XCTAssertEqual(run.stdout, "", "nothing printed when the dump cannot be written", line: line)
    }

    func testAWriteThatFailsAfterTheRunFailsWithAMessage() throws {
        // A full device passes every check before the run and fails the write.
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = directory.appendingPathComponent("full.json").path
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: "/dev/full")
        let quick = directory.appendingPathComponent("quick.eqs")
        try Data("(input x [n])\n(output y (log (exp x)))\n".utf8).write(to: quick)
        try assertDumpRefused(["optimize", quick.path, "--dump-egraph", full], path: full)
    }

    // MARK: Progress

    func testATerminalShowsProgressInPlaceAndClearsIt() throws {
        _ = try SaturateProcess.require()
        let shown = try PseudoTerminal()
        let hidden = try PseudoTerminal()
        let runs = try SaturateProcess.inParallel([
            { @Sendable in
                try SaturateProcess.run(
                    ["optimize", Self.seed] + Self.patientLimits, environment: Self.environment, stderr: shown.childEnd)
            },
            { @Sendable in
                try SaturateProcess.run(
                    ["optimize", Self.seed, "--no-progress"] + Self.patientLimits, environment: Self.environment,
                    stderr: hidden.childEnd)
            },
        ])
        let (text, quiet) = (try shown.finish(), try hidden.finish())
        for run in runs {
            XCTAssertFalse(run.crashed, run.summary)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.stdout, try seedRuns().plain.stdout, "progress never reaches stdout")
        }
        XCTAssertGreaterThan(
            runs[1].seconds, 2 * Self.progressDelay, "the run is too quick to show that --no-progress hides it")
        XCTAssertEqual(quiet, "", "--no-progress writes nothing to the terminal")

        // Every update starts at the line's start; the last one blanks it.
        XCTAssertTrue(text.hasPrefix("\r"), text.debugDescription)
        let updates = text.split(separator: "\r", omittingEmptySubsequences: true)
        let erasure = try XCTUnwrap(updates.last)
        XCTAssertTrue(text.hasSuffix("\r"), "the cursor ends at the start of the erased line")
        XCTAssertTrue(erasure.allSatisfy { $0 == " " }, "the line is erased: \(erasure.debugDescription)")
        let pattern = #"iteration (\d+), (\d+) e-nodes, (\d+) e-classes, (\d+\.\d) s *"#
        let progress = updates.dropLast().map { captures(pattern, in: String($0)) }
        XCTAssertFalse(progress.isEmpty, "a run over a second shows progress: \(text.debugDescription)")
        XCTAssertFalse(progress.contains { $0 == nil }, "every update reads as progress: \(text.debugDescription)")
        let shownUpdates = progress.compactMap { $0 }
        let iterationsShown = shownUpdates.map { Int($0[0])! }
        let secondsShown = shownUpdates.map { Double($0[3])! }
        XCTAssertEqual(iterationsShown, iterationsShown.sorted(), "iterations count up")
        XCTAssertEqual(secondsShown, secondsShown.sorted(), "time counts up")
        XCTAssertGreaterThanOrEqual(secondsShown.first ?? 0, Self.progressDelay - 0.05, "nothing before the delay")
        XCTAssertGreaterThanOrEqual(erasure.count, updates.dropLast().map(\.count).max() ?? 0, "erased in full")
    }
}
