// The files a command reads and writes: FILE operands and file options, with
// `-` for standard input (named <stdin> in messages) or, for an output,
// standard output.

import EGraph
import Foundation
import TensorOps

/// The files of the command line.
enum Files {
    /// How messages name standard input.
    static let standardInputName = "<stdin>"

    /// How messages name `path`: itself, or `<stdin>` for `-`.
    static func name(_ path: String) -> String { path == "-" ? standardInputName : path }

    /// The bytes of `path`, or of standard input for `-`. The command line's
    /// reader lets `-` appear once, so standard input is read at most once.
    /// - Throws: a problem in the input naming the file.
    static func data(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure.input("\(path): cannot read the file (\(error.localizedDescription))")
        }
    }

    /// The text of `path`, or of standard input for `-`.
    /// - Throws: a problem in the input at the first byte that is not UTF-8.
    static func text(_ path: String, name: String? = nil) throws -> String {
        let data = try data(path)
        do {
            return try SourceText.decode(data, file: name ?? Self.name(path))
        } catch {
            throw CommandFailure.input(error.description)
        }
    }

    /// Fails unless `path` names a file that can be created or overwritten:
    /// its directory exists and is writable, and it is not itself a
    /// directory. Checked before a run, which can take seconds: a mistyped
    /// directory should not cost the wait.
    /// - Parameter what: what would be written, for the message.
    static func checkWritable(_ path: String, for what: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let problem: String?
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            problem =
                isDirectory.boolValue
                ? "it is a directory" : manager.isWritableFile(atPath: path) ? nil : "permission denied"
        } else {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !manager.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                problem = "no directory \(directory)"
            } else {
                problem = manager.isWritableFile(atPath: directory) ? nil : "permission denied in \(directory)"
            }
        }
        if let problem { throw CommandFailure.input("\(path): cannot write \(what) (\(problem))") }
    }

    /// Writes `text` to `path`, or to standard output when `path` is `nil`
    /// or `-`.
    static func write(_ text: String, to path: String?, what: String) throws {
        guard let path, path != "-" else { return print(text, terminator: "") }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure.input("\(path): cannot write \(what) (\(error.localizedDescription))")
        }
    }
}

/// The program in `path` (`-`: standard input), parsed.
/// - Throws: every problem, located as `file:line:col: message`.
func readProgram(_ path: String) throws -> TensorProgram {
    let name = Files.name(path)
    let text = try Files.text(path, name: name)
    do {
        return try TensorProgram(parsing: text, file: name)
    } catch {
        throw CommandFailure.input(error.description)
    }
}

/// The rule file `path` (`-`: standard input). Files are named by their
/// absolute path, as messages locate the rules.
func readRuleFile(_ path: String) throws -> RuleSource {
    guard path != "-" else { return RuleSource(name: Files.standardInputName, text: try Files.text(path)) }
    do {
        return try RuleSource(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw CommandFailure.input(error.description)
    }
}
