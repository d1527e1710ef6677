// The one argument reader of every subcommand: each command declares its
// operands and options once, as a `CommandInterface`, and both what it
// accepts and what `--help` prints are read from that declaration, so the
// help cannot drift from the reader.

/// One option a command accepts.
struct CommandOption: Hashable, Sendable {
    /// The spellings, the long one last: `["-o", "--output"]`.
    var names: [String]
    /// The value's placeholder (`FILE`, `N`), or `nil` for a flag.
    var value: String?
    /// One line of help.
    var help: String
    /// Whether the value names a file to read, which `-` makes standard
    /// input.
    var readsFile = false
    /// Whether the option may be given more than once (each value kept).
    var repeats = false

    /// The long spelling, which messages use.
    var name: String { names.last! }

    /// A flag.
    static func flag(_ names: String..., help: String) -> CommandOption {
        CommandOption(names: names, value: nil, help: help)
    }

    /// An option with a value.
    static func value(
        _ names: String..., placeholder: String, help: String, readsFile: Bool = false, repeats: Bool = false
    ) -> CommandOption {
        CommandOption(names: names, value: placeholder, help: help, readsFile: readsFile, repeats: repeats)
    }

    /// `-h`, `--help`, which every command has.
    static let help = flag("-h", "--help", help: "print this help and exit")
}

/// A command's interface: its name, operands, options and help.
struct CommandInterface: Sendable {
    /// The subcommand, `optimize`.
    var name: String
    /// The operands' placeholder as the usage line shows it: `FILE`,
    /// `[FILE...]`.
    var operands: String
    /// How many operands the command takes.
    var operandCount: ClosedRange<Int>
    /// Whether the operands name files to read, which `-` makes standard
    /// input.
    var operandsReadFiles = true
    /// One line for the tool's list of commands.
    var summary: String
    /// What the command does, a paragraph or more, for its help.
    var description: String
    /// The options, in the order the help lists them; `--help` is added.
    var options: [CommandOption]
    /// Extra help lines after the options: defaults, formats, statuses
    /// peculiar to the command.
    var notes = ""

    /// Every option, `--help` last.
    var allOptions: [CommandOption] { options + [.help] }

    /// The usage line.
    var usage: String {
        "saturate \(name)" + (operands.isEmpty ? "" : " " + operands) + (options.isEmpty ? "" : " [options]")
    }

    /// What `saturate NAME --help` prints.
    var help: String {
        var lines = ["usage: " + usage, "", description, "", "options:"]
        let spellings = allOptions.map { option in
            option.names.joined(separator: ", ") + (option.value.map { " " + $0 } ?? "")
        }
        let width = spellings.map(\.count).max() ?? 0
        for (option, spelling) in zip(allOptions, spellings) {
            let padding = String(repeating: " ", count: width - spelling.count + 2)
            lines.append("  " + spelling + padding + option.help + (option.repeats ? " (repeatable)" : ""))
        }
        if !notes.isEmpty { lines += ["", notes] }
        if operandsReadFiles || options.contains(where: \.readsFile) {
            lines += ["", "A FILE of '-' is standard input; messages then name it <stdin>."]
        }
        lines += ["", ExitStatus.help]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A usage error: `message`, the usage line and where the options are
    /// listed.
    func usageError(_ message: String) -> CommandFailure {
        CommandFailure(
            message: "saturate \(name): \(message)\nusage: \(usage)\n'saturate \(name) --help' lists the options",
            status: .usage)
    }

    /// Reads `arguments` (those after the command's name).
    ///
    /// `--name VALUE` and `--name=VALUE` give a value; `--` ends the options;
    /// `-` alone is an operand. `-h` or `--help` anywhere before `--` asks for
    /// the help, whatever else is wrong.
    /// - Throws: a usage error for an unknown option, a missing value, a
    ///   wrong number of operands, or standard input named twice.
    func read(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        let beforeEnd = arguments.prefix { $0 != "--" }
        if beforeEnd.contains(where: { CommandOption.help.names.contains($0) }) {
            parsed.wantsHelp = true
            return parsed
        }
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                parsed.operands.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            let (spelling, attached) = Self.split(argument)
            guard let option = options.first(where: { $0.names.contains(spelling) }) else {
                throw usageError("unknown option '\(spelling)'")
            }
            guard option.repeats || parsed.values[option.name] == nil else {
                throw usageError("\(option.name) is given twice")
            }
            if option.value == nil {
                guard attached == nil else { throw usageError("\(option.name) takes no value") }
                parsed.values[option.name, default: []].append("")
                continue
            }
            if let attached {
                parsed.values[option.name, default: []].append(attached)
            } else {
                guard index < arguments.count else { throw usageError("\(option.name) needs a value") }
                parsed.values[option.name, default: []].append(arguments[index])
                index += 1
            }
        }
        guard operandCount.contains(parsed.operands.count) else {
            if parsed.operands.count < operandCount.lowerBound {
                throw usageError("missing \(operands)")
            }
            throw usageError("unexpected argument '\(parsed.operands[operandCount.upperBound])'")
        }
        let stdinReads =
            (operandsReadFiles ? parsed.operands.filter { $0 == "-" }.count : 0)
            + options.filter(\.readsFile).map { parsed.values($0).filter { $0 == "-" }.count }.reduce(0, +)
        if stdinReads > 1 { throw usageError("standard input ('-') can be read only once") }
        return parsed
    }

    /// `--name=value` as the name and the value; any other argument as itself.
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// What a command's arguments said.
struct ParsedArguments: Sendable {
    /// The operands, in order.
    var operands: [String] = []
    /// Whether `-h` or `--help` was given.
    var wantsHelp = false
    /// The values of each option given, by long name; a flag has one empty
    /// value each time it is given.
    fileprivate var values: [String: [String]] = [:]

    /// Whether the flag was given.
    func flag(_ option: CommandOption) -> Bool { values[option.name] != nil }

    /// Every value given to the option, in order.
    func values(_ option: CommandOption) -> [String] { values[option.name] ?? [] }

    /// The option's value, if it was given.
    func value(_ option: CommandOption) -> String? { values[option.name]?.last }

    /// The option's value read by `convert`, if it was given.
    /// - Throws: a usage error of `interface` naming the option, what it
    ///   takes (`expected`) and the text found.
    func value<T>(
        _ option: CommandOption, of interface: CommandInterface, expecting expected: String,
        _ convert: (String) -> T?
    ) throws -> T? {
        guard let text = value(option) else { return nil }
        guard let converted = convert(text) else {
            throw interface.usageError("\(option.name) takes \(expected), found '\(text)'")
        }
        return converted
    }

    /// The option's value as a positive number, if it was given.
    func positive<T: LosslessStringConvertible & Comparable & Numeric>(
        _ option: CommandOption, as type: T.Type, of interface: CommandInterface
    ) throws -> T? {
        try value(option, of: interface, expecting: "a positive number") { text in
            T(text).flatMap { $0 > 0 ? $0 : nil }
        }
    }
}
