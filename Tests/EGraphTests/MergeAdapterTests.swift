import XCTest

@testable import EGraph

/// A merge adapter of the user's own sees every merge a rewrite makes.
final class MergeAdapterTests: XCTestCase {
    /// Refuses the merges into classes holding a given leaf, wraps the rest
    /// in `(keep result)`, and counts what it saw.
    private final class Guard: MergeAdapter {
        let protected: ClassID
        var seen = 0
        init(protecting protected: ClassID) { self.protected = protected }

        func adapt(merging result: ClassID, into target: ClassID, in egraph: EGraph) -> MergeAdaptation {
            seen += 1
            if egraph.find(target) == egraph.find(protected) { return .refused }
            return .wrapped(ENode(Symbol("keep"), [result]))
        }
    }

    func testAnAdapterRefusesOrWrapsEveryMergeItSees() throws {
        let egraph = checkedEGraph()
        let a = try egraph.add("(f a)")
        let b = try egraph.add("(f b)")
        let adapter = Guard(protecting: a)
        egraph.mergeAdapter = adapter
        let rule = try Rewrite("f-to-g", "(f ?x)", "(g ?x)", signature: Signature())
        _ = Runner(limits: RunLimits(iterations: 1)).run([rule], on: egraph)
        XCTAssertEqual(adapter.seen, 2)
        XCTAssertNil(try egraph.lookup("(keep (g a))"), "the merge into (f a) was refused")
        XCTAssertEqual(try egraph.lookup("(keep (g b))"), egraph.find(b))
        XCTAssertNotEqual(try egraph.lookup("(g b)"), egraph.find(b), "wrapped, not merged as it was")
    }
}
