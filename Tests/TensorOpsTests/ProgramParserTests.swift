import EGraph
import TensorOps
import XCTest

/// Reading programs: every form of the language, and every problem located.
final class ProgramParserTests: XCTestCase {
    func testEveryFormReadsAndPrintsBack() throws {
        let text = """
            (input x [n])
            (input X [b 3])
            (input t [])
            (let s (/ (exp x) (sum (exp x) -1)))
            (let e (where (gt x 0) (log1p x) (expm1 x)))
            (output y s)
            (output z (+ (pow t 2) (maximum t -inf) (minimum t inf) nan 1e-18 -2.5e+300))
            (output m (squeeze (max X 1) 1))
            (output f (fill X 0))
            (output g (grad (sum (* s e)) x))
            """
        let program = try ProgramParser().parse(text, file: "forms.eqs")
        XCTAssertEqual(program.inputs.map(\.name), ["x", "X", "t"])
        XCTAssertEqual(program.inputs.map(\.shape), [[.named("n")], [.named("b"), .size(3)], .scalar])
        XCTAssertEqual(program.outputNames, ["y", "z", "m", "f", "g"])
        let printed = program.description
        XCTAssertEqual(try ProgramParser().parse(printed), program, printed)
        XCTAssertTrue(printed.contains("(output z (+ (pow t 2) (maximum t -inf) (minimum t inf) nan 1e-18 -2.5e+300))"))
    }

    func testProblemsAreCollectedWithTheirPlaces() {
        let text = """
            (input x [n])
            (input x [m])
            (output a (frob x))
            (output b (+ x y))
            (output c (exp x x))
            (output d (grad (sum x) d))
            (output e (sum x k))
            (input 2x [n])
            (output a x)
            """
        assertProgramDiagnostics(
            [
                "p.eqs:2:8: 'x' is already declared",
                "p.eqs:3:12: unknown operator 'frob'",
                "p.eqs:4:16: unknown name 'y'",
                "p.eqs:5:11: 'exp' takes 1 operand(s), found 2",
                "p.eqs:6:25: grad differentiates with respect to an input: 'd' is not an input",
                "p.eqs:7:18: the axis of 'sum' is an integer, found 'k'",
                "p.eqs:8:8: '2x' is not a valid name for an input",
                "p.eqs:9:9: output 'a' is declared twice",
            ], text)
    }

    /// A decimal too large for binary64 would read as an infinity nobody
    /// wrote: it is an error that says how to write one.
    func testOverflowingNumbersAreErrorsAndInfinitiesAreSpelledOut() throws {
        assertProgramDiagnostics(
            [
                "p.eqs:2:16: '1e999' overflows binary64 (the largest finite magnitude is about 1.8e308); "
                    + "write inf if an infinity is meant",
                "p.eqs:3:22: '-1e400' overflows binary64 (the largest finite magnitude is about 1.8e308); "
                    + "write -inf if an infinity is meant",
                "p.eqs:4:16: '" + String(repeating: "9", count: 400) + "' overflows binary64",
            ],
            "(input x [n])\n(output a (+ x 1e999))\n(output b (maximum x -1e400))\n(output c (+ x "
                + String(repeating: "9", count: 400) + "))")
        let program = try ProgramParser().parse(
            "(input x [n])\n(output a (+ x inf -inf nan 1.7976931348623157e308 1e-999))")
        XCTAssertEqual(
            program.description, "(input x [n])\n(output a (+ x inf -inf nan 1.7976931348623157e+308 0))\n")
    }

    /// `(max x y)` means the elementwise maximum to whoever writes it; the
    /// error says a reduction takes an integer axis and names `maximum`.
    func testAReductionGivenATensorForItsAxisHintsAtTheElementwiseOperator() {
        assertProgramDiagnostics(
            [
                "p.eqs:3:18: the axis of 'max' is an integer, found 'y': 'max' reduces along an integer axis, or over "
                    + "every element without one; the elementwise maximum of two tensors is (maximum a b)",
                "p.eqs:4:11: 'sum' takes 1 operand(s) (and an optional axis), found 3: 'sum' reduces along an integer "
                    + "axis, or over every element without one; the elementwise sum of two tensors is (+ a b)",
                "p.eqs:5:19: the axis of 'mean' is an integer, found '0.5': 'mean' averages along an integer axis",
                "p.eqs:6:22: the axis of 'squeeze' is an integer, found 'y'",
            ],
            "(input x [n])\n(input y [n])\n(output a (max x y))\n(output b (sum x y 0))\n(output c (mean x 0.5))\n"
                + "(output d (squeeze x y))")
    }

    func testShapeProblemsNameTheExpression() {
        assertProgramDiagnostics(
            [
                "s.eqs:3:11: (+ x y): shapes [n] and [m] do not broadcast",
                "s.eqs:4:11: (sum x 1): axis 1 is out of range for shape [n]",
                "s.eqs:5:11: (squeeze x 0): cannot squeeze axis 0 of shape [n]: its size is n, not 1",
            ],
            "(input x [n])\n(input y [m])\n(output a (+ x y))\n(output b (sum x 1))\n(output c (squeeze x 0))",
            file: "s.eqs")
    }

    func testGradWithRespectToALetIsRejected() {
        assertProgramDiagnostics(
            ["'s' is a let, not an input"], "(input x [n])\n(let s (exp x))\n(output g (grad (sum s) s))")
    }

    func testAProgramNeedsAnOutput() {
        assertProgramDiagnostics(["a program needs at least one (output name expr)"], "(input x [n])")
    }

    private func assertProgramDiagnostics(
        _ expected: [String], _ text: String, file: String = "p.eqs", sourceFile: StaticString = #filePath,
        line: UInt = #line
    ) {
        do {
            _ = try TensorProgram(parsing: text, file: file)
            XCTFail("expected diagnostics", file: sourceFile, line: line)
        } catch {
            for fragment in expected where !error.diagnostics.contains(where: { $0.description.contains(fragment) }) {
                XCTFail("no diagnostic contains '\(fragment)' in:\n\(error)", file: sourceFile, line: line)
            }
        }
    }
}
