// saturate explain: why the optimized program equals the one written. See
// `explainUsage`.

import EGraph
import Foundation
import Optimizer
import TensorOps

let explainUsage = """
    saturate explain FILE [--output NAME] [--whole-terms] [--rules FILE]... [--no-default-rules]
                          [--iter-limit N] [--node-limit N] [--time-limit SECONDS]
      prints, for each output (or the one named), the rewrites from the program as written
      to the optimized one, each with the rule that justifies it; the options are optimize's
    """

/// Runs `saturate explain`.
func runExplain(_ arguments: [String]) throws {
    var options = OptimizeOptions()
    options.recordsExplanations = true
    var file: String?
    var wanted: String?
    var showsWholeTerms = false
    var reader = ArgumentReader(arguments, usage: explainUsage)
    while let argument = reader.next() {
        if try readOptimizationOption(argument, &reader, into: &options) { continue }
        switch argument {
        case "--output": wanted = try reader.value(of: argument)
        case "--whole-terms": showsWholeTerms = true
        default:
            guard !argument.hasPrefix("-"), file == nil else { throw reader.unexpected(argument) }
            file = argument
        }
    }
    guard let file else { throw CommandFailure(message: "usage: " + explainUsage, status: 2) }
    let program = try readProgram(file)
    let names = program.outputs.map(\.name)
    if let wanted, !names.contains(wanted) {
        throw CommandFailure(
            message: "\(file): no output named '\(wanted)' (outputs: \(names.joined(separator: ", ")))", status: 1)
    }
    let result: OptimizationResult
    do {
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
    }
    guard let saturated = result.saturated else {
        throw CommandFailure(message: "saturate: the optimizer kept no e-graph to explain", status: 1)
    }
    var printer = ExplanationPrinter(program: program)
    printer.showsWholeTerms = showsWholeTerms
    if result.report.keptInput {
        print("note: the optimized form was less accurate than the input, so optimize returns the input;")
        print("      below is why the rejected form is equal to it")
    }
    for (index, name) in names.enumerated() where wanted == nil || wanted == name {
        do {
            print(printer.text(of: try saturated.explanation(ofOutput: index), output: name), terminator: "")
        } catch {
            throw CommandFailure(message: "\(file): output '\(name)': \(error.description)", status: 1)
        }
    }
}
