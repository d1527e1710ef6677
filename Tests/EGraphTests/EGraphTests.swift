import Workloads
import XCTest

@testable import EGraph

/// Hash-consing, union-find, congruence closure and rebuilding.
final class EGraphTests: XCTestCase {
    func testEqualTermsShareAClass() throws {
        let egraph = checkedEGraph()
        let first = try egraph.add("(f (g x) y)")
        let second = try egraph.add("(f (g x) y)")
        XCTAssertEqual(first, second)
        egraph.rebuild()
        XCTAssertEqual(egraph.nodeCount, 4)
        XCTAssertEqual(egraph.classCount, 4)
    }

    func testMergingArgumentsMergesTheirApplications() throws {
        let egraph = checkedEGraph()
        let fx = try egraph.add("(f x)")
        let fy = try egraph.add("(f y)")
        XCTAssertFalse(egraph.areEquivalent(fx, fy))
        egraph.union(try XCTUnwrap(try egraph.lookup("x")), try XCTUnwrap(try egraph.lookup("y")))
        egraph.rebuild()
        XCTAssertTrue(egraph.areEquivalent(fx, fy))
        XCTAssertEqual(egraph.nodeCount, 3, "(f x) and (f y) are one node once x = y")
    }

    func testFixpointEquationMakesTheTowerCollapse() throws {
        let egraph = checkedEGraph()
        let a = try egraph.add("a")
        let ffa = try egraph.add("(f (f a))")
        let fa = try XCTUnwrap(try egraph.lookup("(f a)"))
        egraph.union(fa, a)
        egraph.rebuild()
        XCTAssertTrue(egraph.areEquivalent(ffa, a))
        XCTAssertEqual(egraph.classCount, 1)
        XCTAssertEqual(egraph.nodes(in: a).count, 2, "a and (f a) with its child canonical")
    }

    func testARightSideStoredStraightIntoItsClassIsOneMergeAndKeepsTheInvariants() throws {
        let egraph = checkedEGraph()
        let fa = try egraph.add("(f a)")
        let ga = try egraph.add("(g a)")
        egraph.rebuild()
        XCTAssertTrue(egraph.storesMergedNodesDirectly)
        let rule = try Rewrite("f-to-h", "(f ?x)", "(h ?x)", signature: Signature())
        let unions = egraph.unionCount
        XCTAssertEqual(rule.apply(rule.search(egraph), to: egraph), 1)
        XCTAssertEqual(egraph.unionCount, unions + 1)
        egraph.rebuild()
        XCTAssertEqual(try egraph.lookup("(h a)"), egraph.find(fa))
        XCTAssertEqual([egraph.nodeCount, egraph.classCount], [4, 3])
        XCTAssertNotEqual(egraph.find(fa), egraph.find(ga))
        // Applying again finds (h a) where it was stored: nothing new.
        XCTAssertEqual(rule.apply(rule.search(egraph), to: egraph), 0)

        // An analysis must see every node's class made: the path is off.
        let watched = EGraph()
        watched.register(ConstantFolding())
        XCTAssertFalse(watched.storesMergedNodesDirectly)
    }

    func testCongruencePropagatesUpwards() throws {
        let egraph = checkedEGraph()
        let top1 = try egraph.add("(h (g (f a)) b)")
        let top2 = try egraph.add("(h (g (f c)) b)")
        egraph.union(try XCTUnwrap(try egraph.lookup("a")), try XCTUnwrap(try egraph.lookup("c")))
        let unions = egraph.rebuild()
        XCTAssertTrue(egraph.areEquivalent(top1, top2))
        XCTAssertEqual(unions, 3, "(f _), (g _) and (h _ b) merge by congruence")
    }

    func testAddingAndMergingMakeTheGraphDirtyUntilRebuilt() throws {
        let egraph = checkedEGraph()
        XCTAssertTrue(egraph.isClean)
        let x = try egraph.add("x")
        XCTAssertFalse(egraph.isClean)
        egraph.rebuild()
        XCTAssertTrue(egraph.isClean)
        let y = try egraph.add("y")
        egraph.rebuild()
        XCTAssertFalse(egraph.union(x, x), "a class merged with itself changes nothing")
        XCTAssertTrue(egraph.isClean)
        XCTAssertTrue(egraph.union(x, y))
        XCTAssertFalse(egraph.isClean)
        egraph.rebuild()
        XCTAssertEqual(egraph.classIDs.count, 1)
    }

    func testLiteralsCompareByBitPattern() throws {
        let egraph = checkedEGraph()
        let zero = egraph.add(.number(0))
        let negativeZero = egraph.add(.number(-0.0))
        let nan = egraph.add(.number(.nan))
        let otherNaN = egraph.add(.number(-.nan))
        XCTAssertNotEqual(zero, negativeZero, "-0 and 0 differ under division")
        XCTAssertEqual(nan, otherNaN, "every NaN is one literal")
    }

    func testLookupFindsOnlyPresentTerms() throws {
        let egraph = checkedEGraph()
        let term = try egraph.add("(+ x (* 2 y))")
        egraph.rebuild()
        XCTAssertEqual(try egraph.lookup("(+ x (* 2 y))"), term)
        XCTAssertNil(try egraph.lookup("(+ x (* 3 y))"))
    }

    func testRetainingNodesKeepsTheClassMeaning() throws {
        let egraph = checkedEGraph()
        let sum = try egraph.add("(+ 1 2)")
        let three = egraph.add(.number(3))
        egraph.union(sum, three)
        egraph.retainNodes(in: sum) { $0.children.isEmpty }
        egraph.rebuild()
        XCTAssertEqual(egraph.nodes(in: sum), [.number(3)])
        XCTAssertEqual(try egraph.lookup("(+ 1 2)"), egraph.find(three), "a pruned node is still hash-consed")
        XCTAssertTrue(egraph.classes(withOperator: "+").isEmpty)
    }

    func testUnionFindKeepsTheLargerRoot() {
        let sets = UnionFindTable()
        let ids = (0..<6).map { _ in sets.makeSet() }
        let (root01, _) = sets.union(ids[0], ids[1])
        let (root, absorbed) = sets.union(ids[2], root01)
        XCTAssertEqual(root, root01, "the two-element set absorbs the singleton")
        XCTAssertEqual(absorbed, ids[2])
        XCTAssertEqual(sets.find(ids[2]), root01)
        XCTAssertEqual(sets.root(of: ids[1]), root01)
        XCTAssertEqual(sets.find(ids[5]), ids[5])
    }
}
