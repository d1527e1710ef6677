import TensorOps
import XCTest

/// The accuracy measures on constructed cases, against the judge's definitions.
final class ErrorMeasureTests: XCTestCase {
    func testOrdinalsNumberTheDoublesConsecutively() {
        XCTAssertEqual(ErrorMeasure.ordinal(0), 0)
        XCTAssertEqual(ErrorMeasure.ordinal(-0.0), 0)
        XCTAssertEqual(ErrorMeasure.ordinal(.leastNonzeroMagnitude), 1)
        XCTAssertEqual(ErrorMeasure.ordinal(-.leastNonzeroMagnitude), -1)
        XCTAssertEqual(ErrorMeasure.ordinal(.infinity), ErrorMeasure.ordinal(.greatestFiniteMagnitude)! + 1)
        XCTAssertNil(ErrorMeasure.ordinal(.nan))
        XCTAssertEqual(ErrorMeasure.ulpDistance(1, 1.0.nextUp), 1)
        XCTAssertEqual(ErrorMeasure.ulpDistance(-.leastNonzeroMagnitude, .leastNonzeroMagnitude), 2)
        XCTAssertEqual(
            ErrorMeasure.ulpDistance(-.infinity, .infinity), 2 * UInt64(ErrorMeasure.ordinal(.infinity)!),
            "the widest distance does not overflow")
    }

    func testBitsOfError() {
        XCTAssertEqual(ErrorMeasure.bits(computed: 0.1, truth: 0.1), 0)
        XCTAssertEqual(ErrorMeasure.bits(computed: 1.0.nextUp, truth: 1), 1, "adjacent doubles")
        XCTAssertEqual(ErrorMeasure.bits(computed: -1.0.nextDown, truth: -1), 1)
        XCTAssertEqual(ErrorMeasure.bits(computed: 0, truth: -0.0), 0, "-0 = +0")
        XCTAssertEqual(ErrorMeasure.bits(computed: 1 + 3 * 0x1p-52, truth: 1), 2, "log2(1 + 3)")
        XCTAssertEqual(ErrorMeasure.bits(computed: .infinity, truth: 1), 64)
        XCTAssertEqual(ErrorMeasure.bits(computed: .nan, truth: 1), 64)
        XCTAssertEqual(ErrorMeasure.bits(computed: .infinity, truth: .infinity), 0)
        XCTAssertEqual(ErrorMeasure.bits(computed: .nan, truth: -.infinity), 64)
        XCTAssertEqual(ErrorMeasure.bits(computed: .greatestFiniteMagnitude, truth: .infinity), 1)
        XCTAssertNil(ErrorMeasure.bits(computed: 1, truth: .nan), "a NaN truth is not scored")
        // The weakness the mixed measure fixes: a tiny result against a zero truth counts ~62 bits.
        XCTAssertGreaterThan(ErrorMeasure.bits(computed: 1e-16, truth: 0)!, 61)
    }

    func testMixedBitsForgiveTinyResultsWhereTheTruthIsZero() throws {
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 0x1p-52, truth: 0), 1, "one unit of 2^-52 absolute")
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 1e-300, truth: 0)!, 0, accuracy: 1e-200)
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 1.0.nextUp, truth: 1), 1, "one rounding error near 1")
        XCTAssertEqual(
            ErrorMeasure.mixedBits(computed: 1024 + 1024 * 0x1p-52, truth: 1024), 1, "relative above 1")
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 3, truth: 1), 53, "log2(1 + 2 / 2^-52)")
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 1e30, truth: 1), 64, "capped")
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: .nan, truth: 0), 64)
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: -.infinity, truth: 0), 64)
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: .greatestFiniteMagnitude, truth: .infinity), 64)
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: -.infinity, truth: -.infinity), 0)
        XCTAssertEqual(
            ErrorMeasure.mixedBits(computed: .greatestFiniteMagnitude, truth: -.greatestFiniteMagnitude), 64,
            "a difference that overflows")
        XCTAssertNil(ErrorMeasure.mixedBits(computed: 0, truth: .nan))
        // The judge's cond bits: a sensitivity of 4 units forgives an error of 4 units down to log2(2) = 1 bit.
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 4 * 0x1p-52, truth: 0, sensitivity: 4 * 0x1p-52), 1)
    }

    func testAReferenceTruthIsRoundedFirst() {
        let third = ReferenceFloat(1) / ReferenceFloat(3)
        XCTAssertEqual(ErrorMeasure.bits(computed: 1.0 / 3.0, exactTruth: third), 0)
        XCTAssertEqual(ErrorMeasure.bits(computed: (1.0 / 3.0).nextUp, exactTruth: third), 1)
        XCTAssertEqual(ErrorMeasure.mixedBits(computed: 1.0 / 3.0, exactTruth: third), 0)
        XCTAssertNil(ErrorMeasure.bits(computed: 0, exactTruth: ReferenceFloat.nan))
    }
}
