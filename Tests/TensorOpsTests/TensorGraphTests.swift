import EGraph
import TensorOps
import XCTest

/// The IR: shapes, sharing, printing with lets, and reverse mode's structure.
final class TensorGraphTests: XCTestCase {
    func testSharedSubtermsAreComputedOnceAndPrintedAsLets() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(output s (/ (exp x) (sum (exp x) -1)))")
        let exps = program.graph.nodes.filter { $0.kind == .apply(.unary(.exp)) }
        XCTAssertEqual(exps.count, 1)
        XCTAssertEqual(
            program.program().description, "(input x [n])\n(let t1 (exp x))\n(output s (/ t1 (sum t1 0)))\n")
    }

    func testLetNamesFromTheSourceAreKept() throws {
        let text = "(input x [n])\n(let e (exp x))\n(output s (/ e (sum e -1)))\n(output t e)"
        let printed = try TensorProgram(parsing: text).program().description
        XCTAssertEqual(printed, "(input x [n])\n(let e (exp x))\n(output s (/ e (sum e 0)))\n(output t e)\n")
    }

    func testVariadicOperatorsAreALeftFold() throws {
        let program = try TensorProgram(parsing: "(input a [])\n(input b [])\n(input c [])\n(output s (+ a b c))")
        let root = program.graph[program.outputs[0].node]
        XCTAssertEqual(root.kind, .apply(.add))
        XCTAssertEqual(program.graph[root.arguments[0]].kind, .apply(.add), "(+ (+ a b) c)")
        XCTAssertEqual(
            program.program().description, "(input a [])\n(input b [])\n(input c [])\n(output s (+ a b c))\n")
    }

    func testShapesBroadcastAndReduce() throws {
        let program = try TensorProgram(
            parsing: """
                (input X [m n])
                (input b [n])
                (output r (sum (+ X b) 0))
                (output c (max X))
                (output q (squeeze (sum X 0) 0))
                (output f (fill b 2))
                """)
        XCTAssertEqual(
            program.outputs.map { program.graph[$0.node].shape },
            [
                [.size(1), .named("n")], .scalar, [.named("n")], [.named("n")],
            ])
    }

    func testGradientOfASumIsAFilledOne() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(output g (grad (sum x) x))")
        XCTAssertEqual(program.program().description, "(input x [n])\n(output g (fill x 1))\n")
    }

    func testGradientOfAnUnrelatedFunctionIsAZeroOfTheInputsShape() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(input y [m])\n(output g (grad (sum (exp y)) x))")
        XCTAssertEqual(program.program().outputNameLines.last, "(output g (fill x 0))")
    }

    func testGradientOfABroadcastInputIsSummedBack() throws {
        let program = try TensorProgram(parsing: "(input X [m n])\n(input b [n])\n(output g (grad (sum (* X b)) b))")
        let gradient = program.graph[program.outputs[0].node]
        XCTAssertEqual(gradient.shape, [.named("n")])
        XCTAssertEqual(gradient.kind, .apply(.squeeze), "summed over the broadcast axis, then squeezed")
    }

    func testGradientOfMaxRoutesThroughAnEqualityMask() throws {
        let text = "(input x [n])\n(output g (grad (sum (max x -1)) x))"
        let printed = try TensorProgram(parsing: text).program().description
        XCTAssertTrue(printed.contains("(let t1 (max x 0))") && printed.contains("(eq t1 x)"), printed)
    }

    func testSecondOrderGradientsExpand() throws {
        let text = "(input x [n])\n(output h (grad (sum (grad (sum (* (exp x) (exp x))) x)) x))"
        let program = try TensorProgram(parsing: text)
        XCTAssertEqual(program.graph[program.outputs[0].node].shape, [.named("n")])
        XCTAssertFalse(program.program().description.contains("grad"))
    }

    func testGradientThroughAMiddleSqueezeIsALocatedError() {
        XCTAssertThrowsError(
            try TensorProgram(parsing: "(input X [m 1 n])\n(output g (grad (sum (squeeze X 1)) X))", file: "q.eqs")
        ) { error in
            XCTAssertTrue(
                "\(error)".contains("q.eqs:2:11: (grad (sum (squeeze X 1)) X): the gradient of squeezing axis 1"))
        }
    }
}

extension Program {
    fileprivate var outputNameLines: [String] { description.split(separator: "\n").map(String.init) }
}
