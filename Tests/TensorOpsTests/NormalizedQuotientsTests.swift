import TensorOps
import XCTest

/// Reverse mode through a quotient by its own sum, with
/// `scalingShiftsExactly`: the grouped softmax VJP must be the gradient
/// reverse mode takes node by node, for each numerator it recognizes and for
/// the scale beside the sum.
final class NormalizedQuotientsTests: XCTestCase {
    /// Functions of `x`, `w` and `t` whose quotients the grouping applies
    /// to: a softmax, a weighted softmax, an expectation, each over `sum(e) * t`.
    private let functions = [
        "(sum (* w (/ e (* (sum e -1) t))))",
        "(sum (/ (* e w) (* (sum e -1) t)))",
        "(sum (/ (sum (* e w) -1) (* (sum e -1) t)))",
        "(sum (* w (/ e (sum e -1))))",
    ]

    func testGroupedGradientsAgreeWithReverseModeAndTheReference() throws {
        for function in functions {
            var program = try TensorProgram(
                parsing: """
                    (input x [n])
                    (input w [n])
                    (input t [])
                    (let e (exp x))
                    (output f \(function))
                    """)
            let f = program.outputs[0].node
            var nodes: [NodeID] = []
            for input in [0, 1, 2] {
                let node = program.inputs[input].node
                nodes.append(try program.graph.gradient(of: f, withRespectTo: node))
                nodes.append(try program.graph.gradient(of: f, withRespectTo: node, scalingShiftsExactly: true))
            }
            XCTAssertNotEqual(nodes[0], nodes[1], "\(function): the gradient by x is not grouped")
            let values = (x: [0.5, -1.25, 2.0, 0.75], w: [0.3, -0.5, 1.2, 0.9], t: 0.7)
            let doubles: [String: NDArray<Double>] = [
                "x": NDArray(vector: values.x), "w": NDArray(vector: values.w), "t": NDArray(scalar: values.t),
            ]
            let references = doubles.mapValues { $0.map(ReferenceFloat.init) }
            let computed = try program.evaluate(nodes: nodes, doubles).map(\.elements)
            let truth = try program.evaluate(nodes: nodes, references).map { $0.elements.map(\.doubleValue) }
            for (index, (gradient, exact)) in zip(computed, truth).enumerated() {
                for (value, expected) in zip(gradient, exact) {
                    XCTAssertEqual(
                        value, expected, accuracy: 1e-14 * Swift.max(1, Swift.abs(expected)),
                        "\(function), gradient \(index / 2) (\(index % 2 == 0 ? "node by node" : "grouped"))")
                }
            }
        }
    }
}
