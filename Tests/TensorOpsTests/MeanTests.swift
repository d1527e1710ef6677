import EGraph
import TensorOps
import XCTest

/// `mean` through the language: reading and printing, shapes, evaluation as
/// numpy's `np.mean` computes it, and its spelling in the e-graph (a sum over
/// a count whose facts make it safe), raised back to `mean`.
final class MeanTests: XCTestCase {
    private func evaluate(_ text: String, _ values: [String: NDArray<Double>]) throws -> [NDArray<Double>] {
        try TensorProgram(parsing: text).evaluate(values).map(\.value)
    }

    func testMeanReadsPrintsAndKeepsItsAxis() throws {
        let text = """
            (input X [b n])
            (output r (mean X -1))
            (output c (mean X 0))
            (output a (mean (exp X)))
            """
        let program = try TensorProgram(parsing: text)
        XCTAssertEqual(
            program.outputs.map { program.graph[$0.node].shape },
            [[.named("b"), .size(1)], [.size(1), .named("n")], .scalar])
        XCTAssertEqual(try ProgramParser().parse(text).description, text + "\n")
        XCTAssertEqual(
            program.program().description,
            "(input X [b n])\n(output r (mean X 1))\n(output c (mean X 0))\n(output a (mean (exp X)))\n")
        XCTAssertThrowsError(try TensorProgram(parsing: "(input t [])\n(output m (mean t 0))")) { error in
            XCTAssertTrue("\(error)".contains("cannot reduce axis 0 of a scalar"), "\(error)")
        }
    }

    /// The figures are numpy's: `np.mean(X, axis, keepdims=True)` and
    /// `np.mean(x)`, the sum in numpy's order divided by the count.
    func testMeanIsTheSumDividedByTheCountAsNumpyComputesIt() throws {
        let matrix = try NDArray<Double>(shape: [2, 3], elements: [0.1, 0.2, 0.7, 1e16, 1, -1e16])
        let results = try evaluate(
            "(input X [b n])\n(output c (mean X 0))\n(output r (mean X -1))\n(output a (mean X))", ["X": matrix])
        XCTAssertEqual(results[0].shape, [1, 3])
        XCTAssertEqual(results[0].elements, [5e15, 0.6, -5e15])
        XCTAssertEqual(results[1].shape, [2, 1])
        XCTAssertEqual(results[1].elements, [0.3333333333333333, 0])
        XCTAssertEqual(results[2].elements, [0])
        // A division, not a product with the reciprocal: np.mean gives 6.55
        // here, the sum times 1/130 gives 6.550000000000001.
        let ramp = NDArray(vector: (1...130).map { 0.1 * Double($0) })
        let mean = try evaluate("(input x [n])\n(output m (mean x))", ["x": ramp])[0].elements[0]
        XCTAssertEqual(mean, 6.55)
        XCTAssertNotEqual(mean, ramp.elements.reduce(0, +) * (1.0 / 130))
        let empty = try evaluate("(input x [n])\n(output m (mean x))", ["x": NDArray(vector: [])])
        XCTAssertTrue(empty[0].elements[0].isNaN, "0 / 0, as np.mean of an empty array")
    }

    func testTheReferenceMeanIsExact() throws {
        let program = try TensorProgram(parsing: "(input X [b n])\n(output r (mean X -1))")
        let matrix = try NDArray<Double>(shape: [1, 3], elements: [1e16, 1, -1e16])
        let exact = try program.evaluate(["X": matrix.map(ReferenceFloat.init)])[0].value.map(\.doubleValue)
        XCTAssertEqual(exact.elements, [1.0 / 3], "binary64 loses the 1; the reference keeps it")
    }

    func testMeanLowersToASumOverACountAndRaisesBack() throws {
        let program = try TensorProgram(parsing: "(input X [b n])\n(output r (mean X -1))\n(output a (mean X))")
        let terms = program.loweredTerms()
        XCTAssertEqual(
            terms.map(\.term.description),
            ["(* (sum X -1) (inv (sum (fill X 1) -1)))", "(* (sumall X) (inv (sumall (fill X 1))))"])
        XCTAssertEqual(
            try program.raising(terms).program().description,
            "(input X [b n])\n(output r (mean X 1))\n(output a (mean X))\n")
    }

    /// A `fill` reads only its operand's shape, so a count over any operand
    /// of the right shape pairs with the sum; one of another shape or axis
    /// does not, and the quotient prints as written.
    func testRaisingPairsASumWithACountOfTheSameShape() throws {
        let program = try TensorProgram(parsing: "(input X [b n])\n(input y [m])\n(output o X)")
        func raised(_ text: String) throws -> String {
            let term = try Term(parsing: text, signature: TensorVocabulary.signature)
            return ProgramPrinter.render(
                try program.raising([("o", term)]).program().statements.last!)
        }
        XCTAssertEqual(
            try raised("(* 2 (sum (exp X) -1) (inv (sum (fill X 1) -1)))"), "(output o (* (mean (exp X) 1) 2))")
        XCTAssertEqual(
            try raised("(* (sum X -1) (inv (sum (fill X 1) -2)))"), "(output o (/ (sum X 1) (sum (fill X 1) 0)))")
        XCTAssertEqual(
            try raised("(* (sumall X) (inv (sumall (fill y 1))))"), "(output o (/ (sum X) (sum (fill y 1))))")
    }

    /// What lets every rule about sums see through a mean: the count is at
    /// least 1 and constant along every axis, so its inverse is safe (no
    /// zero-division risk) and lifts out of sums.
    func testTheCountIsAtLeastOneAndConstant() throws {
        let program = try TensorProgram(parsing: "(input X [b n])\n(output r (mean X -1))")
        let egraph = EGraph(signature: TensorVocabulary.signature)
        egraph.checksInvariants = true
        let analysis = TensorAnalysis(program: program)
        egraph.register(analysis)
        _ = program.lower(into: egraph)
        egraph.rebuild()
        func facts(_ text: String) throws -> TensorFacts {
            let id = try XCTUnwrap(egraph.lookup(Term(parsing: text, signature: TensorVocabulary.signature)), text)
            return egraph.data(of: id, for: analysis)
        }
        let count = try facts("(sum (fill X 1) -1)")
        XCTAssertTrue(count.signs.contains([.atLeastOne, .positive, .nonzero]), "\(count)")
        XCTAssertEqual(count.interval.lower, 1)
        XCTAssertTrue(count.isConstant(alongFromEnd: 1) && count.isConstant(alongFromEnd: 2), "\(count)")
        let inverse = try facts("(inv (sum (fill X 1) -1))")
        XCTAssertTrue(inverse.signs.contains(.positive))
        XCTAssertGreaterThan(inverse.interval.lower, 0)
        XCTAssertEqual(try facts("(* (sum X -1) (inv (sum (fill X 1) -1)))").shape, [.named("b"), .size(1)])
    }
}
