/// An s-expression with the location of its first character: the shared
/// surface syntax of patterns, rule files and programs.
///
/// Atoms are kept as text; what they mean (a number, a variable, a symbol) is
/// for the reader of each language to decide.
public struct SExpr: Hashable, Sendable, CustomStringConvertible {
    /// The shape of an s-expression.
    public indirect enum Kind: Hashable, Sendable {
        /// A token that is not a bracket.
        case atom(String)
        /// `( ... )`.
        case list([SExpr])
        /// `[ ... ]`, used by programs for shapes.
        case bracket([SExpr])
    }

    /// The s-expression.
    public var kind: Kind
    /// Where it starts.
    public var location: SourceLocation

    /// An s-expression at a location.
    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The atom's text, if this is an atom.
    public var atom: String? {
        if case .atom(let text) = kind { return text }
        return nil
    }

    /// The elements, if this is a parenthesized list.
    public var list: [SExpr]? {
        if case .list(let items) = kind { return items }
        return nil
    }

    /// The s-expression as text.
    public var description: String {
        switch kind {
        case .atom(let text): text
        case .list(let items): "(" + items.map(\.description).joined(separator: " ") + ")"
        case .bracket(let items): "[" + items.map(\.description).joined(separator: " ") + "]"
        }
    }
}

/// Reads s-expressions from text, with locations, collecting every problem.
///
/// The reader is iterative, so input nesting cannot overflow its stack; it
/// still rejects nesting deeper than ``maximumDepth`` with a located error,
/// because every consumer of the tree walks it recursively.
public struct SExprReader {
    /// The deepest nesting accepted.
    public var maximumDepth = 1_000
    /// Whether `[` `]` are brackets (programs) or ordinary atom characters.
    public var allowsBrackets = true
    /// The file name put in locations.
    public var file: String

    /// A reader labelling locations with `file`.
    public init(file: String) { self.file = file }

    /// Reads every top-level s-expression of `text`, whose first character is
    /// at `line`:`column`.
    public func read(_ text: String, line: Int = 1, column: Int = 1) throws(DiagnosticError) -> [SExpr] {
        var problems = DiagnosticCollector()
        var stack: [(open: Character, location: SourceLocation, items: [SExpr])] = []
        var topLevel: [SExpr] = []
        var currentLine = line
        var currentColumn = column
        var tooDeepReported = false
        var characters = Array(text)[...]

        func here() -> SourceLocation { SourceLocation(file: file, line: currentLine, column: currentColumn) }
        func emit(_ expression: SExpr) {
            if stack.isEmpty { topLevel.append(expression) } else { stack[stack.count - 1].items.append(expression) }
        }

        while let character = characters.first {
            let location = here()
            switch character {
            case "\n":
                characters.removeFirst()
                currentLine += 1
                currentColumn = 1
                continue
            case " ", "\t", "\r":
                break
            case ";":
                while let next = characters.first, next != "\n" {
                    characters.removeFirst()
                    currentColumn += 1
                }
                continue
            case _ where character == "(" || (character == "[" && allowsBrackets):
                if stack.count >= maximumDepth {
                    if !tooDeepReported {
                        problems.report("nesting deeper than \(maximumDepth) levels", at: location)
                        tooDeepReported = true
                    }
                }
                stack.append((character, location, []))
            case _ where character == ")" || (character == "]" && allowsBrackets):
                let expected: Character = character == ")" ? "(" : "["
                guard let open = stack.popLast() else {
                    problems.report("unexpected '\(character)' with no open '\(expected)'", at: location)
                    break
                }
                if open.open != expected {
                    problems.report(
                        "'\(character)' closes the '\(open.open)' opened at \(open.location.line):\(open.location.column)",
                        at: location)
                }
                if tooDeepReported {
                    if stack.isEmpty { tooDeepReported = false }
                    break
                }
                emit(SExpr(open.open == "(" ? .list(open.items) : .bracket(open.items), at: open.location))
            default:
                var token = ""
                while let next = characters.first, !SExprReader.isDelimiter(next, brackets: allowsBrackets) {
                    token.append(next)
                    characters.removeFirst()
                    currentColumn += 1
                }
                if !tooDeepReported { emit(SExpr(.atom(token), at: location)) }
                continue
            }
            characters.removeFirst()
            currentColumn += 1
        }
        for open in stack.reversed() {
            problems.report("'\(open.open)' is never closed", at: open.location)
        }
        try problems.throwIfAny()
        return topLevel
    }

    private static func isDelimiter(_ character: Character, brackets: Bool) -> Bool {
        switch character {
        case " ", "\t", "\r", "\n", "(", ")", ";": true
        case "[", "]": brackets
        default: false
        }
    }
}
