import XCTest

@testable import EGraph

/// Limits, stop reasons, the back-off scheduler and the report.
final class RunnerTests: XCTestCase {
    private func commutativity() throws -> [Rewrite] {
        [
            try Rewrite("comm-add", "(+ ?a ?b)", "(+ ?b ?a)", signature: Signature()),
            try Rewrite("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)", signature: Signature()),
        ]
    }

    private func sum(_ count: Int) -> String {
        let names = (1...count).map { "x\($0)" }
        return names.dropLast().reversed().reduce(names.last!) { "(+ \($1) \($0))" }
    }

    func testSaturationIsReportedWithPerIterationCounts() throws {
        let egraph = checkedEGraph()
        try egraph.add(sum(4))
        let report = Runner().run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .saturated)
        XCTAssertEqual(report.nodes, 54)
        XCTAssertEqual(report.classes, 15)
        XCTAssertEqual(report.iterations.last?.nodes, 54)
        XCTAssertEqual(report.iterations.last?.rules.map(\.applications), [0, 0], "the last iteration changed nothing")
        XCTAssertEqual(report.ruleTotals.map(\.name), ["comm-add", "assoc-add"])
        XCTAssertGreaterThan(report.ruleTotals[0].applications, 0)
    }

    func testIterationLimitStopsAfterExactlyThatMany() throws {
        let egraph = checkedEGraph()
        try egraph.add(sum(6))
        let report = Runner(limits: RunLimits(iterations: 3)).run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .iterationLimit(3))
        XCTAssertEqual(report.iterations.count, 3)
        XCTAssertTrue(egraph.isClean)
    }

    func testNodeLimitStopsSoonAfterTheLimit() throws {
        let egraph = checkedEGraph()
        try egraph.add(sum(8))
        let report = Runner(limits: RunLimits(nodes: 500), scheduler: .simple).run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .nodeLimit(500))
        XCTAssertGreaterThan(report.nodes, 500)
        // The peak limit is the limit plus a tenth; limits are checked every
        // 64 applications, each adding at most the right side's two nodes.
        XCTAssertLessThanOrEqual(report.nodes, 550 + 64 * 2, "never past the peak limit by more than a batch")
        XCTAssertTrue(egraph.isClean, "the e-graph is left usable")
    }

    func testTimeLimitStopsARunThatWouldNotEnd() throws {
        let egraph = checkedEGraph()
        egraph.checksInvariants = false
        try egraph.add(sum(10))
        let limits = RunLimits(iterations: 1_000, nodes: .max, seconds: 0.05)
        let report = Runner(limits: limits, scheduler: .simple).run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .timeLimit(0.05))
        XCTAssertLessThan(
            report.totalSeconds, 2, "stopped within a batch of the limit, not at the end of a long iteration")
    }

    func testGoalHookStopsOnceProved() throws {
        let egraph = checkedEGraph()
        let start = try egraph.add("(+ a (+ b c))")
        let goal = try egraph.add("(+ (+ c b) a)")
        var runner = Runner()
        runner.goal = { $0.areEquivalent(start, goal) }
        let report = runner.run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .goalReached)
        XCTAssertTrue(egraph.areEquivalent(start, goal))
    }

    func testBackoffBansARuleThatMatchesTooMuchThenLiftsTheBan() throws {
        let egraph = checkedEGraph()
        egraph.checksInvariants = false
        try egraph.add(sum(7))
        let runner = Runner(
            limits: RunLimits(iterations: 100, nodes: 100_000), scheduler: .backoff(matchLimit: 50, banLength: 2))
        let report = runner.run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .saturated, "bans are lifted early when nothing else changes")
        XCTAssertEqual(report.nodes, 1939)
        var bans = 0
        for (index, iteration) in report.iterations.enumerated().dropLast() {
            let changed = iteration.rules.contains { $0.applications > 0 } || iteration.rebuildUnions > 0
            for rule in iteration.rules where rule.banned {
                bans += 1
                let searchedNext = report.iterations[index + 1].rules.contains { $0.name == rule.name }
                // A ban holds while other rules make progress; a quiet
                // iteration lifts it early instead of idling.
                XCTAssertTrue(!searchedNext || !changed, "\(rule.name) searched right after its ban at \(index)")
            }
        }
        XCTAssertGreaterThan(bans, 0)
    }

    func testConditionsFilterMatches() throws {
        let egraph = checkedEGraph()
        let folding = ConstantFolding()
        egraph.register(folding)
        let conditions = folding.mathConditions()
        let divideByZero = try egraph.add("(/ x 0)")
        let divideByTwo = try egraph.add("(/ x 2)")
        let notZero = try XCTUnwrap(conditions["not_zero"])
        let rule = try Rewrite(
            "div-canon", "(/ ?a ?b)", "(* ?a (pow ?b -1))",
            conditions: [Condition(notZero, [.variable(PatternVariable("?b"))])],
            signature: Signature())
        _ = Runner(limits: RunLimits(iterations: 1)).run([rule], on: egraph)
        XCTAssertEqual(try egraph.lookup("(* x (pow 2 -1))"), egraph.find(divideByTwo))
        XCTAssertNil(try egraph.lookup("(* x (pow 0 -1))"))
        XCTAssertEqual(egraph.nodes(in: divideByZero).count, 1)
    }
}
