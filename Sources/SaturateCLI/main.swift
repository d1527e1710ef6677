// saturate: the command line of Saturate.
//
//   saturate optimize FILE               the numerically stable program (see OptimizeCommand.swift)
//   saturate expand FILE                 the program with grad expanded, nothing else
//   saturate eval FILE --inputs IN.json  the outputs on given inputs, as JSON (see EvalCommand.swift)
//   saturate check-rules [FILE...]       every rule checked by sampling (see CheckRulesCommand.swift)
//   saturate accuracy FILE...            the before/after accuracy table (see AccuracyCommand.swift)
//   saturate explain FILE                why the optimized program is equal (see ExplainCommand.swift)
//
// Errors go to stderr as file:line:col: message; the exit status is 1 for a
// problem in the input and 2 for a usage error.

import EGraph
import Foundation
import TensorOps

/// A failure the command reports and exits on.
struct CommandFailure: Error {
    var message: String
    var status: Int32
}

let usage =
    "usage: " + optimizeUsage.replacingOccurrences(of: "\n", with: "\n       ")
    + "\n       saturate expand FILE\n       "
    + evalUsage.replacingOccurrences(of: "\n", with: "\n       ")
    + "\n       " + checkRulesUsage.replacingOccurrences(of: "\n", with: "\n       ")
    + "\n       " + accuracyUsage.replacingOccurrences(of: "\n", with: "\n       ")
    + "\n       " + explainUsage.replacingOccurrences(of: "\n", with: "\n       ")

func readProgram(_ path: String) throws -> TensorProgram {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw CommandFailure(message: "\(path): cannot read the file (\(error.localizedDescription))", status: 1)
    }
    let text: String
    do {
        text = try SourceText.decode(data, file: path)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
    }
    do {
        return try TensorProgram(parsing: text, file: path)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
    }
}

func run(_ arguments: [String]) throws {
    guard let command = arguments.first else { throw CommandFailure(message: usage, status: 2) }
    let rest = Array(arguments.dropFirst())
    switch command {
    case "expand":
        guard rest.count == 1 else { throw CommandFailure(message: usage, status: 2) }
        print(try readProgram(rest[0]).program(), terminator: "")
    case "eval":
        try runEval(rest)
    case "optimize":
        try runOptimize(rest)
    case "check-rules":
        try runCheckRules(rest)
    case "accuracy":
        try runAccuracy(rest)
    case "explain":
        try runExplain(rest)
    case "-h", "--help", "help":
        print(usage)
    default:
        throw CommandFailure(message: "unknown command '\(command)'\n" + usage, status: 2)
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch let failure as CommandFailure {
    FileHandle.standardError.write(Data((failure.message + "\n").utf8))
    exit(failure.status)
} catch {
    FileHandle.standardError.write(Data("saturate: \(error)\n".utf8))
    exit(1)
}
