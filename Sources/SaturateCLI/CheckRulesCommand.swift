// saturate check-rules: every rule checked for soundness by sampling. See
// `RuleChecker`.

import EGraph
import Foundation
import Optimizer
import RuleChecking

private let pointsOption = CommandOption.value(
    "--points", placeholder: "N", help: "sample points per rule, 1 to 10000 (default \(RuleCheckOptions().points))")
private let seedOption = CommandOption.value(
    "--seed", placeholder: "N", help: "the seed, a non-negative integer (default fixed, so runs repeat)")

let checkRulesInterface = CommandInterface(
    name: "check-rules", operands: "[FILE...]", operandCount: 0...Int.max,
    summary: "check rules for soundness by sampling",
    description: """
        Checks each rule (of the default rule files, or of the FILEs, read with the defaults'
        declarations) at seeded sample points of its domain: the right side keeps the left side's
        shape or broadcasts to it, is defined wherever the left side is finite, and agrees with it
        in 256-bit arithmetic. Prints one line per rule, and the point that shows a failure.
        """,
    options: [pointsOption, seedOption],
    notes: "A rule that fails makes the exit status 1; one never matched at sampled points is a warning.")

/// Runs `saturate check-rules`.
func runCheckRules(_ arguments: ParsedArguments) throws {
    var options = RuleCheckOptions()
    if let points = try arguments.value(
        pointsOption, of: checkRulesInterface, expecting: "a number from 1 to 10000",
        { Int($0).flatMap { (1...10_000).contains($0) ? $0 : nil } })
    {
        options.points = points
        options.attempts = max(options.attempts, points * 30)
    }
    if let seed = try arguments.value(
        seedOption, of: checkRulesInterface, expecting: "a non-negative integer",
        {
            UInt64($0)
        })
    {
        options.seed = seed
    }
    let files = try arguments.operands.map(readRuleFile)
    let rules: RuleSet
    do {
        rules = try RuleChecker.loadRules(files: files)
    } catch {
        throw CommandFailure.input(error.description)
    }
    let directory = FileManager.default.currentDirectoryPath
    let checker = RuleChecker(options: options)
    var results: [RuleCheckResult] = []
    for entry in rules.entries {
        let result = checker.check(entry, signature: rules.signature)
        print(result.report(relativeTo: directory))
        results.append(result)
    }
    print(results.summary)
    let failed = results.filter(\.isFailure).count
    if failed > 0 { throw CommandFailure.input("check-rules: \(failed) rule(s) failed") }
}
