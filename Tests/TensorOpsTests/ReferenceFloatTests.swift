import EGraph
import Foundation
import XCTest

@testable import TensorOps

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
