import EGraph

/// Reads programs, collecting every syntax and naming problem as
/// `file:line:col: message` and throwing them once.
///
/// Checks made here need no shapes: forms and arities, operator and statement
/// names, numbers (one too large for binary64 is an error, not `inf`), that every name refers to an input or an earlier `let`,
/// that names are not declared twice, and that `grad` differentiates with
/// respect to an input. Shapes and axes are checked when the program is built
/// into a ``TensorGraph``.
public struct ProgramParser {
    /// The deepest nesting accepted (see `SExprReader.maximumDepth`).
    public var maximumDepth = 1_000

    /// A parser with default limits.
    public init() {}

    /// Words that cannot name an input or a `let`.
    static let keywords: Set<String> = ["input", "let", "output", "grad", "inf", "nan"]

    /// Reads a program from text.
    public func parse(_ text: String, file: String = "<program>") throws(DiagnosticError) -> Program {
        var reader = SExprReader(file: file)
        reader.maximumDepth = maximumDepth
        let forms = try reader.read(text)
        var state = State()
        var statements: [Statement] = []
        for form in forms {
            if let statement = state.statement(form) { statements.append(statement) }
        }
        if !statements.contains(where: { if case .output = $0.kind { true } else { false } }), !state.hasProblems {
            state.problems.report(
                "a program needs at least one (output name expr)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        try state.problems.throwIfAny()
        return Program(statements)
    }

    /// Whether `text` can name an input or a `let`.
    public static func isValidName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" else { return false }
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return false }
        return TensorOperator(name: text) == nil && !keywords.contains(text)
    }

    private struct State {
        var problems = DiagnosticCollector()
        /// Names in scope and whether each is an input.
        var scope: [String: Bool] = [:]
        var outputs: Set<String> = []

        var hasProblems: Bool { problems.hasProblems }

        mutating func statement(_ form: SExpr) -> Statement? {
            guard let items = form.list, let head = items.first?.atom else {
                problems.report("expected (input ...), (let ...) or (output ...), found '\(form)'", at: form.location)
                return nil
            }
            switch head {
            case "input":
                guard items.count == 3, let name = declaredName(items[1], "input") else {
                    if items.count != 3 { problems.report("expected (input name [dims])", at: form.location) }
                    return nil
                }
                guard let shape = dims(items[2]) else { return nil }
                scope[name] = true
                return Statement(.input(name: name, shape: shape), at: form.location)
            case "let":
                guard items.count == 3 else {
                    problems.report("expected (let name expr)", at: form.location)
                    return nil
                }
                let value = expression(items[2])
                guard let name = declaredName(items[1], "let"), let value else { return nil }
                scope[name] = false
                return Statement(.binding(name: name, value: value), at: form.location)
            case "output":
                guard items.count == 3 else {
                    problems.report("expected (output name expr)", at: form.location)
                    return nil
                }
                let value = expression(items[2])
                guard let name = items[1].atom, ProgramParser.isValidName(name) else {
                    problems.report("'\(items[1])' is not a valid output name", at: items[1].location)
                    return nil
                }
                if !outputs.insert(name).inserted {
                    problems.report("output '\(name)' is declared twice", at: items[1].location)
                }
                guard let value else { return nil }
                return Statement(.output(name: name, value: value), at: form.location)
            default:
                problems.report("unknown statement '\(head)': expected input, let or output", at: items[0].location)
                return nil
            }
        }

        mutating func declaredName(_ form: SExpr, _ what: String) -> String? {
            guard let name = form.atom, ProgramParser.isValidName(name) else {
                problems.report("'\(form)' is not a valid name for an \(what)", at: form.location)
                return nil
            }
            if scope[name] != nil {
                problems.report("'\(name)' is already declared", at: form.location)
                return nil
            }
            return name
        }

        mutating func dims(_ form: SExpr) -> Shape? {
            guard case .bracket(let items) = form.kind else {
                problems.report(
                    "expected dimensions in brackets, such as [n] or [3 m], found '\(form)'", at: form.location)
                return nil
            }
            var dims: [Dim] = []
            for item in items {
                guard let text = item.atom else {
                    problems.report("a dimension is a size or a name, found '\(item)'", at: item.location)
                    return nil
                }
                if let size = Int(text) {
                    guard size >= 0 else {
                        problems.report("a dimension cannot be negative", at: item.location)
                        return nil
                    }
                    dims.append(.size(size))
                } else if ProgramParser.isValidName(text) {
                    dims.append(.named(text))
                } else {
                    problems.report("'\(text)' is not a dimension", at: item.location)
                    return nil
                }
            }
            return Shape(dims)
        }

        mutating func expression(_ form: SExpr) -> Expr? {
            switch form.kind {
            case .atom(let text):
                if let problem = Literal.overflowProblem(text) {
                    problems.report(problem, at: form.location)
                    return nil
                }
                if let value = Literal.parseNumber(text) { return Expr(.number(value), at: form.location) }
                guard ProgramParser.isValidName(text) else {
                    let reason = TensorOperator(name: text) != nil ? "an operator must be applied" : "not a name"
                    problems.report("'\(text)': \(reason)", at: form.location)
                    return nil
                }
                guard scope[text] != nil else {
                    problems.report("unknown name '\(text)'", at: form.location)
                    return nil
                }
                return Expr(.name(text), at: form.location)
            case .bracket:
                problems.report("brackets hold dimensions, only in (input ...)", at: form.location)
                return nil
            case .list(let items):
                guard let head = items.first else {
                    problems.report("empty application '()'", at: form.location)
                    return nil
                }
                guard let name = head.atom else {
                    problems.report("expected an operator, found '\(head)'", at: head.location)
                    return nil
                }
                if name == "grad" { return gradient(items, form.location) }
                guard let op = TensorOperator(name: name) else {
                    problems.report("unknown operator '\(name)'", at: head.location)
                    return nil
                }
                return application(op, Array(items.dropFirst()), form.location)
            }
        }

        mutating func application(_ op: TensorOperator, _ arguments: [SExpr], _ location: SourceLocation) -> Expr? {
            var operands = arguments
            var axis: Int?
            let hint = op.axisHint.map { ": " + $0 } ?? ""
            switch op.axisRequirement {
            case .none: break
            case .optional, .required:
                let expected = op.axisRequirement == .required ? 2 : nil
                if arguments.count == 2 || expected == 2 {
                    guard arguments.count == 2 else {
                        problems.report(
                            "'\(op)' takes an operand and an axis, found \(arguments.count) argument(s)", at: location)
                        return nil
                    }
                    guard let text = arguments[1].atom, let value = Int(text) else {
                        problems.report(
                            "the axis of '\(op)' is an integer, found '\(arguments[1])'\(hint)",
                            at: arguments[1].location)
                        return nil
                    }
                    axis = value
                    operands = [arguments[0]]
                }
            }
            let arityIsRight = op.isVariadic ? operands.count >= 2 : operands.count == op.arity
            if !arityIsRight {
                let expected = op.isVariadic ? "at least 2" : String(op.arity)
                let axisNote = op.axisRequirement == .optional ? " (and an optional axis)" : ""
                problems.report(
                    "'\(op)' takes \(expected) operand(s)\(axisNote), found \(operands.count)\(hint)", at: location)
            }
            var built: [Expr] = []
            var failed = !arityIsRight
            for operand in operands {
                if let expression = expression(operand) { built.append(expression) } else { failed = true }
            }
            return failed ? nil : Expr(.apply(op, built, axis: axis), at: location)
        }

        mutating func gradient(_ items: [SExpr], _ location: SourceLocation) -> Expr? {
            guard items.count == 3 else {
                problems.report("expected (grad expr input), found \(items.count - 1) argument(s)", at: location)
                return nil
            }
            let function = expression(items[1])
            guard let name = items[2].atom, scope[name] == true else {
                let what = items[2].atom.map {
                    scope[$0] == false ? "'\($0)' is a let, not an input" : "'\($0)' is not an input"
                }
                problems.report(
                    "grad differentiates with respect to an input: \(what ?? "found '\(items[2])'")",
                    at: items[2].location)
                return nil
            }
            guard let function else { return nil }
            return Expr(.grad(function, withRespectTo: name), at: location)
        }
    }
}
