import EGraph
import Foundation
import TensorOps
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The runner these tests have always called `Saturate`.
private typealias Saturate = SaturateProcess

/// The corpus the fuzz cases start from, in the repository.
private let corpusDirectory = SaturateProcess.packageRoot.appendingPathComponent("Tests/Corpus")

/// Hostile input to the `saturate` executable: it answers every input within a timeout, with a result or with
/// `file:line:col:` located errors and status 1, and never dies of a signal.
///
/// Cases once known to fail stay as regressions: `optimize` of a `+` with 100,000 operands exhausted memory
/// (the parsed left fold was flattened at every level, n²/2 operands) and then spent 17 s verifying; now only
/// the kept node is flattened and programs past `OptimizeOptions.verificationOperationLimit` go unverified, with
/// the report saying so. Sums doubled through lets (`a1 = a0 + a0`, ...) made nodes of 2^k operands; shared
/// subterms are spliced only within a bound, and ac-flatten stops at `Rewrite.flatteningWidthLimit`.
final class HostileInputTests: XCTestCase {
    /// Cases that crash, hang or are unlocated today, by name, with why.
    static let knownFailures: [String: String] = [:]

    private var directory: URL!

    override func setUpWithError() throws {
        _ = try Saturate.require()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Writes `contents` to a file named `name` in the scratch directory and returns its path.
    private func write(_ name: String, _ contents: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    private func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Small limits for `optimize`, so a fuzz case spends its time on reading input.
    private let smallLimits = ["--iter-limit", "6", "--node-limit", "3000", "--time-limit", "1"]

    /// Checks a run on `file`: no signal, no timeout; success prints a program that reads back, failure is
    /// status 1 with a located message. Returns whether it succeeded.
    @discardableResult
    private func check(_ run: Saturate.Run, file: String, _ label: String, line: UInt = #line) -> Bool {
        XCTAssertFalse(run.crashed, "\(label): crashed\n\(run.summary)", line: line)
        XCTAssertFalse(run.timedOut, "\(label): hung\n\(run.summary)", line: line)
        guard !run.crashed, !run.timedOut else { return false }
        if run.status == 0 {
            XCTAssertNoThrow(
                try TensorProgram(parsing: run.stdout, file: "<stdout>"),
                "\(label): the printed program does not read back\n\(run.stdout.prefix(400))", line: line)
            return true
        }
        XCTAssertEqual(run.status, 1, "\(label): bad input exits with status 1\n\(run.summary)", line: line)
        XCTAssertTrue(
            Saturate.hasLocatedMessage(run.stderr, file: file),
            "\(label): no \(file):line:col: message\n\(run.summary)", line: line)
        return false
    }

    /// The valid programs the fuzz cases start from: the corpus.
    private func corpusPrograms() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)
            .filter { $0.hasSuffix(".eqs") }.sorted()
        XCTAssertFalse(names.isEmpty, "no corpus at \(corpusDirectory.path)")
        return try names.map { try String(contentsOf: corpusDirectory.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Truncated, mutated and random programs (seeded): 48 files, each to `expand` and `optimize`.
    func testFuzzedProgramsExitCleanlyWithLocatedErrors() throws {
        let seed: UInt64 = 0x5EED_4057
        var random = SplitMix64(seed: seed)
        let bases = try corpusPrograms()
        let alphabet = Array("()[]()+-*/.;:0123456789eEinfxyzsumlogexp \n\t?_\"\\")
        let words = ["(", ")", "[", "]", "grad", "let", "output", "input", "sum", "exp", "-1", "1e999", "nan", "x"]
        var files: [(label: String, path: String)] = []
        for index in 0..<16 {
            let base = Array(bases[index % bases.count].utf8)
            let cut = Int.random(in: 0..<max(base.count, 1), using: &random)
            files.append(("truncated \(index) at \(cut)", try write("truncated\(index).eqs", Data(base.prefix(cut)))))
        }
        for index in 0..<20 {
            var characters = Array(bases[Int.random(in: 0..<bases.count, using: &random)])
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let position = Int.random(in: 0..<max(characters.count, 1), using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !characters.isEmpty: characters.remove(at: position)
                case 1: characters.insert(alphabet.randomElement(using: &random)!, at: position)
                case 2: characters.insert(contentsOf: " " + words.randomElement(using: &random)! + " ", at: position)
                default:
                    if !characters.isEmpty { characters[position] = alphabet.randomElement(using: &random)! }
                }
            }
            files.append(("mutated \(index)", try write("mutated\(index).eqs", String(characters))))
        }
        for index in 0..<12 {
            let count = Int.random(in: 0..<300, using: &random)
            let ascii = index % 2 == 0
            let bytes = (0..<count).map { _ in
                ascii ? UInt8.random(in: 9...126, using: &random) : UInt8.random(in: 0...255, using: &random)
            }
            files.append(("random bytes \(index)", try write("bytes\(index).eqs", Data(bytes))))
        }
        var argumentLists: [[String]] = []
        for file in files {
            argumentLists.append(["expand", file.path])
            argumentLists.append(["optimize", file.path] + smallLimits)
        }
        let runs = try Saturate.runAll(argumentLists)
        var succeeded = 0
        for (index, run) in runs.enumerated() {
            let file = files[index / 2]
            if check(run, file: file.path, "seed \(seed), \(file.label), \(run.arguments[0])") { succeeded += 1 }
        }
        XCTAssertLessThan(succeeded, runs.count, "some fuzz cases are bad input")
    }

    /// Deep nesting, huge operand counts, odd numbers, unknown operators, shapes and arities.
    func testHostileProgramsGiveResultsOrLocatedErrors() throws {
        enum Expect { case result, error }
        let header = "(input x [n])\n"
        var cases: [(name: String, text: String, expect: Expect, commands: [String])] = [
            (
                "deep-neg",
                header + "(output y " + String(repeating: "(neg ", count: 100_000) + "x"
                    + String(repeating: ")", count: 100_000) + ")\n", .error, ["expand", "optimize"]
            ),
            (
                "deep-unclosed", header + "(output y " + String(repeating: "(neg ", count: 100_000) + "x\n", .error,
                ["expand", "optimize"]
            ),
            (
                "deep-brackets",
                "(input x " + String(repeating: "[", count: 100_000) + "n"
                    + String(repeating: "]", count: 100_000) + ")\n(output y x)\n", .error, ["expand", "optimize"]
            ),
            (
                "wide-100000",
                header + "(output y (+ " + Array(repeating: "x", count: 100_000).joined(separator: " ")
                    + "))\n", .result, ["expand", "optimize"]
            ),
            (
                "doubling-lets",
                header
                    + (1...16).map { "(let a\($0) (+ a\($0 - 1) a\($0 - 1)))\n" }.joined()
                    .replacingOccurrences(of: "a0", with: "x") + "(output y a16)\n", .result, ["expand", "optimize"]
            ),
            (
                "wide-2000",
                header + "(output y (+ " + Array(repeating: "x", count: 2_000).joined(separator: " ")
                    + "))\n", .result, ["expand", "optimize"]
            ),
            // Distinct operands, each a candidate for every operand of an AC
            // pattern: `(* -1 -1 ?r...)` tried every pair of them, and gathered
            // the rest for each, for 28 s past a 1 s time limit.
            (
                "wide-distinct-3000",
                header + "(output y (* x " + (1..<3_000).map { "\($0).5" }.joined(separator: " ") + "))\n",
                .result, ["optimize"]
            ),
            // A decimal past binary64's range is an error, not a silent inf.
            ("huge-exponent", header + "(output y (+ x 1e999999))\n", .error, ["expand", "optimize"]),
            ("tiny-exponent", header + "(output y (* x 1e-999999))\n", .result, ["expand", "optimize"]),
            (
                "long-digits", header + "(output y (+ x " + String(repeating: "9", count: 5_000) + "))\n", .error,
                ["expand", "optimize"]
            ),
            (
                "long-digits-finite", header + "(output y (+ x 0." + String(repeating: "9", count: 5_000) + "))\n",
                .result, ["expand", "optimize"]
            ),
            ("unknown-operator", header + "(output y (frobnicate x))\n", .error, ["expand", "optimize"]),
            ("operator-as-name", header + "(output y exp)\n", .error, ["expand", "optimize"]),
            ("unknown-statement", header + "(define y x)\n(output y x)\n", .error, ["expand", "optimize"]),
            ("unknown-name", header + "(output y (exp q))\n", .error, ["expand", "optimize"]),
            ("shape-mismatch", "(input x [3])\n(input z [4])\n(output y (+ x z))\n", .error, ["expand", "optimize"]),
            (
                "named-shape-mismatch", "(input x [n])\n(input z [m])\n(output y (* x z))\n", .error,
                ["expand", "optimize"]
            ),
            ("axis-out-of-range", header + "(output y (sum x 7))\n", .error, ["expand", "optimize"]),
            ("unary-arity", header + "(output y (exp x x))\n", .error, ["expand", "optimize"]),
            ("variadic-arity", header + "(output y (+ x))\n", .error, ["expand", "optimize"]),
            ("empty-application", header + "(output y ())\n", .error, ["expand", "optimize"]),
            ("grad-arity", header + "(output y (grad x))\n", .error, ["expand", "optimize"]),
            ("grad-of-let", header + "(let t (exp x))\n(output y (grad t t))\n", .error, ["expand", "optimize"]),
            ("duplicate-output", header + "(output y x)\n(output y x)\n", .error, ["expand", "optimize"]),
            ("negative-dimension", "(input x [-3])\n(output y x)\n", .error, ["expand", "optimize"]),
            ("no-output", header, .error, ["expand", "optimize"]),
            ("empty-file", "", .error, ["expand", "optimize"]),
            ("stray-close", header + "(output y x))\n", .error, ["expand", "optimize"]),
            ("invalid-utf8", "", .error, ["expand", "optimize"]),
        ]
        for (index, number) in ["--1", "1.2.3", "0x10", "1e", "1e+", ".", "-", "1_000", "nan1"].enumerated() {
            cases.append(("malformed-number-\(index)", header + "(output y (+ x \(number)))\n", .error, ["expand"]))
        }
        var paths: [String] = []
        var argumentLists: [[String]] = []
        var labels: [(name: String, expect: Expect, path: String)] = []
        for (index, hostile) in cases.enumerated() {
            let path: String
            if hostile.name == "invalid-utf8" {
                path = try write("case\(index).eqs", Data(header.utf8) + Data([0x28, 0xFF, 0xFE, 0x29, 0x0A]))
            } else {
                path = try write("case\(index).eqs", hostile.text)
            }
            paths.append(path)
            for command in hostile.commands where Self.knownFailures["\(hostile.name)-\(command)"] == nil {
                argumentLists.append(command == "optimize" ? [command, path] + smallLimits : [command, path])
                labels.append((hostile.name, hostile.expect, path))
            }
        }
        let runs = try Saturate.runAll(argumentLists)
        for (run, label) in zip(runs, labels) {
            let name = "\(label.name) (\(run.arguments[0]))"
            let succeeded = check(run, file: label.path, name)
            switch label.expect {
            case .result: XCTAssertTrue(succeeded, "\(name): expected a result\n\(run.summary)")
            case .error: XCTAssertFalse(succeeded, "\(name): expected an error, got\n\(run.stdout.prefix(300))")
            }
        }
    }

    /// Malformed rule files give located errors from `optimize --rules` and `check-rules`.
    func testMalformedRuleFilesGiveLocatedErrors() throws {
        let program = try write("program.eqs", "(input x [n])\n(output y (log (exp x)))\n")
        let malformed = [
            "[g]\nbad (exp ?a => ?a\n",
            "[g]\nunknown (frob ?a) => ?a\n",
            "[g]\nunbound (exp ?a) => ?b\n",
            "[g]\narity (exp ?a ?b) => ?a\n",
            "[g]\nno-arrow (exp ?a) ?a\n",
            "[g]\ndup (exp ?a) => ?a\ndup (log ?a) => ?a\n",
            "[g]\ncond (exp ?a) => ?a :if (no_such_condition ?a)\n",
            "[g\nx (exp ?a) => ?a\n",
            "[g]\ndeep " + String(repeating: "(neg ", count: 100_000) + "?a" + String(repeating: ")", count: 100_000)
                + " => ?a\n",
            "[g]\nnumber (+ ?a 1e) => ?a\n",
            ")))\n",
        ]
        var argumentLists: [[String]] = []
        var paths: [String] = []
        for (index, text) in malformed.enumerated() {
            let path = try write("bad\(index).rules", text)
            paths.append(path)
            argumentLists.append(["optimize", program, "--rules", path] + smallLimits)
            argumentLists.append(["check-rules", path, "--points", "2"])
        }
        let utf8Path = try write("bytes.rules", Data("[g]\nx (exp ?a) => ?a\n".utf8) + Data([0xFF, 0xC3, 0x0A]))
        let runs = try Saturate.runAll(argumentLists + [["optimize", program, "--rules", utf8Path]])
        for (index, run) in runs.dropLast().enumerated() {
            let label = "rule file \(index / 2) (\(run.arguments[0]))"
            XCTAssertFalse(run.crashed || run.timedOut, "\(label)\n\(run.summary)")
            XCTAssertEqual(run.status, 1, "\(label)\n\(run.summary)")
            XCTAssertTrue(Saturate.hasLocatedMessage(run.stderr, file: paths[index / 2]), "\(label)\n\(run.summary)")
        }
        let utf8Run = runs.last!
        XCTAssertFalse(utf8Run.crashed || utf8Run.timedOut, utf8Run.summary)
        XCTAssertEqual(utf8Run.status, 1, utf8Run.summary)
        XCTAssertTrue(Saturate.hasLocatedMessage(utf8Run.stderr, file: utf8Path), utf8Run.summary)
    }

    /// Rule files that loop or explode the e-graph: the optimizer stops by its limits and prints a program.
    func testRunawayRuleFilesStopByLimits() throws {
        let rules = try write(
            "runaway.rules",
            """
            ; each rule is sound or not, but all of them grow the e-graph without end
            [runaway]
            grow    (exp ?a)            => (exp (exp ?a))
            blow    (* ?a ?b)           => (* (* ?a ?b) 1)
            comm    (+ ?a ?b)           => (+ ?b ?a)
            assoc   (+ (+ ?a ?b) ?c)    => (+ ?a (+ ?b ?c))
            massoc  (* ?a (* ?b ?c))    => (* (* ?a ?b) ?c)
            spin    (exp ?a)            => (exp (+ ?a 1))
            twice   (* ?a ?b)           => (* (+ ?a ?a) (* 0.5 ?b))
            split   (log ?a)            => (+ (log (* ?a 2)) (neg (log 2)))

            """)
        // The small program once hung: an unsound rule (spin) made interval
        // facts narrow forever around a cycle; rebuilding now bounds the
        // propagation.
        let small = try write(
            "small.eqs", Data("(input x [n])\n(input w [n])\n(output y (+ (* w (exp x)) (* x w) (log w)))\n".utf8))
        let programs = [corpusDirectory.appendingPathComponent("softmax_grad_weighted.eqs").path, small]
        let limits = [
            ["--iter-limit", "50", "--node-limit", "2000", "--time-limit", "5"],
            ["--iter-limit", "4", "--node-limit", "100000", "--time-limit", "5"],
            ["--iter-limit", "1000", "--node-limit", "1000000", "--time-limit", "1"],
        ]
        var argumentLists: [[String]] = []
        for program in programs {
            // Unchecked: the check would refuse the unsound ones, and the
            // limits are what these runs test.
            for limit in limits {
                argumentLists.append(["optimize", program, "--rules", rules, "--unchecked-rules", "--report"] + limit)
            }
        }
        argumentLists.append(["check-rules", rules, "--points", "2"])
        // These rules are unsound (grow merges exp(a) with exp(exp(a))), so
        // the analysis proves contradictions (empty intervals) and its facts
        // are no longer a join the invariant checker can confirm: the runs go
        // without the checks. The optimizer must still stop by its limits.
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != "SATURATE_CHECK_INVARIANTS" }
        let runs = try Saturate.runAll(argumentLists, environment: environment)
        for run in runs.dropLast() {
            XCTAssertFalse(run.crashed || run.timedOut, run.summary)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertNoThrow(try TensorProgram(parsing: run.stdout, file: "<stdout>"), run.summary)
            let stop = run.stderr.split(separator: "\n").first { $0.hasPrefix("stop:") } ?? ""
            XCTAssertFalse(stop.contains("saturated"), "runaway rules cannot saturate: \(stop)\n\(run.summary)")
        }
        // check-rules finds the unsound rules (grow, spin) and still terminates.
        let check = runs.last!
        XCTAssertFalse(check.crashed || check.timedOut, check.summary)
        XCTAssertEqual(check.status, 1, check.summary)
        XCTAssertTrue(check.stdout.contains("rule grow: unsound"), check.stdout)
    }
}

/// `saturate optimize --report` twice on the same input prints the same program and the same report, but for
/// its timings.
final class CommandLineDeterminismTests: XCTestCase {
    func testOptimizeIsByteIdenticalAcrossRuns() throws {
        // Without SATURATE_CHECK_INVARIANTS, and with a time limit far past the runs' length: a debug build on a
        // loaded machine comes near the default 10 s, and a stop by time would legitimately change the output.
        // Determinism of the result is what is checked here, not the invariants.
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != "SATURATE_CHECK_INVARIANTS" }
        let files = ["softmax_grad_weighted.eqs", "seed_softmax_grad.eqs"].map {
            corpusDirectory.appendingPathComponent($0).path
        }
        _ = try Saturate.require()
        // One file per core; each file's two runs one after the other.
        let pairs = try Saturate.inParallel(
            files.map { file in
                {
                    try (0..<2).map { _ in
                        try Saturate.run(
                            ["optimize", file, "--report", "--time-limit", "600"], environment: environment)
                    }
                }
            })
        let runs = Dictionary(uniqueKeysWithValues: zip(files, pairs))
        let timing = try NSRegularExpression(pattern: #"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)? ?(ms|s)\b"#)
        func withoutTimings(_ text: String) -> String {
            timing.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "<time>")
        }
        for file in files {
            let pair = try XCTUnwrap(runs[file])
            for run in pair {
                XCTAssertFalse(run.crashed || run.timedOut, run.summary)
                XCTAssertEqual(run.status, 0, run.summary)
            }
            XCTAssertFalse(pair[0].stdout.isEmpty, file)
            XCTAssertEqual(pair[0].stdout, pair[1].stdout, "\(file): stdout differs between runs")
            XCTAssertFalse(pair[0].stderr.contains("time-limit"), "\(file) stopped by time: \(pair[0].stderr)")
            let reports = pair.map { withoutTimings($0.stderr).split(separator: "\n") }
            XCTAssertEqual(reports[0].count, reports[1].count, "\(file): report line counts differ")
            for (first, second) in zip(reports[0], reports[1]) {
                XCTAssertEqual(first, second, "\(file): report lines differ")
            }
        }
    }
}
