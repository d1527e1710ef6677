import EGraph
import Workloads
import XCTest

/// Explanations: every chain is checked by ``Explanation/problems(rules:signature:)``
/// (each step an instance of the rule it names, the steps joined end to
/// end from the first term to the second, modulo AC), and the tests also
/// pin down the rules a small proof must name.
final class ExplanationTests: XCTestCase {
    static let rulesText = """
        (ac + *)
        (unit + 0)
        (unit * 1)
        mul-one     (* ?a 1)            => ?a
        regroup     (/ (* ?a ?b) ?c)    => (* ?a (/ ?b ?c))
        div-self    (/ ?a ?a)           => 1
        double      (+ ?a ?a)           => (* 2 ?a)
        shift       (f ?e:(g ?x))       => (h ?x)  :at ?e
        distribute  (* ?a (+ ?b ?c))    => (+ (* ?a ?b) (* ?a ?c))
        """

    /// An e-graph recording explanations, saturated with the test rules
    /// after `terms` are added; the rules are returned for checking.
    func saturated(
        _ terms: [String], rules text: String = ExplanationTests.rulesText, analysis: Bool = false,
        iterations: Int = 8
    ) throws -> (EGraph, RuleSet) {
        let rules = try RuleSet(parsing: text, file: "explain.rules")
        let egraph = checkedEGraph(rules.signature)
        egraph.recordsExplanations = true
        if analysis { egraph.register(ConstantFolding(prunesConstantClasses: false)) }
        for term in terms { try egraph.add(term) }
        egraph.rebuild()
        _ = Runner(limits: RunLimits(iterations: iterations, nodes: 5_000)).run(rules.rewrites, on: egraph)
        return (egraph, rules)
    }

    func explain(_ egraph: EGraph, _ rules: RuleSet, _ from: String, _ to: String) throws -> Explanation {
        let first = try Term(parsing: from, signature: egraph.signature)
        let second = try Term(parsing: to, signature: egraph.signature)
        let explanation = try egraph.explain(first, second)
        XCTAssertEqual(explanation.problems(rules: rules.rewrites, signature: egraph.signature), [])
        return explanation
    }

    func testARuleChainNamesEachRuleInOrder() throws {
        let (egraph, rules) = try saturated(["(/ (* x y) y)"])
        let explanation = try explain(egraph, rules, "(/ (* x y) y)", "x")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["regroup", "div-self", "mul-one"])
        XCTAssertEqual(explanation.steps.map(\.isReversed), [false, false, false])
        XCTAssertEqual(explanation.steps[0].rewrittenBefore.description, "(/ (* x y) y)")
        XCTAssertEqual(explanation.steps[1].rewrittenBefore.description, "(/ y y)")
        XCTAssertEqual(explanation.steps[1].after.description, "(* 1 x)")
        XCTAssertEqual(explanation.steps.last?.after.description, "x")
    }

    func testTheOtherDirectionReversesTheSteps() throws {
        let (egraph, rules) = try saturated(["(/ (* x y) y)"])
        let explanation = try explain(egraph, rules, "x", "(/ (* x y) y)")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["mul-one", "div-self", "regroup"])
        XCTAssertEqual(explanation.steps.map(\.isReversed), [true, true, true])
    }

    func testStepsInsideAnACContextShowTheWholeTerm() throws {
        let (egraph, rules) = try saturated(["(+ z (/ (* x y) y) w)"])
        let explanation = try explain(egraph, rules, "(+ z (/ (* x y) y) w)", "(+ w x z)")
        XCTAssertEqual(explanation.steps.count, 3)
        XCTAssertEqual(explanation.steps[0].before.description, "(+ (/ (* x y) y) w z)")
        XCTAssertEqual(explanation.steps[0].rewrittenBefore.description, "(/ (* x y) y)")
    }

    func testARuleWithATargetRewritesTheAliasedTerm() throws {
        let (egraph, rules) = try saturated(["(f (g a))"])
        let explanation = try explain(egraph, rules, "(f (g a))", "(f (h a))")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["shift"])
        XCTAssertEqual(explanation.steps[0].rewrittenBefore.description, "(g a)")
        XCTAssertEqual(explanation.steps[0].rewrittenAfter.description, "(h a)")
        XCTAssertEqual(explanation.steps[0].bindings.map(\.name), ["?e", "?x"])
    }

    func testCongruenceCarriesARewriteIntoEveryUse() throws {
        // (k (g a)) never matches a rule itself: it changes because its child
        // class does, which the e-graph learns by congruence.
        let (egraph, rules) = try saturated(["(f (g a))", "(k (g a) (g a))"])
        let explanation = try explain(egraph, rules, "(k (g a) (g a))", "(k (h a) (h a))")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["shift", "shift"])
    }

    func testAnAnalysisStepNamesTheAnalysis() throws {
        let (egraph, rules) = try saturated(["(+ x (* 2 3))"], analysis: true)
        let explanation = try explain(egraph, rules, "(+ x (* 2 3))", "(+ x 6)")
        XCTAssertEqual(explanation.steps.map(\.reason), [.analysis("constant-folding")])
    }

    func testDistinctClassesAndUnrecordedGraphsAreErrors() throws {
        let (egraph, _) = try saturated(["(/ (* x y) y)", "z"])
        let x = try Term(parsing: "x", signature: egraph.signature)
        let z = try Term(parsing: "z", signature: egraph.signature)
        XCTAssertThrowsError(try egraph.explain(x, z))
        XCTAssertThrowsError(try egraph.explain(x, try Term(parsing: "q", signature: egraph.signature)))
        let plain = checkedEGraph(egraph.signature)
        try plain.add("x")
        plain.rebuild()
        XCTAssertThrowsError(try plain.explain(x, x)) { error in
            XCTAssertTrue("\(error)".contains("recordsExplanations"))
        }
    }

    /// A rule aimed `:at` a plain variable merges into that variable's class,
    /// so the step rewrites the variable's term, not the whole left side.
    func testATargetThatIsAPlainVariableExplains() throws {
        let (egraph, rules) = try saturated(["(f a b)"], rules: "t (f ?x ?y) => (h ?y) :at ?x", iterations: 3)
        let explanation = try explain(egraph, rules, "a", "(h b)")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["t"])
    }

    /// A nested application of the same AC operator is spliced by the
    /// pattern, as instantiation splices it, even where its rest is empty.
    func testANestedRestThatComesOutEmptyExplains() throws {
        let (egraph, rules) = try saturated(
            ["(+ x y)"], rules: "(ac + *)\n(unit + 0)\n(unit * 1)\nt (+ ?a ?b ?r...) => (h (+ ?a (+ ?r...)))",
            iterations: 2)
        let explanation = try explain(egraph, rules, "(+ x y)", "(h x)")
        XCTAssertEqual(explanation.steps.map(\.reason.description), ["t"])
    }

    func testTheCheckRejectsForgedSteps() throws {
        let (egraph, rules) = try saturated(["(/ (* x y) y)"])
        let honest = try explain(egraph, rules, "(/ (* x y) y)", "x")
        let signature = egraph.signature
        var skipped = honest
        skipped.steps.remove(at: 1)
        XCTAssertFalse(skipped.problems(rules: rules.rewrites, signature: signature).isEmpty, "a missing step")
        var renamed = honest
        renamed.steps[1].reason = .rule("mul-one")
        XCTAssertFalse(renamed.problems(rules: rules.rewrites, signature: signature).isEmpty, "a wrong rule")
        var moved = honest
        moved.steps[0].after = try Term(parsing: "(* y (/ x y))", signature: signature)
        XCTAssertFalse(moved.problems(rules: rules.rewrites, signature: signature).isEmpty, "a wrong result")
        var rebound = honest
        rebound.steps[0].bindings[0].terms = [try Term(parsing: "z", signature: signature)]
        XCTAssertFalse(rebound.problems(rules: rules.rewrites, signature: signature).isEmpty, "wrong bindings")
    }

    /// Every pair of seeded random terms that saturation puts in one class
    /// has an explanation that checks.
    func testEveryEqualPairOfRandomTermsExplains() throws {
        var random = SplitMix64(seed: 0xE7_91A1)
        func randomTerm(_ depth: Int) -> String {
            let leaves = ["x", "y", "1", "2"]
            if depth == 0 || random.next() % 3 == 0 { return leaves[Int(random.next() % 4)] }
            switch random.next() % 5 {
            case 0: return "(+ \(randomTerm(depth - 1)) \(randomTerm(depth - 1)))"
            case 1: return "(* \(randomTerm(depth - 1)) \(randomTerm(depth - 1)))"
            case 2: return "(/ \(randomTerm(depth - 1)) \(randomTerm(depth - 1)))"
            case 3: return "(f (g \(randomTerm(depth - 1))))"
            default: return "(* \(randomTerm(depth - 1)) 1)"
            }
        }
        var explained = 0
        for _ in 0..<6 {
            let terms = (0..<12).map { _ in randomTerm(3) }
            let (egraph, rules) = try saturated(terms, iterations: 5)
            for (index, first) in terms.enumerated() {
                for second in terms[(index + 1)...] where try egraph.lookup(first) == egraph.lookup(second) {
                    let explanation = try egraph.explain(
                        Term(parsing: first, signature: egraph.signature),
                        Term(parsing: second, signature: egraph.signature))
                    let problems = explanation.problems(rules: rules.rewrites, signature: egraph.signature)
                    XCTAssertEqual(problems, [], "\(first) = \(second)")
                    explained += 1
                }
            }
        }
        XCTAssertGreaterThan(explained, 10, "the seeded terms should give equal pairs to explain")
    }
}
