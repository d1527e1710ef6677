// saturate optimize: the main job. See `optimizeUsage`.

import EGraph
import Foundation
import Optimizer
import TensorOps

let optimizeUsage = """
    saturate optimize FILE [--rules FILE]... [--no-default-rules] [--iter-limit N] [--node-limit N]
                           [--time-limit SECONDS] [--report]
      prints the numerically stable program (same inputs and outputs, no grad) to stdout;
      --report prints what the optimizer did to stderr
    """

/// Runs `saturate optimize`.
func runOptimize(_ arguments: [String]) throws {
    var options = OptimizeOptions()
    var file: String?
    var wantsReport = false
    var iterator = arguments.makeIterator()
    func value(_ option: String) throws -> String {
        guard let value = iterator.next() else {
            throw CommandFailure(message: "\(option) needs a value\nusage: " + optimizeUsage, status: 2)
        }
        return value
    }
    func positive<T: LosslessStringConvertible & Comparable & Numeric>(_ option: String, as: T.Type) throws -> T {
        let text = try value(option)
        guard let number = T(text), number > 0 else {
            throw CommandFailure(message: "\(option) takes a positive number, found '\(text)'", status: 2)
        }
        return number
    }
    while let argument = iterator.next() {
        switch argument {
        case "--rules":
            let path = try value(argument)
            do {
                options.ruleFiles.append(try RuleSource(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CommandFailure(message: error.description, status: 1)
            }
        case "--no-default-rules": options.usesDefaultRules = false
        case "--iter-limit": options.limits.iterations = try positive(argument, as: Int.self)
        case "--node-limit": options.limits.nodes = try positive(argument, as: Int.self)
        case "--time-limit": options.limits.seconds = try positive(argument, as: Double.self)
        case "--report": wantsReport = true
        default:
            guard !argument.hasPrefix("-"), file == nil else {
                throw CommandFailure(message: "unexpected argument '\(argument)'\nusage: " + optimizeUsage, status: 2)
            }
            file = argument
        }
    }
    guard let file else { throw CommandFailure(message: "usage: " + optimizeUsage, status: 2) }
    let program = try readProgram(file)
    let result: OptimizationResult
    do {
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
    }
    print(result.program.program(), terminator: "")
    if wantsReport { FileHandle.standardError.write(Data(result.report.text.utf8)) }
}
