import EGraph
import Foundation
import TensorOps
import XCTest

/// `TensorProgram.differentiatingStableForms` and reverse mode's derivative
/// of the guarded shift: the gradients of a stable form must be the
/// gradients of the function as written, ties included.
final class StableForwardGradientTests: XCTestCase {
    /// A log-sum-exp's stable form, spelled as the optimizer prints it.
    private let stableLogSumExp = """
        (input x [n])
        (let m (max x 0))
        (let s (where (eq x m) 0 (- x m)))
        (output f (+ (squeeze m 0) (log (sum (exp s)))))
        """

    private func vector(_ values: [Double]) -> [String: NDArray<ReferenceFloat>] {
        ["x": NDArray(vector: values.map(ReferenceFloat.init))]
    }

    /// The softmax of `values`, the gradient of their log-sum-exp.
    private func softmax(_ values: [Double]) -> [Double] {
        let top = values.max()!
        let weights = values.map { Foundation.exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// The guard's branch would give the maxima no gradient through the
    /// shift, and each tied maximum the whole of `max`'s: at a tie of two the
    /// gradient summed to 2, not 1.
    func testGuardedShiftDifferentiatesAsTheShiftAtTies() throws {
        let program = try TensorProgram(
            parsing: stableLogSumExp.replacingOccurrences(of: "(output f", with: "(let f")
                + "\n(output g (grad f x))")
        for values in [[3.0, 3.0, -1.0], [0.5, 2.0, 2.0, 2.0], [1.0, -4.0, 0.25]] {
            let gradient = try program.evaluate(vector(values))[0].value.elements.map(\.doubleValue)
            for (computed, expected) in zip(gradient, softmax(values)) {
                XCTAssertEqual(computed, expected, accuracy: 1e-15, "at \(values)")
            }
        }
    }

    func testProgramWithoutGradientHasNoStableFormGradients() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(output f (exp x))")
        XCTAssertNil(try program.differentiatingStableForms { $0 })
    }

    /// Each `grad` is taken of the program `stabilize` returns: given the
    /// stable log-sum-exp for the written one, the gradients are the same
    /// numbers wherever the written one is finite, and finite where it
    /// overflows.
    func testGradientsAreTakenOfTheStableForms() throws {
        let written = try TensorProgram(
            parsing: "(input x [n])\n(let f (log (sum (exp x))))\n(output v f)\n(output g (grad f x))")
        XCTAssertEqual(written.gradients.count, 1)
        let stable = try TensorProgram(parsing: stableLogSumExp)
        var forwards: [TensorProgram] = []
        let rewritten = try XCTUnwrap(
            try written.differentiatingStableForms { forward in
                forwards.append(forward)
                return stable
            })
        XCTAssertEqual(forwards.count, 1)
        XCTAssertEqual(forwards.first?.outputs.count, 1)
        XCTAssertEqual(rewritten.outputs.map(\.name), ["v", "g"])
        let moderate = [0.5, -1.25, 2.0]
        let before = try written.evaluate(vector(moderate)).map { $0.value.elements.map(\.doubleValue) }
        let after = try rewritten.evaluate(vector(moderate)).map { $0.value.elements.map(\.doubleValue) }
        for (b, a) in zip(before.joined(), after.joined()) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        // The written value keeps its form: only gradients are replaced.
        let huge = [1000.0, 999.0, -5.0]
        let gradient = try rewritten.evaluate(vector(huge))[1].value.elements.map(\.doubleValue)
        for (computed, expected) in zip(gradient, softmax(huge)) { XCTAssertEqual(computed, expected, accuracy: 1e-15) }
    }

    /// A stable form with a kink the written function lacks (a `logaddexp`
    /// through `maximum` and `abs`) would take one side's derivative at a
    /// tie, so its gradient is not used.
    func testStableFormWithNewKinksIsRefused() throws {
        let written = try TensorProgram(
            parsing: "(input a [n])\n(input b [n])\n(output g (grad (sum (log (+ (exp a) (exp b)))) a))")
        let kinked = try TensorProgram(
            parsing: """
                (input a [n])
                (input b [n])
                (output f (sum (+ (maximum a b) (softplus (neg (abs (- a b)))))))
                """)
        XCTAssertNil(try written.differentiatingStableForms { _ in kinked })
    }

    /// A gradient of a gradient is taken of the inner gradient of the
    /// stable form, which is stabilized in a second round with the function:
    /// the inner one as reverse mode wrote it is never a function to
    /// stabilize. With stabilization as the identity, the result is the
    /// written second derivative.
    func testGradientOfGradientStabilizesTheInnerGradientInASecondRound() throws {
        let written = try TensorProgram(
            parsing: """
                (input x [n])
                (input t [])
                (let f (* t (log (sum (exp (/ x t))))))
                (output h (grad (grad f t) t))
                """)
        var forwards: [TensorProgram] = []
        let rewritten = try XCTUnwrap(
            try written.differentiatingStableForms { forward in
                forwards.append(forward)
                return forward
            })
        XCTAssertEqual(forwards.map(\.outputs.count), [1, 2])
        let inputs: [String: NDArray<ReferenceFloat>] = [
            "x": NDArray(vector: [0.5, -1.25, 2.0].map(ReferenceFloat.init)), "t": NDArray(scalar: ReferenceFloat(0.7)),
        ]
        let before = try written.evaluate(inputs)[0].value.elements[0].doubleValue
        let after = try rewritten.evaluate(inputs)[0].value.elements[0].doubleValue
        XCTAssertEqual(after, before, accuracy: 1e-14 * Swift.abs(before))
    }
}
