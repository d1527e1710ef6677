/// A binary floating-point number with a 256-bit significand and a 64-bit exponent: the arithmetic that the
/// reference evaluator uses to compute the true value that binary64 results are compared against.
///
/// A finite nonzero value is `(−1)^s · m · 2^e` with `m ∈ [1, 2)` held to 256 bits (four 64-bit limbs, the leading
/// bit explicit) and `e` an `Int64` in `minExponent...maxExponent` (about ±4.6·10^18, so `exp(±10^18)` and their
/// products and quotients are ordinary finite values). There are no subnormals: a result whose exponent falls below
/// `minExponent` becomes a signed zero, one above `maxExponent` a signed infinity. The specials follow IEEE 754:
/// signed zeros, signed infinities and a single quiet NaN, with the usual invalid-operation results.
///
/// Precision: `+`, `−`, `·`, `/`, `sqrt` and the conversions from `Double` and integers are correctly rounded to
/// 256 bits (round to nearest, ties to even); the elementary functions in `ReferenceFloat+Elementary.swift` are
/// accurate to a few dozen units in the 256th bit, that is well below one unit in the 190th bit. Conversion back to
/// `Double` (`doubleValue`) is correctly rounded, subnormals, overflow and underflow included.
public struct ReferenceFloat: Sendable {
    /// The class of a value; `significand` and `exponent` are meaningful only for `.finite`.
    enum Kind: UInt8, Sendable {
        case zero
        case finite
        case infinity
        case nan
    }

    var kind: Kind
    /// The sign bit; kept for zeros and infinities, always false for NaN.
    var isNegative: Bool
    /// The unbiased binary exponent `e` of a finite value: `2^e ≤ |value| < 2^(e+1)`.
    var exponent: Int64
    /// The significand of a finite value scaled by 2^255, so its top bit is set; zero for the other kinds.
    var significand: UInt256

    init(kind: Kind, negative: Bool, exponent: Int64 = 0, significand: UInt256 = .zero) {
        self.kind = kind
        self.isNegative = kind == .nan ? false : negative
        self.exponent = exponent
        self.significand = significand
    }

    /// The number of bits of the significand, the leading one included.
    public static let significandBitCount = 256
    /// The largest binary exponent of a finite value: results of magnitude 2^(maxExponent+1) or more overflow.
    public static let maxExponent: Int64 = (1 << 62) - 1
    /// The smallest binary exponent of a nonzero value: results below 2^minExponent flush to a signed zero.
    public static let minExponent: Int64 = -maxExponent

    /// Positive zero.
    public static let zero = ReferenceFloat(kind: .zero, negative: false)
    /// The value 1.
    public static let one = ReferenceFloat(kind: .finite, negative: false, exponent: 0, significand: topBit)
    /// Positive infinity.
    public static let infinity = ReferenceFloat(kind: .infinity, negative: false)
    /// The quiet NaN, result of every invalid operation (it carries no sign and no payload).
    public static let nan = ReferenceFloat(kind: .nan, negative: false)

    static let topBit = UInt256(w0: 0, w1: 0, w2: 0, w3: 1 << 63)

    static func signedZero(negative: Bool) -> ReferenceFloat { ReferenceFloat(kind: .zero, negative: negative) }

    static func signedInfinity(negative: Bool) -> ReferenceFloat { ReferenceFloat(kind: .infinity, negative: negative) }

    /// A finite value from a normalized significand, overflowing or flushing to zero outside the exponent range.
    static func finite(negative: Bool, exponent: Int64, significand: UInt256) -> ReferenceFloat {
        if exponent > maxExponent { return signedInfinity(negative: negative) }
        if exponent < minExponent { return signedZero(negative: negative) }
        return ReferenceFloat(kind: .finite, negative: negative, exponent: exponent, significand: significand)
    }

    /// `a + b`, clamped to the `Int64` range instead of trapping: exponents that far out mean overflow or underflow.
    static func clampedSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? .max : .min }
        return sum
    }

    /// Rounds `(−1)^negative · (bits / 2^511) · 2^exponent` to 256 bits, to nearest with ties to even.
    ///
    /// `sticky` says that the exact value has further nonzero bits below `bits` (and is thus slightly larger in
    /// magnitude); this is the single rounding step behind every correctly rounded operation.
    static func rounding(_ bits: UInt512, sticky: Bool, exponent: Int64, negative: Bool) -> ReferenceFloat {
        if bits.isZero { return signedZero(negative: negative) }
        let shift = bits.leadingZeroBitCount
        let normalized = bits.shiftedLeft(by: shift)
        var resultExponent = clampedSum(exponent, -Int64(shift))
        var significand = normalized.high
        let roundBit = normalized.low.bit(255)
        let inexactBelow = sticky || !normalized.low.lowBitsAreZero(count: 255)
        if roundBit && (inexactBelow || significand.w0 & 1 == 1) {
            let (incremented, carry) = significand.addingReportingOverflow(.one)
            if carry {
                significand = topBit
                resultExponent = clampedSum(resultExponent, 1)
            } else {
                significand = incremented
            }
        }
        return finite(negative: negative, exponent: resultExponent, significand: significand)
    }

    /// Rounds `(−1)^negative · Σ limbs[i]·2^(64·i) · 2^scale` (limbs least significant first) to 256 bits.
    static func fromLimbs(_ limbs: [UInt64], scale: Int64, negative: Bool) -> ReferenceFloat {
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return signedZero(negative: negative) }
        var bits = UInt512.zero
        for offset in 0..<8 where top - offset >= 0 {
            bits[7 - offset] = limbs[top - offset]
        }
        let sticky = top >= 8 && limbs[0...(top - 8)].contains { $0 != 0 }
        let exponent = clampedSum(scale, 511 + 64 * (Int64(top) - 7))
        return rounding(bits, sticky: sticky, exponent: exponent, negative: negative)
    }
}

// MARK: - Conversions

extension ReferenceFloat {
    /// The exact value of a `Double`: every binary64 number, subnormals and specials included, is representable.
    public init(_ value: Double) {
        if value.isNaN {
            self = .nan
        } else if value.isInfinite {
            self = .signedInfinity(negative: value < 0)
        } else if value == 0 {
            self = .signedZero(negative: value.sign == .minus)
        } else {
            // `significand` is in [1, 2) with at most 53 bits, even for subnormals, so this product is exact.
            let leading = UInt64(value.significand * 0x1p63)
            self.init(
                kind: .finite, negative: value < 0, exponent: Int64(value.exponent),
                significand: UInt256(w0: 0, w1: 0, w2: 0, w3: leading))
        }
    }

    /// The integer `value`, rounded to 256 bits (exact for every integer of at most 256 significant bits).
    public init<Source: BinaryInteger>(_ value: Source) {
        self = Self.converting(value).value
    }

    /// The integer `value` if it has at most 256 significant bits (so the conversion is exact), otherwise nil.
    public init?<Source: BinaryInteger>(exactly value: Source) {
        let (converted, exact) = Self.converting(value)
        guard exact else { return nil }
        self = converted
    }

    private static func converting<Source: BinaryInteger>(_ value: Source) -> (value: ReferenceFloat, exact: Bool) {
        var magnitude = value.magnitude
        var limbs: [UInt64] = []
        while magnitude != 0 {
            limbs.append(UInt64(truncatingIfNeeded: magnitude))
            magnitude >>= 64
        }
        let converted = fromLimbs(limbs, scale: 0, negative: value < 0)
        guard let top = limbs.indices.last, let bottom = limbs.firstIndex(where: { $0 != 0 }) else {
            return (converted, true)
        }
        let highestBit = 64 * top + 63 - limbs[top].leadingZeroBitCount
        let lowestBit = 64 * bottom + limbs[bottom].trailingZeroBitCount
        return (converted, highestBit - lowestBit < significandBitCount)
    }

    /// The nearest `Double`, correctly rounded: round to nearest, ties to even, with gradual underflow to
    /// subnormals, values below half the least subnormal to a signed zero and values from 2^1024·(1 − 2^−54)
    /// up (the midpoint between `greatestFiniteMagnitude` and 2^1024) to a signed infinity. NaN gives NaN.
    public var doubleValue: Double {
        switch kind {
        case .nan: return .nan
        case .infinity: return isNegative ? -.infinity : .infinity
        case .zero: return isNegative ? -0.0 : 0.0
        case .finite: break
        }
        let signBit: UInt64 = isNegative ? 1 << 63 : 0
        if exponent > 1023 { return Double(bitPattern: signBit | Double.infinity.bitPattern) }
        // Significand bits that binary64 keeps at this exponent: 53 when normal, fewer when subnormal.
        let keep = exponent >= -1022 ? 53 : Int(Swift.max(exponent + 1075, -1))
        if keep <= 0 {
            // At most the leading bit is the rounding bit; exactly half the least subnormal rounds to even (zero).
            let aboveHalf = keep == 0 && !significand.lowBitsAreZero(count: 255)
            return Double(bitPattern: signBit | (aboveHalf ? 1 : 0))
        }
        var mantissa = significand.w3 >> UInt64(64 - keep)
        let roundBit = significand.bit(255 - keep)
        let inexactBelow = !significand.lowBitsAreZero(count: 255 - keep)
        if roundBit && (inexactBelow || mantissa & 1 == 1) { mantissa += 1 }
        // Adding the mantissa (implicit bit included) to the biased exponent field minus one lets a rounding carry
        // step into the next binade, from the largest subnormal to the least normal and from the largest finite
        // value to infinity, by plain integer addition.
        let exponentField: UInt64 = exponent >= -1022 ? UInt64(exponent + 1022) << 52 : 0
        return Double(bitPattern: signBit | (exponentField + mantissa))
    }

    /// The integer part of a finite value under `rule` (`.toNearestOrAwayFromZero`, `.down`, `.towardZero`), or
    /// nil if the value is not finite or the result does not fit in an `Int64`.
    func integerValue(rounding rule: FloatingPointRoundingRule) -> Int64? {
        switch kind {
        case .zero: return 0
        case .nan, .infinity: return nil
        case .finite: break
        }
        if exponent > 62 { return nil }
        let shift = Int(255 - exponent)
        var magnitude = exponent >= 0 ? significand.shiftedRight(by: shift).w0 : 0
        let fractionIsNonzero = !significand.lowBitsAreZero(count: shift)
        switch rule {
        case .toNearestOrAwayFromZero:
            if significand.bit(shift - 1) { magnitude += 1 }
        case .down:
            if isNegative && fractionIsNonzero { magnitude += 1 }
        default:
            break
        }
        guard let value = Int64(exactly: magnitude) else { return nil }
        return isNegative ? -value : value
    }

    /// The nearest integer to a finite nonnegative value below 2^256 (halves up), or nil.
    func roundedToUInt256() -> UInt256? {
        switch kind {
        case .zero: return .zero
        case .nan, .infinity: return nil
        case .finite: break
        }
        if isNegative || exponent > 255 { return nil }
        if exponent < -1 { return .zero }
        let shift = Int(255 - exponent)
        let truncated = significand.shiftedRight(by: shift)
        guard significand.bit(shift - 1) else { return truncated }
        let (incremented, carry) = truncated.addingReportingOverflow(.one)
        return carry ? nil : incremented
    }
}

// MARK: - Classification and comparison

extension ReferenceFloat: Equatable, Comparable {
    /// Whether the value is NaN.
    public var isNaN: Bool { kind == .nan }
    /// Whether the value is +∞ or −∞.
    public var isInfinite: Bool { kind == .infinity }
    /// Whether the value is zero or a nonzero finite number (not infinite, not NaN).
    public var isFinite: Bool { kind == .zero || kind == .finite }
    /// Whether the value is +0 or −0.
    public var isZero: Bool { kind == .zero }
    /// The sign bit: `.minus` for negative numbers, −0 and −∞; `.plus` otherwise, NaN included.
    public var sign: FloatingPointSign { isNegative ? .minus : .plus }

    /// Whether a finite value is an integer (zero included).
    var isIntegral: Bool {
        switch kind {
        case .zero: return true
        case .nan, .infinity: return false
        case .finite:
            if exponent >= 255 { return true }
            if exponent < 0 { return false }
            return significand.lowBitsAreZero(count: Int(255 - exponent))
        }
    }

    /// Whether the value is an odd integer.
    var isOddInteger: Bool {
        guard kind == .finite, exponent >= 0, exponent <= 255, isIntegral else { return false }
        return significand.bit(Int(255 - exponent))
    }

    /// Compares |a| with |b| for non-NaN values: negative, zero or positive.
    static func compareMagnitudes(_ a: ReferenceFloat, _ b: ReferenceFloat) -> Int {
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue ? -1 : 1 }
        guard a.kind == .finite else { return 0 }
        if a.exponent != b.exponent { return a.exponent < b.exponent ? -1 : 1 }
        if a.significand == b.significand { return 0 }
        return a.significand < b.significand ? -1 : 1
    }

    /// −1, 0 or 1 for negative, zero and positive values (NaN excluded by the callers).
    private var signum: Int {
        if kind == .zero { return 0 }
        return isNegative ? -1 : 1
    }

    /// IEEE equality: NaN equals nothing, itself included, and +0 == −0.
    public static func == (lhs: ReferenceFloat, rhs: ReferenceFloat) -> Bool {
        if lhs.isNaN || rhs.isNaN { return false }
        return lhs.signum == rhs.signum && compareMagnitudes(lhs, rhs) == 0
    }

    /// IEEE less-than: false whenever either operand is NaN; −0 is not less than +0.
    public static func < (lhs: ReferenceFloat, rhs: ReferenceFloat) -> Bool {
        if lhs.isNaN || rhs.isNaN { return false }
        if lhs.signum != rhs.signum { return lhs.signum < rhs.signum }
        let order = compareMagnitudes(lhs, rhs)
        return lhs.signum > 0 ? order < 0 : order > 0
    }

    /// IEEE less-than-or-equal: false whenever either operand is NaN.
    public static func <= (lhs: ReferenceFloat, rhs: ReferenceFloat) -> Bool { lhs < rhs || lhs == rhs }

    /// IEEE greater-than: false whenever either operand is NaN.
    public static func > (lhs: ReferenceFloat, rhs: ReferenceFloat) -> Bool { rhs < lhs }

    /// IEEE greater-than-or-equal: false whenever either operand is NaN.
    public static func >= (lhs: ReferenceFloat, rhs: ReferenceFloat) -> Bool { rhs < lhs || lhs == rhs }

    /// The smaller of two values in the sense of IEEE 754-2019 `minimum`: NaN if either operand is NaN, and
    /// −0 below +0. (Unlike `Double.minimum`, which is the 2008 `minNum` and ignores a quiet NaN.)
    public static func minimum(_ a: ReferenceFloat, _ b: ReferenceFloat) -> ReferenceFloat {
        if a.isNaN || b.isNaN { return .nan }
        if a.isZero && b.isZero { return a.isNegative ? a : b }
        return b < a ? b : a
    }

    /// The larger of two values in the sense of IEEE 754-2019 `maximum`: NaN if either operand is NaN, and
    /// +0 above −0. (Unlike `Double.maximum`, which is the 2008 `maxNum` and ignores a quiet NaN.)
    public static func maximum(_ a: ReferenceFloat, _ b: ReferenceFloat) -> ReferenceFloat {
        if a.isNaN || b.isNaN { return .nan }
        if a.isZero && b.isZero { return a.isNegative ? b : a }
        return b > a ? b : a
    }
}
