import Foundation
import Optimizer
import TensorOps
import XCTest

/// `optimize` differentiating the stable forms of the functions a program
/// differentiates, verified against the program as written.
final class StableGradientTests: XCTestCase {
    /// A chain of two log-softmaxes and a cross-entropy: the expanded
    /// gradient divides by `exp` of each layer, whose cancellations the node
    /// limit used to stop before (the model `logsoftmax_chain` kept nan).
    private let chain = """
        (input x [n])
        (input a [n])
        (input y [n])
        (let l1 (log (/ (exp x) (sum (exp x)))))
        (let l2 (log (/ (exp (* a l1)) (sum (exp (* a l1))))))
        (let loss (neg (sum (* y l2))))
        (output dx (grad loss x))
        (output da (grad loss a))
        """

    func testLogSoftmaxChainGradientIsStableAndAccurate() throws {
        let program = try TensorProgram(parsing: chain)
        let result = try optimize(program)
        XCTAssertTrue(result.report.phaseSeconds.contains { $0.phase == "stable forms" })
        XCTAssertFalse(result.report.keptInput)
        let baseline = try AccuracyProbe().baseline(for: program)
        let before = try AccuracyProbe().measure(program, against: baseline)
        let after = try AccuracyProbe().measure(result.program, against: baseline)
        XCTAssertEqual(before.maximumBits, 64, "the written gradient overflows somewhere")
        XCTAssertLessThanOrEqual(after.maximumBits, 3)
    }

    func testTheOptionTurnsItOff() throws {
        var options = OptimizeOptions()
        options.differentiatesStableForms = false
        let program = try TensorProgram(parsing: "(input x [n])\n(output g (grad (log (sum (exp x))) x))")
        XCTAssertTrue(try optimize(program).report.phaseSeconds.contains { $0.phase == "stable forms" })
        let result = try optimize(program, options: options)
        XCTAssertFalse(result.report.phaseSeconds.contains { $0.phase == "stable forms" })
    }

    /// The stable `logaddexp` has kinks the written one has not; its
    /// derivative at `a = b` would give `a` the whole gradient. The result
    /// gives each half, as the written function's derivative does.
    func testLogAddExpGradientIsRightAtATie() throws {
        let program = try TensorProgram(
            parsing: "(input a [n])\n(input b [n])\n(output g (grad (sum (log (+ (exp a) (exp b)))) a))")
        let result = try optimize(program)
        let values: [String: NDArray<Double>] = [
            "a": NDArray(vector: [2.5, 800, -3]), "b": NDArray(vector: [2.5, 800, 4]),
        ]
        let gradient = try result.program.evaluate(values)[0].value.elements
        XCTAssertEqual(gradient[0], 0.5, accuracy: 1e-15)
        XCTAssertEqual(gradient[1], 0.5, accuracy: 1e-15)
        XCTAssertEqual(gradient[2], 1 / (1 + Foundation.exp(7)), accuracy: 1e-15)
    }

    /// A contrastive loss's temperature gradient where the logits tie: the
    /// truth is 0 (the softmax stays uniform for every `t`), and the
    /// optimized gradient computes it from the shifted logits, which are 0
    /// there, rather than as the difference of two terms of the logits' size.
    func testTemperatureGradientIsExactWhereTheLogitsTie() throws {
        let program = try TensorProgram(
            parsing: """
                (input x [n])
                (input y [n])
                (input t [])
                (let z (/ x t))
                (let lp (log (/ (exp z) (sum (exp z)))))
                (output g (grad (sum (* y lp)) t))
                """)
        let result = try optimize(program)
        func gradient(_ x: [Double], _ t: Double) throws -> Double {
            let values: [String: NDArray<Double>] = [
                "x": NDArray(vector: x), "y": NDArray(vector: [0.3, 0.5, 0.2]), "t": NDArray(scalar: t),
            ]
            return try result.program.evaluate(values)[0].value.elements[0]
        }
        XCTAssertEqual(try gradient([700.25, 700.25, 700.25], 0.7), 0)
        XCTAssertEqual(try gradient([-1e4, -1e4, -1e4], 1e-3), 0)
        // Away from ties, the truth: -(sum y (z - sum p z)) / t, z = x / t.
        let x = [0.5, -1.25, 2.0]
        let t = 0.7
        let z = x.map { $0 / t }
        let weights = z.map { Foundation.exp($0 - z.max()!) }
        let p = weights.map { $0 / weights.reduce(0, +) }
        let mean = zip(p, z).map(*).reduce(0, +)
        let truth = -zip([0.3, 0.5, 0.2], z).map { $0 * ($1 - mean) }.reduce(0, +) / t
        XCTAssertEqual(try gradient(x, t), truth, accuracy: 1e-14 * Swift.abs(truth))
    }
}
