import EGraph

/// An expression as written in a program: numbers, names, operator
/// applications and `grad`, each with where it was written.
///
/// Equality ignores locations and compares numbers bit for bit (every NaN
/// alike), so a program equals itself printed and read back.
public struct Expr: Hashable, Sendable, CustomStringConvertible {
    /// The forms an expression takes.
    public indirect enum Kind: Hashable, Sendable {
        /// A number literal, a scalar.
        case number(Double)
        /// A reference to an input or an earlier `let`.
        case name(String)
        /// An operator applied to operands, with its axis where it takes one.
        case apply(TensorOperator, [Expr], axis: Int?)
        /// The gradient of the sum of all elements of an expression with
        /// respect to an input.
        case grad(Expr, withRespectTo: String)

        /// Equal kinds; numbers compare bit for bit, every NaN alike.
        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): Literal.number(a) == Literal.number(b)
            case (.name(let a), .name(let b)): a == b
            case (.apply(let op1, let operands1, let axis1), .apply(let op2, let operands2, let axis2)):
                op1 == op2 && axis1 == axis2 && operands1 == operands2
            case (.grad(let f1, let x1), .grad(let f2, let x2)): x1 == x2 && f1 == f2
            default: false
            }
        }

        /// Hashes consistently with `==`.
        public func hash(into hasher: inout Hasher) {
            switch self {
            case .number(let value): hasher.combine(Literal.number(value))
            case .name(let name): hasher.combine(name)
            case .apply(let op, let operands, let axis):
                hasher.combine(op)
                hasher.combine(operands)
                hasher.combine(axis)
            case .grad(let function, let input):
                hasher.combine(function)
                hasher.combine(input)
            }
        }
    }

    /// The expression.
    public var kind: Kind
    /// Where it starts, for expressions read from text.
    public var location: SourceLocation?

    /// An expression, optionally located.
    public init(_ kind: Kind, at location: SourceLocation? = nil) {
        self.kind = kind
        self.location = location
    }

    /// Equal when the kinds are equal, wherever they were written.
    public static func == (lhs: Expr, rhs: Expr) -> Bool { lhs.kind == rhs.kind }

    /// Hashes the kind only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// The expression in program syntax.
    public var description: String { ProgramPrinter.render(self) }
}

/// One top-level form of a program.
public struct Statement: Hashable, Sendable {
    /// The forms a statement takes.
    public enum Kind: Hashable, Sendable {
        /// `(input name [dims])`.
        case input(name: String, shape: Shape)
        /// `(let name expr)`.
        case binding(name: String, value: Expr)
        /// `(output name expr)`.
        case output(name: String, value: Expr)
    }

    /// The statement.
    public var kind: Kind
    /// Where it starts, for statements read from text.
    public var location: SourceLocation?

    /// A statement, optionally located.
    public init(_ kind: Kind, at location: SourceLocation? = nil) {
        self.kind = kind
        self.location = location
    }

    /// Equal when the kinds are equal, wherever they were written.
    public static func == (lhs: Statement, rhs: Statement) -> Bool { lhs.kind == rhs.kind }

    /// Hashes the kind only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

/// A program of the language: inputs, named subexpressions and outputs, in
/// order (`docs/language.md`). The output of the optimizer is a program too.
public struct Program: Hashable, Sendable, CustomStringConvertible {
    /// The statements, in order.
    public var statements: [Statement]

    /// A program from its statements.
    public init(_ statements: [Statement]) { self.statements = statements }

    /// The inputs in order, with their declared shapes.
    public var inputs: [(name: String, shape: Shape)] {
        statements.compactMap {
            if case .input(let name, let shape) = $0.kind { return (name, shape) }
            return nil
        }
    }

    /// The outputs' names in order.
    public var outputNames: [String] {
        statements.compactMap {
            if case .output(let name, _) = $0.kind { return name }
            return nil
        }
    }

    /// The program as text, one statement per line.
    public var description: String { ProgramPrinter.render(self) }
}
