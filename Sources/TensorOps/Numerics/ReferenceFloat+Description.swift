// Printing `ReferenceFloat` values for debugging: a 20-digit decimal approximation and an exact hexadecimal form.

extension ReferenceFloat: CustomStringConvertible, CustomDebugStringConvertible {
    static let ln10 = log(10)

    /// A decimal approximation with 20 significant digits (trailing zeros dropped) in scientific notation, such as
    /// `1.4142135623730950488e0` or `-2.5e-3`; `nan`, `inf`, `-inf`, `0.0` and `-0.0` for the specials.
    ///
    /// The digits come from 10^(frac(log10 |x|) + 19), computed in this type, so they are right to the last printed
    /// digit except within about 10^−50 of a rounding boundary; the exponent works over the whole range.
    public var description: String {
        switch kind {
        case .nan: return "nan"
        case .infinity: return isNegative ? "-inf" : "inf"
        case .zero: return isNegative ? "-0.0" : "0.0"
        case .finite: break
        }
        let decimalLog = Self.log(magnitude) / Self.ln10
        guard var power = decimalLog.integerValue(rounding: .down),
            let leading = Self.exp((decimalLog - ReferenceFloat(power) + 19) * Self.ln10).roundedToUInt256()
        else { return debugDescription }
        var digits = Self.decimalString(leading)
        if digits.count > 20 {
            // log10 |x| was just below an integer and the digits rounded up to 10^20.
            digits = "1"
            power += 1
        }
        var fraction = String(digits.dropFirst())
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if fraction.isEmpty { fraction = "0" }
        return (isNegative ? "-" : "") + String(digits.prefix(1)) + "." + fraction + "e" + String(power)
    }

    /// The exact value in C's hexadecimal floating-point notation, such as `0x1.8p+1` for 3 (all 256 bits, trailing
    /// zero digits dropped); the specials print as in `description`.
    public var debugDescription: String {
        guard kind == .finite else { return description }
        var hexDigits = ""
        let fraction = significand.shiftedLeft(by: 1)
        for limb in [fraction.w3, fraction.w2, fraction.w1, fraction.w0] {
            let text = String(limb, radix: 16)
            hexDigits += String(repeating: "0", count: 16 - text.count) + text
        }
        while hexDigits.hasSuffix("0") { hexDigits.removeLast() }
        let point = hexDigits.isEmpty ? "" : "." + hexDigits
        let exponentText = exponent < 0 ? String(exponent) : "+" + String(exponent)
        return (isNegative ? "-" : "") + "0x1" + point + "p" + exponentText
    }

    /// The decimal digits of a 256-bit integer, by repeated division by 10^19 (the largest power of ten in a limb).
    private static func decimalString(_ value: UInt256) -> String {
        var chunks: [UInt64] = []
        var rest = value
        repeat {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
            chunks.append(remainder)
            rest = quotient
        } while !rest.isZero
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 19 - part.count) + part
        }
        return text
    }
}
