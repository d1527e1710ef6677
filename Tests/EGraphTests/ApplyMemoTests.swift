import XCTest

@testable import EGraph

/// The apply loop's memo of root nodes already merged, and the rebuild's
/// read-ahead of pending keys: both are shortcuts that must leave the
/// e-graph exactly as the long way does.
final class ApplyMemoTests: XCTestCase {
    private func rule(_ name: String, _ lhs: String, _ rhs: String, _ signature: Signature) throws -> Rewrite {
        try Rewrite(name, lhs, rhs, signature: signature)
    }

    /// Every class id with its nodes, and the merges each rule made per
    /// iteration: equal dumps mean the same e-graph, id for id.
    private struct Trace: Equatable {
        var merges: [[Int]] = []
        var classes: [[ClassID: [ENode]]] = []
    }

    /// Runs `rules` for `iterations` as the runner does (every rule searched
    /// on the same clean e-graph, then every match applied, then one rebuild),
    /// applying with the memo on or off.
    private func trace(
        _ rules: [Rewrite], _ terms: [String], _ signature: Signature, iterations: Int, memoizing: Bool,
        explains: Bool
    ) throws -> Trace {
        let egraph = checkedEGraph(signature)
        egraph.recordsExplanations = explains
        // Warm every apply, however small the e-graph: the warm pass reads
        // the memo too.
        egraph.warmsLookupsFrom = 0
        for term in terms { try egraph.add(term) }
        egraph.rebuild()
        var trace = Trace()
        for _ in 0..<iterations {
            let found = rules.map { $0.search(egraph, limit: 20_000) }
            trace.merges.append(
                zip(rules, found).map { rule, matches in
                    rule.apply(matches, to: egraph, memoizing: memoizing) { LimitMonitor.checkInterval }
                })
            egraph.rebuild()
            trace.classes.append(Dictionary(uniqueKeysWithValues: egraph.classIDs.map { ($0, egraph.nodes(in: $0)) }))
        }
        return trace
    }

    func testMemoizedAppliesBuildTheSameEGraphsAsUnmemoizedOnes() throws {
        let pool: [(String, String, String)] = [
            ("comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
            ("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
            ("comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
            ("assoc-mul", "(* ?a (* ?b ?c))", "(* (* ?a ?b) ?c)"),
            ("distribute", "(* ?a (+ ?b ?c))", "(+ (* ?a ?b) (* ?a ?c))"),
            ("factor", "(+ (* ?a ?b) (* ?a ?c))", "(* ?a (+ ?b ?c))"),
            ("swap-fg", "(f (g ?x))", "(g (f ?x))"),
            ("f-of-sum", "(f (+ ?a ?b))", "(+ (f ?a) (f ?b))"),
        ]
        let leaves = ["a", "b", "c", "d"]
        for (seed, signature) in [(UInt64(0x3E30), Signature()), (0x3E31, arithmeticSignature())] {
            var random = SplitMix64(seed: seed)
            func term(_ depth: Int) -> String {
                if depth == 0 || random.next() % 5 == 0 { return leaves[Int(random.next() % UInt64(leaves.count))] }
                switch random.next() % 4 {
                case 0, 1: return "(+ \(term(depth - 1)) \(term(depth - 1)))"
                case 2: return "(* \(term(depth - 1)) \(term(depth - 1)))"
                default: return "(f \(term(depth - 1)))"
                }
            }
            for round in 0..<10 {
                var rules = try pool.filter { _ in random.next() % 2 == 0 }.map {
                    try rule($0.0, $0.1, $0.2, signature)
                }
                if rules.isEmpty { rules = [try rule("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)", signature)] }
                let terms = (0..<3).map { _ in term(4) }
                // Explanations turn off storing right sides into their
                // target directly, the memo's other path.
                let explains = round % 3 == 2
                let memoized = try trace(rules, terms, signature, iterations: 4, memoizing: true, explains: explains)
                let plain = try trace(rules, terms, signature, iterations: 4, memoizing: false, explains: explains)
                let context = "seed \(seed) round \(round): \(rules.map(\.name)) on \(terms)"
                XCTAssertEqual(memoized.merges, plain.merges, "merges per rule, " + context)
                XCTAssertEqual(memoized.classes, plain.classes, "classes and nodes, " + context)
            }
        }
    }

    func testTheMemoSkipsRepeatedRootsOfTheBinaryACWorkload() throws {
        // `x1 + (x2 + ... + x6)`: many assoc-add matches of one class build
        // the same root, so the memo has work to do, and a saturated run
        // must still reach the exact size (3^n - 2^(n+1) + 1 + n nodes).
        let signature = Signature()
        let rules = [
            try rule("comm-add", "(+ ?a ?b)", "(+ ?b ?a)", signature),
            try rule("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)", signature),
        ]
        let start = "(+ x1 (+ x2 (+ x3 (+ x4 (+ x5 x6)))))"
        let memoized = try trace(rules, [start], signature, iterations: 8, memoizing: true, explains: false)
        let plain = try trace(rules, [start], signature, iterations: 8, memoizing: false, explains: false)
        XCTAssertEqual(memoized, plain)
        let last = try XCTUnwrap(memoized.classes.last)
        XCTAssertEqual(last.count, 63)
        XCTAssertEqual(last.values.map(\.count).reduce(0, +), 608)

        let egraph = checkedEGraph(signature)
        try egraph.add(start)
        let report = Runner(limits: RunLimits(iterations: 100, nodes: 100_000, seconds: 60)).run(rules, on: egraph)
        XCTAssertEqual(report.stopReason, .saturated)
        XCTAssertEqual([report.nodes, report.classes], [608, 63])
    }

    func testARebuildOfMorePendingKeysThanItReadsAheadKeepsTheInvariants() throws {
        // 144 parents of 12 leaves, half of which are then merged: the
        // rebuild re-keys far more than one read-ahead chunk, AC keys
        // among them swapping their children's order.
        for signature in [Signature(), arithmeticSignature()] {
            let egraph = checkedEGraph(signature)
            egraph.warmsLookupsFrom = 0
            let leaves = try (0..<12).map { try egraph.add("x\($0)") }
            for i in 0..<12 {
                for j in 0..<12 { try egraph.add("(+ x\(i) x\(j))") }
            }
            egraph.rebuild()
            for i in 1..<6 { egraph.union(leaves[0], leaves[i]) }
            egraph.rebuild()
            // The merged leaves are one class: 7 child classes, so 7 x 7
            // ordered sums (AC: 7 + 21 unordered ones).
            let sums = signature.isAC(Symbol("+")) ? 28 : 49
            XCTAssertEqual(egraph.nodeCount, 12 + sums)
            XCTAssertEqual(egraph.classCount, 7 + sums)
            XCTAssertEqual(try egraph.lookup("(+ x1 x7)"), try egraph.lookup("(+ x5 x7)"))
            XCTAssertNotEqual(try egraph.lookup("(+ x1 x7)"), try egraph.lookup("(+ x6 x7)"))
        }
    }
}
