import XCTest

@testable import EGraph

/// A runner's phases under one set of limits, and its hooks.
final class RunPhaseTests: XCTestCase {
    private func rule(_ name: String, _ lhs: String, _ rhs: String) throws -> Rewrite {
        try Rewrite(name, lhs, rhs, signature: Signature())
    }

    private var commute: Rewrite { get throws { try rule("comm-add", "(+ ?a ?b)", "(+ ?b ?a)") } }
    private var associate: Rewrite { get throws { try rule("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)") } }

    /// What hooks saw, shared by the copies a runner makes of them.
    private final class Log {
        var states: [(hook: String, phase: Int, iterations: Int, isPhaseStart: Bool)] = []
    }

    /// Records each call, and reaches its goal at the calls `goalAt` picks.
    private struct Recorder: RunHook {
        let name: String
        let log: Log
        var goalAt: (RunState) -> Bool = { _ in false }

        mutating func inspect(_ run: RunState) -> RunHookVerdict {
            log.states.append((name, run.phase, run.iterations, run.isPhaseStart))
            return goalAt(run) ? .goalReached : .proceed
        }
    }

    func testPhasesRunInOrderEachToSaturation() throws {
        let egraph = checkedEGraph()
        let root = try egraph.add("(+ a (+ b c))")
        let report = Runner().run(phases: [[try commute], [try associate]], on: egraph)
        XCTAssertEqual(report.stopReason, .saturated)
        let phases = report.iterations.map(\.phase)
        XCTAssertEqual(phases, phases.sorted(), "phase 1 starts after phase 0 ends")
        XCTAssertEqual(Set(phases), [0, 1])
        for iteration in report.iterations {
            let names = Set(iteration.rules.map(\.name)).subtracting(["ac-flatten(+)"])
            XCTAssertEqual(names, [iteration.phase == 0 ? "comm-add" : "assoc-add"])
        }
        // Only the second phase associates; it then works on what the first
        // one commuted, `(+ (+ b c) a)`.
        XCTAssertEqual(try egraph.lookup("(+ (+ a b) c)"), egraph.find(root))
        XCTAssertEqual(try egraph.lookup("(+ (+ c b) a)"), egraph.find(root))
    }

    func testTheIterationLimitCountsAcrossPhases() throws {
        let first = checkedEGraph()
        try first.add("(+ a (+ b c))")
        let phaseZero = Runner().run([try commute], on: first).iterations.count
        XCTAssertGreaterThan(phaseZero, 0)

        let egraph = checkedEGraph()
        try egraph.add("(+ a (+ b c))")
        let limits = RunLimits(iterations: phaseZero + 1)
        let report = Runner(limits: limits).run(phases: [[try commute], [try associate]], on: egraph)
        XCTAssertEqual(report.stopReason, .iterationLimit(phaseZero + 1))
        XCTAssertEqual(report.iterations.map(\.phase), Array(repeating: 0, count: phaseZero) + [1])
    }

    func testALimitEndsTheRunAndUsedUpLimitsSkipTheRest() throws {
        let egraph = checkedEGraph()
        try egraph.add("(+ a (+ b (+ c (+ d e))))")
        let report = Runner(limits: RunLimits(iterations: 2)).run(
            phases: [[try commute, try associate], [try rule("never", "(+ ?a ?b)", "(+ ?a ?b)")]], on: egraph)
        XCTAssertEqual(report.stopReason, .iterationLimit(2))
        XCTAssertEqual(report.iterations.map(\.phase), [0, 0])

        // A phase that saturates with the iterations used up leaves none for
        // the next, and the run reports why that phase stopped.
        let log = Log()
        func sum() throws -> EGraph {
            let egraph = checkedEGraph()
            try egraph.add("(+ a (+ b c))")
            return egraph
        }
        let phaseZero = Runner().run([try commute], on: try sum()).iterations.count
        var runner = Runner(limits: RunLimits(iterations: phaseZero))
        runner.hooks = [Recorder(name: "r", log: log)]
        let limited = runner.run(phases: [[try commute], [try associate]], on: try sum())
        XCTAssertEqual(limited.stopReason, .saturated)
        XCTAssertEqual(log.states.map(\.phase).last, 0, "phase 1 never started")
    }

    func testAGoalEndsAPhaseAndTheRunGoesOnWithTheNext() throws {
        let egraph = checkedEGraph()
        let root = try egraph.add("(+ a (+ b c))")
        let log = Log()
        var runner = Runner()
        // Phase 0 reaches its goal before its first iteration.
        runner.hooks = [Recorder(name: "goal", log: log, goalAt: { $0.phase == 0 })]
        let report = runner.run(phases: [[try commute], [try associate]], on: egraph)
        XCTAssertEqual(report.stopReason, .saturated, "why the last phase stopped")
        XCTAssertTrue(report.iterations.allSatisfy { $0.phase == 1 })
        XCTAssertEqual(try egraph.lookup("(+ (+ a b) c)"), egraph.find(root))
        XCTAssertNil(try egraph.lookup("(+ (+ b c) a)"), "phase 0's rule never ran")
        XCTAssertEqual(log.states.first.map { [$0.phase, $0.iterations] }, [0, 0])
        XCTAssertEqual(log.states.filter(\.isPhaseStart).map(\.phase), [0, 1])
        XCTAssertEqual(log.states.map(\.iterations), [0] + Array(0...report.iterations.count))
    }

    func testHooksRunInOrderUntilOneReachesItsGoal() throws {
        let egraph = checkedEGraph()
        try egraph.add("(+ a (+ b (+ c d)))")
        let log = Log()
        var runner = Runner()
        runner.hooks = [
            Recorder(name: "first", log: log, goalAt: { $0.iterations == 2 }), Recorder(name: "second", log: log),
        ]
        let report = runner.run(try [commute, associate], on: egraph)
        XCTAssertEqual(report.stopReason, .goalReached)
        XCTAssertEqual(report.iterations.count, 2)
        XCTAssertEqual(
            log.states.map { "\($0.hook) \($0.iterations)" },
            ["first 0", "second 0", "first 1", "second 1", "first 2"], "the second is not called once the first stops")
    }
}
