import XCTest

@testable import EGraph

/// Reading patterns and terms, and the checks rewrites make on construction.
final class PatternTests: XCTestCase {
    func testPatternsPrintAsTheyRead() throws {
        let signature = arithmeticSignature()
        for text in ["(+ ?a (* 2 ?b) ?r...)", "?x", "(f (g ?x) 1.5 -inf)", "(inv (exp ?a))"] {
            XCTAssertEqual(try Pattern(parsing: text, signature: signature).description, text)
        }
    }

    func testVariablesAreListedOnceInOrderWithTheirKind() throws {
        let pattern = try Pattern(parsing: "(* ?a (inv ?a) ?rest...)", signature: arithmeticSignature())
        XCTAssertEqual(pattern.variables.map(\.variable.name), ["?a", "?rest"])
        XCTAssertEqual(pattern.variables.map(\.kind), [.eclass, .multiset])
    }

    func testAttributesAreTrailingLiteralsOrVariables() throws {
        var signature = Signature()
        signature.declareAttributes(1, of: "sum")
        let pattern = try Pattern(parsing: "(sum (exp ?x) ?k)", signature: signature)
        guard case .node(_, let payload, let children, _) = pattern else { return XCTFail("not a node") }
        XCTAssertEqual(payload, .variable(PatternVariable("?k")))
        XCTAssertEqual(children.count, 1)
        let term = try Term(parsing: "(sum (exp x) -1)", signature: signature)
        XCTAssertEqual(term.nodes.last?.payload, .integer(-1))
        XCTAssertEqual(term.description, "(sum (exp x) -1)")
    }

    func testBadPatternsReportEveryProblemWithItsPlace() {
        let diagnostics = assertDiagnostics([
            "<pattern>:1:4: rest variable '?r...' needs an AC operator",
            "<pattern>:1:11: expected an operator name, found '1'",
            "<pattern>:1:19: '?9' is not a valid variable name",
        ]) {
            _ = try Pattern(parsing: "(f ?r... (1 x) (g ?9))", signature: Signature())
        }
        XCTAssertEqual(diagnostics.count, 3)
    }

    func testUnbalancedParenthesesAreLocated() {
        assertDiagnostics(["<pattern>:1:1: '(' is never closed"]) { _ = try Pattern(parsing: "(f (g x)") }
        assertDiagnostics(["<pattern>:1:6: unexpected ')'"]) { _ = try Pattern(parsing: "(f x))") }
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(f ", count: 5_000) + "x" + String(repeating: ")", count: 5_000)
        assertDiagnostics(["nesting deeper than 1000 levels"]) { _ = try Pattern(parsing: deep) }
    }

    func testTermsRejectVariables() {
        assertDiagnostics(["a term cannot hold the variable '?x'"]) { _ = try Term(parsing: "(f ?x)") }
    }

    func testRightSideVariablesMustBeBoundOnTheLeft() {
        assertDiagnostics(["rule bad: ?b on the right is not bound on the left"]) {
            _ = try Rewrite("bad", "(f ?a)", "(g ?a ?b)", signature: Signature())
        }
    }

    func testAVariableKeepsItsKindAcrossSides() {
        assertDiagnostics(["?r is bound as multiset on the left but used as eclass on the right"]) {
            _ = try Rewrite("kinds", "(+ ?a ?r...)", "(f ?r)", signature: arithmeticSignature())
        }
    }

    func testConditionVariablesMustBeBound() {
        let condition = ConditionDefinition("any", arity: 1) { _, _ in true }
        assertDiagnostics(["?z in (any ?z) is not bound on the left"]) {
            _ = try Rewrite(
                "conditioned", "(f ?a)", "?a", conditions: [Condition(condition, [.variable(PatternVariable("?z"))])],
                signature: Signature())
        }
    }

    func testNumbersAreReadExactly() {
        XCTAssertEqual(Literal.parseNumber("1e-18"), 1e-18)
        XCTAssertEqual(Literal.parseNumber("-2.5e+300"), -2.5e300)
        XCTAssertEqual(Literal.parseNumber("-inf"), -.infinity)
        XCTAssertTrue(Literal.parseNumber("nan")?.isNaN ?? false)
        XCTAssertNil(Literal.parseNumber("infinity"))
        XCTAssertNil(Literal.parseNumber("0x10"))
        XCTAssertNil(Literal.parseNumber("e5"))
        for value in [0.1, 1e-18, -2.5e300, 123456789.125, 3, -0.0] {
            XCTAssertEqual(Literal.parseNumber(Literal.format(value))?.bitPattern, value.bitPattern, "\(value)")
        }
    }
}
