/// JSON text, written by hand wherever output must be byte-identical across
/// processes (Foundation's encoders order dictionary keys by hash).
public enum JSONText {
    /// `text` as a JSON string literal (RFC 8259 §7): quotes, backslashes and
    /// every control character below U+0020 are escaped; the rest is left as
    /// UTF-8, which JSON allows.
    /// - Complexity: O(length of `text`).
    public static func quoted(_ text: String) -> String {
        var quoted = "\""
        quoted.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "\u{8}": quoted += "\\b"
            case "\u{C}": quoted += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
