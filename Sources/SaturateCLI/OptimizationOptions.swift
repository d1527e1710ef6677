// The options `saturate optimize` and `saturate explain` share: rule files and
// limits, declared once so the two commands spell, check and document them
// the same way; and the check of a user's rule files before they run.

import EGraph
import Foundation
import Optimizer
import RuleChecking
import TensorOps

/// The options of every optimizing command.
enum OptimizationOption {
    private static let defaults = OptimizeOptions()

    static let rules = CommandOption.value(
        "--rules", placeholder: "FILE",
        help: "load FILE's rules after the defaults, once each passes the check of check-rules", readsFile: true,
        repeats: true)
    static let uncheckedRules = CommandOption.flag(
        "--unchecked-rules", help: "load the --rules files without checking their rules first")
    static let noDefaultRules = CommandOption.flag(
        "--no-default-rules", help: "load no default rule, only the --rules files")
    static let iterLimit = CommandOption.value(
        "--iter-limit", placeholder: "N",
        help: "stop saturating after N iterations (default \(defaults.limits.iterations))")
    static let nodeLimit = CommandOption.value(
        "--node-limit", placeholder: "N", help: "stop saturating past N e-nodes (default \(defaults.limits.nodes))")
    static let timeLimit = CommandOption.value(
        "--time-limit", placeholder: "SECONDS",
        help:
            "finish within SECONDS: saturation, extraction and verification (default \(Int(defaults.limits.seconds)))"
    )

    static let writtenGradients = CommandOption.flag(
        "--written-gradients",
        help: "optimize each grad as written only, not first the gradient of its function's stable form")

    static let precision = CommandOption.value(
        "--precision", placeholder: "FORMAT",
        help: "the format the program computes in, float64 (default) or float32, whose overflow thresholds count")

    /// All of them, in the order the help lists them.
    static let all = [
        rules, uncheckedRules, noDefaultRules, iterLimit, nodeLimit, timeLimit, writtenGradients, precision,
    ]
}

/// The optimizer's options the arguments give, with the `--rules` files
/// read.
func optimizeOptions(_ arguments: ParsedArguments, of interface: CommandInterface) throws -> OptimizeOptions {
    var options = OptimizeOptions()
    options.usesDefaultRules = !arguments.flag(OptimizationOption.noDefaultRules)
    options.differentiatesStableForms = !arguments.flag(OptimizationOption.writtenGradients)
    if let iterations = try arguments.positive(OptimizationOption.iterLimit, as: Int.self, of: interface) {
        options.limits.iterations = iterations
    }
    if let nodes = try arguments.positive(OptimizationOption.nodeLimit, as: Int.self, of: interface) {
        options.limits.nodes = nodes
    }
    if let seconds = try arguments.positive(OptimizationOption.timeLimit, as: Double.self, of: interface) {
        options.limits.seconds = seconds
    }
    options.precision = try readPrecision(arguments, of: interface)
    options.ruleFiles = try arguments.values(OptimizationOption.rules).map(readRuleFile)
    return options
}

/// The format `--precision` names, float64 when it is not given.
/// - Throws: a usage error of `interface` for another name.
func readPrecision(_ arguments: ParsedArguments, of interface: CommandInterface) throws -> Precision {
    try arguments.value(
        OptimizationOption.precision, of: interface,
        expecting: Precision.allCases.map(\.rawValue).joined(separator: " or "), Precision.init(rawValue:))
        ?? .float64
}

/// Checks the rules the `--rules` files add, as `saturate check-rules`
/// does, unless `--unchecked-rules` says not to: an unsound rule would make
/// the optimizer return a program that computes something else, so it is
/// refused with the point that shows it wrong. A rule the sampler never
/// matched gets a warning on stderr and runs.
/// - Throws: the files' load problems, or the failed rules' reports, as
///   problems in the input.
func checkAddedRules(of options: OptimizeOptions, _ arguments: ParsedArguments) throws {
    guard !options.ruleFiles.isEmpty, !arguments.flag(OptimizationOption.uncheckedRules) else { return }
    let results: [RuleCheckResult]
    do {
        results = try RuleChecker().checkAddedRules(of: options)
    } catch {
        throw CommandFailure.input(error.description)
    }
    let directory = FileManager.default.currentDirectoryPath
    for result in results where result.isNeverMatched {
        FileHandle.standardError.write(Data((result.report(relativeTo: directory) + "\n").utf8))
    }
    let failures = results.filter(\.isFailure)
    guard !failures.isEmpty else { return }
    let count = failures.count == 1 ? "an unsound rule" : "\(failures.count) unsound rules"
    throw CommandFailure.input(
        failures.map { $0.report(relativeTo: directory) }.joined(separator: "\n")
            + "\nsaturate: refusing \(count) (saturate check-rules FILE shows every rule's check; "
            + "--unchecked-rules runs them anyway)")
}
