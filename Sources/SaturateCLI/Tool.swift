// The tool: its version, its commands, its help, and the dispatch from the
// first argument to a command.

/// One subcommand: what it accepts and what it does.
struct Command: Sendable {
    /// Its operands, options and help.
    var interface: CommandInterface
    /// Runs it on its read arguments.
    var run: @Sendable (ParsedArguments) throws -> Void
}

/// `saturate` itself.
enum Tool {
    /// The version `--version` prints; the one place it is written.
    static let version = "0.1.0"

    /// The commands, in the order the help lists them: the main job first.
    static let commands: [Command] = [
        Command(interface: optimizeInterface, run: runOptimize),
        Command(interface: explainInterface, run: runExplain),
        Command(interface: expandInterface, run: runExpand),
        Command(interface: evalInterface, run: runEval),
        Command(interface: checkRulesInterface, run: runCheckRules),
        Command(interface: rulesInterface, run: runRules),
        Command(interface: accuracyInterface, run: runAccuracy),
        Command(interface: serveInterface, run: runServe),
    ]

    /// The short usage printed after a usage error of the tool itself.
    static let usage = "usage: saturate COMMAND [ARGUMENTS] (saturate --help lists the commands)"

    /// What `saturate --help` prints.
    static var help: String {
        let width = commands.map(\.interface.name.count).max() ?? 0
        var lines = [
            "saturate \(version): rewrites tensor programs into numerically stable ones", "",
            "usage: saturate COMMAND [ARGUMENTS]", "", "commands:",
        ]
        for command in commands {
            let name = command.interface.name
            lines.append(
                "  " + name + String(repeating: " ", count: width - name.count + 2) + command.interface.summary)
        }
        lines += [
            "", "options:", "  -h, --help  print this help and exit", "  --version   print the version and exit", "",
            "'saturate COMMAND --help' prints a command's usage and options; 'saturate help COMMAND' does too.",
            "A FILE of '-' is standard input.", "", ExitStatus.help,
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the command `arguments` name.
    static func run(_ arguments: [String]) throws {
        guard let first = arguments.first else { throw CommandFailure(message: usage, status: .usage) }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help":
            print(help, terminator: "")
        case "--version":
            print("saturate \(version)")
        case "help":
            guard let name = rest.first else { return print(help, terminator: "") }
            print(try command(named: name).interface.help, terminator: "")
        default:
            let command = try command(named: first)
            let parsed = try command.interface.read(rest)
            if parsed.wantsHelp { return print(command.interface.help, terminator: "") }
            try command.run(parsed)
        }
    }

    /// The command called `name`, or a usage error listing the commands.
    private static func command(named name: String) throws -> Command {
        guard let command = commands.first(where: { $0.interface.name == name }) else {
            let what = name.hasPrefix("-") ? "unknown option" : "unknown command"
            throw CommandFailure(
                message: "saturate: \(what) '\(name)' (commands: "
                    + commands.map(\.interface.name).joined(separator: ", ") + ")\n" + usage,
                status: .usage)
        }
        return command
    }
}
