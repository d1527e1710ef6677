import Foundation
import Saturate
import TestSupport
import XCTest

/// One fenced block of `docs/guide.md` and the marker comment on the line
/// before it, `<!-- guide: KIND NAME [exit=N] -->`.
///
/// The kinds, and what the tests do with each:
/// - `run NAME`: shell commands, run by `sh` from a scratch copy of the
///   package's directory with `saturate` the built executable; every command
///   must succeed, but the last may exit with the status `exit=N` gives.
/// - `stdout NAME`, `stderr NAME`: what run `NAME` prints there.
/// - `file PATH`: the contents of the file `PATH` of the repository.
/// - `swift NAME`: the code between `// guide:begin NAME` and
///   `// guide:end NAME` in this file, which a test runs; its `import` lines
///   must be imports of this file.
/// - `output NAME`: a value the test holding `swift NAME` computes.
/// - `build NAME`: the build steps; the test checks what they rely on.
/// - `package NAME`: a manifest for a package that uses Saturate.
///
/// In `stdout`, `stderr` and `output` blocks, a line `...` stands for any
/// number of lines, and `...` within a line for any text on that line.
private struct GuideBlock: Sendable {
    var kind: String
    var name: String
    var exitStatus: Int32
    var text: String
    /// The 1-based line of the opening fence, for failure messages.
    var line: Int

    var label: String { "docs/guide.md:\(line): \(kind) \(name)" }
}

/// The marked blocks of `docs/guide.md`, and the fences that have no marker.
private struct GuidePage {
    static let kinds: Set = ["run", "stdout", "stderr", "file", "swift", "output", "build", "package"]

    var blocks: [GuideBlock] = []
    /// Problems with the page's markup: unmarked fences, unknown kinds.
    var problems: [String] = []

    init(_ text: String) {
        let (fences, unclosed) = fencedBlocks(in: text)
        if let unclosed { problems.append("docs/guide.md:\(unclosed): the fence is never closed") }
        for fence in fences {
            let (open, body, marker) = (fence.line - 1, fence.body, fence.lineAbove)
            guard marker.hasPrefix("<!-- guide: "), marker.hasSuffix(" -->") else {
                problems.append("docs/guide.md:\(open + 1): a fenced block without a `<!-- guide: KIND NAME -->` line")
                continue
            }
            let words = marker.dropFirst("<!-- guide: ".count).dropLast(" -->".count).split(separator: " ")
            guard words.count >= 2, GuidePage.kinds.contains(String(words[0])) else {
                problems.append("docs/guide.md:\(open): a marker needs a known kind and a name: \(marker)")
                continue
            }
            var exitStatus: Int32 = 0
            for option in words.dropFirst(2) {
                if option.hasPrefix("exit="), let status = Int32(option.dropFirst("exit=".count)) {
                    exitStatus = status
                } else {
                    problems.append("docs/guide.md:\(open): unknown marker option '\(option)'")
                }
            }
            blocks.append(
                GuideBlock(
                    kind: String(words[0]), name: String(words[1]), exitStatus: exitStatus, text: body,
                    line: open + 1))
        }
    }

    func blocks(_ kind: String) -> [GuideBlock] { blocks.filter { $0.kind == kind } }

    func block(_ kind: String, _ name: String) -> GuideBlock? {
        blocks.first { $0.kind == kind && $0.name == name }
    }
}

/// What one `run` block printed, and the files it left behind.
private struct GuideRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The files the commands wrote in the temporary directory, by name
    /// (the guide writes into `out=$(mktemp -d)`).
    var files: [String: Data]
    /// What the commands left in their working directory, the package's
    /// directory as far as they know: nothing, if they follow the guide.
    var leftInPackage: [String]
}

/// Runs the guide's commands the way a reader does: `sh` in the package's
/// directory, with `saturate` the executable ``SaturateProcess`` finds.
private enum GuideShell {
    static let repository = SaturateProcess.packageRoot

    /// Whether Graphviz's `dot` is on the path; without it, `dot` lines are skipped.
    static let hasDot = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: String($0) + "/dot")
    }

    /// What runs before a block. `saturate` is a function calling the built
    /// executable; the tests run a debug build, many times slower than the
    /// release build the guide installs, so `optimize` gets a time limit far
    /// past its runs' length, and a loaded machine stops where an idle one
    /// does: by the optimizer's own goal, with the output the page shows.
    /// `out` is the temporary directory the guide makes once, in section 2,
    /// for blocks a reader runs later in the same shell.
    static let prelude = """
        set -e
        out=$(mktemp -d)
        saturate() {
            if [ "$1" = optimize ]; then
                "$SATURATE_EXECUTABLE" "$@" --time-limit 600
            else
                "$SATURATE_EXECUTABLE" "$@"
            fi
        }
        """ + (hasDot ? "" : "\ndot() { :; }")

    /// Runs `commands` in a fresh directory that links the repository's
    /// `examples` and `rules`, so the commands see the package's directory
    /// and what they write stays out of it, with `TMPDIR` a directory of the
    /// test's, so the files they write with `mktemp` can be read back.
    static func run(_ commands: String, timeout: TimeInterval = 900) throws -> GuideRun {
        let executable = try SaturateProcess.require()
        let manager = FileManager.default
        return try SaturateProcess.withTemporaryDirectory { directory in
            let work = directory.appendingPathComponent("saturate")
            let temporary = directory.appendingPathComponent("tmp")
            try manager.createDirectory(at: work, withIntermediateDirectories: true)
            try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
            for linked in ["examples", "rules"] {
                try manager.createSymbolicLink(
                    at: work.appendingPathComponent(linked),
                    withDestinationURL: repository.appendingPathComponent(linked))
            }
            let environment = ProcessInfo.processInfo.environment.merging([
                "SATURATE_EXECUTABLE": executable.path, "TMPDIR": temporary.path,
            ]) { $1 }
            let run = try SaturateProcess.run(
                executable: URL(fileURLWithPath: "/bin/sh"), ["-c", prelude + "\n" + commands], in: work,
                environment: environment, timeout: timeout)
            XCTAssertFalse(run.timedOut, "the guide's commands took over \(timeout) s:\n\(commands)")
            var files: [String: Data] = [:]
            let written = manager.enumerator(at: temporary, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = written?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                files[url.lastPathComponent] = try Data(contentsOf: url)
            }
            let left = try manager.contentsOfDirectory(atPath: work.path).filter {
                !["examples", "rules"].contains($0)
            }
            return GuideRun(
                status: run.status, stdout: run.stdout, stderr: run.stderr, files: files, leftInPackage: left.sorted())
        }
    }
}

/// `docs/guide.md` is a tested document: every command on the page runs and
/// prints what the page shows, every file shown is the repository's, and
/// every piece of Swift is code in this file that runs. See ``GuideBlock``
/// for the markers that tie the page to the tests.
final class GuideTests: XCTestCase {
    private static let page: Result<GuidePage, any Error> = Result {
        GuidePage(
            try String(
                contentsOf: GuideShell.repository.appendingPathComponent("docs/guide.md"), encoding: .utf8))
    }

    /// Every `run` block, run once for all tests, concurrently: the seed's
    /// gradient takes seconds in a debug build.
    private static let runs: Result<[String: GuideRun], any Error> = Result {
        _ = try SaturateProcess.require()
        let blocks = try page.get().blocks("run")
        let runs = try SaturateProcess.inParallel(blocks.map { block in { try GuideShell.run(block.text) } })
        return Dictionary(uniqueKeysWithValues: zip(blocks.map(\.name), runs))
    }

    /// Whether `actual` is what `shown` shows: equal, but for `...`, which
    /// on a line of its own stands for any number of lines and within a line
    /// for any text on that line.
    private static func matches(_ actual: String, shown: String) -> Bool {
        var pattern = "^"
        for line in shown.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line == "..." {
                pattern += "(?:[^\\n]*\\n)*?"
            } else {
                pattern +=
                    line.components(separatedBy: "...").map { NSRegularExpression.escapedPattern(for: $0) }
                    .joined(separator: "[^\\n]*") + "\\n"
            }
        }
        guard let expression = try? NSRegularExpression(pattern: pattern + "$") else { return false }
        return expression.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) != nil
    }

    /// Fails unless `actual` is what `block` shows, naming the first line that differs.
    private static func assertShown(
        _ block: GuideBlock, _ actual: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard !matches(actual, shown: block.text) else { return }
        let shownLines = block.text.components(separatedBy: "\n")
        let actualLines = actual.components(separatedBy: "\n")
        let first = zip(shownLines, actualLines).enumerated().first { !matches($1.1 + "\n", shown: $1.0 + "\n") }?
            .offset
        let at = first ?? min(shownLines.count, actualLines.count)
        XCTFail(
            "\(block.label) shows something else than the test got; the first difference is at line \(at + 1) "
                + "of the block:\n  shown: \(at < shownLines.count ? shownLines[at] : "(end)")\n"
                + "  got:   \(at < actualLines.count ? actualLines[at] : "(end)")\nThe whole output:\n\(actual)",
            file: file, line: line)
    }

    /// Fails unless the guide's `output NAME` block shows `value`.
    private static func assertOutput(
        _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line
    )
        throws
    {
        let block = try XCTUnwrap(try page.get().block("output", name), "docs/guide.md has no output \(name) block")
        assertShown(block, value, file: file, line: line)
    }

    // MARK: The page

    func testEveryFencedBlockIsMarkedAndEveryMarkerPointsAtSomething() throws {
        let page = try Self.page.get()
        XCTAssertEqual(page.problems, [])
        XCTAssertGreaterThan(page.blocks.count, 20, "the guide's blocks were not found")
        let runs = Set(page.blocks("run").map(\.name))
        for block in page.blocks where ["stdout", "stderr"].contains(block.kind) {
            XCTAssertTrue(runs.contains(block.name), "\(block.label): no run block named \(block.name)")
        }
        for kind in ["run", "stdout", "stderr", "swift", "output"] {
            let names = page.blocks(kind).map(\.name)
            XCTAssertEqual(names.count, Set(names).count, "docs/guide.md repeats a name among its \(kind) blocks")
        }
        let swiftNames = Set(page.blocks("swift").map(\.name))
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        for block in page.blocks("output") {
            XCTAssertTrue(swiftNames.contains(block.name), "\(block.label): no swift block named \(block.name)")
            XCTAssertTrue(
                source.contains("assertOutput(\"\(block.name)\""), "\(block.label): no test calls assertOutput on it")
        }
        XCTAssertEqual(page.blocks("build").count, 1, "one block of build steps")
        XCTAssertEqual(page.blocks("package").count, 1, "one package manifest")
        let guide = try String(
            contentsOf: GuideShell.repository.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        XCTAssertTrue(guide.contains("GuideTests"), "the guide says how it is tested")
    }

    func testTheReadmeLinksTheGuide() throws {
        let readme = try String(contentsOf: GuideShell.repository.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("(docs/guide.md)"), "README.md links docs/guide.md")
    }

    // MARK: Files

    func testFilesShownAreTheRepositorysFiles() throws {
        let files = try Self.page.get().blocks("file")
        XCTAssertFalse(files.isEmpty)
        for block in files {
            let url = GuideShell.repository.appendingPathComponent(block.name)
            guard let contents = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("\(block.label): no such file in the repository")
                continue
            }
            XCTAssertEqual(block.text, contents, "\(block.label) is not the file's contents")
        }
    }

    // MARK: Commands

    func testCommandsPrintWhatTheGuideShows() throws {
        let page = try Self.page.get()
        let runs = try Self.runs.get()
        for block in page.blocks("run") {
            let run = try XCTUnwrap(runs[block.name])
            XCTAssertEqual(
                run.status, block.exitStatus,
                "\(block.label): exit status \(run.status)\nstdout:\n\(run.stdout)\nstderr:\n\(run.stderr)")
            XCTAssertEqual(run.leftInPackage, [], "\(block.label) writes into the package's directory, not $out")
            if let shown = page.block("stdout", block.name) {
                Self.assertShown(shown, run.stdout)
            }
            if let shown = page.block("stderr", block.name) {
                Self.assertShown(shown, run.stderr)
            } else {
                XCTAssertEqual(run.stderr, "", "\(block.label) writes to stderr, which the guide does not show")
            }
        }
    }

    func testTheEGraphDumpsMarkTheExtractedProgram() throws {
        let run = try XCTUnwrap(try Self.runs.get()["dump"], "the guide's run dump block")
        let dot = String(decoding: try XCTUnwrap(run.files["lse.dot"], "lse.dot is written"), as: UTF8.self)
        let json = String(decoding: try XCTUnwrap(run.files["lse.json"], "lse.json is written"), as: UTF8.self)
        XCTAssertTrue(dot.hasPrefix("digraph "), dot)
        XCTAssertTrue(dot.contains("style=dotted"), "classes are dotted boxes")
        XCTAssertTrue(dot.contains("style=bold\n"), "the output's class is bold")
        let marked = json.components(separatedBy: "\"extracted\": true").count - 1
        XCTAssertEqual(dot.components(separatedBy: "style=\"filled,bold\"").count - 1, marked)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual((object["root_eclasses"] as? [String])?.count, 1, "one output, one root class")
        if GuideShell.hasDot {
            let svg = String(decoding: try XCTUnwrap(run.files["lse.svg"], "dot writes lse.svg"), as: UTF8.self)
            XCTAssertTrue(svg.contains("<svg"), "lse.svg is an SVG")
        }
    }

    func testRuleFileProblemsStopOptimizeAndExplainToo() throws {
        let typo = try XCTUnwrap(try Self.runs.get()["typo"], "the guide's run typo block")
        let rules = "examples/guide/typo.rules"
        let reruns = try [
            GuideShell.run("saturate optimize examples/guide/softmax2.eqs --rules \(rules)"),
            GuideShell.run("saturate explain examples/guide/softmax2.eqs --rules \(rules)"),
        ]
        // The paths are absolute, and each run has its own directory.
        func located(_ text: String) -> [String] {
            text.split(separator: "\n").map { $0.components(separatedBy: "/examples/").last ?? "" }
        }
        for run in reruns {
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertEqual(run.stdout, "")
            XCTAssertEqual(located(run.stderr), located(typo.stderr))
        }
        // A rule named like a default rule is rejected by optimize.
        let duplicate = try GuideShell.run(
            """
            printf '[mine]\\nexp-log  (exp (log ?a))  => ?a  :if (pos ?a)\\n' > "$out/mine.rules"
            saturate optimize examples/guide/softmax2.eqs --rules "$out/mine.rules"
            """)
        XCTAssertEqual(duplicate.status, 1, duplicate.stderr)
        XCTAssertTrue(duplicate.stderr.contains("duplicate rule name 'exp-log'"), duplicate.stderr)
    }

    // MARK: Installing

    func testTheBuildStepsMatchThePackage() throws {
        let block = try XCTUnwrap(try Self.page.get().blocks("build").first)
        // Each step is one this test knows how to check.
        XCTAssertEqual(block.text, "swift build -c release\nexport PATH=\"$PWD/.build/release:$PATH\"\n", block.label)
        let manifest = try String(
            contentsOf: GuideShell.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertTrue(manifest.contains(".executable(name: \"saturate\""), "the package builds a saturate command")
        let version = try XCTUnwrap(
            manifest.split(separator: "\n").first?.components(separatedBy: "swift-tools-version:").last?
                .trimmingCharacters(in: .whitespaces))
        let guide = try String(
            contentsOf: GuideShell.repository.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        XCTAssertTrue(guide.contains("Swift \(version) or later"), "the guide names the tools version, \(version)")
        // The command lands in the build configuration's directory, and
        // carries its rules: nothing else of the build sits beside it.
        let executable = try SaturateProcess.require()
        let directory = executable.deletingLastPathComponent()
        XCTAssertTrue(["debug", "release"].contains(directory.lastPathComponent), executable.path)
        let resources = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".resources") || $0.hasSuffix(".bundle")
        }
        XCTAssertEqual(resources, [], "the default rules are compiled in, not a resource bundle")
        XCTAssertTrue(guide.contains("compiled into it"), "the guide says the command is self-contained")
    }

    func testThePackageManifestNamesLibrariesOfThisPackage() throws {
        let block = try XCTUnwrap(try Self.page.get().blocks("package").first)
        let manifest = try String(
            contentsOf: GuideShell.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertEqual(
            block.text.split(separator: "\n").first, manifest.split(separator: "\n").first,
            "the same tools version as this package")
        let products = block.text.components(separatedBy: ".product(name: \"").dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
        XCTAssertEqual(products, ["Saturate"], block.label)
        for product in products {
            XCTAssertTrue(manifest.contains(".library(name: \"\(product)\""), "\(product) is a library of the package")
        }
        // The Swift examples import exactly these libraries.
        for swift in try Self.page.get().blocks("swift") {
            for line in swift.text.split(separator: "\n") where line.hasPrefix("import ") {
                XCTAssertTrue(products.contains(String(line.dropFirst("import ".count))), "\(swift.label): \(line)")
            }
        }
    }

    /// Builds the guide's manifest as a package of its own, next to a link to
    /// this one, with the guide's Swift blocks as its `main.swift`, and runs
    /// it. Slow (it builds Saturate again), so only with
    /// `SATURATE_GUIDE_BUILD_PACKAGE=1`.
    func testThePackageManifestBuildsAndItsProgramRuns() throws {
        guard ProcessInfo.processInfo.environment["SATURATE_GUIDE_BUILD_PACKAGE"] == "1" else {
            throw XCTSkip("set SATURATE_GUIDE_BUILD_PACKAGE=1 to build the guide's package (a minute or more)")
        }
        let page = try Self.page.get()
        let manifest = try XCTUnwrap(page.blocks("package").first)
        let manager = FileManager.default
        let directory = manager.temporaryDirectory.appendingPathComponent("guide-package-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: directory) }
        let sources = directory.appendingPathComponent("StableSoftmax/Sources/StableSoftmax")
        try manager.createDirectory(at: sources, withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            at: directory.appendingPathComponent("saturate"), withDestinationURL: GuideShell.repository)
        try Data(manifest.text.utf8).write(to: directory.appendingPathComponent("StableSoftmax/Package.swift"))
        let main = page.blocks("swift").map(\.text).joined(separator: "\n")
        try Data(main.utf8).write(to: sources.appendingPathComponent("main.swift"))
        let run = try GuideShell.run(
            "cd '\(directory.path)/StableSoftmax' && swift build >&2 && .build/debug/StableSoftmax", timeout: 1800)
        XCTAssertEqual(run.status, 0, run.stderr)
        let program = try XCTUnwrap(page.block("output", "optimize-api")).text
        XCTAssertTrue(run.stdout.hasPrefix(program), "stdout:\n\(run.stdout)\nstderr:\n\(run.stderr.suffix(2000))")
        XCTAssertTrue(run.stdout.contains("checked: every step is an instance of its rule"), run.stdout)
    }

    // MARK: Swift

    /// The lines of `text` with their indentation trimmed and blank ones dropped.
    private static func normalized<S: StringProtocol>(_ text: S) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func testSwiftBlocksAreTheCodeThisFileRuns() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let imports = Set(lines.filter { $0.hasPrefix("import ") })
        let blocks = try Self.page.get().blocks("swift")
        var regions: [String: [String]] = [:]
        var current: (name: String, lines: [String])?
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// guide:begin ") {
                current = (String(trimmed.dropFirst("// guide:begin ".count)), [])
            } else if trimmed.hasPrefix("// guide:end "), let region = current {
                XCTAssertEqual(trimmed, "// guide:end \(region.name)")
                regions[region.name] = region.lines
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        XCTAssertEqual(Set(regions.keys), Set(blocks.map(\.name)), "a guide:begin region for each swift block")
        for block in blocks {
            let shown = Self.normalized(block.text)
            for line in shown where line.hasPrefix("import ") {
                XCTAssertTrue(imports.contains(line), "\(block.label): the test does not \(line)")
            }
            XCTAssertEqual(
                shown.filter { !$0.hasPrefix("import ") },
                Self.normalized(regions[block.name]?.joined(separator: "\n") ?? ""),
                "\(block.label) is not the code of `// guide:begin \(block.name)` in GuideTests.swift")
        }
    }

    func testOptimizingFromSwift() throws {
        // guide:begin optimize-api
        let source = """
            (input X [b n])
            (let e (exp X))
            (output P (/ e (sum e -1)))
            """
        let program = try TensorProgram(parsing: source, file: "softmax_rows.eqs")
        let result = try optimize(program)
        print(result.program.text, terminator: "")
        print(result.report.text, terminator: "")
        // guide:end optimize-api
        try Self.assertOutput("optimize-api", result.program.program().description)
        XCTAssertFalse(result.report.keptInput)
        XCTAssertTrue(result.report.text.hasPrefix("stop: "), result.report.text)
        XCTAssertNil(result.saturated, "no e-graph kept unless asked")

        // guide:begin explain-api
        var options = OptimizeOptions()
        options.recordsExplanations = true
        let explained = try optimize(program, options: options)
        let saturated = explained.saturated!
        let explanation = try saturated.explanation(ofOutput: 0)
        let problems = explanation.problems(rules: saturated.rules.rewrites, signature: saturated.egraph.signature)
        print(problems.isEmpty ? "checked: every step is an instance of its rule" : problems.joined(separator: "\n"))
        print(ExplanationPrinter(program: program).text(of: explanation, output: "P"), terminator: "")
        // guide:end explain-api
        XCTAssertEqual(problems, [])
        XCTAssertFalse(explanation.steps.isEmpty, "the stable softmax takes rewrites")
        XCTAssertEqual(explained.program.program(), result.program.program(), "explanations change nothing")
    }
}
