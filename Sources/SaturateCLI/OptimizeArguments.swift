// The arguments `saturate optimize` and `saturate explain` share: one reader,
// so the two commands accept the same limits and rule options, spelled and
// checked the same way.

import EGraph
import Foundation
import Optimizer

/// Reads a command's arguments in order, with the usage to print on a
/// mistake.
struct ArgumentReader {
    private var iterator: IndexingIterator<[String]>
    /// The command's usage, printed after a usage error.
    let usage: String

    init(_ arguments: [String], usage: String) {
        iterator = arguments.makeIterator()
        self.usage = usage
    }

    /// The next argument, if any.
    mutating func next() -> String? { iterator.next() }

    /// The value after `option`, or a usage error if there is none.
    mutating func value(of option: String) throws -> String {
        guard let value = iterator.next() else {
            throw CommandFailure(message: "\(option) needs a value\nusage: " + usage, status: 2)
        }
        return value
    }

    /// The positive number after `option`, or a usage error.
    mutating func positive<T: LosslessStringConvertible & Comparable & Numeric>(_ option: String, as: T.Type)
        throws -> T
    {
        let text = try value(of: option)
        guard let number = T(text), number > 0 else {
            throw CommandFailure(message: "\(option) takes a positive number, found '\(text)'", status: 2)
        }
        return number
    }

    /// A usage error for an argument the command does not take.
    func unexpected(_ argument: String) -> CommandFailure {
        CommandFailure(message: "unexpected argument '\(argument)'\nusage: " + usage, status: 2)
    }
}

/// Reads `argument` if it is one of the options every optimizing command
/// takes (rule files and limits) into `options`; returns whether it was.
func readOptimizationOption(_ argument: String, _ reader: inout ArgumentReader, into options: inout OptimizeOptions)
    throws -> Bool
{
    switch argument {
    case "--rules":
        let path = try reader.value(of: argument)
        do {
            options.ruleFiles.append(try RuleSource(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CommandFailure(message: error.description, status: 1)
        }
    case "--no-default-rules": options.usesDefaultRules = false
    case "--iter-limit": options.limits.iterations = try reader.positive(argument, as: Int.self)
    case "--node-limit": options.limits.nodes = try reader.positive(argument, as: Int.self)
    case "--time-limit": options.limits.seconds = try reader.positive(argument, as: Double.self)
    default: return false
    }
    return true
}
