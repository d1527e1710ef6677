import Workloads
import XCTest

@testable import EGraph

/// Constant folding: its merge is a join, it folds, and its data is the join
/// over each class's nodes (the invariant checker verifies that on rebuild).
final class AnalysisTests: XCTestCase {
    private let samples: [Double?] = [nil, 0, -0.0, 1, 2.5, -3, .infinity, .nan]

    func testMergeIsAJoinThatReportsWhatChanged() {
        let folding = ConstantFolding()
        for a in samples {
            for b in samples {
                var left = a
                let result = folding.merge(&left, b)
                var right = b
                _ = folding.merge(&right, a)
                XCTAssertEqual(
                    left.map(Literal.number), right.map(Literal.number), "commutative at \(a as Any), \(b as Any)")
                XCTAssertEqual(result.changedLeft, left.map(Literal.number) != a.map(Literal.number))
                XCTAssertEqual(result.changedRight, left.map(Literal.number) != b.map(Literal.number))
                var twice = left
                XCTAssertFalse(folding.merge(&twice, b).changedLeft, "joining b again changes nothing")
                XCTAssertEqual(twice.map(Literal.number), left.map(Literal.number))
                for c in samples {
                    var ab = a
                    _ = folding.merge(&ab, b)
                    _ = folding.merge(&ab, c)
                    var bc = b
                    _ = folding.merge(&bc, c)
                    var aBC = a
                    _ = folding.merge(&aBC, bc)
                    XCTAssertEqual(ab.map(Literal.number), aBC.map(Literal.number), "associative")
                }
            }
        }
    }

    func testFoldsArithmeticAndAddsTheConstant() throws {
        let egraph = checkedEGraph()
        let folding = ConstantFolding(prunesConstantClasses: false)
        egraph.register(folding)
        let expression = try egraph.add("(- (* 3 (+ 1 1)) (/ 1 4))")
        egraph.rebuild()
        XCTAssertEqual(egraph.data(of: expression, for: folding), 5.75)
        XCTAssertEqual(egraph.lookup(.number(5.75)), expression)
        XCTAssertNil(egraph.data(of: try egraph.add("(/ 1 0)"), for: folding), "no constant from a division by zero")
        XCTAssertNil(egraph.data(of: try egraph.add("(+ x 1)"), for: folding))
    }

    func testMergingClassesPropagatesConstantsToParents() throws {
        let egraph = checkedEGraph()
        let folding = ConstantFolding()
        egraph.register(folding)
        let parent = try egraph.add("(* 2 (+ x 1))")
        egraph.union(try XCTUnwrap(try egraph.lookup("x")), egraph.add(.number(4)))
        egraph.rebuild()
        XCTAssertEqual(egraph.data(of: parent, for: folding), 10)
        XCTAssertEqual(egraph.nodes(in: parent), [.number(10)], "a constant class keeps its leaves")
    }
}
