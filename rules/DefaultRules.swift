// The default rule files of Saturate, bundled as resources of this target so
// the library reads them at run time: `rules/` is their single source, and a
// user who edits a file there changes what the optimizer does without
// touching Swift.

import Foundation

/// The rule files that ship with Saturate.
public enum DefaultRules {
    /// The bundled rule files, by file name, in the order they are loaded.
    public static let fileNames = [
        "ac.rules", "algebra.rules", "explog.rules", "lifting.rules", "softmax.rules", "special.rules",
    ]

    /// The URLs of the bundled rule files, in load order.
    public static var urls: [URL] {
        fileNames.compactMap { name in
            let base = (name as NSString).deletingPathExtension
            return Bundle.module.url(forResource: base, withExtension: "rules")
        }
    }
}
