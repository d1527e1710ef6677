import Workloads
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
        XCTAssertLessThanOrEqual(report.nodes, 550, "never past the peak limit, the limit plus a tenth")
        XCTAssertTrue(egraph.isClean, "the e-graph is left usable")
    }

    func testNodeLimitStopsWithinATenthOfTheLimit() throws {
        for limit in [500, 2_000, 10_000] {
            for scheduler in [SimpleScheduler() as any RewriteScheduler, BackoffScheduler.egg] {
                let egraph = checkedEGraph()
                // The checker is quadratic-ish; it runs on the small cases.
                egraph.checksInvariants = limit <= 2_000
                try egraph.add(sum(12))
                let limits = RunLimits(iterations: 1_000, nodes: limit, seconds: 600)
                let report = Runner(limits: limits, scheduler: scheduler).run(try commutativity(), on: egraph)
                let label = "limit \(limit), \(scheduler)"
                XCTAssertEqual(report.stopReason, .nodeLimit(limit), label)
                XCTAssertEqual(report.stopReason.description, "node-limit", label)
                XCTAssertGreaterThan(report.nodes, limit, label)
                XCTAssertLessThanOrEqual(report.nodes, limit + limit / 10, label)
                XCTAssertEqual(report.nodes, egraph.nodeCount, label)
            }
        }
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

    /// Seconds a timed test may run past its limit's tenth for reasons the
    /// runner cannot see: a test machine with two cores shared by parallel
    /// builds and test processes preempts a run for a scheduler slice or
    /// two (tens of milliseconds) now and then.
    private let machineNoise = 0.1

    func testTimeLimitStopsWithinATenthOfTheLimit() throws {
        // The exploding rule set: associativity and commutativity of a sum of
        // 14 terms grow the e-graph towards millions of nodes. Without a
        // prediction of the final rebuild, a run overshot by a third.
        let egraph = checkedEGraph()
        // The invariant checker runs in every rebuild and is no part of the
        // run being timed.
        egraph.checksInvariants = false
        try egraph.add(sum(14))
        let limits = RunLimits(iterations: 100_000, nodes: .max, seconds: 0.5)
        let report = Runner(limits: limits, scheduler: .simple).run(try commutativity(), on: egraph)
        XCTAssertEqual(report.stopReason, .timeLimit(0.5))
        XCTAssertEqual(report.stopReason.description, "time-limit")
        XCTAssertLessThanOrEqual(report.totalSeconds, 0.55 + machineNoise, "more than a tenth past the limit")
        XCTAssertGreaterThan(report.nodes, 1_000, "the run did work before it stopped")
        XCTAssertTrue(egraph.isClean, "the e-graph is left usable")
    }

    func testTimeLimitCutsShortASearchThatWouldNotEnd() throws {
        // Three operands of a sum of 400 give 400 × 399 × 398 assignments,
        // each rejected by the condition: minutes of one search, with no
        // match to count against any other limit.
        var signature = Signature()
        signature.declareAC("+")
        let egraph = EGraph(signature: signature)
        egraph.checksInvariants = false
        try egraph.add("(+ " + (0..<400).map { "x\($0)" }.joined(separator: " ") + ")")
        let never = ConditionDefinition("never", arity: 1) { _, _ in false }
        let rule = try Rewrite(
            "triples", "(+ ?a ?b ?c ?r...)", "(+ ?r...)",
            conditions: [Condition(never, [.variable(PatternVariable("?a"))])], signature: signature)
        let limits = RunLimits(iterations: 1_000, nodes: .max, seconds: 0.3)
        let report = Runner(limits: limits).run([rule], on: egraph)
        XCTAssertEqual(report.stopReason, .timeLimit(0.3))
        XCTAssertLessThanOrEqual(report.totalSeconds, 0.33 + machineNoise, "the search ran on past its deadline")
        XCTAssertEqual(report.iterations.count, 1)
    }

    func testARuleBindingTooManyOperandsIsBannedBeforeItExhaustsMemory() throws {
        // `(f (+ ?a ?r...))` on a sum of 100,000 operands has 100,000 matches,
        // each binding 99,999 operands: 40 GB of matches, were they all kept.
        var signature = Signature()
        signature.declareAC("+")
        let egraph = EGraph(signature: signature)
        egraph.checksInvariants = false
        let root = try egraph.add("(f (+ " + (0..<100_000).map { "x\($0)" }.joined(separator: " ") + "))")
        let rule = try Rewrite("split", "(f (+ ?a ?r...))", "(g ?a (f (+ ?r...)))", signature: signature)
        egraph.rebuild()

        // Egg's threshold of 1,000 matches allows 128,000 bound operands: the
        // search stops at its second match.
        let (matches, cutoff) = rule.search(
            egraph, limit: 1_001, operandBudget: BanState(threshold: 1_000, banLength: 5).operandBudget, recycling: nil)
        XCTAssertEqual(cutoff, .operandBudget)
        XCTAssertEqual(matches.count, 2)
        XCTAssertEqual(matches[0].multiset(0).count, 99_999)

        // In a run, the rule is banned like a rule over its match limit, each
        // time with twice the budget, and the run stops by its limit.
        let limits = RunLimits(iterations: 3, nodes: 1_000_000, seconds: 60)
        let report = Runner(limits: limits).run([rule], on: egraph)
        XCTAssertEqual(report.stopReason, .iterationLimit(3))
        for (index, iteration) in report.iterations.enumerated() {
            let stats = try XCTUnwrap(iteration.rules.first { $0.name == "split" }, "iteration \(index)")
            XCTAssertTrue(stats.banned, "iteration \(index)")
        }
        XCTAssertEqual(egraph.nodes(in: root).count, 1, "no match applied")
        XCTAssertLessThan(report.totalSeconds, 10)
    }

    func testGoalHookStopsOnceProved() throws {
        let egraph = checkedEGraph()
        let start = try egraph.add("(+ a (+ b c))")
        let goal = try egraph.add("(+ (+ c b) a)")
        var runner = Runner()
        runner.hooks = [GoalHook { $0.areEquivalent(start, goal) }]
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

    func testAQuietIterationThatSkippedABannedRuleIsNotSaturation() throws {
        var scheduler = BackoffScheduler.egg
        scheduler.start(rules: try commutativity())
        // Banned at iteration 2 for 5 iterations: skipped through 6.
        XCTAssertFalse(scheduler.admit(1, iteration: 2, matches: 5_000, cutOff: false))
        XCTAssertFalse(scheduler.canSearch(1, iteration: 6))
        // Iteration 6 changed nothing but never searched rule 1: the run goes
        // on, and searches it at 7 as planned.
        XCTAssertFalse(scheduler.canStop(iteration: 6))
        XCTAssertTrue(scheduler.canSearch(1, iteration: 7))
        XCTAssertTrue(scheduler.canStop(iteration: 7), "a quiet iteration that searched every rule")

        // Quiet earlier, the ban is lifted for the very next iteration.
        var early = BackoffScheduler.egg
        early.start(rules: try commutativity())
        XCTAssertFalse(early.admit(1, iteration: 2, matches: 5_000, cutOff: false))
        XCTAssertFalse(early.canStop(iteration: 3))
        XCTAssertTrue(early.canSearch(1, iteration: 4))
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

    func testACustomSchedulerDecidesWhatIsSearchedAndApplied() throws {
        // A scheduler of the user's own: rule 0 only, and only in the first
        // two iterations. The runner searches what it allows, applies what it
        // admits, and asks it before stopping.
        struct FirstRuleTwice: RewriteScheduler {
            var ruleNames: [String] = []
            var admitted: [Int] = []
            mutating func start(rules: [Rewrite]) { ruleNames = rules.map(\.name) }
            func canSearch(_ rule: Int, iteration: Int) -> Bool { rule == 0 && iteration < 2 }
            func searchBounds(_ rule: Int) -> (matches: Int, operands: Int) { (.max, .max) }
            mutating func admit(_ rule: Int, iteration: Int, matches: Int, cutOff: Bool) -> Bool {
                admitted.append(iteration)
                return true
            }
            mutating func canStop(iteration: Int) -> Bool { true }
        }
        let egraph = checkedEGraph()
        let root = try egraph.add("(+ a (+ b c))")
        var runner = Runner(limits: RunLimits(iterations: 10), scheduler: FirstRuleTwice())
        runner.flattensAC = false
        let report = runner.run(try commutativity(), on: egraph)
        // comm-add ran, assoc-add never did.
        XCTAssertEqual(try egraph.lookup("(+ (+ b c) a)"), egraph.find(root))
        XCTAssertNil(try egraph.lookup("(+ (+ a b) c)"))
        XCTAssertEqual(report.iterations.count, 2, "the second iteration changes nothing: saturated")
        XCTAssertEqual(report.stopReason, .saturated)
        XCTAssertTrue(report.iterations.allSatisfy { $0.rules.allSatisfy { $0.name == "comm-add" } })
    }
}
