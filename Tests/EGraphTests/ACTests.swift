import XCTest

@testable import EGraph

/// AC operators stored as sorted multisets: regroupings share one node, lazy
/// flattening, and matching modulo AC with rest variables.
final class ACTests: XCTestCase {
    func testEveryPermutationAndGroupingOfASumIsOneNode() throws {
        let egraph = checkedEGraph(arithmeticSignature())
        let root = try egraph.add("(+ a (+ b (+ c d)))")
        let spellings = [
            "(+ (+ a b) (+ c d))", "(+ d c b a)", "(+ (+ (+ d a) c) b)", "(+ c (+ a (+ d b)))", "(+ b a d c)",
        ]
        for spelling in spellings {
            XCTAssertEqual(try egraph.add(spelling), root, spelling)
        }
        egraph.rebuild()
        XCTAssertEqual(egraph.nodeCount, 5, "four leaves and one multiset")
    }

    func testRepeatedOperandsAreAMultiset() throws {
        let egraph = checkedEGraph(arithmeticSignature())
        let twice = try egraph.add("(* x x y)")
        XCTAssertNotEqual(twice, try egraph.add("(* x y)"))
        XCTAssertEqual(twice, try egraph.add("(* y (* x x))"))
        egraph.rebuild()
        XCTAssertEqual(egraph.nodes(in: twice).first?.children.count, 3)
    }

    func testSingletonsAndEmptyApplicationsNormalize() throws {
        let egraph = checkedEGraph(arithmeticSignature())
        let x = try egraph.add("x")
        XCTAssertEqual(try egraph.add("(+ x)"), x, "a singleton is its element")
        XCTAssertEqual(egraph.add(ENode("*", [])), egraph.add(.number(1)), "the empty product is the unit")
    }

    func testFlatteningSplicesNestedClassesOneChildAtATime() throws {
        let signature = arithmeticSignature()
        let egraph = checkedEGraph(signature)
        let ab = try egraph.add("(+ a b)")
        let c = try egraph.add("c")
        let nested = egraph.add(ENode("+", [ab, c]))
        egraph.rebuild()
        XCTAssertNil(try egraph.lookup("(+ a b c)"), "not flattened before the flattening step")
        let report = Runner().run([], on: egraph)
        XCTAssertEqual(report.stopReason, .saturated)
        XCTAssertEqual(try egraph.lookup("(+ a b c)"), egraph.find(nested))
        XCTAssertEqual(egraph.nodes(in: nested).count, 2, "(+ ab c) and (+ a b c)")
    }

    func testFlatteningNeverSplicesAClassIntoItself() throws {
        let egraph = checkedEGraph(arithmeticSignature())
        let x = try egraph.add("x")
        let timesOne = egraph.add(ENode("*", [x, egraph.add(.number(2))]))
        egraph.union(x, timesOne)  // x = x * 2: a cyclic class
        let report = Runner(limits: RunLimits(iterations: 10)).run([], on: egraph)
        XCTAssertEqual(report.stopReason, .saturated)
        XCTAssertEqual(egraph.nodeCount, 3, "x, 2 and (* x 2); no tower of products")
    }

    func testRestVariableFindsEveryCancellingPairAndNothingElse() throws {
        let signature = arithmeticSignature()
        let egraph = checkedEGraph(signature)
        // Six factors; a and b each meet their inverse, c's inverse is absent.
        let product = try egraph.add("(* a (inv a) b (inv b) c (inv d))")
        egraph.rebuild()
        let rule = try Rewrite("cancel", "(* ?a (inv ?a) ?r...)", "(* ?r...)", signature: signature)
        let matches = rule.search(egraph)
        XCTAssertEqual(matches.count, 2)
        var found: [String] = []
        for index in 0..<matches.count {
            let match = matches[index]
            XCTAssertEqual(match.root, product)
            guard case .eclass(let cancelled)? = match.binding(of: PatternVariable("?a")),
                case .multiset(let rest)? = match.binding(of: PatternVariable("?r"))
            else { return XCTFail("bindings missing") }
            XCTAssertEqual(rest.count, 4)
            XCTAssertEqual(rest, rest.sorted(), "rest multisets are sorted")
            found.append(egraph.nodes(in: cancelled).first!.op.name)
        }
        XCTAssertEqual(found.sorted(), ["a", "b"])
        rule.apply(matches, to: egraph)
        egraph.rebuild()
        XCTAssertEqual(try egraph.lookup("(* b (inv b) c (inv d))"), product)
        XCTAssertEqual(try egraph.lookup("(* a (inv a) c (inv d))"), product)
    }

    func testPatternWithoutRestMatchesOnlyItsArity() throws {
        let signature = arithmeticSignature()
        let egraph = checkedEGraph(signature)
        try egraph.add("(+ x y z)")
        let pair = try egraph.add("(+ u v)")
        egraph.rebuild()
        let matches = try Rewrite("pairs", "(+ ?a ?b)", "(+ ?b ?a)", signature: signature).search(egraph)
        XCTAssertEqual(matches.count, 2, "(+ u v) as (u, v) and as (v, u)")
        XCTAssertEqual(Set((0..<matches.count).map { matches[$0].root }), [pair])
    }

    func testRepeatedVariableUnderACNeedsEqualOperands() throws {
        let signature = arithmeticSignature()
        let egraph = checkedEGraph(signature)
        let doubled = try egraph.add("(+ x x y)")
        try egraph.add("(+ x y z)")
        egraph.rebuild()
        let rule = try Rewrite("double", "(+ ?a ?a ?r...)", "(+ (* 2 ?a) ?r...)", signature: signature)
        let matches = rule.search(egraph)
        XCTAssertEqual(matches.count, 1)
        XCTAssertEqual(matches[0].root, doubled)
        rule.apply(matches, to: egraph)
        egraph.rebuild()
        XCTAssertEqual(try egraph.lookup("(+ (* 2 x) y)"), doubled)
    }

    func testEmptyRestUsesTheUnitOrSkips() throws {
        var withoutUnits = Signature()
        withoutUnits.declareAC("*")
        for signature in [arithmeticSignature(), withoutUnits] {
            let egraph = checkedEGraph(signature)
            let product = try egraph.add("(* a (inv a))")
            egraph.rebuild()
            let rule = try Rewrite("cancel", "(* ?a (inv ?a) ?r...)", "(* ?r...)", signature: signature)
            rule.apply(rule.search(egraph), to: egraph)
            egraph.rebuild()
            let one = egraph.lookup(.number(1))
            if signature.unit(of: "*") != nil {
                XCTAssertEqual(one, product, "(* a (inv a)) is the empty product, 1")
            } else {
                XCTAssertNil(one, "with no unit the empty product has no value and the match is skipped")
            }
        }
    }
}
