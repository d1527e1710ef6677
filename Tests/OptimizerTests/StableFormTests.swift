import EGraph
import Extract
import Foundation
import Optimizer
import TensorOps
import XCTest

/// With the default rules and limits, saturated as `optimize` saturates, the
/// e-graph of a hand-written program comes to hold its stable form written by
/// hand: both inserted, they end in one class.
final class StableFormTests: XCTestCase {
    /// Saturates `declarations` + `(output a naive)` + `(output b stable)` and
    /// asserts the two outputs share a class.
    private func assertReaches(
        _ declarations: String, _ naive: String, _ stable: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let program = try TensorProgram(parsing: "\(declarations)\n(output a \(naive))\n(output b \(stable))")
        // optimize's stages, its phases, limits and scheduler, with the
        // proof as the goal of every phase.
        let pipeline = OptimizationPipeline(program)
        let prepared = try pipeline.prepare()
        let roots = prepared.roots
        let report = pipeline.saturate(prepared, hooks: [GoalHook { $0.areEquivalent(roots[0], roots[1]) }])
        XCTAssertEqual(
            report.stopReason, .goalReached,
            "\(naive) and \(stable) not proved equal: \(report.stopReason) after \(report.iterations.count) iterations",
            file: file, line: line)
    }

    private let shift = "(exp (- x (max x -1)))"
    private var softmax: String { "(/ \(shift) (sum \(shift) -1))" }

    func testSoftmaxLogSoftmaxAndLogSumExp() throws {
        try assertReaches("(input x [n])", "(/ (exp x) (sum (exp x) -1))", softmax)
        try assertReaches(
            "(input x [n])", "(- x (log (sum (exp x) -1)))", "(- (- x (max x -1)) (log (sum \(shift) -1)))")
        try assertReaches("(input x [n])", "(log (sum (exp x) -1))", "(+ (max x -1) (log (sum \(shift) -1)))")
        try assertReaches(
            "(input X [m n])", "(log (sum (exp X) 0))", "(+ (max X 0) (log (sum (exp (- X (max X 0))) 0)))")
        try assertReaches(
            "(input X [m n])", "(/ (exp X) (sum (exp X) -1))",
            "(/ (exp (- X (max X -1))) (sum (exp (- X (max X -1))) -1))")
    }

    func testSigmoidAndSoftplus() throws {
        try assertReaches("(input x [n])", "(/ (exp x) (+ 1 (exp x)))", "(sigmoid x)")
        try assertReaches("(input x [n])", "(log (+ 1 (exp x)))", "(softplus x)")
    }

    func testGradients() throws {
        let declarations = "(input x [n])\n(input w [n])\n(input y [n])"
        try assertReaches(declarations, "(grad (sum (/ (exp x) (sum (exp x) -1))) x)", "(fill x 0)")
        try assertReaches(
            declarations, "(grad (sum (* w (/ (exp x) (sum (exp x) -1)))) x)",
            "(- (* \(softmax) w) (* \(softmax) (sum (* w \(softmax)) -1)))")
        try assertReaches(
            declarations, "(grad (sum (* w (- x (log (sum (exp x) -1))))) x)", "(- w (* \(softmax) (sum w -1)))")
        try assertReaches(
            declarations, "(grad (neg (sum (* y (log (/ (exp x) (sum (exp x) -1)))))) x)",
            "(- (* \(softmax) (sum y -1)) y)")
        try assertReaches(declarations, "(grad (sum (log (sum (exp x) -1))) x)", softmax)
    }

    func testSpellingsTheCorpusDoesNotHold() throws {
        try assertReaches("(input x [n])", "(* (exp x) (/ 1 (sum (exp x) -1)))", softmax)
        try assertReaches("(input x [n])", "(* (exp x) (pow (sum (exp x) -1) -1))", softmax)
        try assertReaches(
            "(input x [n])", "(log (/ (exp x) (sum (exp x) -1)))", "(- (- x (max x -1)) (log (sum \(shift) -1)))")
        try assertReaches(
            "(input x [n])\n(input b [n])", "(/ (exp (+ x b)) (sum (exp (+ x b)) -1))",
            "(/ (exp (- (+ x b) (max (+ x b) -1))) (sum (exp (- (+ x b) (max (+ x b) -1))) -1))")
        try assertReaches(
            "(input X [m n])", "(/ (exp X) (sum (exp X) 0))", "(/ (exp (- X (max X 0))) (sum (exp (- X (max X 0))) 0))")
        try assertReaches("(input x [n])", "(log (sigmoid x))", "(neg (softplus (neg x)))")
        try assertReaches(
            "(input x [n])\n(input t [])", "(/ (exp (/ x t)) (sum (exp (/ x t)) -1))",
            "(/ (exp (- (/ x t) (max (/ x t) -1))) (sum (exp (- (/ x t) (max (/ x t) -1))) -1))")
        try assertReaches(
            "(input x [n])\n(input y [n])", "(neg (sum (* y (log (/ (exp x) (sum (exp x) -1))))))",
            "(neg (sum (* y (- (- x (max x -1)) (log (sum \(shift) -1))))))")
    }

    /// Sums over all elements, `(sum (exp x))`, shift by the maximum over
    /// all elements (`max-shift-all`), also for a matrix.
    func testSumsOverAllElements() throws {
        let shifted = "(exp (- x (max x)))"
        let softmax = "(/ \(shifted) (sum \(shifted)))"
        try assertReaches("(input x [n])", "(/ (exp x) (sum (exp x)))", softmax)
        try assertReaches("(input x [n])", "(log (sum (exp x)))", "(+ (max x) (log (sum \(shifted))))")
        try assertReaches(
            "(input X [m n])", "(- X (log (sum (exp X))))", "(- (- X (max X)) (log (sum (exp (- X (max X))))))")
        try assertReaches("(input x [n])", "(grad (sum (/ (exp x) (sum (exp x)))) x)", "(fill x 0)")
        try assertReaches(
            "(input x [n])\n(input y [n])", "(grad (neg (sum (* y (log (/ (exp x) (sum (exp x))))))) x)",
            "(- (* \(softmax) (sum y)) y)")
    }

    /// `mean` is a sum over a count in the e-graph, so every rule about sums
    /// applies through it, along an axis and over all elements.
    func testMeans() throws {
        try assertReaches(
            "(input x [n])", "(mean (- x (log (sum (exp x) -1))))",
            "(mean (- (- x (max x -1)) (log (sum \(shift) -1))))")
        try assertReaches(
            "(input X [m n])", "(mean (log (sum (exp X) -1)) 0)",
            "(mean (+ (max X -1) (log (sum (exp (- X (max X -1))) -1))) 0)")
        // The mean of a softmax is 1 over the count, whose fill keeps the
        // operand it was written with: a fill reads only its shape.
        let softmaxAll = "(/ (exp x) (sum (exp x)))"
        try assertReaches("(input x [n])", "(mean \(softmaxAll))", "(/ 1 (sum (fill \(softmaxAll) 1)))")
        let rowShift = "(exp (- X (max X -1)))"
        try assertReaches(
            "(input X [m n])", "(grad (mean (log (sum (exp X) -1))) X)",
            "(/ (/ \(rowShift) (sum \(rowShift) -1)) (sum (fill (log (sum (exp X) -1)) 1)))")
    }

    func testSecondOrderGradient() throws {
        // The Hessian-vector product of log-sum-exp is the gradient of w · softmax.
        try assertReaches(
            "(input x [n])\n(input w [n])", "(grad (sum (* w (grad (sum (log (sum (exp x) -1))) x))) x)",
            "(- (* \(softmax) w) (* \(softmax) (sum (* w \(softmax)) -1)))")
    }
}
