/// A position in a source text: file, 1-based line and column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as the user gave it, or a label such as `<pattern>`.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, counted in characters.
    public var column: Int

    /// A location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, the form editors and terminals link.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in untrusted input (a program, a rule file, a pattern).
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is, when it has a place.
    public var location: SourceLocation?
    /// What is wrong, in words that say how to fix it.
    public var message: String

    /// A problem at a location.
    public init(_ message: String, at location: SourceLocation?) {
        self.message = message
        self.location = location
    }

    /// `file:line:col: message`.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}

/// Every problem found in one input, thrown once after reading all of it, so
/// a user fixes them in one pass (Herbie's syntax checker collects the same way).
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    /// The problems, in the order they occur in the input.
    public var diagnostics: [Diagnostic]

    /// An error holding at least one problem.
    public init(_ diagnostics: [Diagnostic]) {
        precondition(!diagnostics.isEmpty, "a DiagnosticError needs a problem")
        self.diagnostics = diagnostics
    }

    /// One problem per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects problems while reading, then throws them together.
public struct DiagnosticCollector: Sendable {
    /// The problems so far.
    public private(set) var diagnostics: [Diagnostic] = []

    /// An empty collector.
    public init() {}

    /// Records a problem.
    public mutating func report(_ message: String, at location: SourceLocation?) {
        diagnostics.append(Diagnostic(message, at: location))
    }

    /// Records every problem of a thrown error.
    public mutating func absorb(_ error: DiagnosticError) {
        diagnostics.append(contentsOf: error.diagnostics)
    }

    /// Whether any problem was recorded.
    public var hasProblems: Bool { !diagnostics.isEmpty }

    /// Throws the collected problems, if there are any.
    public func throwIfAny() throws(DiagnosticError) {
        if !diagnostics.isEmpty { throw DiagnosticError(diagnostics) }
    }
}
