// How `saturate` ends: the exit statuses it documents, and the failure every
// command throws to end with one.

/// The exit statuses of `saturate`, as `--help` and the README document them.
///
/// Status 3 is `optimize --strict`'s: the result still carries a risk (an
/// overflow the rules could not remove) or the input was kept.
enum ExitStatus: Int32 {
    /// The command did what was asked.
    case success = 0
    /// A problem in the input: the program, a rule file (an unsound rule
    /// included), the input values; located as `file:line:col` where it can
    /// be.
    case input = 1
    /// A usage error: an unknown command or option, a missing or malformed
    /// argument.
    case usage = 2
    /// `optimize --strict` warned: an output can still fail, or the input
    /// was returned as written.
    case risk = 3

    /// The statuses, as the help lists them.
    static let help = """
        exit status: 0 success; 1 a problem in the input (the program, a rule file, the input
        values); 2 a usage error (an unknown command or option, a missing or malformed argument);
        3 optimize --strict warned (an output can still fail, or the input was kept)
        """
}

/// A failure the command reports on stderr and exits on.
struct CommandFailure: Error {
    /// The message, one or more lines, without the final newline.
    var message: String
    /// The exit status.
    var status: ExitStatus

    /// A problem in the input, `message` saying where.
    static func input(_ message: String) -> CommandFailure {
        CommandFailure(message: message, status: .input)
    }
}
