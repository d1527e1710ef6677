import Foundation

/// One loaded rule: the checked rewrite, its group and where it was written.
public struct RuleEntry {
    /// The rewrite.
    public var rewrite: Rewrite
    /// The group header it sits under (`default` before any header).
    public var group: String
    /// Where its name is written.
    public var location: SourceLocation
    /// The phase its group runs in (`[group :phase N]`, 1 by default):
    /// phases run one after another, each with its own rules.
    public var phase = 1
}

/// A group header of a rule file, `[NAME]` or `[NAME :phase N]`: where a
/// group's rules start.
public struct RuleGroupHeader: Sendable, Equatable {
    /// The group's name.
    public var name: String
    /// The phase the group runs in.
    public var phase: Int
    /// Where the header is written.
    public var location: SourceLocation
}

/// Rules read from rule files, with the declarations they make.
///
/// The syntax, documented with examples in `docs/rules.md`, is line based:
/// ```
/// ; a comment
/// (ac + *)                                  ; + and * are associative-commutative
/// (unit + 0)                                ; the empty sum, for rest variables
/// [algebra]                                 ; the rules below are in group "algebra"
/// add-zero    (+ ?a 0)   => ?a
/// comm-add    (+ ?a ?b)  <=> (+ ?b ?a)      ; also defines comm-add-rev
/// cancel-div  (/ ?a ?a)  => 1               :if (not_zero ?a)
/// ```
/// Declarations apply to every file of the set wherever they are written, so
/// a rule file may rely on an `(ac ...)` made in another.
///
/// Every problem in every file (syntax, unbound variable, unknown condition,
/// wrong arity, duplicate name, undeclared unit) is collected as
/// `file:line:col: message` and thrown once.
public struct RuleSet {
    /// The base signature with the files' declarations added.
    public private(set) var signature: Signature
    /// The rules in file and line order.
    public private(set) var entries: [RuleEntry] = []
    /// The group headers in file and line order, groups switched off by
    /// `(disable ...)` included: how a listing finds a group's text.
    public private(set) var headers: [RuleGroupHeader] = []

    /// The rewrites, in order, for a ``Runner``.
    public var rewrites: [Rewrite] { entries.map(\.rewrite) }

    /// The set with every rule's conditions read from `registry` (see
    /// ``Rewrite/rebinding(_:)``), or `nil` if `registry` lacks a predicate
    /// a rule names.
    public func rebinding(_ registry: ConditionRegistry) -> RuleSet? {
        var copy = self
        for index in copy.entries.indices {
            guard let rewrite = copy.entries[index].rewrite.rebinding(registry) else { return nil }
            copy.entries[index].rewrite = rewrite
        }
        return copy
    }

    /// The group names in first-appearance order.
    public var groupNames: [String] {
        var names: [String] = []
        for entry in entries where !names.contains(entry.group) { names.append(entry.group) }
        return names
    }

    /// Reads and checks rule files.
    /// - Parameters:
    ///   - sources: the files, read in order.
    ///   - signature: the language's own declarations (attribute counts, AC
    ///     operators it always has); the files add to it.
    ///   - conditions: the predicates rules may name in `:if`.
    ///   - desugar: rewrites each pattern as read into the form the e-graph
    ///     stores, so rules can be written in the language's own spelling
    ///     (the tensor language lowers `(/ a b)` to `(* a (inv b))`).
    ///   - vocabulary: the operators the language has, with the numbers of
    ///     operands each takes (a rest variable counts as any number); `nil`
    ///     accepts every operator. Checked on the desugared patterns, so a
    ///     misspelled or misapplied operator is a load error rather than a
    ///     rule that never matches.
    public init(
        _ sources: [RuleSource], signature: Signature = Signature(),
        conditions: ConditionRegistry = ConditionRegistry(),
        desugar: @escaping (Pattern) -> Pattern = { $0 }, vocabulary: [Symbol: ClosedRange<Int>]? = nil
    ) throws(DiagnosticError) {
        var problems = DiagnosticCollector()
        var lines: [RuleLine] = []
        for source in sources {
            lines.append(contentsOf: RuleLine.readRemembering(source, &problems))
        }
        var merged = signature
        for line in lines { RuleSet.declare(line, into: &merged, &problems) }
        for line in lines { RuleSet.declareUnit(line, into: &merged, &problems) }
        self.signature = merged
        var group = "default"
        var phase = 1
        var firstDefinition: [String: SourceLocation] = [:]
        // Rules of a group switched off do not claim their names, so a file
        // can replace a default group by a copy of it under a new header.
        let switchedOff = Set(
            lines.flatMap { line -> [String] in
                guard case .declaration("disable", let operands) = line.kind else { return [] }
                return operands.compactMap(\.atom)
            })
        for line in lines {
            switch line.kind {
            case .header(let name, let groupPhase):
                group = name
                phase = groupPhase
                headers.append(RuleGroupHeader(name: name, phase: groupPhase, location: line.location))
            case .declaration:
                continue
            case .rule(let rule):
                for var entry in RuleSet.build(rule, group: group, merged, conditions, desugar, vocabulary, &problems) {
                    entry.phase = phase
                    if switchedOff.contains(group) {
                        entries.append(entry)
                        continue
                    }
                    if let first = firstDefinition[entry.rewrite.name] {
                        problems.report(
                            "duplicate rule name '\(entry.rewrite.name)' (first defined at \(first))",
                            at: rule.nameLocation)
                        continue
                    }
                    firstDefinition[entry.rewrite.name] = rule.nameLocation
                    entries.append(entry)
                }
            }
        }
        disableGroups(lines, &problems)
        guard problems.hasProblems else { return }
        // Report in reading order: files as given, then line and column.
        let fileOrder = Dictionary(sources.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let ordered = problems.diagnostics.enumerated().sorted { left, right in
            func key(_ diagnostic: Diagnostic) -> (Int, Int, Int) {
                guard let location = diagnostic.location else { return (Int.max, 0, 0) }
                return (fileOrder[location.file] ?? Int.max, location.line, location.column)
            }
            let (a, b) = (key(left.element), key(right.element))
            return a != b ? a < b : left.offset < right.offset
        }
        throw DiagnosticError(ordered.map(\.element))
    }

    /// Reads one rule file held in memory.
    public init(
        parsing text: String, file: String = "<rules>", signature: Signature = Signature(),
        conditions: ConditionRegistry = ConditionRegistry(), desugar: @escaping (Pattern) -> Pattern = { $0 },
        vocabulary: [Symbol: ClosedRange<Int>]? = nil
    ) throws(DiagnosticError) {
        try self.init(
            [RuleSource(name: file, text: text)], signature: signature, conditions: conditions, desugar: desugar,
            vocabulary: vocabulary)
    }

    private static func declare(
        _ line: RuleLine, into signature: inout Signature, _ problems: inout DiagnosticCollector
    ) {
        guard case .declaration(let keyword, let operands) = line.kind, keyword == "ac" else { return }
        if operands.isEmpty { problems.report("(ac ...) names at least one operator", at: line.location) }
        for operand in operands {
            guard let name = operand.atom, isOperatorName(name) else {
                problems.report("(ac ...) takes operator names, found '\(operand)'", at: operand.location)
                continue
            }
            signature.declareAC(Symbol(name))
        }
    }

    /// `(disable GROUP ...)` switches groups off, wherever they are defined:
    /// how a user file turns off default rules, or replaces them with a copy
    /// under a header of its own (the rules switched off do not claim their
    /// names). A name no file defines is an error, so a typo does not
    /// silently leave a group on.
    private mutating func disableGroups(_ lines: [RuleLine], _ problems: inout DiagnosticCollector) {
        let defined = Set(entries.map(\.group))
        var disabled: Set<String> = []
        for line in lines {
            guard case .declaration("disable", let operands) = line.kind else { continue }
            if operands.isEmpty { problems.report("(disable ...) names at least one group", at: line.location) }
            for operand in operands {
                guard let name = operand.atom, defined.contains(name) else {
                    // Listed in load order, which does not depend on the set's.
                    let known = groupNames.joined(separator: ", ")
                    problems.report("unknown group '\(operand)' (known: \(known))", at: operand.location)
                    continue
                }
                disabled.insert(name)
            }
        }
        entries.removeAll { disabled.contains($0.group) }
    }

    /// The phases of the rules, in increasing order.
    public var phases: [Int] { Array(Set(entries.map(\.phase))).sorted() }

    /// Units are read after every `(ac ...)` of every file, since a unit
    /// needs its operator declared AC.
    private static func declareUnit(
        _ line: RuleLine, into signature: inout Signature, _ problems: inout DiagnosticCollector
    ) {
        guard case .declaration(let keyword, let operands) = line.kind, keyword == "unit" else { return }
        if operands.count == 2, let valueText = operands[1].atom, let problem = Literal.overflowProblem(valueText) {
            problems.report(problem, at: operands[1].location)
            return
        }
        guard operands.count == 2, let name = operands[0].atom, let valueText = operands[1].atom,
            let value = Literal.parseNumber(valueText)
        else {
            problems.report("expected (unit OPERATOR NUMBER)", at: line.location)
            return
        }
        let op = Symbol(name)
        guard signature.isAC(op) else {
            problems.report("'\(name)' has a unit but is not declared (ac ...)", at: operands[0].location)
            return
        }
        if let existing = signature.unit(of: op), existing != .number(value) {
            problems.report("'\(name)' already has unit \(existing)", at: operands[1].location)
            return
        }
        signature.declareUnit(.number(value), of: op)
    }

    private static func build(
        _ rule: RuleLine.Rule, group: String, _ signature: Signature, _ conditions: ConditionRegistry,
        _ desugar: (Pattern) -> Pattern, _ vocabulary: [Symbol: ClosedRange<Int>]?,
        _ problems: inout DiagnosticCollector
    ) -> [RuleEntry] {
        var local = DiagnosticCollector()
        var lhs: Pattern?
        var rhs: Pattern?
        do { lhs = desugar(try Pattern(rule.lhs, signature: signature)) } catch { local.absorb(error) }
        do { rhs = desugar(try Pattern(rule.rhs, signature: signature)) } catch { local.absorb(error) }
        var built: [Condition] = []
        for expression in rule.conditions {
            if let condition = readCondition(expression, conditions, &local) { built.append(condition) }
        }
        if let vocabulary {
            for pattern in [lhs, rhs].compactMap({ $0 }) {
                for message in vocabularyProblems(pattern, vocabulary, signature) {
                    local.report("rule \(rule.name): \(message)", at: rule.nameLocation)
                }
            }
        }
        for diagnostic in local.diagnostics { problems.report(diagnostic.message, at: diagnostic.location) }
        guard !local.hasProblems, let lhs, let rhs else { return [] }
        var target: PatternVariable?
        if let written = rule.target?.atom {
            guard written.count > 1, !rule.isBidirectional else {
                problems.report(
                    rule.isBidirectional ? "':at' needs a one-way rule (=>)" : "'\(written)' is not a variable",
                    at: rule.target?.location)
                return []
            }
            target = PatternVariable(written)
        }
        var directions = [(rule.name, lhs, rhs)]
        if rule.isBidirectional { directions.append((rule.name + "-rev", rhs, lhs)) }
        var entries: [RuleEntry] = []
        for (name, left, right) in directions {
            do {
                let rewrite = try Rewrite(
                    name: name, lhs: left, rhs: right, conditions: built, target: target, signature: signature)
                entries.append(RuleEntry(rewrite: rewrite, group: group, location: rule.nameLocation))
            } catch {
                for diagnostic in error.diagnostics { problems.report(diagnostic.message, at: rule.nameLocation) }
            }
        }
        return entries
    }

    /// Operators a pattern applies that the vocabulary lacks, or applies to
    /// the wrong number of operands.
    private static func vocabularyProblems(
        _ pattern: Pattern, _ vocabulary: [Symbol: ClosedRange<Int>], _ signature: Signature
    ) -> [String] {
        switch pattern {
        case .variable: return []
        case .alias(_, let inner): return vocabularyProblems(inner, vocabulary, signature)
        case .node(let op, _, let children, let rest):
            var problems = children.flatMap { vocabularyProblems($0, vocabulary, signature) }
            if op == .literal || op == Pattern.groupOperator { return problems }
            guard let arities = vocabulary[op] else {
                return ["unknown operator '\(op)'"] + problems
            }
            let count = children.count
            let fits = rest == nil ? arities.contains(count) : arities.upperBound > count
            if !fits {
                let expected =
                    arities.lowerBound == arities.upperBound
                    ? "\(arities.lowerBound)" : "\(arities.lowerBound) or more"
                // An operand too few or too many beside an attribute is most
                // often an attribute misread, such as `(max ?a ?b)` for `maximum`.
                let note = signature.attributeNote(of: op).map { ": " + $0 } ?? ""
                problems.insert("'\(op)' takes \(expected) operand(s), found \(count)\(note)", at: 0)
            }
            return problems
        }
    }

    private static func readCondition(
        _ expression: SExpr, _ conditions: ConditionRegistry, _ problems: inout DiagnosticCollector
    ) -> Condition? {
        guard let items = expression.list, let name = items.first?.atom else {
            problems.report(
                "a condition is written (predicate ?var ...), found '\(expression)'", at: expression.location)
            return nil
        }
        guard let definition = conditions[name] else {
            let known =
                conditions.names.isEmpty ? "none are registered" : "known: " + conditions.names.joined(separator: ", ")
            problems.report("unknown condition '\(name)' (\(known))", at: items[0].location)
            return nil
        }
        let operands = items.dropFirst()
        guard operands.count == definition.arity else {
            problems.report(
                "condition '\(name)' takes \(definition.arity) argument(s), found \(operands.count)",
                at: expression.location)
            return nil
        }
        var arguments: [Condition.Argument] = []
        for operand in operands {
            if let text = operand.atom, text.hasPrefix("?"), !text.hasSuffix("..."), text.count > 1 {
                arguments.append(.variable(PatternVariable(text)))
            } else if let text = operand.atom, text.hasSuffix("..."), text.hasPrefix("?"), text.count > 4 {
                arguments.append(.variable(PatternVariable(String(text.dropLast(3)))))
            } else if let text = operand.atom, let problem = Literal.overflowProblem(text) {
                problems.report(problem, at: operand.location)
                return nil
            } else if let text = operand.atom, let value = Literal.parseNumber(text) {
                arguments.append(
                    .literal(value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)))
            } else {
                problems.report(
                    "a condition's argument is a variable or a number, found '\(operand)'", at: operand.location)
                return nil
            }
        }
        return Condition(definition, arguments)
    }

    static func isOperatorName(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("?") && !text.hasPrefix(":") && Literal.parseNumber(text) == nil
    }
}
