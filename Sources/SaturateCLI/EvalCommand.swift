// saturate eval: evaluates a program on inputs given as JSON, in binary64 (numpy's float64 semantics, what the
// judge computes) or, with --reference, in ReferenceFloat (the judge's mpmath semantics), each element then
// correctly rounded to binary64.

import Foundation
import TensorOps

private let inputsOption = CommandOption.value(
    "--inputs", placeholder: "INPUTS.json",
    help: "the input values, {\"x\": [...], ...}, or a judge case file with --input-set", readsFile: true)
private let inputSetOption = CommandOption.value(
    "--input-set", placeholder: "NAME",
    help: "the input set NAME of a judge case file (without --inputs: FILE's sibling .json)")
private let referenceOption = CommandOption.flag(
    "--reference", help: "evaluate in 256-bit arithmetic, each element then correctly rounded to binary64")

let evalInterface = CommandInterface(
    name: "eval", operands: "FILE", operandCount: 1...1,
    summary: "evaluate a program on inputs given as JSON",
    description: """
        Evaluates FILE's outputs in binary64 with numpy's float64 semantics (or, with --reference,
        with the judge's 256-bit truth semantics) and prints them as one JSON object
        {"name": value, ...} in output order; numbers read back to the same binary64 value, and
        the specials are the strings "inf", "-inf", "nan". With --precision float32 the inputs
        are rounded to binary32 and every operation computes in it, as numpy's float32 does
        (--reference: the truth rounded to binary32).
        """,
    options: [inputsOption, inputSetOption, referenceOption, OptimizationOption.precision],
    notes: """
        A judge case file is {"input_sets": [{"name": ..., "values": {...}}, ...]}; with --input-set
        and no --inputs, FILE's sibling .json is read (corpus/NAME.eqs -> corpus/NAME.json).
        """)

/// The options of `saturate eval`.
struct EvalOptions {
    var file: String
    var inputsPath: String?
    var inputSet: String?
    var reference = false
    var precision = Precision.float64

    init(_ arguments: ParsedArguments) throws {
        precision = try readPrecision(arguments, of: evalInterface)
        file = arguments.operands[0]
        inputsPath = arguments.value(inputsOption)
        inputSet = arguments.value(inputSetOption)
        reference = arguments.flag(referenceOption)
        if inputsPath == nil {
            guard inputSet != nil else { throw evalInterface.usageError("eval needs --inputs or --input-set") }
            guard file != "-" else { throw evalInterface.usageError("a program read from '-' needs --inputs") }
            let base = file.hasSuffix(".eqs") ? String(file.dropLast(4)) : file
            inputsPath = base + ".json"
        }
    }
}

/// Runs `saturate eval` and prints its JSON object.
func runEval(_ arguments: ParsedArguments) throws {
    let options = try EvalOptions(arguments)
    let program = try readProgram(options.file)
    let inputsPath = Files.name(options.inputsPath ?? "")
    let values = try readInputValues(options.inputsPath ?? "", inputSet: options.inputSet)
    func failure(_ error: EvaluationError) -> CommandFailure {
        switch error.kind {
        case .missingInput, .rankMismatch, .sizeMismatch, .conflictingDimension, .unknownInput:
            return CommandFailure(message: "\(inputsPath): \(error.message)", status: .input)
        case .emptyReduction, .shape, .deadline:
            return CommandFailure(message: "\(Files.name(options.file)): \(error.message)", status: .input)
        }
    }
    var outputs: [(name: String, value: NDArray<Double>)]
    do {
        try program.checkInputNames(values.keys.sorted())
        if options.reference {
            let exact = values.mapValues { $0.map(ReferenceFloat.init) }
            outputs = try program.evaluate(exact).map { output in
                (name: output.name, value: output.value.map { options.precision.rounded($0.doubleValue) })
            }
        } else {
            outputs = try program.evaluate(values, in: options.precision)
        }
    } catch {
        throw failure(error)
    }
    let members = outputs.map { JSONValue.quoted($0.name) + ": " + $0.value.jsonText }
    print("{" + members.joined(separator: ", ") + "}")
}

/// The input values in `path`: a plain `{"x": [...]}` object, or input set `inputSet` of a judge case file.
func readInputValues(_ path: String, inputSet: String?) throws -> [String: NDArray<Double>] {
    let text = try Files.text(path)
    let path = Files.name(path)
    let document: JSONValue
    do {
        document = try JSONValue.parse(text)
    } catch {
        throw CommandFailure(
            message: "\(path):\(error.line):\(error.column): bad JSON: \(error.message)", status: .input)
    }
    var values = document
    if case .array(let sets)? = document.member("input_sets") {
        let names = sets.compactMap { $0.member("name")?.stringValue }
        guard let inputSet else {
            throw CommandFailure(
                message: "\(path): a judge case file; choose an input set with --input-set (one of: "
                    + names.joined(separator: ", ") + ")", status: .input)
        }
        guard let chosen = sets.first(where: { $0.member("name")?.stringValue == inputSet }),
            let setValues = chosen.member("values")
        else {
            throw CommandFailure(
                message: "\(path): no input set named '\(inputSet)' (available: " + names.joined(separator: ", ")
                    + ")", status: .input)
        }
        values = setValues
    } else if let inputSet {
        throw CommandFailure(
            message: "\(path): --input-set \(inputSet) needs a judge case file with \"input_sets\"", status: .input)
    }
    guard case .object(let members) = values else {
        throw CommandFailure(
            message: "\(path): the input values must be a JSON object {\"name\": [...], ...}", status: .input)
    }
    var arrays: [String: NDArray<Double>] = [:]
    for member in members {
        guard arrays[member.key] == nil else {
            throw CommandFailure(message: "\(path): input '\(member.key)' is given twice", status: .input)
        }
        do {
            arrays[member.key] = try NDArray<Double>(nested: member.value)
        } catch {
            throw CommandFailure(message: "\(path): input '\(member.key)': \(error.message)", status: .input)
        }
    }
    return arrays
}
