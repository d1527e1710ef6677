/// The literal payload of an e-node: a number leaf or an integer attribute.
///
/// Numbers compare by bit pattern, not by IEEE equality: `-0.0` and `0.0` are
/// different literals (they differ under division), and every NaN is one
/// literal, so hash-consing stays reflexive where `Double ==` is not.
public enum Literal: Hashable, Sendable, CustomStringConvertible {
    /// A binary64 number.
    case number(Double)
    /// An integer attribute, such as an axis.
    case integer(Int)

    /// The numeric value, for either case.
    public var doubleValue: Double {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        }
    }

    /// The shortest text that reads back to the same value.
    public var description: String {
        switch self {
        case .number(let value): Literal.format(value)
        case .integer(let value): String(value)
        }
    }

    /// Formats a binary64 value as the shortest decimal that reads back to it,
    /// spelling integral values without a trailing `.0` and the specials as
    /// `inf`, `-inf` and `nan`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return value == 0 && value.sign == .minus ? "-0" : String(Int64(value))
        }
        return "\(value)"
    }

    /// Reads a number as written in rule files and programs: decimal and
    /// exponent forms, `inf`, `-inf` and `nan`. Returns `nil` for anything else,
    /// including hexadecimal and words such as `infinity` that `Double(_:)`
    /// would otherwise accept.
    public static func parseNumber(_ text: String) -> Double? {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: break
        }
        // Bytes, not characters: a program of 100,000 numbers spent a tenth
        // of its parse here comparing characters.
        var hasDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return nil
            }
        }
        guard hasDigit, let first = text.utf8.first, first != UInt8(ascii: "e"), first != UInt8(ascii: "E")
        else { return nil }
        return Double(text)
    }

    /// Why `text`, a finite number as written, cannot be read: its magnitude
    /// is past the greatest binary64 value (about 1.8e308), so it would read
    /// as an infinity nobody wrote (`1e999`, `-1e400`, 400 nines). `nil` for
    /// everything else, numbers that read and `inf` spelled out included.
    ///
    /// Underflow is not a problem: a tiny number (`1e-999`) reads as the
    /// nearest binary64 value, 0, as numpy and every IEEE reader round it.
    public static func overflowProblem(_ text: String) -> String? {
        guard let value = parseNumber(text), value.isInfinite, !text.hasSuffix("inf") else { return nil }
        let infinity = value < 0 ? "-inf" : "inf"
        return "'\(text)' overflows binary64 (the largest finite magnitude is about 1.8e308); "
            + "write \(infinity) if an infinity is meant"
    }

    /// Bitwise equality for numbers (every NaN alike), value equality for integers.
    public static func == (lhs: Literal, rhs: Literal) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): Literal.bits(a) == Literal.bits(b)
        case (.integer(let a), .integer(let b)): a == b
        default: false
        }
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .number(let value):
            hasher.combine(0 as UInt8)
            hasher.combine(Literal.bits(value))
        case .integer(let value):
            hasher.combine(1 as UInt8)
            hasher.combine(value)
        }
    }

    /// The bit pattern with every NaN folded into one.
    private static func bits(_ value: Double) -> UInt64 {
        value.isNaN ? Double.nan.bitPattern : value.bitPattern
    }
}
