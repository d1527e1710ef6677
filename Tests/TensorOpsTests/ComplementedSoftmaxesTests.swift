import TensorOps
import TestSupport
import XCTest

/// Reverse mode through `log(1 - softmax(z))` with `splittingComplements`:
/// the gradient built split at the maximum must be the function's gradient,
/// checked against its closed form (`SoftmaxComplementOracle`) evaluated
/// with 256-bit significands, on inputs where the chain rule's gradient is
/// `nan` (a gap past 709), wrong (a gap of 40), or tied.
final class ComplementedSoftmaxesTests: XCTestCase {
    /// The rows each spelling is checked on: moderate, a gap of 40, a gap of
    /// 800 (`r` at the maximum overflows), a tie of three maxima, a tie of
    /// two with the rest far below, an entry at `-inf`.
    private let rows: [[Double]] = [
        [0.5, -1.25, 2.0, 0.75, 0.1],
        [0, -40, -45, -38, -60],
        [1000, 0, -3, 200, 150],
        [3, 3, -1, 0, 3],
        [7, -900, 7, -800, -1000],
        [2, -.infinity, 0, -1, -5],
    ]
    private let weights: [Double] = [0.3, -0.5, 1.2, 0.9, -2.0]

    /// Each spelling of the complement, along the last axis of a vector.
    private let spellings = [
        "(log (- 1 (/ (exp x) (sum (exp x) -1))))",
        "(log1p (neg (/ (exp x) (sum (exp x) -1))))",
        "(log (+ 1 (neg (/ (exp x) (sum (exp x) -1)))))",
        "(log (- 1 (exp (- x (log (sum (exp x) -1))))))",
        "(log (+ (* -1 (* (exp x) (/ 1 (sum (exp x) -1)))) 1))",
        "(log1p (* (* (exp x) (pow (sum (exp x) -1) -1)) -1))",
    ]

    func testEverySpellingGivesTheGradientAtGapsAndTies() throws {
        for spelling in spellings {
            for row in rows {
                try check(
                    "(input x [n])\n(input w [n])\n(output f (sum (* w \(spelling))))", axis: -1,
                    values: ["x": NDArray(vector: row), "w": NDArray(vector: weights)], label: "\(spelling) at \(row)")
            }
        }
    }

    func testASoftmaxOverEveryElementAndAlongEitherAxisOfAMatrix() throws {
        for row in rows {
            try check(
                "(input x [n])\n(input w [n])\n(output f (sum (* w (log1p (neg (/ (exp x) (sum (exp x))))))))",
                axis: nil, values: ["x": NDArray(vector: row), "w": NDArray(vector: weights)], label: "all of \(row)")
        }
        let matrix = rows.flatMap { $0 }
        let shape = [rows.count, rows[0].count]
        let w = try NDArray(shape: shape, elements: (0..<matrix.count).map { weights[$0 % weights.count] })
        for axis in [-1, 0] {
            let softmax = "(/ (exp x) (sum (exp x) \(axis)))"
            try check(
                "(input x [m n])\n(input w [m n])\n(output f (sum (* w (log (- 1 \(softmax))))))",
                axis: axis, values: ["x": try NDArray(shape: shape, elements: matrix), "w": w],
                label: "axis \(axis)")
        }
    }

    /// The softmax read elsewhere too: its other uses keep their adjoints.
    func testOtherUsesOfTheSoftmaxKeepTheirGradient() throws {
        let program = """
            (input x [n])
            (input w [n])
            (let p (/ (exp x) (sum (exp x) -1)))
            (output f (+ (sum (* w (log (- 1 p)))) (sum (* w p))))
            """
        // d sum(w p) / dx = p (w - sum(w p)).
        let row = rows[0]
        try check(
            program, axis: -1, values: ["x": NDArray(vector: row), "w": NDArray(vector: weights)],
            label: "with sum(w p)", extra: "(output extra (* ocp (- w (sum (* w ocp) -1))))")
    }

    /// Differentiates `source`'s output `f` by `x` in binary64 and compares
    /// it with the closed form (plus `extra`, a further output of the same
    /// closed-form program, if any) evaluated with reference precision.
    private func check(
        _ source: String, axis: Int?, values: [String: NDArray<Double>], label: String, extra: String? = nil
    ) throws {
        var program = try TensorProgram(parsing: source)
        let (f, x) = (program.outputs[0].node, program.inputs[0].node)
        let gradient = try program.graph.gradient(of: f, withRespectTo: x, splittingComplements: true)
        let chainRule = try program.graph.gradient(of: f, withRespectTo: x)
        XCTAssertNotEqual(gradient, chainRule, "\(label): the complement is not recognized")
        let computed = try program.evaluate(nodes: [gradient], values)[0].elements
        let shapes = program.inputs.map { "(input \($0.name) \($0.shape))" }.joined(separator: "\n")
        let oracle = SoftmaxComplementOracle.lets(logits: "x", weights: "w", axis: axis)
        var closed = try TensorProgram(
            parsing: shapes + "\n" + oracle + "(output expected ocg)\n" + (extra.map { $0 + "\n" } ?? ""))
        var nodes = [closed.outputs[0].node]
        if extra != nil {
            nodes = [try closed.graph.apply(.add, [closed.outputs[0].node, closed.outputs[1].node])]
        }
        let references = values.mapValues { $0.map(ReferenceFloat.init) }
        let truth = try closed.evaluate(nodes: nodes, references)[0].elements.map(\.doubleValue)
        for (index, (value, expected)) in zip(computed, truth).enumerated() {
            XCTAssert(value.isFinite, "\(label): element \(index) is \(value)")
            XCTAssertEqual(
                value, expected, accuracy: 1e-12 * Swift.abs(expected) + 1e-300, "\(label): element \(index)")
        }
    }
}

extension ComplementedSoftmaxesTests {
    /// The program as written keeps the chain rule's gradient, `nan` past a
    /// gap of 709; the program for the optimizer takes it split, and only
    /// where a gradient's function has a complement.
    func testOnlyTheOptimizersProgramTakesTheSplitGradient() throws {
        let written = try TensorProgram(
            parsing: """
                (input x [n])
                (output g (grad (sum (log (- 1 (/ (exp x) (sum (exp x) -1))))) x))
                """)
        let x = ["x": NDArray(vector: rows[2])]
        XCTAssertTrue(try written.evaluate(x)[0].value.elements.contains { !$0.isFinite })
        let split = try XCTUnwrap(written.splittingComplementedSoftmaxes())
        XCTAssertTrue(try split.evaluate(x)[0].value.elements.allSatisfy(\.isFinite))
        let softmaxOnly = try TensorProgram(
            parsing: """
                (input x [n])
                (output g (grad (sum (log (/ (exp x) (sum (exp x) -1)))) x))
                """)
        XCTAssertNil(try softmaxOnly.splittingComplementedSoftmaxes())
    }
}
