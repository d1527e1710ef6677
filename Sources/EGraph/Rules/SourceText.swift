// Source files, rules or programs, as text with a name: what the readers
// take, and how bytes that are not UTF-8 become a located error.

import Foundation

/// The text of one rule file and the name its diagnostics carry.
public struct RuleSource: Sendable {
    /// The file name shown in `file:line:col` messages.
    public var name: String
    /// The file's contents.
    public var text: String

    /// A rule file held in memory.
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// Reads a rule file from disk.
    /// - Throws: a ``DiagnosticError`` naming the file when it cannot be read,
    ///   and locating the first byte that is not UTF-8.
    public init(contentsOf url: URL) throws(DiagnosticError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DiagnosticError([
                Diagnostic("\(url.path): cannot read rule file (\(error.localizedDescription))", at: nil)
            ])
        }
        self.init(name: url.path, text: try SourceText.decode(data, file: url.path))
    }
}

/// Reading source files, programs or rules, as text.
public enum SourceText {
    /// `data` as UTF-8 text.
    /// - Throws: a ``DiagnosticError`` at the first byte that is not UTF-8,
    ///   its line and column counted as the readers count them.
    public static func decode(_ data: Data, file: String) throws(DiagnosticError) -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        decoding: while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput, .error: break decoding
            }
        }
        let lines = String(decoding: data.prefix(offset), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let location = SourceLocation(file: file, line: lines.count, column: (lines.last?.count ?? 0) + 1)
        throw DiagnosticError([Diagnostic("invalid UTF-8", at: location)])
    }
}
