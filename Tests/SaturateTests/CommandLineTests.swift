import Foundation
import XCTest

@testable import SaturateCLI

/// The conventions of the command line, as a new user meets them: `--help`
/// and `--version`, `-` for standard input, `-o`, exit statuses, usage errors
/// that name what is wrong, and a binary that runs wherever it is copied.
final class CommandLineTests: XCTestCase {
    private typealias Saturate = SaturateProcess

    private static let seed = "examples/seed_softmax_grad.eqs"
    private static let logsumexp = "examples/logsumexp.eqs"

    // MARK: --version, --help

    func testVersionPrintsTheOneVersion() throws {
        let run = try Saturate.run(["--version"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, "saturate \(Tool.version)\n")
        let parts = Tool.version.split(separator: ".")
        XCTAssertEqual(parts.count, 3, "a semantic version")
        XCTAssertTrue(parts.allSatisfy { Int($0) != nil }, Tool.version)
    }

    func testToolHelpListsEveryCommandAndTheExitStatuses() throws {
        for arguments in [["--help"], ["-h"], ["help"]] {
            let run = try Saturate.run(arguments)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.stderr, "")
            for command in Tool.commands {
                XCTAssertTrue(
                    run.stdout.contains("\n  \(command.interface.name)  "), "\(command.interface.name) is listed")
            }
            XCTAssertTrue(run.stdout.contains(ExitStatus.help), run.stdout)
        }
    }

    /// Each command's help lists, one line each, every option its reader
    /// accepts, read from the same declarations; and the options the README
    /// and the guides use with a command are among them.
    func testEachCommandsHelpListsEveryOptionItAccepts() throws {
        let documents = try ["README.md", "docs/guide.md", "docs/rules.md", "docs/accuracy.md"].map {
            try String(contentsOf: Saturate.packageRoot.appendingPathComponent($0), encoding: .utf8)
        }
        let runs = try Saturate.runAll(Tool.commands.map { [$0.interface.name, "--help"] })
        for (command, run) in zip(Tool.commands, runs) {
            let name = command.interface.name
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.stderr, "", name)
            XCTAssertTrue(run.stdout.hasPrefix("usage: saturate \(name)"), run.stdout)
            XCTAssertEqual(try Saturate.run(["help", name]).stdout, run.stdout, "saturate help \(name)")
            let optionLines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  -") }
            XCTAssertEqual(optionLines.count, command.interface.allOptions.count, "\(name): one line per option")
            for option in command.interface.allOptions {
                let spelling = option.names.joined(separator: ", ") + (option.value.map { " " + $0 } ?? "")
                XCTAssertTrue(
                    optionLines.contains { $0.hasPrefix("  " + spelling + "  ") }, "\(name) --help lists \(spelling)")
            }
            // Every `--option` of the documents' command lines for NAME.
            let accepted = Set(command.interface.allOptions.flatMap(\.names))
            let starts = ["saturate", "swift run saturate", "swift run -c release saturate", ".build/release/saturate"]
                .map { $0 + " \(name) " }
            for document in documents {
                for line in document.split(separator: "\n") {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    guard let start = starts.first(where: { trimmed.hasPrefix($0) }) else { continue }
                    let words = trimmed.dropFirst(start.count).split(separator: " ")
                    for word in words.prefix(while: { !$0.hasPrefix("#") && $0 != "|" && $0 != ">" })
                    where word.hasPrefix("--") {
                        let option = String(word.prefix { $0 != "=" && $0 != "`" && $0 != ")" })
                        XCTAssertTrue(accepted.contains(option), "\(name) does not take \(option): \(line)")
                    }
                }
            }
        }
    }

    // MARK: Usage errors

    func testUsageErrorsNameWhatIsWrongAndExitWithStatus2() throws {
        let cases: [(arguments: [String], message: String)] = [
            ([], "usage: saturate COMMAND"),
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["--frob"], "unknown option '--frob'"),
            (["optimize", Self.seed, "--frob"], "saturate optimize: unknown option '--frob'"),
            (["optimize", Self.seed, "--iter-limit"], "--iter-limit needs a value"),
            (["optimize", Self.seed, "--iter-limit", "0"], "--iter-limit takes a positive number, found '0'"),
            (["optimize", Self.seed, "--report=yes"], "--report takes no value"),
            (["optimize"], "missing FILE"),
            (["optimize", Self.seed, Self.seed], "unexpected argument"),
            (["optimize", "-", "--rules", "-"], "standard input ('-') can be read only once"),
            (["explain", Self.seed, "-o", "x"], "unknown option '-o'"),
            (["check-rules", "--points", "0"], "--points takes a number from 1 to 10000, found '0'"),
            (["eval", Self.seed], "eval needs --inputs or --input-set"),
            (["rules", "no-such-group"], "unknown group 'no-such-group' (known: units, "),
        ]
        let runs = try Saturate.runAll(cases.map(\.arguments))
        for (index, run) in runs.enumerated() {
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains(cases[index].message), run.summary)
            XCTAssertEqual(run.stdout, "", run.summary)
        }
    }

    // MARK: Standard input

    /// `-` reads standard input and prints exactly what the file gives;
    /// problems are located in `<stdin>`.
    func testDashReadsStandardInputAsTheFile() throws {
        let seed = try Data(contentsOf: Saturate.packageRoot.appendingPathComponent(Self.seed))
        let rules = try Data(
            contentsOf: Saturate.packageRoot.appendingPathComponent("examples/guide/softmax2.rules"))
        let softmax2 = "examples/guide/softmax2.eqs"
        let inputs = "examples/seed_softmax_grad.inputs.json"
        let pairs: [(file: [String], stdin: [String], data: Data)] = [
            (["optimize", Self.seed], ["optimize", "-"], seed),
            (["expand", Self.seed], ["expand", "-"], seed),
            (["eval", Self.seed, "--inputs", inputs], ["eval", "-", "--inputs", inputs], seed),
            (
                ["eval", Self.seed, "--inputs", inputs], ["eval", Self.seed, "--inputs", "-"],
                try Data(contentsOf: Saturate.packageRoot.appendingPathComponent(inputs))
            ),
            (
                ["explain", Self.logsumexp], ["explain", "-"],
                try Data(contentsOf: Saturate.packageRoot.appendingPathComponent(Self.logsumexp))
            ),
            (
                ["optimize", softmax2, "--rules", "examples/guide/softmax2.rules"],
                ["optimize", softmax2, "--rules", "-"], rules
            ),
            (
                ["accuracy", Self.logsumexp], ["accuracy", "-"],
                try Data(contentsOf: Saturate.packageRoot.appendingPathComponent(Self.logsumexp))
            ),
        ]
        let runs = try Saturate.inParallel(
            pairs.map { pair in
                {
                    [
                        try Saturate.run(pair.file, timeout: 600),
                        try Saturate.run(pair.stdin, stdin: pair.data, timeout: 600),
                    ]
                }
            })
        for (pair, run) in zip(pairs, runs) {
            XCTAssertEqual(run[0].status, 0, run[0].summary)
            XCTAssertEqual(run[1].status, 0, run[1].summary)
            XCTAssertFalse(run[0].stdout.isEmpty, run[0].summary)
            if pair.file[0] == "accuracy" {
                // The table names its program: `-` is `<stdin>`.
                XCTAssertEqual(run[1].stdout, run[0].stdout.replacingOccurrences(of: Self.logsumexp, with: "<stdin>"))
            } else {
                XCTAssertEqual(run[1].stdout, run[0].stdout, "\(pair.stdin) prints what \(pair.file) prints")
            }
        }
    }

    func testProblemsInStandardInputAreLocatedInStdin() throws {
        let cases: [(arguments: [String], stdin: String)] = [
            (["optimize", "-"], "(input x [n])\n(output y (exp (frob x)))\n"),
            (["expand", "-"], "(input x [n])\n(output y (exp x)\n"),
            (["optimize", Self.logsumexp, "--rules", "-"], "[mine]\nbad (exp ?a) => ?b\n"),
            (["check-rules", "-"], "[mine]\nbad (frob ?a) => ?a\n"),
            (["eval", Self.logsumexp, "--inputs", "-"], "{\"X\": [[1, 2], [3, 4]"),
        ]
        let runs = try Saturate.inParallel(
            cases.map { item in { try Saturate.run(item.arguments, stdin: Data(item.stdin.utf8)) } })
        for run in runs {
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertTrue(Saturate.hasLocatedMessage(run.stderr, file: "<stdin>"), run.summary)
        }
    }

    // MARK: -o

    func testOutputOptionWritesTheProgramThatWouldBePrinted() throws {
        try Saturate.withTemporaryDirectory { directory in
            for command in ["optimize", "expand"] {
                let printed = try Saturate.run([command, Self.logsumexp])
                for spelling in ["-o", "--output"] {
                    let path = directory.appendingPathComponent("\(command)\(spelling).eqs").path
                    let run = try Saturate.run([command, Self.logsumexp, spelling, path])
                    XCTAssertEqual(run.status, 0, run.summary)
                    XCTAssertEqual(run.stdout, "", "\(command) \(spelling): nothing printed")
                    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), printed.stdout)
                }
            }
            // Checked before the run: nothing is written, and the status is
            // a problem in the input.
            let missing = directory.appendingPathComponent("no/such/directory/out.eqs").path
            let run = try Saturate.run(["optimize", Self.seed, "-o", missing])
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertTrue(run.stderr.hasPrefix("\(missing): cannot write the program (no directory"), run.summary)
            XCTAssertLessThan(run.seconds, 5, "refused before the run")
        }
    }

    // MARK: A copied binary

    /// The command carries its rules: a copy in a directory of its own, run
    /// from yet another, optimizes as the built one does.
    func testACopiedBinaryRunsFromAnotherDirectory() throws {
        let executable = try Saturate.require()
        try Saturate.withTemporaryDirectory { directory in
            let bin = directory.appendingPathComponent("bin")
            let elsewhere = directory.appendingPathComponent("elsewhere")
            for made in [bin, elsewhere] {
                try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true)
            }
            let copy = bin.appendingPathComponent("saturate")
            try FileManager.default.copyItem(at: executable, to: copy)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bin.path), ["saturate"])
            let program = Saturate.packageRoot.appendingPathComponent(Self.seed).path
            let run = try Saturate.run(
                executable: copy, ["optimize", program, "--time-limit", "600"], in: elsewhere, timeout: 600)
            XCTAssertFalse(run.crashed, run.summary)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.stdout, "(input x [n])\n(output g (fill x 0))\n")
            let rules = try Saturate.run(executable: copy, ["rules", "--list"], in: elsewhere)
            XCTAssertEqual(rules.status, 0, rules.summary)
            XCTAssertTrue(rules.stdout.contains("max-shift"), rules.stdout)
        }
    }
}
