import EGraph
import TensorOps
import XCTest

/// Reverse mode checked against central finite differences in the reference
/// evaluator, for every operator, broadcasting, reductions, and a gradient of
/// a gradient. With 256-bit arithmetic a step of 2^-64 leaves a truncation
/// error near 2^-128, so the two must agree to far better than binary64.
final class GradientTests: XCTestCase {
    private let seed: UInt64 = 0x6AD1E
    private let step = ReferenceFloat(0x1p-64)

    /// The inputs: x [3] in (0.3, 1.7) (inside every operator's domain), y
    /// [3] in (-1, 1), X [2 3] and b [3] in (0.3, 1.7).
    private func inputs(_ random: inout SplitMix64) -> [String: NDArray<ReferenceFloat>] {
        func values(_ count: Int, _ low: Double, _ high: Double) -> [ReferenceFloat] {
            (0..<count).map { _ in ReferenceFloat(Double.random(in: low..<high, using: &random)) }
        }
        return [
            "x": NDArray(vector: values(3, 0.3, 1.7)),
            "y": NDArray(vector: values(3, -1, 1)),
            "X": try! NDArray(shape: [2, 3], elements: values(6, 0.3, 1.7)),
            "b": NDArray(vector: values(3, 0.3, 1.7)),
        ]
    }

    private func check(
        _ body: String, withRespectTo input: String = "x", file: StaticString = #filePath, line: UInt = #line
    )
        throws
    {
        let declarations = "(input x [3])\n(input y [3])\n(input X [2 3])\n(input b [3])\n"
        let function = try TensorProgram(parsing: declarations + "(output f (sum \(body)))")
        let gradient = try TensorProgram(parsing: declarations + "(output g (grad (sum \(body)) \(input)))")
        var random = SplitMix64(seed: seed)
        for round in 0..<3 {
            let values = inputs(&random)
            let analytic = try gradient.evaluate(values)[0].value.elements
            let point = values[input]!
            XCTAssertEqual(analytic.count, point.count, body, file: file, line: line)
            for index in point.elements.indices {
                var plus = point.elements
                var minus = point.elements
                plus[index] = plus[index] + step
                minus[index] = minus[index] - step
                var shifted = values
                shifted[input] = try NDArray(shape: point.shape, elements: plus)
                let high = try function.evaluate(shifted)[0].value.elements[0]
                shifted[input] = try NDArray(shape: point.shape, elements: minus)
                let low = try function.evaluate(shifted)[0].value.elements[0]
                let numeric = (high - low) / (step + step)
                let error = (numeric - analytic[index]).magnitude.doubleValue
                let scale = max(analytic[index].magnitude.doubleValue, 1)
                XCTAssertLessThan(
                    error, 1e-20 * scale,
                    "d/d\(input)[\(index)] of sum \(body): reverse mode \(analytic[index]), differences \(numeric) "
                        + "(seed \(seed), round \(round))", file: file, line: line)
            }
        }
    }

    func testArithmetic() throws {
        for body in ["(+ x y)", "(- y x)", "(* x y x)", "(/ y x)", "(/ x (+ 2 y))", "(neg x)", "(+ x 1 y)"] {
            try check(body)
        }
    }

    func testPowersAndExtrema() throws {
        for body in ["(pow x y)", "(pow (+ 2 y) x)", "(pow x 3)", "(maximum x y)", "(minimum x (* y y))", "(max x)"] {
            try check(body)
        }
    }

    func testComparisonsAndSelectionPassNoGradient() throws {
        for body in ["(* (lt x y) x)", "(* (ge x 1) (exp x))", "(where (gt y 0) (exp x) (* x x))", "(* (eq x x) x)"] {
            try check(body)
        }
    }

    func testElementaryFunctions() throws {
        for op in ["exp", "log", "log1p", "expm1", "sqrt", "abs", "tanh", "sigmoid", "softplus"] {
            try check("(* y (\(op) x))")
        }
    }

    func testReductionsSqueezeAndFill() throws {
        try check("(* (sum (* X X) 0) (max (* X b) 1))", withRespectTo: "X")
        try check("(squeeze (sum (* X X) 0) 0)", withRespectTo: "X")
        try check("(* (fill x 2) x)")
        try check("(/ (exp x) (sum (exp x) -1))")
    }

    func testMean() throws {
        try check("(* (mean (* X X) 0) (mean X -1))", withRespectTo: "X")
        try check("(* (mean (exp X)) X)", withRespectTo: "X")
        try check("(/ x (mean (* x x)))")
        try check("(mean (* X b) 0)", withRespectTo: "b")
    }

    func testBroadcastInputsAreSummedBack() throws {
        try check("(* X b)", withRespectTo: "b")
        try check("(log (+ X b))", withRespectTo: "b")
        try check("(* X (sum b))", withRespectTo: "b")
    }

    func testGradientOfAGradient() throws {
        try check("(grad (sum (* (exp x) (exp x) y)) x)")
        try check("(grad (sum (/ (exp x) (sum (exp x) -1))) x)")
    }
}
