import EGraph
import Extract
import Foundation
import Optimizer
import TensorOps
import XCTest

/// Spellings a user might write that the public corpus does not hold: each
/// must come out free of overflow and division by zero, and accurate (cond
/// bits ≤ 8) on the adversarial inputs, as the corpus does.
final class SpellingTests: XCTestCase {
    /// - Parameter inherentRisk: the program divides by an input, a risk no
    ///   rewrite removes; then the cost must only fall.
    private func assertStable(
        _ text: String, contains expected: [String] = [], inherentRisk: Bool = false, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let program = try TensorProgram(parsing: text)
        let result = try optimize(program)
        let printed = result.program.program().description
        let after = result.report.costAfter.reduce(0, +)
        if inherentRisk {
            XCTAssertLessThan(after, result.report.costBefore.reduce(0, +), printed, file: file, line: line)
        } else {
            XCTAssertLessThan(after, StabilityCost.failureUnit, "still at risk:\n\(printed)", file: file, line: line)
        }
        let accuracy = try AccuracyProbe().measure(result.program, against: program)
        XCTAssertLessThanOrEqual(accuracy.maximumBits, 8, "inaccurate:\n\(printed)", file: file, line: line)
        for fragment in expected {
            XCTAssertTrue(printed.contains(fragment), "no \(fragment) in\n\(printed)", file: file, line: line)
        }
    }

    func testSoftmaxWrittenWithAReciprocalOrANegativePower() throws {
        try assertStable("(input x [n])\n(output s (* (exp x) (/ 1 (sum (exp x) -1))))", contains: ["(max x 0)"])
        try assertStable("(input x [n])\n(output s (* (exp x) (pow (sum (exp x) -1) -1)))", contains: ["(max x 0)"])
    }

    func testSoftmaxWithATemperatureOrABias() throws {
        try assertStable(
            "(input x [n])\n(input t [])\n(output s (/ (exp (/ x t)) (sum (exp (/ x t)) -1)))", contains: ["(max"],
            inherentRisk: true)
        try assertStable("(input x [n])\n(input b [n])\n(output s (/ (exp (+ x b)) (sum (exp (+ x b)) -1)))")
    }

    func testSoftmaxAlongTheFirstAxisOfAMatrix() throws {
        try assertStable("(input X [m n])\n(output s (/ (exp X) (sum (exp X) 0)))", contains: ["(max X 0)"])
    }

    func testMaskedLogits() throws {
        try assertStable(
            "(input x [n])\n(input k [n])\n(let z (where (gt k 0) x -1e30))\n(output s (/ (exp z) (sum (exp z) -1)))")
    }

    func testLogOfASoftmaxAndCrossEntropy() throws {
        try assertStable("(input x [n])\n(output l (log (/ (exp x) (sum (exp x) -1))))", contains: ["(max x 0)"])
        try assertStable(
            "(input x [n])\n(input y [n])\n(output c (neg (sum (* y (log (/ (exp x) (sum (exp x) -1)))))))")
    }

    /// A mean is lowered to a sum over a count, so the max shift reaches
    /// through it; the user's `mean` prints as a `mean`.
    func testMeansOfCrossEntropyAndLogSoftmax() throws {
        let rows = "(input X [b n])\n(input Y [b n])\n"
        try assertStable(
            rows + "(output l (mean (- (log (sum (exp X) -1)) (sum (* Y X) -1))))", contains: ["(max X 1)", "(mean "])
        try assertStable(rows + "(output r (mean (- X (log (sum (exp X) -1))) -1))", contains: ["(max X 1)", "(mean "])
        try assertStable(
            rows + "(output l (neg (mean (sum (* Y (log (/ (exp X) (sum (exp X) -1)))) -1))))",
            contains: ["(max X 1)", "(mean "])
        try assertStable(
            rows + "(output g (grad (mean (- (log (sum (exp X) -1)) (sum (* Y X) -1))) X))", contains: ["(max X 1)"])
    }

    func testLogSigmoidAndSoftplusThroughLog1p() throws {
        try assertStable("(input x [n])\n(output a (log (sigmoid x)))", contains: ["softplus"])
        try assertStable("(input x [n])\n(output b (log (/ 1 (+ 1 (exp (neg x))))))", contains: ["softplus"])
        try assertStable("(input x [n])\n(output p (log1p (exp x)))", contains: ["(softplus x)"])
    }

    func testFirstOrderGradients() throws {
        try assertStable("(input x [n])\n(output g (grad (sum (log (sum (exp x) -1))) x))", contains: ["(max x 0)"])
        try assertStable(
            "(input X [m n])\n(input Y [m n])\n(output g (grad (neg (sum (* Y (log (/ (exp X) (sum (exp X) -1)))))) X))"
        )
    }

    func testSecondOrderGradient() throws {
        try assertStable(
            "(input x [n])\n(input w [n])\n(output h (grad (sum (* w (grad (sum (log (sum (exp x) -1))) x))) x))")
    }
}
