// Splitting a rule file into lines and reading each: a rule, a declaration
// or a group header. RuleSet (RuleFile.swift) checks what they say.

import Synchronization

/// One meaningful line of a rule file.
struct RuleLine: Sendable {
    struct Rule: Sendable {
        var name: String
        var nameLocation: SourceLocation
        var lhs: SExpr
        var rhs: SExpr
        var isBidirectional: Bool
        var conditions: [SExpr]
        /// The `:at` variable, if any.
        var target: SExpr?
    }

    enum Kind: Sendable {
        case header(String, phase: Int)
        case declaration(String, [SExpr])
        case rule(Rule)
    }

    var kind: Kind
    var location: SourceLocation

    /// Files read earlier in this process without a problem, by name and
    /// text. Every `optimize` call loads the default rule files again, and
    /// reading their text was a quarter of the call on a small program; a
    /// long-lived process (the benchmark, `saturate serve`) reads them once.
    private static let readWithoutProblems = Mutex<[String: [RuleLine]]>([:])

    /// ``read(_:_:)``, remembered for a file that reads without problems.
    static func readRemembering(_ source: RuleSource, _ problems: inout DiagnosticCollector) -> [RuleLine] {
        let key = source.name + "\u{0}" + source.text
        if let lines = readWithoutProblems.withLock({ $0[key] }) { return lines }
        var fileProblems = DiagnosticCollector()
        let lines = read(source, &fileProblems)
        if fileProblems.hasProblems {
            problems.absorb(DiagnosticError(fileProblems.diagnostics))
        } else {
            readWithoutProblems.withLock { $0[key] = lines }
        }
        return lines
    }

    /// Splits a file into lines and reads each, reporting what does not parse.
    static func read(_ source: RuleSource, _ problems: inout DiagnosticCollector) -> [RuleLine] {
        var lines: [RuleLine] = []
        var reader = SExprReader(file: source.name)
        reader.maximumDepth = 200
        for (offset, text) in source.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let items: [SExpr]
            do {
                items = try reader.read(String(text), line: number)
            } catch {
                problems.absorb(error)
                continue
            }
            guard let first = items.first else { continue }
            if let line = classify(items, first.location, &problems) { lines.append(line) }
        }
        return lines
    }

    private static func classify(
        _ items: [SExpr], _ location: SourceLocation, _ problems: inout DiagnosticCollector
    ) -> RuleLine? {
        let first = items[0]
        switch first.kind {
        case .bracket(let parts):
            guard let name = parts.first?.atom, isGroupName(name) else {
                problems.report("a group header is [name], with letters, digits, '-' and '_'", at: location)
                return nil
            }
            var phase = 1
            if parts.count > 1 {
                guard parts.count == 3, parts[1].atom == ":phase", let text = parts[2].atom, let value = Int(text),
                    value >= 1
                else {
                    problems.report("a group header is [name] or [name :phase N], N ≥ 1", at: parts[1].location)
                    return nil
                }
                phase = value
            }
            if items.count > 1 { problems.report("unexpected text after the group header", at: items[1].location) }
            return RuleLine(kind: .header(name, phase: phase), location: location)
        case .list(let parts):
            guard let keyword = parts.first?.atom, ["ac", "unit", "disable"].contains(keyword) else {
                problems.report(
                    "expected a rule (name lhs => rhs), a declaration (ac ...), (unit ...) or (disable ...), "
                        + "or a [group] header",
                    at: location)
                return nil
            }
            if items.count > 1 { problems.report("one declaration per line", at: items[1].location) }
            return RuleLine(kind: .declaration(keyword, Array(parts.dropFirst())), location: location)
        case .atom(let name):
            return readRule(name, items, location, &problems).map { RuleLine(kind: .rule($0), location: location) }
        }
    }

    private static func readRule(
        _ name: String, _ items: [SExpr], _ location: SourceLocation, _ problems: inout DiagnosticCollector
    ) -> Rule? {
        guard isRuleName(name) else {
            problems.report(
                "rule name '\(name)' must start with a letter and hold only letters, digits, '-' and '_'", at: location)
            return nil
        }
        guard items.count >= 4 else {
            problems.report("rule '\(name)' is incomplete: expected name lhs => rhs", at: location)
            return nil
        }
        guard let arrow = items[2].atom, arrow == "=>" || arrow == "<=>" else {
            problems.report(
                "expected '=>' or '<=>' after the left side of '\(name)', found '\(items[2])'", at: items[2].location)
            return nil
        }
        var conditions: [SExpr] = []
        var target: SExpr?
        var index = 4
        while index < items.count {
            switch items[index].atom {
            case ":if":
                index += 1
                let start = index
                while index < items.count, items[index].atom?.hasPrefix(":") != true {
                    conditions.append(items[index])
                    index += 1
                }
                if index == start {
                    problems.report("':if' needs at least one condition", at: items[start - 1].location)
                }
            case ":at":
                guard index + 1 < items.count, let variable = items[index + 1].atom, variable.hasPrefix("?") else {
                    problems.report("':at' takes a variable the left side names", at: items[index].location)
                    return nil
                }
                target = items[index + 1]
                index += 2
            default:
                problems.report(
                    "unexpected '\(items[index])' after the right side; expected ':if' or ':at'",
                    at: items[index].location)
                return nil
            }
        }
        return Rule(
            name: name, nameLocation: location, lhs: items[1], rhs: items[3], isBidirectional: arrow == "<=>",
            conditions: conditions, target: target)
    }

    private static func isRuleName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }

    private static func isGroupName(_ text: String) -> Bool { isRuleName(text) }
}
