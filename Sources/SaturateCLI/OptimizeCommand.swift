// saturate optimize: the main job, and saturate expand, its first step alone.

import EGraph
import Foundation
import Optimizer
import TensorOps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `-o`, `--output`: where `optimize` and `expand` write the program.
private let outputOption = CommandOption.value(
    "-o", "--output", placeholder: "FILE", help: "write the program to FILE instead of standard output")
private let reportOption = CommandOption.flag(
    "--report", help: "print what the optimizer did (iterations, sizes, rules, costs) to stderr")
private let dumpOption = CommandOption.value(
    "--dump-egraph", placeholder: "OUT.dot|OUT.json",
    help: "write the final e-graph, extracted nodes marked, as Graphviz DOT or egraph-serialize JSON",
    repeats: true)
private let noProgressOption = CommandOption.flag(
    "--no-progress", help: "hide the progress line a run over a second shows on a terminal's stderr")
private let strictOption = CommandOption.flag(
    "--strict", help: "exit with status 3 after a warning (an output can still fail, or the input was kept)")
private let noVerifyOption = CommandOption.flag(
    "--no-verify", help: "skip the accuracy probe that returns the input when the rewrite is less accurate")

let optimizeInterface = CommandInterface(
    name: "optimize", operands: "FILE", operandCount: 1...1,
    summary: "print the numerically stable form of a program",
    description: """
        Prints the numerically stable program equal to FILE's: the same inputs and outputs, grad
        expanded, rewritten by the default rules (and the --rules files) and extracted by the
        stability cost.
        """,
    options: [outputOption, reportOption, dumpOption, noProgressOption, strictOption, noVerifyOption]
        + OptimizationOption.all,
    notes: """
        Warns on stderr, one line each, when an output can still fail (which node, which risk:
        exp overflow, division by zero, inf * 0, inf - inf) or the input was returned as written.
        --dump-egraph picks the format by the extension (.dot or .json); give it twice for both.
        --rules files are checked by sampling first, as check-rules checks them: an unsound rule
        is refused with the point that shows it wrong (exit status 1).
        """)

let expandInterface = CommandInterface(
    name: "expand", operands: "FILE", operandCount: 1...1,
    summary: "print a program with grad expanded, nothing else changed",
    description: "Prints FILE's program with every grad expanded by reverse mode, and nothing else rewritten.",
    options: [outputOption])

/// The formats `--dump-egraph` writes, chosen by the file's extension.
private enum EGraphDumpFormat {
    case dot
    case json

    /// The format the extension of `path` names, or `nil` for any other.
    init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "dot": self = .dot
        case "json": self = .json
        default: return nil
        }
    }
}

/// Runs `saturate expand`.
func runExpand(_ arguments: ParsedArguments) throws {
    let output = arguments.value(outputOption)
    if let output, output != "-" { try Files.checkWritable(output, for: "the program") }
    try Files.write(readProgram(arguments.operands[0]).program().description, to: output, what: "the program")
}

/// Runs `saturate optimize`.
func runOptimize(_ arguments: ParsedArguments) throws {
    var dumps: [(path: String, format: EGraphDumpFormat)] = []
    for path in arguments.values(dumpOption) {
        guard let format = EGraphDumpFormat(path: path) else {
            throw optimizeInterface.usageError("--dump-egraph writes .dot or .json, found '\(path)'")
        }
        dumps.append((path, format))
    }
    var options = try optimizeOptions(arguments, of: optimizeInterface)
    let output = arguments.value(outputOption)
    // Before the run, which can take seconds: a mistyped directory should not
    // cost the wait.
    for dump in dumps { try Files.checkWritable(dump.path, for: "the e-graph") }
    if let output, output != "-" { try Files.checkWritable(output, for: "the program") }
    let program = try readProgram(arguments.operands[0])
    try checkAddedRules(of: options, arguments)
    options.keepsEGraph = !dumps.isEmpty
    options.verifiesAccuracy = !arguments.flag(noVerifyOption)
    let showsProgress = !arguments.flag(noProgressOption) && isatty(STDERR_FILENO) == 1
    let progressLine = showsProgress ? ProgressLine() : nil
    if let progressLine { options.progress = { progressLine.show($0) } }
    let result: OptimizationResult
    do {
        // Cleared before anything else reaches stderr: an error, the report.
        defer { progressLine?.clear() }
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure.input(error.description)
    }
    // Written before the program, so a run whose dump failed writes nothing
    // a pipeline could mistake for its whole result.
    if let saturated = result.saturated {
        for dump in dumps {
            let text =
                switch dump.format {
                case .dot: saturated.egraph.dotDescription(roots: saturated.roots, marking: saturated.extractedNodes)
                case .json: saturated.serializedJSON()
                }
            try Files.write(text, to: dump.path, what: "the e-graph")
        }
    }
    try Files.write(result.program.program().description, to: output, what: "the program")
    if arguments.flag(reportOption) { FileHandle.standardError.write(Data(result.report.text.utf8)) }
    let warnings = result.report.warnings
    let name = Files.name(arguments.operands[0])
    for warning in warnings { FileHandle.standardError.write(Data("saturate: warning: \(name): \(warning)\n".utf8)) }
    if arguments.flag(strictOption) && !warnings.isEmpty { throw CommandFailure(message: "", status: .risk) }
}
