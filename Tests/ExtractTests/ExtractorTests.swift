import EGraph
import Extract
import XCTest

/// Extraction: exact for additive costs, deterministic, and safe with costs
/// that are not comparable with themselves.
final class ExtractorTests: XCTestCase {
    /// An e-graph whose one class holds `(f (g (h x)))` and `(k x)`, and
    /// that class.
    static func longAndShort() throws -> (EGraph, ClassID) {
        let egraph = EGraph()
        let long = try egraph.add(Term(parsing: "(f (g (h x)))"))
        egraph.union(long, try egraph.add(Term(parsing: "(k x)")))
        egraph.rebuild()
        return (egraph, long)
    }

    func testSmallestTermIsChosen() throws {
        let (egraph, long) = try ExtractorTests.longAndShort()
        let extractor = Extractor(egraph, cost: TermSize())
        XCTAssertEqual(extractor.cost(of: long), 2)
        XCTAssertEqual(extractor.terms(for: [long]).first??.description, "(k x)")
    }

    /// A node's cost over its children's cheapest terms: what extraction
    /// compared it by, so the chosen node of a class costs the class's best.
    func testANodesCostIsWhatExtractionComparedItBy() throws {
        let (egraph, long) = try ExtractorTests.longAndShort()
        let extractor = Extractor(egraph, cost: TermSize())
        let costs = egraph.nodes(in: long).compactMap { extractor.cost(of: $0, inClass: long) }
        XCTAssertEqual(costs.sorted(), [2, 4])
        XCTAssertEqual(costs.min(), extractor.cost(of: long))
        // A node over a class with no finite term has none either.
        let y = try egraph.add(Term(parsing: "y"))
        let fy = egraph.add(ENode("f", [y]))
        egraph.union(y, fy)
        egraph.rebuild()
        struct LeavesAreInfinite: CostFunction {
            func cost(of node: ENode, inClass id: ClassID, childCosts: [Double], in egraph: EGraph) -> Double {
                node.children.isEmpty && node.op == "y" ? .nan : childCosts.reduce(1, +)
            }
        }
        let cyclic = Extractor(egraph, cost: LeavesAreInfinite())
        XCTAssertNil(cyclic.cost(of: ENode("f", [y]), inClass: y))
    }

    func testTiesGoToTheNodeOfTheClassThatStaysRoot() throws {
        // The answer is stated, not read from the class's order: of two
        // classes of one node each, a union keeps its first argument as the
        // root (the union-find's tie rule), the root's nodes come first, and ties
        // go to the first node, whichever operator it has and whichever term
        // was added first.
        for (added, addedSecond) in [("(f x)", "(g x)"), ("(g x)", "(f x)")] {
            for unionOrder in [(added, addedSecond), (addedSecond, added)] {
                let egraph = EGraph()
                let classes = [
                    added: try egraph.add(Term(parsing: added)),
                    addedSecond: try egraph.add(Term(parsing: addedSecond)),
                ]
                egraph.union(classes[unionOrder.0]!, classes[unionOrder.1]!)
                egraph.rebuild()
                let chosen = Extractor(egraph, cost: TermSize()).terms(for: [classes[added]!]).first??.description
                XCTAssertEqual(chosen, unionOrder.0, "added \(added) then \(addedSecond), union(\(unionOrder))")
            }
        }
    }

    func testCyclicClassesStillExtractTheirFiniteTerm() throws {
        let egraph = EGraph()
        let x = try egraph.add(Term(parsing: "x"))
        let fx = egraph.add(ENode("f", [x]))
        egraph.union(x, fx)
        egraph.rebuild()
        XCTAssertEqual(Extractor(egraph, cost: TermSize()).terms(for: [fx]).first??.description, "x")
    }

    /// A cost whose `shape` node drops its operand's risk (as the tensor
    /// cost's `fill` does) is not monotone: `b`'s `(f a)` looks cheaper than
    /// `(risky x)` through `a = (shape b)`, whose cost was computed over
    /// `(risky x)`, and the choices close the cycle `b → a → b`. The
    /// extractor bans the choice that closed it and keeps `b`'s finite term.
    func testANonMonotoneCostCannotLeaveTheChoicesInACycle() throws {
        struct Risky: Comparable {
            var risks = 0
            var size = 0
            static func < (l: Risky, r: Risky) -> Bool { (l.risks, l.size) < (r.risks, r.size) }
        }
        struct ShapeDropsRisks: CostFunction {
            func cost(of node: ENode, inClass id: ClassID, childCosts: [Risky], in egraph: EGraph) -> Risky {
                var cost = Risky(risks: node.op == "risky" ? 1 : 0, size: 1)
                for child in childCosts {
                    cost.size += child.size
                    if node.op != "shape" { cost.risks += child.risks }
                }
                return cost
            }
        }
        let egraph = EGraph()
        let b = try egraph.add(Term(parsing: "(risky x)"))
        let a = egraph.add(ENode("shape", [b]))
        egraph.union(b, egraph.add(ENode("f", [a])))
        egraph.rebuild()
        let extractor = Extractor(egraph, cost: ShapeDropsRisks())
        let terms = extractor.terms(for: [a, b]).map { $0?.description }
        XCTAssertEqual(terms, ["(shape (risky x))", "(risky x)"])
        XCTAssertEqual(extractor.cost(of: b), Risky(risks: 1, size: 2))
    }

    func testNaNCostsAreTheWorstNotATrap() throws {
        struct Poisoned: CostFunction {
            func cost(of node: ENode, inClass id: ClassID, childCosts: [Double], in egraph: EGraph) -> Double {
                node.op == "bad" ? .nan : childCosts.reduce(1, +)
            }
        }
        let egraph = EGraph()
        let bad = try egraph.add(Term(parsing: "(bad x)"))
        let good = try egraph.add(Term(parsing: "(good (good x))"))
        egraph.union(bad, good)
        egraph.rebuild()
        XCTAssertEqual(Extractor(egraph, cost: Poisoned()).terms(for: [bad]).first??.description, "(good (good x))")
    }
}
