// saturate accuracy: the before/after accuracy table of docs/accuracy.md. See
// `accuracyInterface`, `AccuracyProbe` (the measure) and `optimize` (which runs it).

import Extract
import Foundation
import Optimizer
import TensorOps

let accuracyInterface = CommandInterface(
    name: "accuracy", operands: "FILE...", operandCount: 1...Int.max,
    summary: "print the before/after accuracy table of programs",
    description: """
        Optimizes each FILE and prints a Markdown table, one row per FILE in argument order: the
        worst and mean error in cond bits (the judge's metric) of the program as written and as
        optimized, on adversarial inputs, against the 256-bit reference, and how many results are
        nan or inf where the truth is finite. The optimizer runs with its default limits but no
        time limit, so the table depends on the programs alone, not on the machine's speed.
        """,
    options: [])

/// The header of the table, shared by every row's column count.
private let accuracyHeader = [
    "| program | worst before | mean before | nan/inf before | worst after | mean after | nan/inf after |",
    "|---|--:|--:|--:|--:|--:|--:|",
]

/// Runs `saturate accuracy`.
func runAccuracy(_ arguments: ParsedArguments) throws {
    var lines = accuracyHeader
    for file in arguments.operands {
        lines.append(try accuracyRow(file))
    }
    print(lines.joined(separator: "\n"))
}

/// The table row of one program file.
private func accuracyRow(_ file: String) throws -> String {
    let program = try readProgram(file)
    var options = OptimizeOptions()
    // A time limit would make the table depend on the machine (a debug build
    // stops earlier than a release build); the iteration and node limits
    // still bound the run.
    options.limits.seconds = .infinity
    let result: OptimizationResult
    do {
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure.input("\(Files.name(file)): \(error.description)")
    }
    let counts = try? nonFiniteResults(of: program, result.program)
    func bits(_ report: AccuracyProbe.Report?) -> [String] {
        guard let report else { return ["n/a", "n/a"] }
        return [String(format: "%.1f", report.maximumBits), String(format: "%.2f", report.meanBits)]
    }
    func nonFinite(_ count: Int?) -> String {
        guard let count, let total = counts?.total else { return "n/a" }
        return "\(count)/\(total)"
    }
    let cells =
        ["`\(Files.name(file))`"] + bits(result.report.accuracyBefore) + [nonFinite(counts?.before)]
        + bits(result.report.accuracyAfter) + [nonFinite(counts?.after)]
    return "| " + cells.joined(separator: " | ") + " |"
}

/// How many elements of `program`'s and of `optimized`'s binary64 results are
/// nan or infinite where the correctly rounded truth of `program` is finite,
/// over the probe's input sets, out of `total` such elements.
///
/// The cond bits charge these 64 bits, but so do finite errors beyond 2^64
/// units; the judge reports them apart because a nan is a failure whatever
/// the tolerance.
private func nonFiniteResults(of program: TensorProgram, _ optimized: TensorProgram) throws -> (
    before: Int, after: Int, total: Int
) {
    let probe = AccuracyProbe()
    var (before, after, total) = (0, 0, 0)
    for set in AccuracyProbe.InputSet.allCases {
        let (doubles, references) = probe.inputs(for: program, set: set)
        let truths = try program.evaluate(references).map { $0.value.elements.map(\.doubleValue) }
        let written = try program.evaluate(doubles).map(\.value.elements)
        let rewritten = try optimized.evaluate(doubles).map(\.value.elements)
        for output in truths.indices {
            for (element, truth) in truths[output].enumerated() where truth.isFinite {
                total += 1
                if !written[output][element].isFinite { before += 1 }
                if !rewritten[output][element].isFinite { after += 1 }
            }
        }
    }
    return (before, after, total)
}
