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
}
