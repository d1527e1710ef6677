// saturate check-rules: every rule checked for soundness by sampling. See
// `checkRulesUsage` and `RuleChecker`.

import EGraph
import Foundation
import Optimizer

/// The usage lines of `saturate check-rules`.
let checkRulesUsage = """
    saturate check-rules [FILE...] [--points N] [--seed N]
        checks each rule (of the default rule files, or of the FILEs, read with the
        defaults' declarations) at seeded sample points of its domain: the right side
        keeps the left side's shape or broadcasts to it, is defined wherever the left
        side is finite, and agrees with it in 256-bit arithmetic; prints one line per
        rule and exits with status 1 if a rule fails (never matching is a warning)
        --points N  sample points per rule (default 12)
        --seed N    the seed (default fixed, so runs repeat)
    """

/// Runs `saturate check-rules`.
func runCheckRules(_ arguments: [String]) throws {
    var options = RuleCheckOptions()
    var files: [RuleSource] = []
    var iterator = arguments.makeIterator()
    func number(_ option: String) throws -> UInt64 {
        guard let text = iterator.next() else {
            throw CommandFailure(message: "\(option) needs a value\nusage: " + checkRulesUsage, status: 2)
        }
        guard let value = UInt64(text) else {
            throw CommandFailure(message: "\(option) takes a non-negative integer, found '\(text)'", status: 2)
        }
        return value
    }
    while let argument = iterator.next() {
        switch argument {
        case "--points":
            let points = try number(argument)
            guard points > 0, points <= 10_000 else {
                throw CommandFailure(message: "--points takes a number from 1 to 10000", status: 2)
            }
            options.points = Int(points)
            options.attempts = max(options.attempts, options.points * 30)
        case "--seed":
            options.seed = try number(argument)
        default:
            guard !argument.hasPrefix("-") else {
                throw CommandFailure(message: "unknown option '\(argument)'\nusage: " + checkRulesUsage, status: 2)
            }
            do {
                files.append(try RuleSource(contentsOf: URL(fileURLWithPath: argument)))
            } catch {
                throw CommandFailure(message: error.description, status: 1)
            }
        }
    }
    let rules: RuleSet
    do {
        rules = try RuleChecker.loadRules(files: files)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
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
    if failed > 0 { throw CommandFailure(message: "check-rules: \(failed) rule(s) failed", status: 1) }
}
