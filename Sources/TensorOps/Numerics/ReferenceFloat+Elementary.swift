// Elementary functions of `ReferenceFloat`, after the methods of Brent and Zimmermann, "Modern Computer
// Arithmetic" (2010), chapter 4. exp: additive reduction x = k·ln 2 + r with Cody and Waite's split constant, carried
// to about 640 bits so that even k ≈ 2^62 leaves r accurate to 2^−257; then r halved h times, a Taylor series for
// expm1 and h steps of expm1(2y) = expm1(y)·(expm1(y) + 2), which unlike squaring exp keeps the relative error of
// small results. log: one Newton step on exp from the binary64 estimate, finished by the atanh series. The rest by
// identities chosen to avoid cancellation. Every function is accurate to a few dozen units in the 256th bit (see the
// tests), far below one unit in the 190th.

import Foundation

extension ReferenceFloat {
    /// ln 2 = 2·atanh(1/3) = Σ_{k≥0} 2 / ((2k + 1)·3^(2k+1)) in fixed point with 704 fraction bits (12 limbs, least
    /// significant first), summed from the series at first use rather than typed in: each of the ~220 truncating
    /// divisions errs by less than two units, so the sum is right to about 2^−694.
    private static let ln2FixedPoint: [UInt64] = {
        var power = [UInt64](repeating: 0, count: 12)
        power[11] = 2
        divideFixedPoint(&power, by: 3)
        var sum = [UInt64](repeating: 0, count: 12)
        var index: UInt64 = 0
        while power.contains(where: { $0 != 0 }) {
            var term = power
            divideFixedPoint(&term, by: 2 * index + 1)
            var carry = false
            for limb in 0..<sum.count {
                let (partial, overflow1) = sum[limb].addingReportingOverflow(term[limb])
                let (total, overflow2) = partial.addingReportingOverflow(carry ? 1 : 0)
                sum[limb] = total
                carry = overflow1 || overflow2
            }
            divideFixedPoint(&power, by: 9)
            index += 1
        }
        return sum
    }()

    private static func divideFixedPoint(_ limbs: inout [UInt64], by divisor: UInt64) {
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: limbs[index]))
            limbs[index] = quotient
            remainder = rest
        }
    }

    /// ln 2 correctly rounded to 256 bits (computed once from its series).
    public static let ln2 = fromLimbs(ln2FixedPoint, scale: -704, negative: false)

    /// ln 2 = high + middle + low to about 640 bits: high and middle have 192 bits each, so k·high and k·middle are
    /// exact for every |k| < 2^64 (Cody and Waite's reduction).
    static let ln2Parts: (high: ReferenceFloat, middle: ReferenceFloat, low: ReferenceFloat) = (
        fromLimbs(Array(ln2FixedPoint[8...10]), scale: 512 - 704, negative: false),
        fromLimbs(Array(ln2FixedPoint[5...7]), scale: 320 - 704, negative: false),
        fromLimbs(Array(ln2FixedPoint[0...4]), scale: -704, negative: false)
    )

    static let inverseLn2 = one / ln2
    static let two: ReferenceFloat = 2

    /// `x − k·ln 2`, with an absolute error of about 2^−257 for every |k| < 2^63.
    private static func reduced(_ x: ReferenceFloat, by k: Int64) -> ReferenceFloat {
        if k == 0 { return x }
        let multiple = ReferenceFloat(k)
        // x and k·high agree in their leading bits, so their difference is exact; the later terms only round.
        let parts = ln2Parts
        return ((x - multiple * parts.high) - multiple * parts.middle) - multiple * parts.low
    }

    /// 1/n! for n = 0...40, each rounded from the one before (so within n/2 units of the last place, an error that
    /// the smallness of the higher terms makes negligible): the Taylor coefficients of exp.
    private static let inverseFactorials: [ReferenceFloat] = {
        var values: [ReferenceFloat] = [one]
        for order in 1...40 { values.append(values[order - 1].divided(by: UInt64(order))) }
        return values
    }()

    /// expm1(r) for a finite r of moderate size (|r| ≲ 1), with a relative error of a few units in the 256th bit,
    /// for tiny r too.
    static func expm1Core(_ r: ReferenceFloat) -> ReferenceFloat {
        guard r.kind == .finite else { return r }
        // Halve until |y| < 2^−13, so the series needs at most 18 terms; each doubling adds about one unit of error.
        let halvings = Int(Swift.min(Swift.max(r.exponent + 14, 0), 128))
        let y = r.scaled(byPowerOfTwo: -Int64(halvings))
        // Keep terms up to y^order/order!: the first one left out, relative to y, is below
        // 2^(−order·leadingZeros) / (order + 1)!, which must fall below 2^−262.
        let leadingZeros = -Double(y.exponent + 1)
        var order = 1
        var log2Factorial = 1.0  // log2((order + 1)!)
        while Double(order) * leadingZeros + log2Factorial < 262 && order < 40 {
            order += 1
            log2Factorial += Foundation.log2(Double(order + 1))
        }
        // Horner's rule: y·(1/1! + y·(1/2! + … + y/order!)).
        var sum = inverseFactorials[order]
        for power in stride(from: order - 1, through: 1, by: -1) {
            sum = sum * y + inverseFactorials[power]
        }
        sum = sum * y
        for _ in 0..<halvings {
            sum = sum * (sum + two)
        }
        return sum
    }

    /// The atanh series for log1p(d) = 2·atanh(d / (2 + d)), for small finite d (fast when |d| ≲ 2^−40).
    private static func log1pSeries(_ d: ReferenceFloat) -> ReferenceFloat {
        guard d.kind == .finite else { return d }
        let t = d / (d + two)
        let tSquared = t * t
        var sum = t
        var power = t
        var order: UInt64 = 3
        while order < 4000 {
            power = power * tSquared
            let term = power.divided(by: order)
            if term.isZero || term.exponent < sum.exponent - 262 { break }
            sum += term
            order += 2
        }
        return sum.scaled(byPowerOfTwo: 1)
    }

    /// log1p(u) for finite u in about [√½ − 1, √2 − 1], with a small relative error even for tiny u.
    ///
    /// With y the binary64 estimate of log1p(u), δ = (1 + u)·exp(−y) − 1 = u + e + u·e for e = expm1(−y) is about
    /// 2^−53·u and carries an error of a few units of u's last place, so log1p(u) = y + log1p(δ) needs three terms
    /// of the series.
    private static func log1pCore(_ u: ReferenceFloat) -> ReferenceFloat {
        guard u.kind == .finite else { return u }
        let estimate = ReferenceFloat(Foundation.log1p(u.doubleValue))
        guard estimate.kind == .finite else { return log1pSeries(u) }
        let e = expm1Core(-estimate)
        let delta = (u + e) + u * e
        return estimate + log1pSeries(delta)
    }

    /// The exponential e^x, within a few dozen units in the 256th bit.
    ///
    /// Range: finite and nonzero for |x| < (maxExponent + 1)·ln 2 ≈ 3.1966·10^18; +∞ above, +0 below. exp(−∞) = 0,
    /// exp(+∞) = +∞, exp(±0) = 1, exp(NaN) = NaN.
    public static func exp(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return .one
        case .infinity: return x.isNegative ? .zero : .infinity
        case .finite: break
        }
        // |x| ≥ 2^62 exceeds (maxExponent + 1)·ln 2: a certain overflow or underflow, and k would not fit an Int64.
        guard x.exponent < 62, let k = (x * inverseLn2).integerValue(rounding: .toNearestOrAwayFromZero) else {
            return x.isNegative ? .zero : .infinity
        }
        return (one + expm1Core(reduced(x, by: k))).scaled(byPowerOfTwo: k)
    }

    /// e^x − 1 without cancellation for small x, within a few dozen units in the 256th bit (relative).
    /// expm1(±0) = ±0, expm1(−∞) = −1, expm1(+∞) = +∞, NaN gives NaN; range as `exp`.
    public static func expm1(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return x
        case .infinity: return x.isNegative ? -one : .infinity
        case .finite: break
        }
        // For |x| ≥ 1/2, |e^x − 1| > 0.39 and subtracting 1 magnifies the error of exp at most 2.6 times.
        if x.exponent < -1 { return expm1Core(x) }
        return exp(x) - one
    }

    /// The natural logarithm, within a few dozen units in the 256th bit (relative, also near x = 1).
    /// log(±0) = −∞, log(+∞) = +∞, log(x) = NaN for x < 0 and for NaN.
    public static func log(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return signedInfinity(negative: true)
        case .infinity: return x.isNegative ? .nan : x
        case .finite: if x.isNegative { return .nan }
        }
        // x = 2^k · m with m ∈ [√½, √2): log x = k·ln 2 + log1p(m − 1), and m − 1 is exact.
        var k = x.exponent
        var m = ReferenceFloat(kind: .finite, negative: false, exponent: 0, significand: x.significand)
        if x.significand.w3 > 0xB504_F333_F9DE_6484 {  // m > √2
            m.exponent = -1
            k += 1
        }
        let logM = log1pCore(m - one)
        if k == 0 { return logM }
        // |k·ln 2| ≥ 0.69 > 2·|log m|: no cancellation; k·high is exact and k·(ln 2 − high − middle) negligible.
        let multiple = ReferenceFloat(k)
        return multiple * ln2Parts.high + (multiple * ln2Parts.middle + logM)
    }

    /// log(1 + x) without cancellation for small x, within a few dozen units in the 256th bit (relative).
    /// log1p(±0) = ±0, log1p(−1) = −∞, log1p(+∞) = +∞, NaN for x < −1 and for NaN.
    public static func log1p(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return x
        case .infinity: return x.isNegative ? .nan : x
        case .finite: break
        }
        if x < -one { return .nan }
        if x == -one { return signedInfinity(negative: true) }
        if x.exponent < -2 { return log1pCore(x) }  // |x| < 1/4
        // Otherwise 1 + x rounds with a relative error below 2^−256 and log(1 + x) is at least 0.22 in magnitude.
        return log(one + x)
    }

    /// The hyperbolic tangent, as −t / (2 + t) with t = expm1(−2|x|), which is accurate for small and large |x|
    /// alike; within a few dozen units in the 256th bit. tanh(±0) = ±0, tanh(±∞) = ±1, NaN gives NaN.
    public static func tanh(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .zero: return x
        case .infinity: return x.isNegative ? -one : one
        case .finite: break
        }
        let t = expm1(-x.magnitude.scaled(byPowerOfTwo: 1))
        let result = -t / (t + two)
        return x.isNegative ? -result : result
    }

    /// The logistic function 1 / (1 + e^−x), evaluated as e^x / (1 + e^x) for x < 0 so that neither side
    /// overflows or cancels; within a few dozen units in the 256th bit. sigmoid(+∞) = 1, sigmoid(−∞) = 0.
    public static func sigmoid(_ x: ReferenceFloat) -> ReferenceFloat {
        if x.isNaN { return .nan }
        if x.isNegative && !x.isZero {
            let e = exp(x)
            return e / (one + e)
        }
        return one / (one + exp(-x))
    }

    /// softplus(x) = log(1 + e^x), evaluated as x + log1p(e^−x) for x > 0 and log1p(e^x) otherwise, so it never
    /// overflows and keeps its relative accuracy for very negative x (where it is about e^x); within a few dozen
    /// units in the 256th bit. softplus(+∞) = +∞, softplus(−∞) = 0.
    public static func softplus(_ x: ReferenceFloat) -> ReferenceFloat {
        switch x.kind {
        case .nan: return .nan
        case .infinity: return x.isNegative ? .zero : x
        case .zero, .finite: break
        }
        if x.kind == .finite && !x.isNegative { return x + log1p(exp(-x)) }
        return log1p(exp(x))
    }

    /// x raised to the power y, with the special cases of IEEE 754 `pow` (C99 Annex F):
    /// pow(x, ±0) = 1 and pow(1, y) = 1 for every x and y, NaN included; otherwise NaN operands give NaN;
    /// pow(±0, y) is ±∞ (y a negative odd integer), +∞ (other y < 0), ±0 (y a positive odd integer), +0 (other y > 0);
    /// pow(−1, ±∞) = 1; pow(x, −∞) is +∞ for |x| < 1 and +0 for |x| > 1, pow(x, +∞) the reverse; pow(−∞, y) and
    /// pow(+∞, y) follow from the limits; a negative finite x with a finite non-integral y gives NaN.
    ///
    /// Precision: integral |y| ≤ 64 uses binary powering (exact while the result fits in 256 bits, otherwise within
    /// |y| units in the 256th bit); other y use exp(y·log|x|), within a few dozen units times (1 + |y·log|x||).
    public static func pow(_ x: ReferenceFloat, _ y: ReferenceFloat) -> ReferenceFloat {
        if y.isZero || x == one { return one }
        if x.isNaN || y.isNaN { return .nan }
        if y.isInfinite {
            let order = compareMagnitudes(x, one)
            if order == 0 { return one }
            return (order > 0) == !y.isNegative ? .infinity : .zero
        }
        let oddPower = y.isOddInteger
        if x.isZero || x.isInfinite {
            // 0^y and ∞^y are 0 or ∞ by the sign of y (swapped for zero), with x's sign for odd integral y.
            let infinite = x.isZero == y.isNegative
            let negative = x.isNegative && oddPower
            return infinite ? signedInfinity(negative: negative) : signedZero(negative: negative)
        }
        if x.isNegative && !y.isIntegral { return .nan }
        let base = x.magnitude
        var result: ReferenceFloat
        if let exponent = y.integerValue(rounding: .towardZero), y.isIntegral, exponent.magnitude <= 64 {
            result = one
            var square = base
            var remaining = exponent.magnitude
            while remaining > 0 {
                if remaining & 1 == 1 { result = result * square }
                remaining >>= 1
                if remaining > 0 { square = square * square }
            }
            if exponent < 0 { result = one / result }
        } else {
            result = exp(y * log(base))
        }
        return x.isNegative && oddPower ? -result : result
    }
}
