/// A pattern variable such as `?x`, or a rest variable `?xs...` that binds the
/// remaining sub-multiset of an AC node's children.
public struct PatternVariable: Hashable, Sendable, CustomStringConvertible {
    /// The name with its `?` and without the `...`.
    public let name: String

    /// A variable named `name`, which starts with `?`.
    public init(_ name: String) {
        precondition(name.hasPrefix("?") && name.count > 1, "pattern variables start with '?'")
        self.name = name
    }

    /// The name.
    public var description: String { name }
}

/// What a pattern requires of an e-node's literal payload.
public enum PayloadPattern: Hashable, Sendable {
    /// Exactly this literal.
    case literal(Literal)
    /// Any literal, bound to the variable (the same one wherever it recurs).
    case variable(PatternVariable)
}

/// A pattern over e-graph terms: variables, operators applied to patterns,
/// literal leaves, and, under AC operators, one rest variable.
///
/// Under an AC operator `(+ p1 p2 ?r...)` matches a node whose children are a
/// multiset holding matches of `p1` and `p2` plus anything, the remainder
/// bound to `?r` (possibly empty); without a rest variable the node must have
/// exactly the written number of operands. Directly nested applications of
/// the same AC operator are read as one flat application, as e-nodes are
/// stored. Sub-multisets are never regrouped into new classes to make a
/// binary pattern match an n-ary node: write a rest variable instead.
public indirect enum Pattern: Hashable, Sendable, CustomStringConvertible {
    /// Matches any e-class and binds it.
    case variable(PatternVariable)
    /// Matches an e-node with this operator, payload and children.
    case node(op: Symbol, payload: PayloadPattern?, children: [Pattern], rest: PatternVariable?)
    /// Matches what the inner pattern matches and binds its class to the
    /// variable too, written `?e:(exp ?x)`, so a rule can name a class inside
    /// its match (to merge its right side there, say).
    case alias(PatternVariable, Pattern)

    /// A pattern matching the number leaf `value`.
    public static func number(_ value: Double) -> Pattern {
        .node(op: .literal, payload: .literal(.number(value)), children: [], rest: nil)
    }

    /// A pattern applying `op` to `children`.
    public static func apply(_ op: Symbol, _ children: [Pattern] = [], rest: PatternVariable? = nil) -> Pattern {
        .node(op: op, payload: nil, children: children, rest: rest)
    }

    /// The pattern as an s-expression.
    public var description: String {
        switch self {
        case .variable(let variable): return variable.name
        case .alias(let variable, let inner): return "\(variable.name):\(inner)"
        case .node(let op, let payload, let children, let rest):
            if op == .literal, case .literal(let literal)? = payload { return literal.description }
            if children.isEmpty, payload == nil, rest == nil { return op.name }
            var parts = [op.name] + children.map(\.description)
            if let rest { parts.append(rest.name + "...") }
            switch payload {
            case .literal(let literal)?: parts.append(literal.description)
            case .variable(let variable)?: parts.append(variable.name)
            case nil: break
            }
            return "(" + parts.joined(separator: " ") + ")"
        }
    }

    /// The variables in first-occurrence order, each with what it binds.
    public var variables: [(variable: PatternVariable, kind: PatternVariableKind)] {
        var seen: [PatternVariable: PatternVariableKind] = [:]
        var ordered: [(PatternVariable, PatternVariableKind)] = []
        func note(_ variable: PatternVariable, _ kind: PatternVariableKind) {
            if seen[variable] == nil {
                seen[variable] = kind
                ordered.append((variable, kind))
            }
        }
        func walk(_ pattern: Pattern) {
            switch pattern {
            case .variable(let variable): note(variable, .eclass)
            case .alias(let variable, let inner):
                note(variable, .eclass)
                walk(inner)
            case .node(_, let payload, let children, let rest):
                if case .variable(let variable)? = payload { note(variable, .literal) }
                children.forEach(walk)
                if let rest { note(rest, .multiset) }
            }
        }
        walk(self)
        return ordered
    }

    /// The first operator of which `variable` is an attribute, if any.
    func attributeOperator(of variable: PatternVariable) -> Symbol? {
        switch self {
        case .variable: return nil
        case .alias(_, let inner): return inner.attributeOperator(of: variable)
        case .node(let op, let payload, let children, _):
            if case .variable(variable)? = payload { return op }
            for child in children {
                if let found = child.attributeOperator(of: variable) { return found }
            }
            return nil
        }
    }

    /// The operator at the root, or `nil` for a variable.
    public var rootOperator: Symbol? {
        switch self {
        case .node(let op, _, _, _): op
        case .alias(_, let inner): inner.rootOperator
        case .variable: nil
        }
    }

    /// The pseudo-operator of `(:group P)`: on a right side, `P` becomes a
    /// class of its own even inside an application of the same AC operator,
    /// which would otherwise splice it (rules group operands this way).
    public static let groupOperator = Symbol(":group")

    /// Whether a `(:group P)` appears anywhere in the pattern.
    public var containsGroup: Bool {
        switch self {
        case .variable: false
        case .alias(_, let inner): inner.containsGroup
        case .node(let op, _, let children, _): op == Pattern.groupOperator || children.contains { $0.containsGroup }
        }
    }

    /// Whether an alias appears anywhere in the pattern.
    public var containsAlias: Bool {
        switch self {
        case .variable: false
        case .alias: true
        case .node(_, _, let children, _): children.contains { $0.containsAlias }
        }
    }
}

/// What a pattern variable binds.
public enum PatternVariableKind: Hashable, Sendable {
    /// One e-class.
    case eclass
    /// A sub-multiset of an AC node's children (a rest variable).
    case multiset
    /// An e-node's literal payload.
    case literal
}

// MARK: - Reading patterns and terms

extension Pattern {
    /// Reads a pattern from text such as `(* ?a (inv ?a) ?r...)`.
    public init(parsing text: String, signature: Signature = Signature(), file: String = "<pattern>")
        throws(DiagnosticError)
    {
        let expressions = try SExprReader(file: file).read(text)
        guard expressions.count == 1 else {
            throw DiagnosticError([
                Diagnostic(
                    "expected one pattern, found \(expressions.count)",
                    at: expressions.first?.location ?? SourceLocation(file: file, line: 1, column: 1))
            ])
        }
        try self.init(expressions[0], signature: signature)
    }

    /// Reads a pattern from an s-expression, collecting every problem:
    /// operators in operator position, numbers as literal leaves, `?x`
    /// variables, one `?r...` rest variable per AC application, trailing
    /// attributes as the signature declares them, and each variable used as
    /// one kind only.
    public init(_ expression: SExpr, signature: Signature) throws(DiagnosticError) {
        var problems = DiagnosticCollector()
        var kinds: [PatternVariable: PatternReader.Use] = [:]
        let pattern = PatternReader(signature: signature).read(expression, &problems, &kinds)
        try problems.throwIfAny()
        self = pattern
    }
}

/// The recursive reader behind `Pattern(_:signature:)` and `Term(_:signature:)`.
struct PatternReader {
    let signature: Signature
    var allowsVariables = true

    /// How a variable was first used: its kind, and for an attribute, the
    /// operator it is an attribute of (whose note explains a misuse).
    struct Use {
        var kind: PatternVariableKind
        var attributeOf: Symbol?
    }

    func read(
        _ expression: SExpr, _ problems: inout DiagnosticCollector,
        _ kinds: inout [PatternVariable: Use]
    ) -> Pattern {
        let placeholder = Pattern.number(0)
        switch expression.kind {
        case .atom(let text):
            if text.hasPrefix("?") {
                guard allowsVariables else {
                    problems.report("a term cannot hold the variable '\(text)'", at: expression.location)
                    return placeholder
                }
                if text.hasSuffix("...") {
                    problems.report(
                        "rest variable '\(text)' must be an operand of an AC operator", at: expression.location)
                    return placeholder
                }
                guard let variable = variable(text, expression.location, &problems) else { return placeholder }
                noteKind(variable, .eclass, expression.location, &problems, &kinds)
                return .variable(variable)
            }
            if let problem = Literal.overflowProblem(text) {
                problems.report(problem, at: expression.location)
                return placeholder
            }
            if let value = Literal.parseNumber(text) { return .number(value) }
            if !isValidSymbol(text) {
                problems.report("'\(text)' is not a symbol, number or variable", at: expression.location)
                return placeholder
            }
            return .apply(Symbol(text))
        case .bracket:
            problems.report("brackets have no meaning in a pattern", at: expression.location)
            return placeholder
        case .list(let items):
            guard let head = items.first else {
                problems.report("empty application '()'", at: expression.location)
                return placeholder
            }
            guard let name = head.atom, isValidSymbol(name) || name == Pattern.groupOperator.name,
                Literal.parseNumber(name) == nil
            else {
                problems.report("expected an operator name, found '\(head)'", at: head.location)
                return placeholder
            }
            let op = Symbol(name)
            var operands = Array(items.dropFirst())
            var payload: PayloadPattern?
            let attributeCount = signature.attributeCount(of: op)
            if attributeCount > 0 {
                guard operands.count >= attributeCount else {
                    problems.report(
                        "'\(name)' takes \(attributeCount) trailing attribute(s), found \(operands.count) operand(s)",
                        at: expression.location)
                    return placeholder
                }
                let attribute = operands.removeLast()
                payload = readAttribute(attribute, of: op, &problems, &kinds)
            }
            var children: [Pattern] = []
            var rest: PatternVariable?
            var pendingAlias: (variable: PatternVariable, location: SourceLocation)?
            for operand in operands {
                if let text = operand.atom, text.hasPrefix("?"), text.hasSuffix(":"), text.count > 2 {
                    guard allowsVariables, pendingAlias == nil,
                        let variable = variable(String(text.dropLast()), operand.location, &problems)
                    else {
                        if pendingAlias != nil || !allowsVariables {
                            problems.report("'\(text)' must be followed by the pattern it names", at: operand.location)
                        }
                        continue
                    }
                    noteKind(variable, .eclass, operand.location, &problems, &kinds)
                    pendingAlias = (variable, operand.location)
                    continue
                }
                if let alias = pendingAlias {
                    pendingAlias = nil
                    guard operand.list != nil else {
                        problems.report(
                            "'\(alias.variable):' names an application, found '\(operand)'", at: operand.location)
                        continue
                    }
                    children.append(.alias(alias.variable, read(operand, &problems, &kinds)))
                    continue
                }
                if let text = operand.atom, text.hasPrefix("?"), text.hasSuffix("...") {
                    guard allowsVariables else {
                        problems.report("a term cannot hold the variable '\(text)'", at: operand.location)
                        continue
                    }
                    guard signature.isAC(op) else {
                        problems.report(
                            "rest variable '\(text)' needs an AC operator; '\(name)' is not declared AC",
                            at: operand.location)
                        continue
                    }
                    guard rest == nil else {
                        problems.report("an AC application takes one rest variable", at: operand.location)
                        continue
                    }
                    guard let variable = variable(String(text.dropLast(3)), operand.location, &problems) else {
                        continue
                    }
                    noteKind(variable, .multiset, operand.location, &problems, &kinds)
                    rest = variable
                    continue
                }
                children.append(read(operand, &problems, &kinds))
            }
            if let alias = pendingAlias {
                problems.report("'\(alias.variable):' must be followed by the pattern it names", at: alias.location)
            }
            if signature.isAC(op) && children.isEmpty && rest == nil && signature.unit(of: op) == nil {
                problems.report(
                    "'\(name)' is AC and has no declared unit, so it needs operands", at: expression.location)
            }
            return .node(op: op, payload: payload, children: children, rest: rest)
        }
    }

    private func readAttribute(
        _ attribute: SExpr, of op: Symbol, _ problems: inout DiagnosticCollector,
        _ kinds: inout [PatternVariable: Use]
    ) -> PayloadPattern? {
        let note = signature.attributeNote(of: op).map { ": " + $0 } ?? ""
        guard let text = attribute.atom else {
            problems.report(
                "an attribute must be an integer or a variable, found '\(attribute)'\(note)", at: attribute.location)
            return nil
        }
        if text.hasPrefix("?") && allowsVariables && !text.hasSuffix("...") {
            guard let variable = variable(text, attribute.location, &problems) else { return nil }
            noteKind(variable, .literal, attribute.location, &problems, &kinds, attributeOf: op)
            return .variable(variable)
        }
        guard let value = Int(text) else {
            problems.report("an attribute must be an integer, found '\(text)'\(note)", at: attribute.location)
            return nil
        }
        return .literal(.integer(value))
    }

    private func variable(
        _ text: String, _ location: SourceLocation, _ problems: inout DiagnosticCollector
    ) -> PatternVariable? {
        let body = text.dropFirst()
        guard let first = body.first, first.isLetter || first == "_",
            body.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else {
            problems.report("'\(text)' is not a valid variable name", at: location)
            return nil
        }
        return PatternVariable(text)
    }

    private func noteKind(
        _ variable: PatternVariable, _ kind: PatternVariableKind, _ location: SourceLocation,
        _ problems: inout DiagnosticCollector, _ kinds: inout [PatternVariable: Use], attributeOf op: Symbol? = nil
    ) {
        if let previous = kinds[variable], previous.kind != kind {
            let note = (previous.attributeOf ?? op).flatMap(signature.attributeNote).map { ": " + $0 } ?? ""
            problems.report("variable '\(variable)' is used as \(previous.kind) and as \(kind)\(note)", at: location)
        }
        kinds[variable] = kinds[variable] ?? Use(kind: kind, attributeOf: op)
    }

    private func isValidSymbol(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("?") && !text.hasPrefix(":") && !text.contains("<")
    }
}

extension Term {
    /// Reads a ground term such as `(+ x (* 2 y))`.
    public init(parsing text: String, signature: Signature = Signature(), file: String = "<term>")
        throws(DiagnosticError)
    {
        let expressions = try SExprReader(file: file).read(text)
        guard expressions.count == 1 else {
            throw DiagnosticError([
                Diagnostic(
                    "expected one term, found \(expressions.count)",
                    at: expressions.first?.location ?? SourceLocation(file: file, line: 1, column: 1))
            ])
        }
        var problems = DiagnosticCollector()
        var kinds: [PatternVariable: PatternReader.Use] = [:]
        var reader = PatternReader(signature: signature)
        reader.allowsVariables = false
        let pattern = reader.read(expressions[0], &problems, &kinds)
        try problems.throwIfAny()
        self.init(ground: pattern)
    }

    /// The term a variable-free pattern spells.
    /// - Precondition: `pattern` has no variables.
    public init(ground pattern: Pattern) {
        self.init()
        var pending: [(pattern: Pattern, expanded: Bool)] = [(pattern, false)]
        var results: [Int] = []
        while let (current, expanded) = pending.popLast() {
            guard case .node(let op, let payload, let children, let rest) = current, rest == nil else {
                preconditionFailure("a term cannot hold variables")
            }
            if expanded {
                let indices = Array(results.suffix(children.count))
                results.removeLast(children.count)
                let literal: Literal?
                switch payload {
                case nil: literal = nil
                case .literal(let value)?: literal = value
                case .variable?: preconditionFailure("a term cannot hold variables")
                }
                results.append(append(Node(op, indices, payload: literal)))
            } else {
                pending.append((current, true))
                for child in children.reversed() { pending.append((child, false)) }
            }
        }
    }
}
