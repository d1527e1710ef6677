import EGraph
import Foundation
import Optimizer
import TensorOps
import XCTest

/// Loading the default rules with a user's files: additions, switching groups
/// off, and every problem located.
final class RuleLoadingTests: XCTestCase {
    private let conditions = TensorAnalysis(inputShapes: [:]).conditions()

    private func options(_ text: String) -> OptimizeOptions {
        var options = OptimizeOptions()
        options.ruleFiles = [RuleSource(name: "mine.rules", text: text)]
        return options
    }

    /// Loads `text` as `mine.rules` beside the defaults and checks that it
    /// fails with a message containing each of `fragments`.
    private func assertLoadErrors(_ text: String, _ fragments: [String], line: UInt = #line) {
        do {
            _ = try loadRules(options(text), conditions: conditions)
            XCTFail("expected load errors", line: line)
        } catch {
            let messages = error.diagnostics.map(\.description)
            for fragment in fragments {
                XCTAssertTrue(messages.contains { $0.contains(fragment) }, "no '\(fragment)' in\n\(error)", line: line)
            }
        }
    }

    /// A rule author learns the predicates from docs/rules.md: every one the
    /// tensor language registers has its row there.
    func testEveryTensorConditionIsDocumented() throws {
        let page = try String(
            contentsOf: CorpusTests.repository.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        for name in conditions.names {
            XCTAssertTrue(page.contains("| `(\(name) "), "docs/rules.md does not document the condition \(name)")
        }
        XCTAssertGreaterThan(conditions.names.count, 10)
    }

    func testTheDefaultsLoadInGroupsByTheme() throws {
        let rules = try loadRules(OptimizeOptions(), conditions: conditions)
        XCTAssertTrue(rules.groupNames.contains("max-shift"))
        XCTAssertEqual(
            rules.entries.filter { $0.group == "max-shift" }.map(\.rewrite.name),
            ["max-shift", "max-shift-all", "softmax-shift"])
        XCTAssertTrue(rules.signature.isAC(TensorVocabulary.add) && rules.signature.isAC(TensorVocabulary.multiply))
    }

    func testAUserFileAddsRulesAndSwitchesDefaultGroupsOff() throws {
        let rules = try loadRules(
            options("(disable special)\n[mine]\ntanh-def (tanh ?x) => (- (* 2 (sigmoid (* 2 ?x))) 1)"),
            conditions: conditions)
        XCTAssertFalse(rules.groupNames.contains("special"))
        XCTAssertEqual(rules.entries.last?.rewrite.name, "tanh-def")
    }

    func testUnknownOperatorsWrongAritiesAndTheRestAreLocated() {
        let text = """
            frob-rule   (frob ?a)          => ?a
            arity-rule  (exp ?a ?b)        => ?a
            unbound     (exp ?a)           => ?b
            unknown     (log ?a)           => ?a     :if (positive ?a)
            add-zero    (+ ?a 0)           => ?a
            (disable nonexistent)
            """
        assertLoadErrors(
            text,
            [
                "mine.rules:1:1: rule frob-rule: unknown operator 'frob'",
                "mine.rules:2:1: rule arity-rule: 'exp' takes 1 operand(s), found 2",
                "mine.rules:3:1: rule unbound: ?b on the right is not bound on the left",
                "mine.rules:4:47: unknown condition 'positive'",
                "mine.rules:5:1: duplicate rule name 'add-zero' (first defined at",
                "mine.rules:6:10: unknown group 'nonexistent'",
            ])
    }

    /// A reduction takes an integer axis, so `(max ?a ?b)` reads `?b` as one:
    /// every error that mistake (or a non-integer axis) leads to says so and
    /// names the elementwise operator, and `sum` and `mean` say the same.
    func testAReductionGivenAnOperandForItsAxisHintsAtTheElementwiseOperator() {
        let text = """
            swap     (max ?a ?b)          => (maximum ?b ?a)
            inside   (* (max ?a ?b) ?b)   => ?a
            named    (sum ?a x)           => ?a
            fraction (mean ?a 1.5)        => ?a
            three    (max ?a ?b ?c)       => ?a
            applied  (sum ?a (exp ?b))    => ?a
            """
        let maximum =
            "'max' reduces along an integer axis (or a variable such as ?k standing for one), and (maxall ?a) over "
            + "every element; the elementwise maximum of two tensors is (maximum ?a ?b)"
        let sum = "'sum' reduces along an integer axis"
        let mean = "'mean' averages along an integer axis (or a variable such as ?k standing for one), and (meanall ?a)"
        assertLoadErrors(
            text,
            [
                "mine.rules:1:1: rule swap: ?b is bound as literal on the left but used as eclass on the right: "
                    + maximum,
                "mine.rules:2:25: variable '?b' is used as literal and as eclass: " + maximum,
                "mine.rules:3:18: an attribute must be an integer, found 'x': " + sum,
                "mine.rules:4:19: an attribute must be an integer, found '1.5': " + mean,
                "mine.rules:5:1: rule three: 'max' takes 1 operand(s), found 2: " + maximum,
                "mine.rules:6:18: an attribute must be an integer or a variable, found '(exp ?b)': " + sum,
            ])
    }
}
