// saturate eval: evaluates a program on inputs given as JSON, in binary64 (numpy's float64 semantics, what the
// judge computes) or, with --reference, in ReferenceFloat (the judge's mpmath semantics), each element then
// correctly rounded to binary64.

import Foundation
import TensorOps

/// The usage lines of `saturate eval`.
let evalUsage = """
    saturate eval FILE [--inputs INPUTS.json] [--input-set NAME] [--reference]
        evaluates FILE's outputs and prints them as one JSON object {"name": value, ...}
        in output order; numbers read back to the same binary64 value, specials are
        the strings "inf", "-inf", "nan".
        --inputs INPUTS.json  the input values, {"x": [...], "X": [[...], ...]}, or a
                              judge case file ({"input_sets": [{"name": ..., "values":
                              {...}}, ...]}) together with --input-set
        --input-set NAME      the input set NAME of a judge case file; without
                              --inputs, FILE's sibling .json (corpus/NAME.eqs ->
                              corpus/NAME.json)
        --reference           evaluate with the 256-bit reference arithmetic (the
                              judge's truth semantics), each element correctly
                              rounded to binary64
    """

/// The options of `saturate eval`.
struct EvalOptions {
    var file: String
    var inputsPath: String?
    var inputSet: String?
    var reference = false

    init(_ arguments: [String]) throws {
        var file: String?
        var index = 0
        func value(of option: String) throws -> String {
            index += 1
            guard index < arguments.count else {
                throw CommandFailure(message: "\(option) needs a value\nusage: " + evalUsage, status: 2)
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--inputs": inputsPath = try value(of: argument)
            case "--input-set": inputSet = try value(of: argument)
            case "--reference": reference = true
            default:
                guard !argument.hasPrefix("--"), file == nil else {
                    let what = argument.hasPrefix("--") ? "unknown option '\(argument)'" : "unexpected '\(argument)'"
                    throw CommandFailure(message: "\(what)\nusage: " + evalUsage, status: 2)
                }
                file = argument
            }
            index += 1
        }
        guard let file else { throw CommandFailure(message: "eval needs a FILE\nusage: " + evalUsage, status: 2) }
        self.file = file
        if inputsPath == nil {
            guard inputSet != nil else {
                throw CommandFailure(message: "eval needs --inputs or --input-set\nusage: " + evalUsage, status: 2)
            }
            let base = file.hasSuffix(".eqs") ? String(file.dropLast(4)) : file
            inputsPath = base + ".json"
        }
    }
}

/// Runs `saturate eval` and prints its JSON object.
func runEval(_ arguments: [String]) throws {
    let options = try EvalOptions(arguments)
    let program = try readProgram(options.file)
    let inputsPath = options.inputsPath ?? ""
    let values = try readInputValues(inputsPath, inputSet: options.inputSet)
    func failure(_ error: EvaluationError) -> CommandFailure {
        switch error.kind {
        case .missingInput, .rankMismatch, .sizeMismatch, .conflictingDimension:
            return CommandFailure(message: "\(inputsPath): \(error.message)", status: 1)
        case .emptyReduction, .shape:
            return CommandFailure(message: "\(options.file): \(error.message)", status: 1)
        }
    }
    var outputs: [(name: String, value: NDArray<Double>)]
    do {
        if options.reference {
            let exact = values.mapValues { $0.map(ReferenceFloat.init) }
            outputs = try program.evaluate(exact).map { (name: $0.name, value: $0.value.map(\.doubleValue)) }
        } else {
            outputs = try program.evaluate(values)
        }
    } catch {
        throw failure(error)
    }
    let members = outputs.map { JSONValue.quoted($0.name) + ": " + $0.value.jsonText }
    print("{" + members.joined(separator: ", ") + "}")
}

/// The input values in `path`: a plain `{"x": [...]}` object, or input set `inputSet` of a judge case file.
func readInputValues(_ path: String, inputSet: String?) throws -> [String: NDArray<Double>] {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw CommandFailure(message: "\(path): cannot read the file (\(error.localizedDescription))", status: 1)
    }
    let document: JSONValue
    do {
        document = try JSONValue.parse(text)
    } catch {
        throw CommandFailure(message: "\(path):\(error.line):\(error.column): bad JSON: \(error.message)", status: 1)
    }
    var values = document
    if case .array(let sets)? = document.member("input_sets") {
        let names = sets.compactMap { $0.member("name")?.stringValue }
        guard let inputSet else {
            throw CommandFailure(
                message: "\(path): a judge case file; choose an input set with --input-set (one of: "
                    + names.joined(separator: ", ") + ")", status: 1)
        }
        guard let chosen = sets.first(where: { $0.member("name")?.stringValue == inputSet }),
            let setValues = chosen.member("values")
        else {
            throw CommandFailure(
                message: "\(path): no input set named '\(inputSet)' (available: " + names.joined(separator: ", ")
                    + ")", status: 1)
        }
        values = setValues
    } else if let inputSet {
        throw CommandFailure(
            message: "\(path): --input-set \(inputSet) needs a judge case file with \"input_sets\"", status: 1)
    }
    guard case .object(let members) = values else {
        throw CommandFailure(
            message: "\(path): the input values must be a JSON object {\"name\": [...], ...}", status: 1)
    }
    var arrays: [String: NDArray<Double>] = [:]
    for member in members {
        guard arrays[member.key] == nil else {
            throw CommandFailure(message: "\(path): input '\(member.key)' is given twice", status: 1)
        }
        do {
            arrays[member.key] = try NDArray<Double>(nested: member.value)
        } catch {
            throw CommandFailure(message: "\(path): input '\(member.key)': \(error.message)", status: 1)
        }
    }
    return arrays
}
