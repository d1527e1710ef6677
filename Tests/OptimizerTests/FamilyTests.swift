import Extract
import Foundation
import Optimizer
import TensorOps
import XCTest

/// The families beyond the public corpus, at the inputs that break them as
/// written: each comes out finite and correct, and never less correct than
/// the input (infinities included).
final class FamilyTests: XCTestCase {
    /// Optimizes `text` and evaluates the result in binary64 on `inputs`.
    private func optimized(_ text: String, _ inputs: [String: NDArray<Double>]) throws -> (
        program: String, values: [[Double]]
    ) {
        let result = try optimize(try TensorProgram(parsing: text))
        let values = try result.program.evaluate(inputs).map(\.value.elements)
        return (result.program.program().description, values)
    }

    /// A row masked entirely to `-inf` has log-sum-exp `-inf`, as the program
    /// as written computes it; the max shift must not make it `-inf - -inf`.
    func testAFullyMaskedRowKeepsItsMinusInfinity() throws {
        let text = """
            (input X [2 3])
            (input M [2 3])
            (output l (log (sum (exp (where M X (fill X -inf))) 1)))
            """
        let inputs = [
            "X": try NDArray<Double>(shape: [2, 3], elements: [1, 2, 3, 800, 900, 1000]),
            "M": try NDArray<Double>(shape: [2, 3], elements: [1, 0, 1, 0, 0, 0]),
        ]
        let (program, values) = try optimized(text, inputs)
        XCTAssertEqual(values[0][1], -.infinity, program)
        XCTAssertEqual(values[0][0], 3 + Foundation.log(1 + Foundation.exp(-2)), accuracy: 1e-15, program)
    }

    /// Binary cross-entropy through sigmoid at z = 40 and its gradient:
    /// finite and correct, and the gradient needs no division.
    func testBinaryCrossEntropyAtFortyAndItsGradient() throws {
        let loss = "(neg (sum (+ (* y (log p)) (* (- 1 y) (log (- 1 p))))))"
        let text = """
            (input z [n])
            (input y [n])
            (let p (/ 1 (+ 1 (exp (neg z)))))
            (output l \(loss))
            (output g (grad \(loss) z))
            """
        let inputs = ["z": NDArray<Double>(vector: [40, -40, 0.5]), "y": NDArray<Double>(vector: [0.25, 1, 0])]
        let (program, values) = try optimized(text, inputs)
        // softplus(z) - y z per element, summed; the gradient is sigmoid(z) - y.
        func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        let z = [40.0, -40, 0.5]
        let y = [0.25, 1, 0]
        let expected = zip(z, y).reduce(0) { $0 + softplus($1.0) - $1.1 * $1.0 }
        XCTAssertEqual(values[0][0], expected, accuracy: 1e-13 * abs(expected), program)
        for index in z.indices {
            XCTAssertEqual(values[1][index], sigmoid(z[index]) - y[index], accuracy: 1e-15, program)
        }
        XCTAssertFalse(program.contains("(/"), "the gradient is sigmoid(z) - y up to spelling:\n\(program)")
    }

    /// `log(exp a + exp b)` at a = b = 800 is 800 + log 2, not inf.
    func testLogAddExpAtEightHundred() throws {
        let text = """
            (input a [n])
            (input b [n])
            (output l (log (+ (exp a) (exp b))))
            """
        let inputs = [
            "a": NDArray<Double>(vector: [800, 1, -.infinity, 3]),
            "b": NDArray<Double>(vector: [800, 2, -.infinity, -.infinity]),
        ]
        let (program, values) = try optimized(text, inputs)
        XCTAssertEqual(values[0][0], 800 + Foundation.log(2), program)
        XCTAssertEqual(values[0][1], 2 + Foundation.log1p(Foundation.exp(-1)), accuracy: 1e-15, program)
        XCTAssertEqual(values[0][2], -.infinity, "both -inf, as written: \(program)")
        XCTAssertEqual(values[0][3], 3, program)
    }

    /// A tempered log-softmax comes out shifted and grouped so it does not
    /// cancel: at t = 1e-3 every logit is large.
    func testATemperedLogSoftmaxIsShiftedAndGrouped() throws {
        let text = """
            (input x [n])
            (input t [])
            (output y (- (/ x t) (log (sum (exp (/ x t)) -1))))
            """
        let (program, values) = try optimized(
            text, ["x": NDArray<Double>(vector: [1.5, -0.25, 2]), "t": NDArray<Double>(scalar: 1e-3)])
        let shifted = [1.5e3 - 2e3, -0.25e3 - 2e3, 0]
        let lse = Foundation.log(shifted.map(Foundation.exp).reduce(0, +))
        for index in shifted.indices {
            XCTAssertEqual(values[0][index], shifted[index] - lse, accuracy: 1e-12, program)
        }
    }
}
