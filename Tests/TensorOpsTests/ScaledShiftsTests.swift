import TensorOps
import XCTest

/// Reverse mode through a max shift of logits at a temperature, with
/// `scalingShiftsExactly`: the temperature's gradient must be the written
/// one's where that is accurate, and exact where the logits tie.
final class ScaledShiftsTests: XCTestCase {
    /// A weighted log-softmax at temperature `t`, shifted as the optimizer
    /// prints it, with the gradient by `t` taken both ways.
    private func gradients() throws -> (program: TensorProgram, plain: NodeID, scaled: NodeID) {
        let source = """
            (input x [n])
            (input y [n])
            (input t [])
            (let z (/ x t))
            (let m (max z 0))
            (let w (where (eq z m) 0 (- z m)))
            (output f (sum (* y (- w (log (sum (exp w) 0))))))
            """
        var program = try TensorProgram(parsing: source)
        let f = program.outputs[0].node
        let t = program.inputs[2].node
        let plain = try program.graph.gradient(of: f, withRespectTo: t)
        let scaled = try program.graph.gradient(of: f, withRespectTo: t, scalingShiftsExactly: true)
        return (program, plain, scaled)
    }

    private func evaluate<Scalar: EvaluationScalar>(
        _ program: TensorProgram, _ nodes: [NodeID], x: [Double], y: [Double], t: Double, as _: Scalar.Type
    ) throws -> [Scalar] {
        let inputs: [String: NDArray<Scalar>] = [
            "x": NDArray(vector: x.map(Scalar.init)), "y": NDArray(vector: y.map(Scalar.init)),
            "t": NDArray(scalar: Scalar(t)),
        ]
        return try program.evaluate(nodes: nodes, inputs).map { $0.elements[0] }
    }

    /// Away from ties both gradients are the truth to a few roundings.
    func testScaledShiftGradientAgreesWithReverseMode() throws {
        let (program, plain, scaled) = try gradients()
        for (x, t) in [([0.5, -1.25, 2.0], 0.7), ([3.0, 2.5, -8.0], 0.01), ([40.0, -3.0, 12.0], 25.0)] {
            let y = [0.3, 0.5, 0.2]
            let truth = try evaluate(program, [plain], x: x, y: y, t: t, as: ReferenceFloat.self)[0].doubleValue
            let computed = try evaluate(program, [plain, scaled], x: x, y: y, t: t, as: Double.self)
            for value in computed {
                XCTAssertEqual(value, truth, accuracy: 1e-13 * Swift.max(1, Swift.abs(truth)), "at \(x), t = \(t)")
            }
        }
    }

    /// Tied logits keep the softmax uniform for every `t`, so the gradient
    /// by `t` is 0. Node by node it is the difference of two terms of the
    /// logits' size; from the shifted value it is exactly 0.
    func testScaledShiftGradientIsExactAtTies() throws {
        let (program, plain, scaled) = try gradients()
        let computed = try evaluate(
            program, [plain, scaled], x: [700.25, 700.25, 700.25], y: [0.3, 0.5, 0.2], t: 0.7, as: Double.self)
        XCTAssertNotEqual(computed[0], 0, "the node-by-node gradient no longer cancels: the test shows nothing")
        XCTAssertEqual(computed[1], 0)
    }
}
