// The default rule files of Saturate, compiled into this module at build time
// by the EmbedRules plugin (Plugins/EmbedRules): `rules/*.rules` are their
// single source, which users read and copy (`saturate rules`), and the
// command carries them, so it runs from anywhere with no file beside it.
// Editing a rule file rebuilds the module; a new `.rules` file in `rules/` is
// picked up with no list to update.

/// The rule files that ship with Saturate.
public enum DefaultRules {
    /// One default rule file.
    public struct File: Sendable, Equatable {
        /// The file's name in `rules/`, such as `algebra.rules`.
        public let name: String
        /// The file's text, as written.
        public let text: String

        /// The file's path in the package, `rules/NAME`: how messages name
        /// the file, so a reader knows which one to open.
        public var path: String { "rules/" + name }
    }

    /// The default rule files, in the order they load: by name. Order
    /// matters only for reports and listings (declarations such as
    /// `(ac + *)` apply to every file wherever written), so sorting by name
    /// saves keeping a list in step with the directory.
    public static let files: [File] = embeddedFiles.sorted { $0.name < $1.name }
}
