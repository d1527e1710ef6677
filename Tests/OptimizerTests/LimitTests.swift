import EGraph
import Extract
import Foundation
import Optimizer
import TensorOps
import XCTest

/// The limits of ``OptimizeOptions`` bound the whole call and leave a correct
/// program; shared subterms stay shared. What these check is behaviour, not
/// speed: the times live in `saturate-bench --workload limits`.
final class LimitTests: XCTestCase {
    /// `(let a1 (+ a0 a0))` ... `(let aN (+ aN-1 aN-1))`, output `aN`.
    private func doublingLets(_ count: Int) -> String {
        var lines = ["(input a0 [n])"]
        for level in 1...count { lines.append("(let a\(level) (+ a\(level - 1) a\(level - 1)))") }
        lines.append("(output y a\(count))")
        return lines.joined(separator: "\n")
    }

    /// Each level of a doubling chain is one value used twice: inserting it
    /// does not splice a repeated operand (2^40 leaves), and extraction,
    /// charging a repeated operand once, keeps the chain, one `let` a level.
    func testDoublingLetsStayAChainOfLets() throws {
        let program = try TensorProgram(parsing: doublingLets(40))
        let result = try optimize(program)
        XCTAssertLessThanOrEqual(result.program.graph.nodes.count, 2 * 41)
        // The lazy ac-flatten rule still splices some levels (a repeated
        // product must flatten for its factors to cancel), within its width
        // limit: the e-graph stays thousands of nodes, not 2^40, and
        // extraction keeps the chain.
        XCTAssertLessThanOrEqual(result.report.run.nodes, 5_000)
        XCTAssertFalse(result.report.keptInput)
        let text = result.program.text
        XCTAssertTrue(text.contains("(let t39 (+ t38 t38))"), text)
        XCTAssertTrue(text.contains("(output y (+ t39 t39))"), text)
        // 2^40 · x, exactly, as written.
        let x = try NDArray<Double>(shape: [3], elements: [1, -2.5, 1e-300])
        let value = try result.program.evaluate(["a0": x])[0].value.elements
        XCTAssertEqual(value, x.elements.map { $0 * 0x1p40 })
    }

    /// `x + x` doubles exactly: neither a cancellation nor ∞ − ∞, so the
    /// nested form is not charged a risk per level.
    func testARepeatedOperandIsNotACancellation() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(output y (+ x x))")
        let result = try optimize(program)
        XCTAssertTrue(result.report.remainingRisks.isEmpty, "\(result.report.remainingRisks)")
    }

    /// A budget spent before saturation starts still returns a correct
    /// program, says the time limit stopped the run, and does not verify
    /// past it.
    func testAnExhaustedTimeLimitStillReturnsACorrectProgram() throws {
        let program = try TensorProgram(
            parsing: "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (/ (exp x) (sum (exp x) -1)))) x))")
        var options = OptimizeOptions()
        options.limits.seconds = 1e-6
        let result = try optimize(program, options: options)
        XCTAssertEqual(result.report.run.stopReason, .timeLimit(options.limits.seconds))
        XCTAssertNotNil(result.report.unverifiedBecause)
        XCTAssertTrue(result.report.unverifiedBecause?.contains("time limit") ?? false)
        let inputs = [
            "x": try NDArray<Double>(shape: [3], elements: [0.5, -1, 2]),
            "w": try NDArray<Double>(shape: [3], elements: [1, 2, -0.5]),
        ]
        let expected = try program.evaluate(inputs)[0].value.elements
        let returned = try result.program.evaluate(inputs)[0].value.elements
        for (a, b) in zip(expected, returned) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }

    /// The iterations and the time are one budget across rule phases: a
    /// phase after one that used up the iterations does not run.
    func testPhasesShareTheIterationBudget() throws {
        var options = OptimizeOptions()
        options.limits.iterations = 3
        options.settleIterations = 100
        options.ruleFiles = [
            RuleSource(name: "late.rules", text: "[late :phase 2]\nlate-comm (maximum ?a ?b) => (maximum ?b ?a)")
        ]
        let program = try TensorProgram(parsing: "(input x [n])\n(output y (log (sum (exp x) -1)))")
        let result = try optimize(program, options: options)
        XCTAssertLessThanOrEqual(result.report.run.iterations.count, 3)
    }

    /// A sound rule that grows the e-graph without end stops the run within
    /// a tenth of the node limit, and the program returned still computes
    /// the program's value.
    func testARunawayRuleStopsAtTheNodeLimit() throws {
        var options = OptimizeOptions()
        options.limits.nodes = 2_000
        options.ruleFiles = [
            RuleSource(name: "runaway.rules", text: "[runaway]\ntwice (* ?a ?b) => (* (+ ?a ?a) (* 0.5 ?b))")
        ]
        let program = try TensorProgram(parsing: "(input x [n])\n(output y (exp (* 2 x)))")
        let result = try optimize(program, options: options)
        XCTAssertLessThanOrEqual(result.report.run.nodes, 2_200)
        let x = try NDArray<Double>(shape: [2], elements: [0.25, -3])
        XCTAssertEqual(try result.program.evaluate(["x": x])[0].value.elements, x.elements.map { exp(2 * $0) })
    }
}
