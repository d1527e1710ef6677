import XCTest

@testable import EGraph

/// Semi-naive search: node stamps, searches that skip what they have seen,
/// and runs that reach exactly what full searches reach.
final class SemiNaiveSearchTests: XCTestCase {
    private func rule(_ name: String, _ lhs: String, _ rhs: String, _ signature: Signature = Signature()) throws
        -> Rewrite
    {
        try Rewrite(name, lhs, rhs, signature: signature)
    }

    func testASearchNewerThanTheLastGenerationFindsNothingUntilANodeChanges() throws {
        let egraph = checkedEGraph()
        try egraph.add("(f (g a))")
        egraph.rebuild()
        let pattern = try rule("fg", "(f (g ?x))", "(g (f ?x))")
        XCTAssertEqual(pattern.search(egraph, limit: .max, recycling: nil).matches.count, 1)
        let seen = egraph.generation
        XCTAssertEqual(pattern.search(egraph, limit: .max, newerThan: seen, recycling: nil).matches.count, 0)

        // (g b) joins the class of (g a): a new node inside a class the root
        // node reaches, so only the match through it is new.
        let gb = try egraph.add("(g b)")
        egraph.union(try XCTUnwrap(try egraph.lookup("(g a)")), gb)
        egraph.rebuild()
        let fresh = pattern.search(egraph, limit: .max, newerThan: seen, recycling: nil).matches
        XCTAssertEqual(fresh.count, 1)
        XCTAssertEqual(fresh.eclass(match: 0, slot: 0), try XCTUnwrap(try egraph.lookup("b")))
        XCTAssertEqual(pattern.search(egraph, limit: .max, recycling: nil).matches.count, 2, "a full search finds both")
    }

    func testAMergeMakesTheParentsOfTheAbsorbedClassNew() throws {
        let egraph = checkedEGraph()
        let fa = try egraph.add("(f a)")
        try egraph.add("(h (f b))")
        egraph.rebuild()
        let pattern = try rule("hf", "(h (f ?x))", "(f ?x)")
        let seen = egraph.generation
        XCTAssertEqual(pattern.search(egraph, limit: .max, newerThan: seen, recycling: nil).matches.count, 0)
        // Whichever class survives, (h (f a)) now matches through a node
        // that moved or a parent that was renamed.
        egraph.union(fa, try XCTUnwrap(try egraph.lookup("(f b)")))
        egraph.rebuild()
        XCTAssertEqual(pattern.search(egraph, limit: .max, newerThan: seen, recycling: nil).matches.count, 2)
    }

    func testTheIterationThatConfirmsSaturationOnlyRevisitsWhatTheLastOneChanged() throws {
        let rules = [
            try rule("comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
            try rule("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
        ]
        var lastMatches: [Int] = []
        for semiNaive in [true, false] {
            let egraph = checkedEGraph()
            try egraph.add("(+ x1 (+ x2 (+ x3 (+ x4 x5))))")
            var runner = Runner()
            runner.searchesSemiNaively = semiNaive
            let report = runner.run(rules, on: egraph)
            XCTAssertEqual(report.stopReason, .saturated)
            XCTAssertEqual([report.nodes, report.classes], [185, 31])
            XCTAssertEqual(report.iterations.last?.rules.map(\.applications), [0, 0])
            lastMatches.append(report.iterations.last?.rules.map(\.matches).reduce(0, +) ?? 0)
        }
        // The full search finds every match of the saturated e-graph again;
        // the semi-naive one only those through nodes the last merges moved.
        XCTAssertLessThan(lastMatches[0] * 4, lastMatches[1], "semi-naive \(lastMatches[0]), full \(lastMatches[1])")
    }

    /// With every match applied every iteration, a semi-naive run must reach
    /// the same e-graph as a full one after each iteration: what it skips
    /// was applied the iteration before, and applying it again is a no-op.
    func testSemiNaiveRunsReachWhatFullRunsReachIterationForIteration() throws {
        for (seed, signature) in [(UInt64(0x5E41), Signature()), (0x5E42, arithmeticSignature())] {
            var random = SplitMix64(seed: seed)
            for round in 0..<12 {
                let rules = try randomRules(&random, signature)
                let terms = (0..<4).map { _ in randomTerm(&random, depth: 3) }
                var reports: [[(Int, Int)]] = []
                var partitions: [[Bool]] = []
                for semiNaive in [true, false] {
                    let egraph = checkedEGraph(signature)
                    var roots: [ClassID] = []
                    for term in terms { roots.append(try egraph.add(term)) }
                    var runner = Runner(
                        limits: RunLimits(iterations: 5, nodes: 50_000, seconds: 60), scheduler: .simple)
                    runner.searchesSemiNaively = semiNaive
                    let report = runner.run(rules, on: egraph)
                    reports.append(report.iterations.map { ($0.nodes, $0.classes) })
                    partitions.append(
                        roots.indices.flatMap { i in roots.indices.map { j in egraph.areEquivalent(roots[i], roots[j]) }
                        })
                }
                let context = "seed \(seed) round \(round): \(rules.map(\.name)) on \(terms)"
                XCTAssertEqual(reports[0].map(\.0), reports[1].map(\.0), "nodes per iteration, " + context)
                XCTAssertEqual(reports[0].map(\.1), reports[1].map(\.1), "classes per iteration, " + context)
                XCTAssertEqual(partitions[0], partitions[1], "which terms are equal, " + context)
            }
        }
    }

    private func randomRules(_ random: inout SplitMix64, _ signature: Signature) throws -> [Rewrite] {
        let pool: [(String, String, String)] = [
            ("comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
            ("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
            ("comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
            ("distribute", "(* ?a (+ ?b ?c))", "(+ (* ?a ?b) (* ?a ?c))"),
            ("factor", "(+ (* ?a ?b) (* ?a ?c))", "(* ?a (+ ?b ?c))"),
            ("mul-one", "(* ?a 1)", "?a"),
            ("add-zero", "(+ ?a 0)", "?a"),
            ("swap-fg", "(f (g ?x))", "(g (f ?x))"),
            ("gg", "(g (g ?x))", "?x"),
            ("pad", "(f ?x)", "(f (+ ?x 0))"),
            ("f-of-sum", "(f (+ ?a ?b))", "(+ (f ?a) (f ?b))"),
        ]
        var rules: [Rewrite] = []
        for (name, lhs, rhs) in pool where random.next() % 2 == 0 {
            rules.append(try rule(name, lhs, rhs, signature))
        }
        // A rule with a condition is searched in full either way; it still
        // joins the same iterations.
        if random.next() % 2 == 0 {
            let nonzero = ConditionDefinition("holds-a-g", arity: 1) { arguments, egraph in
                guard case .eclass(let id) = arguments[0] else { return false }
                return egraph.nodes(in: id).contains { $0.op == Symbol("g") }
            }
            rules.append(
                try Rewrite(
                    "g-conditioned", "(f ?x)", "(f (g (g ?x)))",
                    conditions: [Condition(nonzero, [.variable(PatternVariable("?x"))])],
                    signature: signature))
        }
        return rules.isEmpty ? [try rule("comm-add", "(+ ?a ?b)", "(+ ?b ?a)", signature)] : rules
    }

    private func randomTerm(_ random: inout SplitMix64, depth: Int) -> String {
        let leaves = ["a", "b", "c", "0", "1"]
        if depth == 0 || random.next() % 4 == 0 { return leaves[Int(random.next() % UInt64(leaves.count))] }
        switch random.next() % 4 {
        case 0: return "(+ \(randomTerm(&random, depth: depth - 1)) \(randomTerm(&random, depth: depth - 1)))"
        case 1: return "(* \(randomTerm(&random, depth: depth - 1)) \(randomTerm(&random, depth: depth - 1)))"
        case 2: return "(f \(randomTerm(&random, depth: depth - 1)))"
        default: return "(g \(randomTerm(&random, depth: depth - 1)))"
        }
    }
}
