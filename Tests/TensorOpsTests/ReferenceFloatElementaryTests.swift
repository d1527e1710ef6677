import EGraph
import Foundation
import XCTest

@testable import TensorOps

/// The elementary functions of `ReferenceFloat` (`ReferenceFloat+Elementary.swift`):
/// special values, agreement with Foundation, identities to high precision,
/// and huge arguments.
final class ReferenceFloatElementaryTests: XCTestCase {
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
}
