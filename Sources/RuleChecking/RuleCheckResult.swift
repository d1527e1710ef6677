// What checking a rule found, and how it reads in a report.

import EGraph
import Foundation

/// Why a rule failed its check, with the sample point that shows it.
public struct RuleCheckFailure: Sendable, CustomStringConvertible {
    /// The ways a rule can fail.
    public enum Kind: String, Sendable {
        /// The right side's shape is bigger than the left side's or does not
        /// broadcast to it, or its operands' shapes do not fit together: a
        /// rewrite may never change a value's shape.
        case shape
        /// Both sides are finite and differ by more than the tolerance.
        case unsound
        /// The right side is NaN or infinite where the left side is finite.
        case undefined
        /// The right side is not a program of the tensor language (an
        /// operator it does not have, a wrong number of operands), so it
        /// cannot be evaluated, nor read back by the optimizer.
        case malformed
    }

    /// The kind of failure.
    public var kind: Kind
    /// One line: what is wrong, with both values where they differ.
    public var message: String
    /// The point: each variable of the left side with its expression and
    /// value, then each input leaf with its shape and elements.
    public var point: [String]
    /// The left side (or the class the rule merges into) at the point, as an
    /// expression over the inputs, with its value.
    public var left: String
    /// The right side at the point, with its value.
    public var right: String

    /// The message and, indented below it, the point and both sides.
    public var description: String {
        var lines = ["\(kind.rawValue): \(message)"]
        for (index, line) in point.enumerated() { lines.append((index == 0 ? "  point: " : "         ") + line) }
        lines.append("  left:  " + left)
        lines.append("  right: " + right)
        return lines.joined(separator: "\n")
    }
}

/// The outcome of checking one rule by sampling.
public struct RuleCheckResult: Sendable {
    /// What the sampling found.
    public enum Outcome: Sendable {
        /// Every sampled point agreed.
        case passed
        /// A point showed the rule wrong.
        case failed(RuleCheckFailure)
        /// No sampled point was inside the rule's domain: a warning, not a
        /// failure, since nothing was shown wrong (the reason says why the
        /// samples were rejected).
        case neverMatched(reason: String)
    }

    /// The rule's name.
    public var name: String
    /// Where the rule's name is written.
    public var location: SourceLocation?
    /// The rule as the engine reads it (lowered): `name: lhs => rhs :if ...`.
    public var rule: String
    /// Sample points at which both sides were compared.
    public var points: Int
    /// Instances of the left side drawn, matched or not.
    public var attempts: Int
    /// Whether the right side came out smaller than the left at some point
    /// and was compared broadcast back, as the optimizer merges it with
    /// `fill`.
    public var broadcastsBack: Bool
    /// What the sampling found.
    public var outcome: Outcome

    /// Whether the rule failed (a warning is not a failure).
    public var isFailure: Bool {
        if case .failed = outcome { return true }
        return false
    }

    /// Whether no sampled point was in the rule's domain.
    public var isNeverMatched: Bool {
        if case .neverMatched = outcome { return true }
        return false
    }

    /// The result as report lines: `file:line:col: rule NAME: ...`, followed
    /// for a failure by the rule, the point and both sides, indented.
    /// - Parameter directory: a directory; locations under it print
    ///   relative to it.
    public func report(relativeTo directory: String? = nil) -> String {
        var prefix = "rule \(name): "
        if let location {
            var file = location.file
            if let directory, file.hasPrefix(directory + "/") { file.removeFirst(directory.count + 1) }
            prefix = "\(file):\(location.line):\(location.column): " + prefix
        }
        switch outcome {
        case .passed:
            let broadcast = broadcastsBack ? "; the right side is smaller and broadcasts back" : ""
            return prefix + "ok, \(points) point\(points == 1 ? "" : "s")\(broadcast)"
        case .neverMatched(let reason):
            return prefix + "warning: never matched at sampled points (\(reason))"
        case .failed(let failure):
            let lines = failure.description.split(separator: "\n", omittingEmptySubsequences: false)
            var text = prefix + lines[0]
            text += "\n    rule:  " + rule
            for line in lines.dropFirst() { text += "\n  " + line }
            return text
        }
    }
}

extension [RuleCheckResult] {
    /// The last line of a report: how many rules passed, failed and never
    /// matched.
    public var summary: String {
        let failed = filter(\.isFailure).count
        let unmatched = filter(\.isNeverMatched).count
        return "checked \(count) rule\(count == 1 ? "" : "s"): \(count - failed - unmatched) passed, "
            + "\(failed) failed, \(unmatched) never matched"
    }
}
