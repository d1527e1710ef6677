// saturate explain: why the optimized program equals the one written.

import EGraph
import Foundation
import Optimizer
import TensorOps

private let outputNameOption = CommandOption.value(
    "--output", placeholder: "NAME", help: "explain only the output NAME")
private let wholeTermsOption = CommandOption.flag(
    "--whole-terms", help: "show, under each step, the whole term it reached")

let explainInterface = CommandInterface(
    name: "explain", operands: "FILE", operandCount: 1...1,
    summary: "print why the optimized program equals the one written",
    description: """
        Prints, for each output of FILE (or the one --output names), the chain of rewrites from the
        program as written to the one optimize returns, each step naming the rule that justifies it.
        It optimizes as optimize does, with the same rule and limit options.
        """,
    options: [outputNameOption, wholeTermsOption] + OptimizationOption.all)

/// Runs `saturate explain`.
func runExplain(_ arguments: ParsedArguments) throws {
    var options = try optimizeOptions(arguments, of: explainInterface)
    options.recordsExplanations = true
    let file = arguments.operands[0]
    let program = try readProgram(file)
    let names = program.outputs.map(\.name)
    let wanted = arguments.value(outputNameOption)
    if let wanted, !names.contains(wanted) {
        throw CommandFailure.input(
            "\(Files.name(file)): no output named '\(wanted)' (outputs: \(names.joined(separator: ", ")))")
    }
    try checkAddedRules(of: options, arguments)
    let result: OptimizationResult
    do {
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure.input(error.description)
    }
    guard let saturated = result.saturated else {
        throw CommandFailure.input("saturate: the optimizer kept no e-graph to explain")
    }
    var printer = ExplanationPrinter(program: program)
    printer.showsWholeTerms = arguments.flag(wholeTermsOption)
    if result.report.keptInput {
        print("note: the optimized form was less accurate than the input, so optimize returns the input;")
        print("      below is why the rejected form is equal to it")
    }
    for (index, name) in names.enumerated() where wanted == nil || wanted == name {
        do {
            print(printer.text(of: try saturated.explanation(ofOutput: index), output: name), terminator: "")
        } catch {
            throw CommandFailure.input("\(Files.name(file)): output '\(name)': \(error.description)")
        }
    }
}
