import EGraph

/// Prints programs and expressions in the language's syntax.
///
/// Numbers print as the shortest decimal that reads back to the same binary64
/// value (`inf`, `-inf` and `nan` for the specials), so printing and reading
/// back is the identity.
public enum ProgramPrinter {
    /// The program, one statement per line.
    public static func render(_ program: Program) -> String {
        program.statements.map(render).joined(separator: "\n") + "\n"
    }

    /// One statement.
    public static func render(_ statement: Statement) -> String {
        switch statement.kind {
        case .input(let name, let shape): "(input \(name) \(shape))"
        case .binding(let name, let value): "(let \(name) \(render(value)))"
        case .output(let name, let value): "(output \(name) \(render(value)))"
        }
    }

    /// One expression.
    public static func render(_ expression: Expr) -> String {
        var text = ""
        write(expression, into: &text)
        return text
    }

    private static func write(_ expression: Expr, into text: inout String) {
        switch expression.kind {
        case .number(let value): text += Literal.format(value)
        case .name(let name): text += name
        case .apply(let op, let operands, let axis):
            text += "(" + op.name
            for operand in operands {
                text += " "
                write(operand, into: &text)
            }
            if let axis { text += " \(axis)" }
            text += ")"
        case .grad(let function, let input):
            text += "(grad "
            write(function, into: &text)
            text += " \(input))"
        }
    }
}
