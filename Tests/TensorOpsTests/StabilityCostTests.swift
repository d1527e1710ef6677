import EGraph
import Extract
import TensorOps
import XCTest

/// The tensor stability cost, through the generic extractor.
final class StabilityCostTests: XCTestCase {
    /// Insert the hand-written and the max-shifted form, merge them as a rule
    /// would, and the stability cost picks the shifted one.
    func testStabilityCostPrefersTheShiftedForms() throws {
        let cases = [
            ("(/ (exp x) (sum (exp x) -1))", "(/ (exp (- x (max x -1))) (sum (exp (- x (max x -1))) -1))"),
            ("(log (sum (exp x) -1))", "(+ (max x -1) (log (sum (exp (- x (max x -1))) -1)))"),
            ("(- x (log (sum (exp x) -1)))", "(- (- x (max x -1)) (log (sum (exp (- x (max x -1))) -1)))"),
        ]
        for (naive, stable) in cases {
            let program = try TensorProgram(parsing: "(input x [n])\n(output a \(naive))\n(output b \(stable))")
            let egraph = EGraph(signature: TensorVocabulary.signature)
            let analysis = TensorAnalysis(program: program)
            egraph.register(analysis)
            let roots = program.lower(into: egraph)
            egraph.union(roots[0], roots[1])
            egraph.rebuild()
            let extractor = Extractor(egraph, cost: StabilityCost(analysis: analysis))
            let naiveCost = try XCTUnwrap(extractor.cost(of: roots[0]))
            XCTAssertFalse(naiveCost.canFail, "\(naive): the shifted form has no penalty")
            let terms = extractor.terms(for: [roots[0]]).map { $0! }
            let raised = try program.raising([("a", terms[0])])
            let printed = raised.program().description
            XCTAssertTrue(printed.contains("(max x 0)"), "\(naive) extracted as\n\(printed)")
        }
    }

    /// A weighted log-sum-exp, as a mixture writes it with weights of
    /// unknown sign: its log can meet 0 shifted or not, but unshifted every
    /// exponential can underflow at once (far from every component), which
    /// the shifted sum, holding its largest term's weight, cannot. Only the
    /// written log takes the underflow risk, and the shifted form is chosen.
    func testAWeightedLogSumExpRisksUnderflowUnlessShifted() throws {
        let naive = "(log (sum (* (exp x) w)))"
        let stable = "(+ (max x) (log (sum (* (exp (where (eq x (max x)) 0 (- x (max x)))) w))))"
        let program = try TensorProgram(
            parsing: "(input x [n])\n(input w [n])\n(output a \(naive))\n(output b \(stable))")
        let egraph = EGraph(signature: TensorVocabulary.signature)
        let analysis = TensorAnalysis(program: program)
        egraph.register(analysis)
        let roots = program.lower(into: egraph)
        egraph.rebuild()
        let cost = StabilityCost(analysis: analysis)
        let separate = Extractor(egraph, cost: cost)
        func underflowsAtTheLog(_ root: ClassID) throws -> Bool {
            let node = try XCTUnwrap(separate.chosenNodes(for: [root])[egraph.find(root)])
            let operands = node.children.compactMap { separate.cost(of: $0) }
            return cost.underflows(node, childCosts: operands)
        }
        XCTAssertTrue(try underflowsAtTheLog(roots[0]), "\(naive): every exp can underflow at once")
        let shiftedLog = try XCTUnwrap(separate.chosenNodes(for: [roots[1]])[egraph.find(roots[1])])
        for child in shiftedLog.children {
            let node = try XCTUnwrap(separate.chosenNodes(for: [child])[egraph.find(child)])
            let operands = node.children.compactMap { separate.cost(of: $0) }
            XCTAssertFalse(cost.underflows(node, childCosts: operands), "\(stable): the shifted sum holds a 1")
        }
        egraph.union(roots[0], roots[1])
        egraph.rebuild()
        let merged = Extractor(egraph, cost: cost)
        let term = try XCTUnwrap(merged.terms(for: [roots[0]]).first ?? nil)
        let printed = try program.raising([("a", term)]).program().description
        XCTAssertTrue(printed.contains("(max x)"), "\(naive) extracted as\n\(printed)")
    }
}
