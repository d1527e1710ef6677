import EGraph
import Foundation
import XCTest

@testable import TensorOps

private typealias RF = ReferenceFloat

/// Units in the last place between two finite doubles of binary64 (0 for equal values, +0 and −0 included).
private func ulpDistance(_ a: Double, _ b: Double) -> UInt64 {
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern & ~(1 << 63))
        return x.sign == .minus ? -bits : bits
    }
    return ordered(a) > ordered(b)
        ? UInt64(bitPattern: ordered(a) &- ordered(b)) : UInt64(bitPattern: ordered(b) &- ordered(a))
}

/// |got − want| / |want| computed in `ReferenceFloat` and returned as a Double (|got| if want is zero).
private func relativeError(_ got: RF, _ want: RF) -> Double {
    if want.isZero { return got.magnitude.doubleValue }
    return ((got - want) / want).magnitude.doubleValue
}

/// 2^exponent as an exact `ReferenceFloat`, for any exponent in the type's range.
private func powerOfTwo(_ exponent: Int64) -> RF {
    RF.one.scaled(byPowerOfTwo: exponent)
}

/// A random value with a full 256-bit significand: a ratio of random odd integers (whose binary expansion does not
/// terminate), times 2^exponent.
private func fullWidthValue(exponent: Int64, using random: inout SplitMix64) -> RF {
    let numerator = RF(random.next() | 1 | 1 << 63)
    let denominator = RF(random.next() >> 1 | 1 | 1 << 62)
    let ratio = numerator / denominator  // in (1, 4)
    return ratio.scaled(byPowerOfTwo: exponent - ratio.exponent)
}

final class ReferenceFloatTests: XCTestCase {
    // MARK: Conversion from and to Double

    func testDoubleRoundTripIsExactForRandomBitPatterns() {
        let seed: UInt64 = 0x5EED_0001
        var random = SplitMix64(seed: seed)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: random.next())
            let back = RF(value).doubleValue
            if value.isNaN {
                XCTAssertTrue(back.isNaN, "seed \(seed): \(value.bitPattern)")
            } else {
                XCTAssertEqual(back.bitPattern, value.bitPattern, "seed \(seed): \(value)")
            }
        }
        let specials: [Double] = [
            0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNormalMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1, -1, 0.1, .pi,
            Double.leastNormalMagnitude.nextDown,
        ]
        for value in specials {
            XCTAssertEqual(RF(value).doubleValue.bitPattern, value.bitPattern, "\(value)")
        }
        XCTAssertTrue(RF(Double.nan).isNaN)
        XCTAssertEqual(RF(-0.0).sign, .minus)
        XCTAssertTrue(RF(-0.0).isZero)
    }

    func testConversionRoundsHalfwayCasesToEven() {
        let seed: UInt64 = 0x5EED_0002
        var random = SplitMix64(seed: seed)
        for index in 0..<5_000 {
            // Positive finite doubles below the largest, half of them subnormal.
            let bits = index % 2 == 0 ? random.next() % 0x7FEF_FFFF_FFFF_FFFF : random.next() % (1 << 52)
            for value in [Double(bitPattern: bits), -Double(bitPattern: bits)] {
                let up = value.sign == .minus ? value.nextDown : value.nextUp
                let halfUlp = RF(up) - RF(value)  // exact: both are within a factor of two, or one is zero
                let midpoint = RF(value) + halfUlp / 2
                let even = value.significandBitPattern & 1 == 0 ? value : up
                let tiny = halfUlp * RF(0x1p-200)
                XCTAssertEqual(midpoint.doubleValue, even, "seed \(seed): midpoint above \(value)")
                XCTAssertEqual((midpoint + tiny).doubleValue, up, "seed \(seed): just past midpoint of \(value)")
                XCTAssertEqual((midpoint - tiny).doubleValue, value, "seed \(seed): just before midpoint of \(value)")
            }
        }
    }

    func testConversionAtTheSubnormalAndOverflowBoundaries() {
        let leastSubnormal = Double.leastNonzeroMagnitude
        let half = powerOfTwo(-1075)
        XCTAssertEqual(half.doubleValue.bitPattern, 0, "exactly half the least subnormal ties to +0")
        XCTAssertEqual((-half).doubleValue.bitPattern, (-0.0).bitPattern, "and to −0 when negative")
        XCTAssertEqual((half + powerOfTwo(-1300)).doubleValue, leastSubnormal)
        XCTAssertEqual((half - powerOfTwo(-1300)).doubleValue, 0)
        XCTAssertEqual((half * 3).doubleValue, 2 * leastSubnormal, "1.5 subnormal ulps ties to the even 2")
        XCTAssertEqual((half * 5).doubleValue, 2 * leastSubnormal, "2.5 ties to the even 2")
        XCTAssertEqual(powerOfTwo(-1076).doubleValue, 0)
        XCTAssertEqual(powerOfTwo(-1_000_000_000).doubleValue, 0)
        XCTAssertEqual(powerOfTwo(RF.minExponent).doubleValue, 0)

        // Between the largest subnormal (odd significand) and the least normal: the tie goes up to 2^−1022.
        let largestSubnormal = Double.leastNormalMagnitude.nextDown
        let gapMidpoint = RF(largestSubnormal) + half
        XCTAssertEqual(gapMidpoint.doubleValue, .leastNormalMagnitude)
        XCTAssertEqual((gapMidpoint - powerOfTwo(-1200)).doubleValue, largestSubnormal)

        // 2^1024·(1 − 2^−54) is the midpoint between the largest finite value (odd) and 2^1024: ties to infinity.
        let overflowMidpoint = powerOfTwo(1024) - powerOfTwo(970)
        XCTAssertEqual(overflowMidpoint.doubleValue, .infinity)
        XCTAssertEqual((-overflowMidpoint).doubleValue, -.infinity)
        XCTAssertEqual((overflowMidpoint - powerOfTwo(800)).doubleValue, .greatestFiniteMagnitude)
        XCTAssertEqual((-(overflowMidpoint - powerOfTwo(800))).doubleValue, -.greatestFiniteMagnitude)
        XCTAssertEqual(powerOfTwo(1024).doubleValue, .infinity)
        XCTAssertEqual(powerOfTwo(RF.maxExponent).doubleValue, .infinity)
        XCTAssertEqual((powerOfTwo(1023) * RF(1.5)).doubleValue, 0x1.8p1023)
    }

    func testConversionPicksTheNearestDoubleForFullWidthValues() {
        let seed: UInt64 = 0x5EED_0003
        var random = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let exponent = Int64(random.next() % 2_200) - 1_100  // normal, subnormal and out of range
            var value = fullWidthValue(exponent: exponent, using: &random)
            if random.next() & 1 == 1 { value = -value }
            let rounded = value.doubleValue
            guard rounded.isFinite else {
                XCTAssertGreaterThanOrEqual(exponent, 1023, "seed \(seed): \(value) overflowed")
                continue
            }
            let error = (value - RF(rounded)).magnitude
            for neighbor in [rounded.nextUp, rounded.nextDown] where neighbor.isFinite {
                let other = (value - RF(neighbor)).magnitude
                XCTAssertLessThanOrEqual(error, other, "seed \(seed): \(value) → \(rounded), nearer \(neighbor)")
                if error == other {
                    XCTAssertEqual(rounded.significandBitPattern & 1, 0, "seed \(seed): tie not to even")
                }
            }
        }
    }

    func testIntegerConversions() {
        XCTAssertEqual(RF(Int64.max).doubleValue, 0x1p63)
        XCTAssertEqual(RF(Int.min), -powerOfTwo(63))
        XCTAssertEqual(RF(-5).doubleValue, -5)
        XCTAssertEqual(RF(UInt64.max) + 1, powerOfTwo(64))
        XCTAssertEqual(RF(0).sign, .plus)
        let literal: RF = 12_345
        XCTAssertEqual(literal, RF(12_345.0))
        XCTAssertNotNil(RF(exactly: Int64.max))
        XCTAssertEqual(RF(1) / RF(3) * 3, 1)
    }

    // MARK: Arithmetic

    func testArithmeticAgreesWithDoubleWhereDoubleIsExact() {
        let seed: UInt64 = 0x5EED_0004
        var random = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let a = Double(Int64(random.next() % 2_000_001) - 1_000_000)
            let b = Double(Int64(random.next() % 2_000_001) - 1_000_000)
            XCTAssertEqual((RF(a) + RF(b)).doubleValue, a + b, "seed \(seed): \(a) + \(b)")
            XCTAssertEqual((RF(a) - RF(b)).doubleValue, a - b, "seed \(seed): \(a) − \(b)")
            XCTAssertEqual((RF(a) * RF(b)).doubleValue, a * b, "seed \(seed): \(a) · \(b)")
            if b != 0 {
                XCTAssertEqual((RF(a * b) / RF(b)).doubleValue, a, "seed \(seed): \(a) · \(b) / \(b)")
                XCTAssertEqual((RF(a) / RF(b)).doubleValue, a / b, "seed \(seed): \(a) / \(b) (both correctly rounded)")
            }
            let p = Double(sign: .plus, exponent: Int(random.next() % 1_000) - 500, significand: 1)
            let q = Double(sign: .minus, exponent: Int(random.next() % 1_000) - 500, significand: 1.5)
            XCTAssertEqual((RF(p) * RF(q)).doubleValue, p * q, "seed \(seed): \(p) · \(q)")
            XCTAssertEqual((RF(q) / RF(p)).doubleValue, q / p, "seed \(seed): \(q) / \(p)")
        }
    }

    func testArithmeticIsMoreAccurateThanDouble() {
        XCTAssertEqual((RF(1e16) + RF(1)) - RF(1e16), 1)
        XCTAssertEqual((RF(1) / RF(10)).doubleValue, 0.1)
        XCTAssertEqual((RF(1) + powerOfTwo(-200)) - RF(1), powerOfTwo(-200))
        var sum = RF.zero
        for _ in 0..<10 { sum += RF(0.1) }
        XCTAssertEqual(sum.doubleValue, 1.0, "ten exact binary64 tenths sum to 1 + 5.55e−17, which rounds to 1")
        XCTAssertLessThan(relativeError(sum, RF(1) + RF(5.551115123125783e-17)), 1e-16)
        let third = RF(1) / RF(3)
        XCTAssertLessThan(relativeError(third * 3, 1), 1e-76)
    }

    func testTiesInArithmeticRoundToEven() {
        let ulp = powerOfTwo(-255)  // the spacing of ReferenceFloat in [1, 2)
        let one = RF.one
        XCTAssertEqual(one + ulp / 2, one, "1 + half an ulp ties to the even 1")
        XCTAssertEqual(one + (ulp / 2 + powerOfTwo(-400)), one + ulp, "just above the tie rounds up")
        XCTAssertEqual((one + ulp) + ulp / 2, one + ulp * 2, "an odd neighbour ties upwards")
        XCTAssertEqual(one - ulp / 4, one, "below 1 the spacing halves: 1 − 2^−257 ties to 1")
        XCTAssertEqual(one - (ulp / 4 + powerOfTwo(-400)), one - ulp / 2, "the sticky subtraction path")
        XCTAssertEqual((one + ulp) * RF(1.5), RF(1.5) + ulp * 2, "1.5 + 1.5 ulps ties to the even 1.5 + 2 ulps")
        XCTAssertEqual((one + ulp * 2) * RF(1.5), RF(1.5) + ulp * 3, "exact")
        XCTAssertEqual(RF.sqrt(RF(4)), 2)
        XCTAssertEqual(RF.sqrt(RF(0x1p-1000)), RF(0x1p-500))
    }

    func testDivisionAndSquareRootAreCorrectlyRounded() {
        let seed: UInt64 = 0x5EED_0005
        var random = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            let x = fullWidthValue(exponent: Int64(random.next() % 4_001) - 2_000, using: &random)
            let y = fullWidthValue(exponent: Int64(random.next() % 41) - 20, using: &random)
            // sqrt of a correctly rounded square gives back |x| exactly in binary arithmetic.
            XCTAssertEqual(RF.sqrt(x * x), x, "seed \(seed): sqrt(\(x)²)")
            XCTAssertLessThan(relativeError(x / y * y, x), 0x1p-254, "seed \(seed): \(x) / \(y) · \(y)")
            XCTAssertLessThan(relativeError(x * y / y, x), 0x1p-254, "seed \(seed): \(x) · \(y) / \(y)")
            let root = RF.sqrt(x)
            XCTAssertLessThan(relativeError(root * root, x), 0x1p-254, "seed \(seed): sqrt(\(x))²")
        }
        XCTAssertEqual(RF(7) / RF(7), 1)
        XCTAssertEqual(RF(-1) / RF(4), RF(-0.25))
    }

    func testSpecialValuesFollowIEEE() {
        let nan = RF.nan
        let inf = RF.infinity
        let x = RF(2.5)
        XCTAssertTrue((RF.zero / RF.zero).isNaN)
        XCTAssertEqual(x / RF.zero, inf)
        XCTAssertEqual(-x / RF.zero, -inf)
        XCTAssertEqual(x / RF(-0.0), -inf)
        XCTAssertTrue((inf - inf).isNaN)
        XCTAssertTrue((inf + -inf).isNaN)
        XCTAssertEqual(inf + inf, inf)
        XCTAssertTrue((RF.zero * inf).isNaN)
        XCTAssertTrue((inf / inf).isNaN)
        XCTAssertEqual(-inf * x, -inf)
        XCTAssertEqual(x / inf, 0)
        XCTAssertEqual((-x / inf).sign, .minus)
        XCTAssertTrue((nan + x).isNaN)
        XCTAssertTrue((x * nan).isNaN)
        XCTAssertEqual((RF(-0.0) + RF(-0.0)).sign, .minus)
        XCTAssertEqual((RF(0.0) + RF(-0.0)).sign, .plus)
        XCTAssertEqual((x - x).sign, .plus)
        XCTAssertTrue((x - x).isZero)
        XCTAssertEqual((-RF.zero).sign, .minus)
        XCTAssertEqual(abs(RF(-3)), 3)
        XCTAssertEqual(abs(RF(-0.0)).sign, .plus)
        XCTAssertTrue(abs(nan).isNaN)

        XCTAssertFalse(nan == nan)
        XCTAssertTrue(nan != nan)
        XCTAssertFalse(nan < x || nan > x || nan <= x || nan >= x || x < nan || x >= nan)
        XCTAssertEqual(RF(0.0), RF(-0.0))
        XCTAssertFalse(RF(-0.0) < RF(0.0))
        XCTAssertTrue(-inf < RF(-1e300) && RF(1e300) < inf && -inf < inf)
        XCTAssertTrue(nan.isNaN && inf.isInfinite && !inf.isFinite && RF.zero.isZero && x.isFinite)
        XCTAssertEqual(RF(-1).sign, .minus)
        XCTAssertTrue(RF.minimum(nan, x).isNaN && RF.maximum(x, nan).isNaN)
        XCTAssertEqual(RF.minimum(RF(0.0), RF(-0.0)).sign, .minus)
        XCTAssertEqual(RF.maximum(RF(-0.0), RF(0.0)).sign, .plus)
        XCTAssertEqual(RF.minimum(x, -x), -x)
        XCTAssertEqual(RF.maximum(x, -x), x)
        // Values beyond the exponent range overflow to infinity and underflow to zero, keeping the sign.
        XCTAssertEqual(powerOfTwo(RF.maxExponent) * 2, inf)
        XCTAssertEqual(-powerOfTwo(RF.minExponent) / 2, 0)
        XCTAssertEqual((-powerOfTwo(RF.minExponent) / 2).sign, .minus)
    }

    func testComparisonAgreesWithDouble() {
        let seed: UInt64 = 0x5EED_0006
        var random = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let a = Double(bitPattern: random.next())
            let b = random.next() % 4 == 0 ? a : Double(bitPattern: random.next())
            let message = "seed \(seed): \(a) vs \(b)"
            XCTAssertEqual(RF(a) < RF(b), a < b, message)
            XCTAssertEqual(RF(a) <= RF(b), a <= b, message)
            XCTAssertEqual(RF(a) > RF(b), a > b, message)
            XCTAssertEqual(RF(a) >= RF(b), a >= b, message)
            XCTAssertEqual(RF(a) == RF(b), a == b, message)
        }
    }

    // MARK: Elementary functions

    func testElementarySpecialValues() {
        let nan = RF.nan
        let inf = RF.infinity
        XCTAssertEqual(RF.log(RF.zero), -inf)
        XCTAssertEqual(RF.log(RF(-0.0)), -inf)
        XCTAssertTrue(RF.log(RF(-1)).isNaN && RF.log(-inf).isNaN && RF.log(nan).isNaN)
        XCTAssertEqual(RF.log(inf), inf)
        XCTAssertEqual(RF.log(RF.one).sign, .plus)
        XCTAssertTrue(RF.log(RF.one).isZero)
        XCTAssertTrue(RF.sqrt(RF(-1)).isNaN && RF.sqrt(-inf).isNaN && RF.sqrt(nan).isNaN)
        XCTAssertEqual(RF.sqrt(RF(-0.0)).sign, .minus)
        XCTAssertEqual(RF.sqrt(inf), inf)
        XCTAssertEqual(RF.exp(-inf), 0)
        XCTAssertEqual(RF.exp(inf), inf)
        XCTAssertEqual(RF.exp(RF(-0.0)), 1)
        XCTAssertTrue(RF.exp(nan).isNaN)
        XCTAssertEqual(RF.expm1(-inf), -1)
        XCTAssertEqual(RF.expm1(inf), inf)
        XCTAssertEqual(RF.expm1(RF(-0.0)).sign, .minus)
        XCTAssertEqual(RF.log1p(RF(-1)), -inf)
        XCTAssertTrue(RF.log1p(RF(-2)).isNaN && RF.log1p(-inf).isNaN && RF.log1p(nan).isNaN)
        XCTAssertEqual(RF.log1p(inf), inf)
        XCTAssertEqual(RF.log1p(RF(-0.0)).sign, .minus)
        XCTAssertEqual(RF.tanh(inf), 1)
        XCTAssertEqual(RF.tanh(-inf), -1)
        XCTAssertEqual(RF.tanh(RF(-0.0)).sign, .minus)
        XCTAssertEqual(RF.tanh(RF(1e10)), 1)
        XCTAssertTrue(RF.tanh(nan).isNaN)
        XCTAssertEqual(RF.sigmoid(inf), 1)
        XCTAssertEqual(RF.sigmoid(-inf), 0)
        XCTAssertEqual(RF.sigmoid(RF.zero), RF(0.5))
        XCTAssertEqual(RF.sigmoid(RF(-1e300)), 0)
        XCTAssertTrue(RF.sigmoid(nan).isNaN)
        XCTAssertEqual(RF.softplus(inf), inf)
        XCTAssertEqual(RF.softplus(-inf), 0)
        XCTAssertEqual(RF.softplus(RF(1e300)), RF(1e300))
        XCTAssertTrue(RF.softplus(nan).isNaN)
        XCTAssertLessThan(relativeError(RF.softplus(RF.zero), RF.ln2), 1e-75)
    }

    func testPowSpecialValues() {
        let nan = RF.nan
        let inf = RF.infinity
        let pow = RF.pow
        XCTAssertEqual(pow(nan, 0), 1)
        XCTAssertEqual(pow(inf, RF(-0.0)), 1)
        XCTAssertEqual(pow(1, nan), 1)
        XCTAssertEqual(pow(1, -inf), 1)
        XCTAssertTrue(pow(nan, 2).isNaN && pow(2, nan).isNaN)
        XCTAssertEqual(pow(0, -3), inf)
        XCTAssertEqual(pow(RF(-0.0), -3), -inf)
        XCTAssertEqual(pow(RF(-0.0), -2), inf)
        XCTAssertEqual(pow(RF(-0.0), RF(-0.5)), inf)
        XCTAssertEqual(pow(RF(-0.0), 3).sign, .minus)
        XCTAssertEqual(pow(RF(-0.0), 2).sign, .plus)
        XCTAssertEqual(pow(0, -inf), inf)
        XCTAssertEqual(pow(0, inf), 0)
        XCTAssertEqual(pow(-1, inf), 1)
        XCTAssertEqual(pow(-1, -inf), 1)
        XCTAssertEqual(pow(RF(0.5), -inf), inf)
        XCTAssertEqual(pow(RF(0.5), inf), 0)
        XCTAssertEqual(pow(-2, -inf), 0)
        XCTAssertEqual(pow(-2, inf), inf)
        XCTAssertEqual(pow(-inf, -3), 0)
        XCTAssertEqual(pow(-inf, -3).sign, .minus)
        XCTAssertEqual(pow(-inf, -2).sign, .plus)
        XCTAssertEqual(pow(-inf, 3), -inf)
        XCTAssertEqual(pow(-inf, RF(2.5)), inf)
        XCTAssertEqual(pow(inf, -1), 0)
        XCTAssertEqual(pow(inf, RF(0.5)), inf)
        XCTAssertTrue(pow(-2, RF(0.5)).isNaN)
        XCTAssertEqual(pow(-2, 3), -8)
        XCTAssertEqual(pow(-2, -2), RF(0.25))
        XCTAssertEqual(pow(2, 10), 1_024)
        XCTAssertEqual(pow(10, 22), RF(1e22))
        XCTAssertEqual(pow(3, -2), RF(1) / RF(9))
        XCTAssertEqual(pow(2, RF(0x1p70)), inf)
        XCTAssertEqual(pow(RF(0.5), RF(0x1p70)), 0)
        XCTAssertLessThan(relativeError(pow(2, RF(0.5)), RF.sqrt(2)), 1e-74)
        XCTAssertLessThan(relativeError(pow(RF(-8), RF(1) / 3 * 3), -8), 1e-74)
    }

    func testElementaryFunctionsAgreeWithFoundation() {
        let seed: UInt64 = 0x5EED_0007
        var random = SplitMix64(seed: seed)
        func uniform(_ low: Double, _ high: Double) -> Double { Double.random(in: low...high, using: &random) }
        func logUniform(_ lowExponent: Double, _ highExponent: Double) -> Double {
            Foundation.exp2(uniform(lowExponent, highExponent)) * (random.next() & 1 == 0 ? 1 : -1)
        }
        var worst: [String: UInt64] = [:]
        func check(_ name: String, _ x: Double, _ got: RF, _ want: Double, tolerance: UInt64) {
            let distance = ulpDistance(got.doubleValue, want)
            worst[name] = max(worst[name] ?? 0, distance)
            XCTAssertLessThanOrEqual(distance, tolerance, "seed \(seed): \(name)(\(x)) = \(got) vs \(want)")
        }
        for _ in 0..<3_000 {
            let e = uniform(-745, 709.78)
            check("exp", e, RF.exp(RF(e)), Foundation.exp(e), tolerance: 1)
            let small = logUniform(-60, 3)
            check("exp", small, RF.exp(RF(small)), Foundation.exp(small), tolerance: 1)
            check("expm1", small, RF.expm1(RF(small)), Foundation.expm1(small), tolerance: 1)
            let m = uniform(-40, 709)
            check("expm1", m, RF.expm1(RF(m)), Foundation.expm1(m), tolerance: 1)
            let positive = Double(bitPattern: random.next() % Double.infinity.bitPattern)
            check("log", positive, RF.log(RF(positive)), Foundation.log(positive), tolerance: 1)
            check("sqrt", positive, RF.sqrt(RF(positive)), positive.squareRoot(), tolerance: 0)
            let nearOne = 1 + logUniform(-50, -1)
            check("log", nearOne, RF.log(RF(nearOne)), Foundation.log(nearOne), tolerance: 1)
            let p = random.next() & 1 == 0 ? logUniform(-60, 0) : Foundation.exp2(uniform(-60, 300))
            check("log1p", p, RF.log1p(RF(p)), Foundation.log1p(p), tolerance: 1)
            let t = random.next() & 1 == 0 ? uniform(-20, 20) : logUniform(-60, 0)
            check("tanh", t, RF.tanh(RF(t)), Foundation.tanh(t), tolerance: 2)
            let base = Foundation.exp2(uniform(-20, 20))
            let power = uniform(-30, 30)
            check("pow", base, RF.pow(RF(base), RF(power)), Foundation.pow(base, power), tolerance: 1)
            let integralPower = Double(Int(random.next() % 41) - 20)
            check(
                "pow", -base, RF.pow(RF(-base), RF(integralPower)), Foundation.pow(-base, integralPower), tolerance: 1)
        }
        print("ReferenceFloat vs Foundation, worst ulp distances: \(worst.sorted { $0.key < $1.key })")
    }

    func testIdentitiesHoldToHighPrecision() {
        let seed: UInt64 = 0x5EED_0008
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let magnitude = Foundation.exp(
                Double.random(in: Foundation.log(1e-20)...Foundation.log(700), using: &random))
            let x = fullWidthValue(exponent: 0, using: &random) * RF(magnitude) * (random.next() & 1 == 0 ? 1 : -1)
            XCTAssertLessThan(relativeError(RF.log(RF.exp(x)), x), 1e-50, "seed \(seed): log(exp(\(x)))")
            let a = x.scaled(byPowerOfTwo: -1)
            let b = RF(Double.random(in: -350...350, using: &random))
            XCTAssertLessThan(
                relativeError(RF.exp(a + b), RF.exp(a) * RF.exp(b)), 1e-70, "seed \(seed): exp(\(a) + \(b))")
            let sigmoidSum = RF.sigmoid(x) + RF.sigmoid(-x)
            XCTAssertLessThan(relativeError(sigmoidSum, 1), 1e-74, "seed \(seed): sigmoid(±\(x))")
            let softplusDifference = RF.softplus(x) - RF.softplus(-x)
            XCTAssertLessThan(relativeError(softplusDifference, x), 1e-50, "seed \(seed): softplus(±\(x))")
            let tanhViaExp = RF.expm1(x * 2) / (RF.exp(x * 2) + 1)
            XCTAssertLessThan(relativeError(RF.tanh(x), tanhViaExp), 1e-70, "seed \(seed): tanh(\(x))")
            let positive = x.magnitude
            XCTAssertLessThan(
                relativeError(RF.log1p(RF.expm1(positive)), positive), 1e-70, "seed \(seed): log1p(expm1(\(x)))")
            XCTAssertLessThan(
                relativeError(RF.pow(positive, RF(0.5)), RF.sqrt(positive)), 1e-70, "seed \(seed): pow(\(x), 1/2)")
            XCTAssertLessThan(
                relativeError(RF.log(positive * positive), RF.log(positive) * 2), 1e-70, "seed \(seed): log(\(x)²)")
        }

        // Tiny arguments keep full relative precision.
        let tiny = RF(1e-30)
        XCTAssertLessThan(relativeError(RF.expm1(tiny), tiny + tiny * tiny / 2 + tiny * tiny * tiny / 6), 1e-75)
        XCTAssertLessThan(relativeError(RF.log1p(tiny), tiny - tiny * tiny / 2 + tiny * tiny * tiny / 3), 1e-75)
        XCTAssertEqual(RF.expm1(tiny).doubleValue, 1e-30)
        XCTAssertLessThan(relativeError(RF.tanh(tiny), tiny - tiny * tiny * tiny / 3), 1e-75)
        XCTAssertLessThan(relativeError(RF.log(RF.one + powerOfTwo(-200)), powerOfTwo(-200)), 1e-55)
        let negligible = powerOfTwo(-1_000_000)
        XCTAssertEqual(RF.expm1(negligible), negligible)
        XCTAssertEqual(RF.log1p(-negligible), -negligible)

        // The constants: ln 2 correctly rounded (checked against an independent 400-bit evaluation), e and √2.
        XCTAssertEqual(
            RF.ln2.debugDescription, "0x1.62e42fefa39ef35793c7673007e5ed5e81e6864ce5316c5b141a2eb71755f458p-1")
        XCTAssertLessThan(relativeError(RF.log(2), RF.ln2), 1e-76)
        XCTAssertLessThan(relativeError(RF.exp(RF.ln2), 2), 1e-76)
        XCTAssertEqual(RF.exp(1).description, "2.7182818284590452354e0")
        XCTAssertEqual(RF.sqrt(2).description, "1.4142135623730950488e0")
    }

    func testHugeArgumentsOfExpAndLog() {
        let big = RF(1e18)
        let up = RF.exp(big)
        let down = RF.exp(-big)
        XCTAssertTrue(up.isFinite && !up.isZero && down.isFinite && !down.isZero)
        XCTAssertEqual(up / up, 1)
        XCTAssertLessThan(relativeError(up * down, 1), 1e-70)
        XCTAssertEqual(RF.log(up), big)
        XCTAssertEqual(RF.log(down), -big)
        let square = up * up
        XCTAssertTrue(square.isFinite)
        XCTAssertLessThan(relativeError(square, RF.exp(RF(2e18))), 1e-60)
        XCTAssertTrue((down * down).isFinite && !(down * down).isZero)
        XCTAssertLessThan(relativeError(down / up, RF.exp(RF(-2e18))), 1e-60)
        XCTAssertTrue(up.description.hasSuffix("e434294481903251827"), up.description)

        // The documented range: finite below (maxExponent + 1)·ln 2 ≈ 3.19658e18, overflow above.
        XCTAssertTrue(RF.exp(RF(3.1965e18)).isFinite)
        XCTAssertTrue(RF.exp(RF(-3.1965e18)) > 0)
        XCTAssertEqual(RF.exp(RF(3.1966e18)), .infinity)
        XCTAssertEqual(RF.exp(RF(-3.1966e18)), 0)
        XCTAssertEqual(RF.exp(RF(1e300)), .infinity)
        XCTAssertEqual(RF.exp(RF(-1e300)), 0)
        XCTAssertEqual(RF.expm1(RF(-1e300)), -1)
        XCTAssertEqual(RF.sigmoid(RF(1e300)), 1)
        XCTAssertEqual(RF.softplus(RF(-1e300)), 0)
        XCTAssertEqual(RF.exp(RF(-1e300)).doubleValue, 0)
        let largest = powerOfTwo(RF.maxExponent) * (2 - powerOfTwo(-255))
        XCTAssertLessThan(relativeError(RF.log(largest), RF.ln2 * RF(RF.maxExponent + 1)), 1e-70)
        XCTAssertLessThan(relativeError(RF.log(powerOfTwo(RF.minExponent)), RF.ln2 * RF(RF.minExponent)), 1e-70)
        XCTAssertEqual(RF.sqrt(powerOfTwo(RF.minExponent - 1 + 2)), powerOfTwo((RF.minExponent + 1) / 2))
    }

    func testDescriptions() {
        XCTAssertEqual(RF.one.description, "1.0e0")
        XCTAssertEqual(RF(-0.375).description, "-3.75e-1")
        XCTAssertEqual(RF(-2.5e-3).description, "-2.500000000000000052e-3", "the binary64 nearest to −0.0025")
        XCTAssertEqual(RF(0.1).description, "1.0000000000000000555e-1")
        XCTAssertEqual(RF(1_000).description, "1.0e3")
        XCTAssertEqual(RF.ln2.description, "6.9314718055994530942e-1")
        XCTAssertEqual(RF.nan.description, "nan")
        XCTAssertEqual(RF.infinity.description, "inf")
        XCTAssertEqual((-RF.infinity).description, "-inf")
        XCTAssertEqual(RF(-0.0).description, "-0.0")
        XCTAssertEqual(RF(3).debugDescription, "0x1.8p+1")
        XCTAssertEqual(RF(-0.375).debugDescription, "-0x1.8p-2")
    }

    func testPerformanceIsAFewMicroseconds() {
        var inputs: [RF] = []
        for index in 0..<300 { inputs.append(RF(Double(index) * 0.37 - 55.51) / 7) }
        let start = Date()
        var total = RF.zero
        for x in inputs {
            total += RF.exp(x) + RF.log(x.magnitude) + RF.tanh(x) + RF.pow(x.magnitude, RF(0.3))
        }
        let perCall = Date().timeIntervalSince(start) / Double(inputs.count * 4)
        XCTAssertTrue(total.isFinite)
        // A loose bound (debug builds, loaded machines): the release build takes about 3 µs per call.
        XCTAssertLessThan(perCall, 1e-3)
    }
}
