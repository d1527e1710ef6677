// The correctly rounded operations of `ReferenceFloat`: each computes enough of the exact result (the top bits plus
// a sticky bit for everything below) to round once, to nearest with ties to even, in `ReferenceFloat.rounding`.

extension ReferenceFloat: SignedNumeric {
    /// `|self|`: the value with its sign bit cleared (NaN stays NaN); `abs(_:)` from the standard library uses it.
    public var magnitude: ReferenceFloat {
        var result = self
        result.isNegative = false
        return result
    }

    /// An integer literal, converted exactly.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// The negation: flips the sign bit, so −(+0) = −0; NaN stays NaN. Exact.
    public static prefix func - (operand: ReferenceFloat) -> ReferenceFloat {
        var result = operand
        if result.kind != .nan { result.isNegative.toggle() }
        return result
    }

    /// Negates in place (see prefix `-`).
    public mutating func negate() {
        self = -self
    }

    /// The sum, correctly rounded to 256 bits. IEEE specials: ∞ − ∞ = NaN, (+0) + (−0) = +0, and an exact zero
    /// sum of nonzero operands is +0.
    public static func + (lhs: ReferenceFloat, rhs: ReferenceFloat) -> ReferenceFloat {
        addition(lhs, rhs, negateRight: false)
    }

    /// The difference, correctly rounded to 256 bits, with the IEEE specials of `+`.
    public static func - (lhs: ReferenceFloat, rhs: ReferenceFloat) -> ReferenceFloat {
        addition(lhs, rhs, negateRight: true)
    }

    /// The product, correctly rounded to 256 bits. IEEE specials: 0 · ∞ = NaN, the sign is the exclusive or of the
    /// operands' signs.
    public static func * (lhs: ReferenceFloat, rhs: ReferenceFloat) -> ReferenceFloat {
        let negative = lhs.isNegative != rhs.isNegative
        switch (lhs.kind, rhs.kind) {
        case (.nan, _), (_, .nan), (.zero, .infinity), (.infinity, .zero):
            return .nan
        case (.infinity, _), (_, .infinity):
            return signedInfinity(negative: negative)
        case (.zero, _), (_, .zero):
            return signedZero(negative: negative)
        case (.finite, .finite):
            // Both significands are in [2^255, 2^256), so the product is in [2^510, 2^512).
            let product = lhs.significand.multipliedFullWidth(by: rhs.significand)
            let exponent = clampedSum(clampedSum(lhs.exponent, rhs.exponent), 1)
            return rounding(product, sticky: false, exponent: exponent, negative: negative)
        }
    }

    /// The quotient, correctly rounded to 256 bits. IEEE specials: 0/0 = ∞/∞ = NaN, x/±0 = ±∞ for x ≠ 0,
    /// x/±∞ = ±0 for finite x.
    public static func / (lhs: ReferenceFloat, rhs: ReferenceFloat) -> ReferenceFloat {
        let negative = lhs.isNegative != rhs.isNegative
        switch (lhs.kind, rhs.kind) {
        case (.nan, _), (_, .nan), (.zero, .zero), (.infinity, .infinity):
            return .nan
        case (.infinity, _), (_, .zero):
            return signedInfinity(negative: negative)
        case (.zero, _), (_, .infinity):
            return signedZero(negative: negative)
        case (.finite, .finite):
            let (quotient, remainderIsZero) = dividedSignificands(lhs.significand, rhs.significand)
            // The quotient is (a/b) · 2^320 at bit 128, i.e. (a/b) · 2^448 = (bits / 2^511) · 2^63.
            let exponent = clampedSum(clampedSum(lhs.exponent, -rhs.exponent), 63)
            return rounding(quotient, sticky: !remainderIsZero, exponent: exponent, negative: negative)
        }
    }

    /// Adds in place (see `+`).
    public static func += (lhs: inout ReferenceFloat, rhs: ReferenceFloat) {
        lhs = lhs + rhs
    }

    /// Subtracts in place (see `-`).
    public static func -= (lhs: inout ReferenceFloat, rhs: ReferenceFloat) {
        lhs = lhs - rhs
    }

    /// Multiplies in place (see `*`).
    public static func *= (lhs: inout ReferenceFloat, rhs: ReferenceFloat) {
        lhs = lhs * rhs
    }

    /// Divides in place (see `/`).
    public static func /= (lhs: inout ReferenceFloat, rhs: ReferenceFloat) {
        lhs = lhs / rhs
    }
}

extension ReferenceFloat {
    /// `lhs ± rhs` with one rounding.
    private static func addition(_ lhs: ReferenceFloat, _ rhs: ReferenceFloat, negateRight: Bool) -> ReferenceFloat {
        let rhsNegative = rhs.isNegative != negateRight
        switch (lhs.kind, rhs.kind) {
        case (.nan, _), (_, .nan):
            return .nan
        case (.infinity, .infinity):
            return lhs.isNegative == rhsNegative ? lhs : .nan
        case (.infinity, _):
            return lhs
        case (_, .infinity):
            return signedInfinity(negative: rhsNegative)
        case (.zero, .zero):
            return signedZero(negative: lhs.isNegative && rhsNegative)
        case (.zero, _):
            var result = rhs
            result.isNegative = rhsNegative
            return result
        case (_, .zero):
            return lhs
        case (.finite, .finite):
            break
        }
        var large = lhs
        var small = rhs
        small.isNegative = rhsNegative
        if compareMagnitudes(large, small) < 0 { swap(&large, &small) }
        let (gap, gapOverflow) = large.exponent.subtractingReportingOverflow(small.exponent)
        let distance = gapOverflow || gap > 1024 ? 1024 : Int(gap)

        // The larger operand sits at bits 255...510 of a 512-bit window, leaving bit 511 free for a carry;
        // the smaller one is shifted `distance` further right, its lost bits summarized by `sticky`.
        let largeBits = UInt512(
            high: large.significand.shiftedRight(by: 1), low: large.significand.shiftedLeft(by: 255))
        var smallBits = UInt512.zero
        var sticky = false
        if distance <= 255 {
            let shift = 255 - distance
            smallBits = UInt512(
                high: shift == 0 ? .zero : small.significand.shiftedRight(by: 256 - shift),
                low: small.significand.shiftedLeft(by: shift))
        } else {
            smallBits.low = small.significand.shiftedRight(by: distance - 255)
            sticky = !small.significand.lowBitsAreZero(count: distance - 255)
        }

        let exponent = large.exponent + 1
        if large.isNegative == small.isNegative {
            let sum = largeBits.addingReportingOverflow(smallBits).partialValue
            return rounding(sum, sticky: sticky, exponent: exponent, negative: large.isNegative)
        }
        var difference = largeBits.subtractingReportingOverflow(smallBits).partialValue
        if sticky {
            // The true subtrahend exceeds `smallBits` by a fraction of the last place: borrow one unit and keep
            // the remaining fraction (1 − that fraction, nonzero) as the sticky bit. The window is wide enough
            // that this unit lies far below the rounding position.
            difference = difference.subtractingReportingOverflow(UInt512(high: .zero, low: .one)).partialValue
        }
        if difference.isZero && !sticky { return .zero }
        return rounding(difference, sticky: sticky, exponent: exponent, negative: large.isNegative)
    }

    /// `⌊a · 2^320 / b⌋` placed at bits 128... of a 512-bit window, and whether the division was exact.
    ///
    /// Both significands are normalized, so the quotient lies in (2^319, 2^321) and carries far more than the 257
    /// bits that correct rounding needs besides the remainder test. Knuth's Algorithm D (TAOCP vol. 2, 4.3.1) with
    /// 64-bit digits; b's top bit is already set, so no normalizing shift is needed.
    private static func dividedSignificands(_ a: UInt256, _ b: UInt256) -> (quotient: UInt512, remainderIsZero: Bool) {
        let divisor = [b.w0, b.w1, b.w2, b.w3]
        var quotient = UInt512.zero
        // The dividend a · 2^320 in ten limbs, the top one an extra zero digit as the algorithm requires.
        var digits: [UInt64] = [0, 0, 0, 0, 0, a.w0, a.w1, a.w2, a.w3, 0]
        for j in stride(from: 5, through: 0, by: -1) {
            // Estimate the quotient digit from the top two digits, then refine it with the third: it is then at
            // most one too large. digits[j + 4] ≤ b.w3 because the running remainder is below b.
            var estimate: UInt64
            var rest: UInt64
            var restOverflow = false
            if digits[j + 4] >= b.w3 {
                estimate = .max
                (rest, restOverflow) = digits[j + 3].addingReportingOverflow(b.w3)
            } else {
                (estimate, rest) = b.w3.dividingFullWidth((high: digits[j + 4], low: digits[j + 3]))
            }
            while !restOverflow {
                let (high, low) = estimate.multipliedFullWidth(by: b.w2)
                guard high > rest || (high == rest && low > digits[j + 2]) else { break }
                estimate -= 1
                (rest, restOverflow) = rest.addingReportingOverflow(b.w3)
            }
            // Subtract estimate · b from the five digits at j.
            var carry: UInt64 = 0
            var borrow: UInt64 = 0
            for i in 0..<4 {
                let product = UInt256.multiplyAdd(estimate, divisor[i], 0, &carry)
                digits[i + j] = UInt256.subtractWithBorrow(digits[i + j], product, &borrow)
            }
            digits[j + 4] = UInt256.subtractWithBorrow(digits[j + 4], carry, &borrow)
            if borrow != 0 {
                // The estimate was one too large (rare): add b back.
                estimate -= 1
                var addCarry: UInt64 = 0
                for i in 0..<4 {
                    digits[i + j] = UInt256.addWithCarry(digits[i + j], divisor[i], &addCarry)
                }
                digits[j + 4] = digits[j + 4] &+ addCarry
            }
            quotient[j + 2] = estimate
        }
        return (quotient, digits[0...3].allSatisfy { $0 == 0 })
    }

    /// `self / divisor` for a small positive integer divisor, correctly rounded; cheaper than the general division,
    /// for the coefficients of the series.
    func divided(by divisor: UInt64) -> ReferenceFloat {
        guard kind == .finite, divisor > 1 else {
            return divisor == 0 ? self / .zero : self
        }
        // Long division of the 384-bit significand · 2^128 by one limb leaves a quotient of at least 320 bits.
        var bits = UInt512.zero
        var remainder: UInt64 = 0
        for index in stride(from: 5, through: 0, by: -1) {
            // remainder < divisor, so the quotient limb fits and dividingFullWidth cannot trap.
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: significand[index - 2]))
            bits[index + 2] = quotient
            remainder = rest
        }
        return Self.rounding(bits, sticky: remainder != 0, exponent: exponent, negative: isNegative)
    }

    /// `self · 2^power`, exact unless it overflows or underflows the exponent range.
    func scaled(byPowerOfTwo power: Int64) -> ReferenceFloat {
        guard kind == .finite else { return self }
        return Self.finite(negative: isNegative, exponent: Self.clampedSum(exponent, power), significand: significand)
    }

    /// The square root, correctly rounded to 256 bits: sqrt(−0) = −0, sqrt(+∞) = +∞, NaN for negative operands.
    ///
    /// A Newton iteration for 1/√x from the `Double` estimate gets within a few units of the last place, then the
    /// candidate q is corrected exactly: q is the rounded root of the 512-bit radicand A iff q² − q < A ≤ q² + q.
    public static func sqrt(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return x
        case .infinity: return x.isNegative ? .nan : x
        case .finite: if x.isNegative { return .nan }
        }
        let odd = x.exponent & 1 != 0
        // The radicand A ∈ [2^510, 2^512) with x = A · 2^(2·halfExponent − 510), so √x = √A · 2^(halfExponent − 255).
        let radicand =
            odd
            ? UInt512(high: x.significand, low: .zero)
            : UInt512(high: x.significand.shiftedRight(by: 1), low: x.significand.shiftedLeft(by: 255))
        let halfExponent = x.exponent >> 1

        // m = x / 2^(2·halfExponent) ∈ [1, 4); iterate z ← z + z(1 − m z²)/2 towards 1/√m, each step doubling the
        // correct bits from the 53 of the Double estimate.
        let m = ReferenceFloat(kind: .finite, negative: false, exponent: odd ? 1 : 0, significand: x.significand)
        var z = ReferenceFloat(1 / m.doubleValue.squareRoot())
        for _ in 0..<3 {
            z = z + (z * (.one - m * z * z)).scaled(byPowerOfTwo: -1)
        }
        let estimate = m * z  // ≈ √m ∈ [1, 2)
        var root: UInt256
        if estimate.exponent >= 1 {
            root = .max
        } else if estimate.exponent < 0 {
            root = topBit
        } else {
            root = estimate.significand
        }
        for _ in 0..<64 {
            let square = root.multipliedFullWidth(by: root)
            let rootBits = UInt512(high: .zero, low: root)
            let lowerBound = square.subtractingReportingOverflow(rootBits).partialValue
            let (upperBound, upperOverflow) = square.addingReportingOverflow(rootBits)
            if !(lowerBound < radicand) {
                root = root.subtractingReportingOverflow(.one).partialValue
            } else if !upperOverflow && upperBound < radicand {
                root = root.addingReportingOverflow(.one).partialValue
            } else {
                break
            }
        }
        return finite(negative: false, exponent: halfExponent, significand: root)
    }
}
