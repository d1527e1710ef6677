import EGraph
import TensorOps
import XCTest

/// Lowering into the e-graph, the tensor facts, the predicates, and raising.
final class TensorAnalysisTests: XCTestCase {
    private struct Lowered {
        var egraph: EGraph
        var analysis: TensorAnalysis
        var roots: [ClassID]
        var program: TensorProgram

        func facts(_ index: Int = 0) -> TensorFacts { egraph.data(of: roots[index], for: analysis) }
    }

    private func lower(_ text: String) throws -> Lowered {
        let program = try TensorProgram(parsing: text)
        let egraph = EGraph(signature: TensorVocabulary.signature)
        egraph.checksInvariants = true
        let analysis = TensorAnalysis(program: program)
        egraph.register(analysis)
        let roots = program.lower(into: egraph)
        egraph.rebuild()
        return Lowered(egraph: egraph, analysis: analysis, roots: roots, program: program)
    }

    func testLoweringUsesOneSpellingPerMeaning() throws {
        let lowered = try lower(
            """
            (input a [n])
            (input b [n])
            (output q (/ a b))
            (output r (* a (/ 1 b)))
            (output d (- a b))
            (output e (+ a (neg b)))
            (output s (+ a b a))
            (output t (+ (+ a a) b))
            """)
        XCTAssertEqual(lowered.roots[2], lowered.roots[3], "a - b and a + (-b)")
        XCTAssertEqual(lowered.roots[4], lowered.roots[5], "sums are multisets")
        XCTAssertEqual(
            try lowered.egraph.lookup(Term(parsing: "(* a (inv b))", signature: TensorVocabulary.signature)),
            lowered.roots[0])
    }

    func testShapesOfEveryCorpusOutputMatchTheProgram() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".eqs") }
            .sorted()
        XCTAssertGreaterThanOrEqual(files.count, 12)
        for file in files {
            let text = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
            let lowered = try lower(text)
            for (index, output) in lowered.program.outputs.enumerated() {
                XCTAssertEqual(lowered.facts(index).shape, lowered.program.graph[output.node].shape, file)
            }
        }
    }

    func testTheMaxShiftIsSeen() throws {
        let lowered = try lower(
            """
            (input x [m n])
            (let s (- x (max x -1)))
            (output shifted s)
            (output e (exp s))
            (output total (sum (exp s) -1))
            (output zero (max s -1))
            (output plain (sum (exp x) -1))
            """)
        XCTAssertTrue(lowered.facts(0).shiftedAlong.contains(fromEnd: 1))
        XCTAssertFalse(lowered.facts(0).shiftedAlong.contains(fromEnd: 2))
        XCTAssertEqual(lowered.facts(0).interval.upper, 0)
        XCTAssertTrue(lowered.facts(1).holdsOneAlong.contains(fromEnd: 1))
        XCTAssertEqual(lowered.facts(1).interval, ValueInterval(0, 1))
        XCTAssertTrue(lowered.facts(2).signs.contains(.atLeastOne), "a sum of exp(x - max x) is at least 1")
        XCTAssertEqual(lowered.facts(2).interval.lower, 1)
        XCTAssertEqual(lowered.facts(3).value, 0)
        XCTAssertTrue(lowered.facts(4).signs.contains(.positive))
        XCTAssertFalse(lowered.facts(4).signs.contains(.atLeastOne), "exp(x) may underflow: no lower bound of 1")
        XCTAssertEqual(lowered.facts(4).interval.upper, .infinity)
    }

    func testAValueScaledByItsLargestMagnitudeIsSeen() throws {
        // Written as optimize prints unitscale: it reads back as one.
        let lowered = try lower(
            """
            (input x [m n])
            (let l (max (abs x) -1))
            (let u (/ x (where (eq l inf) 1 l)))
            (output scaled u)
            (output squared (* u u))
            (output total (sum (* u u) -1))
            (output plain (sum (* x x) -1))
            (output norm (sqrt (sum (* u u) -1)))
            """)
        XCTAssertTrue(lowered.facts(0).unitScaledAlong.contains(fromEnd: 1))
        XCTAssertEqual(lowered.facts(0).interval, ValueInterval(-1, 1))
        XCTAssertTrue(lowered.facts(1).holdsOneAlong.contains(fromEnd: 1))
        XCTAssertTrue(lowered.facts(1).signs.contains(.nonnegative))
        XCTAssertEqual(lowered.facts(1).interval, ValueInterval(0, 1))
        XCTAssertTrue(lowered.facts(2).signs.contains(.atLeastOne), "each row of u holds a 1 or -1")
        XCTAssertFalse(lowered.facts(3).signs.contains(.atLeastOne))
        XCTAssertEqual(lowered.facts(3).interval.upper, .infinity, "x * x overflows")
        XCTAssertGreaterThanOrEqual(lowered.facts(4).interval.lower, 1)
        XCTAssertEqual(
            try lowered.egraph.lookup(Term(parsing: "(unitscale x -1)", signature: TensorVocabulary.signature)),
            lowered.roots[0])
    }

    func testTheShiftByTheMaximumOverAllElementsIsSeen() throws {
        let lowered = try lower(
            """
            (input x [m n])
            (let s (- x (max x)))
            (output shifted s)
            (output e (exp s))
            (output total (sum (exp s)))
            (output zero (max s))
            (output rows (sum (exp s) -1))
            """)
        XCTAssertTrue(lowered.facts(0).isShiftedOverall)
        XCTAssertEqual(lowered.facts(0).shiftedAlong, AxisSet(), "shifted overall is not shifted along an axis")
        XCTAssertEqual(lowered.facts(0).interval.upper, 0)
        XCTAssertTrue(lowered.facts(1).holdsOneOverall)
        XCTAssertEqual(lowered.facts(1).interval, ValueInterval(0, 1))
        XCTAssertTrue(lowered.facts(2).signs.contains(.atLeastOne), "a sum of exp(x - max x) is at least 1")
        XCTAssertEqual(lowered.facts(3).value, 0)
        XCTAssertFalse(
            lowered.facts(4).signs.contains(.atLeastOne), "a row need not hold the overall maximum: no bound of 1")
    }

    func testSignFactsAreRealValued() throws {
        let lowered = try lower(
            """
            (input x [n])
            (output a (exp (- x 10000)))
            (output b (/ 1 (sum (exp x) -1)))
            (output c (* (neg (exp x)) (exp x)))
            (output d (sqrt (abs x)))
            (output e (log (+ 1 (exp x))))
            """)
        XCTAssertTrue(lowered.facts(0).signs.contains(.positive), "exp(x - 1e4) underflows in binary64, yet is > 0")
        XCTAssertTrue(lowered.facts(1).signs.contains([.positive, .nonzero]))
        XCTAssertTrue(lowered.facts(2).signs.contains(.negative))
        XCTAssertTrue(lowered.facts(3).signs.contains(.nonnegative))
        XCTAssertTrue(lowered.facts(4).signs.contains(.nonnegative), "log of something ≥ 1")
    }

    func testConstantAxesAndValues() throws {
        let lowered = try lower(
            """
            (input x [m n])
            (output a (sum x -1))
            (output b (fill x 2))
            (output c (+ x (sum x -1)))
            (output d (* (sum x 0) (sum x -1)))
            (output e (* 3 (+ 0.5 0.25)))
            (output f (/ 1 3))
            (output g (* 1e-300 1e-300 -1))
            (output h (* 1e-160 1e-160))
            (output i (* 0 1e-300))
            """)
        XCTAssertTrue(lowered.facts(0).isConstant(alongFromEnd: 1))
        XCTAssertFalse(lowered.facts(0).isConstant(alongFromEnd: 2))
        XCTAssertEqual(lowered.facts(1).value, 2)
        XCTAssertTrue(lowered.facts(1).isConstant(alongFromEnd: 2))
        XCTAssertFalse(lowered.facts(2).isConstant(alongFromEnd: 1))
        XCTAssertFalse(lowered.facts(3).isConstant(alongFromEnd: 1))
        XCTAssertEqual(lowered.facts(4).value, 2.25)
        XCTAssertEqual(lowered.egraph.lookup(.number(2.25)), lowered.roots[4], "scalar constants fold to literals")
        XCTAssertNil(lowered.facts(5).value, "1/3 is not exact in binary64, so it does not fold")
        // Products that underflow: their fused residual underflows too, and
        // looked exact; the truth of the first is -1e-600, not -0.
        XCTAssertNil(lowered.facts(6).value, "1e-300 * 1e-300 underflows, so it does not fold")
        XCTAssertNil(lowered.facts(7).value, "1e-320 is subnormal, rounded, so it does not fold")
        XCTAssertEqual(lowered.facts(8).value, 0, "a 0 operand makes the product exactly 0")
    }

    func testConditionsReadTheFacts() throws {
        let lowered = try lower("(input x [n])\n(output s (- x (max x -1)))\n(output e (exp x))")
        let conditions = lowered.analysis.conditions()
        func holds(_ name: String, _ arguments: [Binding]) -> Bool {
            conditions[name]!.holds(arguments, lowered.egraph)
        }
        XCTAssertTrue(holds("shifted", [.eclass(lowered.roots[0]), .literal(.integer(-1))]))
        XCTAssertFalse(holds("unshifted", [.eclass(lowered.roots[0]), .literal(.integer(-1))]))
        XCTAssertTrue(holds("pos", [.eclass(lowered.roots[1])]))
        XCTAssertFalse(holds("pos", [.eclass(lowered.roots[0])]))
        XCTAssertTrue(holds("nonzero", [.multiset([lowered.roots[1], lowered.roots[1]])]))
        XCTAssertFalse(holds("const-along", [.eclass(lowered.roots[1]), .literal(.integer(-1))]))
    }

    /// Operands of + and * come out in an order fixed by their text, not by
    /// class ids, so `(- (neg x) w)` reads back as `(- (neg w) x)`.
    func testRaisingReadsLikeAPersonWrote() throws {
        let text = """
            (input x [n])
            (input w [n])
            (output a (/ (exp x) (sum (exp x) -1)))
            (output b (- x (log (sum (exp x) -1))))
            (output c (neg (* w (/ 1 x))))
            (output d (- (neg x) w))
            (output e (sum x))
            """
        let program = try TensorProgram(parsing: text)
        let raised = try program.raising(program.loweredTerms())
        XCTAssertEqual(
            raised.program().description,
            """
            (input x [n])
            (input w [n])
            (let t1 (exp x))
            (let t2 (sum t1 0))
            (output a (/ t1 t2))
            (output b (- x (log t2)))
            (output c (neg (/ w x)))
            (output d (- (neg w) x))
            (output e (sum x))

            """)
    }

    func testRulePatternsLowerLikePrograms() throws {
        let analysis = TensorAnalysis(inputShapes: [:])
        let rules = try RuleSet(
            parsing: """
                div-self (/ ?a ?a) => (fill ?a 1) :if (nonzero ?a)
                sub-self (- ?a ?a) => (fill ?a 0)
                mean-axis (mean ?a ?k) => (mean ?a ?k)
                mean-all (meanall ?e:(exp ?x)) => ?e
                """,
            signature: TensorVocabulary.signature, conditions: analysis.conditions(), desugar: TensorVocabulary.lower)
        XCTAssertEqual(
            rules.rewrites.map(\.lhs.description),
            [
                "(* ?a (inv ?a))", "(+ ?a (* -1 ?a))", "(* (sum ?a ?k) (inv (sum (fill ?a 1) ?k)))",
                "(* (sumall ?e:(exp ?x)) (inv (sumall (fill ?e 1))))",
            ])
    }
}
