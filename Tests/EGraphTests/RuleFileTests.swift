import EGraph
import Foundation
import Workloads
import XCTest

/// The rule-file syntax: rules, groups, declarations, and located errors.
final class RuleFileTests: XCTestCase {
    private let conditions = ConstantFolding().mathConditions()

    func testRulesGroupsAndDeclarationsAreRead() throws {
        let text = """
            ; arithmetic
            (ac + *)
            (unit + 0)
            add-zero   (+ 0 ?r...)   => (+ ?r...)
            [commuting]
            comm-pow   (pow ?a ?b)   <=> (pow ?b ?a)   ; not true, only read
            cancel-div (/ ?a ?a)     => 1              :if (not_zero ?a)
            """
        let rules = try RuleSet(parsing: text, file: "arith.rules", conditions: conditions)
        XCTAssertEqual(rules.rewrites.map(\.name), ["add-zero", "comm-pow", "comm-pow-rev", "cancel-div"])
        XCTAssertEqual(rules.entries.map(\.group), ["default", "commuting", "commuting", "commuting"])
        XCTAssertEqual(rules.groupNames, ["default", "commuting"])
        XCTAssertEqual(rules.entries[3].location, SourceLocation(file: "arith.rules", line: 7, column: 1))
        XCTAssertEqual(rules.entries[3].rewrite.conditions.map(\.description), ["(not_zero ?a)"])
        XCTAssertTrue(rules.signature.isAC("+") && rules.signature.isAC("*"))
        XCTAssertEqual(rules.signature.unit(of: "+"), .number(0))
        XCTAssertEqual(rules.rewrites[2].lhs.description, "(pow ?b ?a)")
    }

    func testDeclarationsApplyAcrossFiles() throws {
        let rules = try RuleSet(
            [
                RuleSource(name: "uses.rules", text: "split (* ?a ?r...) => (f ?a (* ?r...))"),
                RuleSource(name: "declares.rules", text: "(ac *)\n(unit * 1)"),
            ], conditions: conditions)
        XCTAssertEqual(rules.rewrites.count, 1)
    }

    /// A group switched off leaves its rules' names free, so a file can
    /// replace it with an edited copy under a header of its own; both
    /// copies switched on still clash.
    func testADisabledGroupCanBeReplacedByACopyOfItsRules() throws {
        let defaults = RuleSource(name: "defaults.rules", text: "[fold]\nfold-f (f ?a) => ?a\n")
        let copy = "[my-fold]\nfold-f (f ?a) => (g ?a)\n"
        let replaced = try RuleSet(
            [defaults, RuleSource(name: "mine.rules", text: "(disable fold)\n" + copy)], conditions: conditions)
        XCTAssertEqual(replaced.entries.map(\.group), ["my-fold"])
        XCTAssertEqual(replaced.rewrites.first?.rhs.description, "(g ?a)")
        XCTAssertThrowsError(
            try RuleSet([defaults, RuleSource(name: "mine.rules", text: copy)], conditions: conditions)
        ) { error in
            XCTAssertTrue("\(error)".contains("mine.rules:2:1: duplicate rule name 'fold-f'"), "\(error)")
        }
    }

    func testEveryProblemIsReportedWithItsLocation() {
        let text = """
            (ac + *)
            add-zero   (+ 0 ?r...)     => (+ ?r...)
            unbound    (f ?a)          => (g ?b)
            unknown    (/ ?a ?a)       => 1           :if (nonzero ?a)
            add-zero   (+ ?a 0)        => ?a
            not-ac     (f ?r...)       => ?r
            arity      (/ ?a ?a)       => 1           :if (not_zero ?a ?a)
            missing    (f ?a)
            arrow      (f ?a) -> ?a
            (unit - 0)
            [bad header!]
            9lives     (f ?a) => ?a
            (ac 3)
            """
        assertDiagnostics([
            "bad.rules:3:1: rule unbound: ?b on the right is not bound on the left",
            "bad.rules:4:48: unknown condition 'nonzero' (known: const_or_distinct, is_const, is_sym, not_zero)",
            "bad.rules:5:1: duplicate rule name 'add-zero' (first defined at bad.rules:2:1)",
            "bad.rules:6:15: rest variable '?r...' needs an AC operator; 'f' is not declared AC",
            "bad.rules:7:47: condition 'not_zero' takes 1 argument(s), found 2",
            "bad.rules:8:1: rule 'missing' is incomplete",
            "bad.rules:9:19: expected '=>' or '<=>'",
            "bad.rules:10:7: '-' has a unit but is not declared (ac ...)",
            "bad.rules:11:6: a group header is [name]",
            "bad.rules:12:1: rule name '9lives' must start with a letter",
            "bad.rules:13:5: (ac ...) takes operator names, found '3'",
        ]) {
            _ = try RuleSet(parsing: text, file: "bad.rules", conditions: conditions)
        }
        let diagnostics = assertDiagnostics([]) {
            _ = try RuleSet(parsing: text, file: "bad.rules", conditions: conditions)
        }
        let lines = diagnostics.compactMap { $0.location?.line }
        XCTAssertEqual(lines, lines.sorted(), "problems are reported in the order of the file")
    }

    func testUnbalancedLinesAreLocatedAndTheRestStillChecked() {
        let diagnostics = assertDiagnostics([
            "r.rules:1:10: '(' is never closed", "r.rules:2:1: rule unbound: ?z on the right",
        ]) {
            _ = try RuleSet(parsing: "broken   (f (g ?a) => ?a\nunbound (f ?a) => ?z", file: "r.rules")
        }
        XCTAssertEqual(diagnostics.count, 2)
    }

    func testAnUnreadableFileIsADiagnosticNotACrash() {
        assertDiagnostics(["cannot read rule file"]) {
            _ = try RuleSource(contentsOf: URL(fileURLWithPath: "/nonexistent/rules/x.rules"))
        }
    }

    /// A language explains its attributes once, in the signature; every
    /// error about an attribute of that operator carries the note.
    func testAnAttributeNoteExplainsEveryAttributeMistake() {
        var signature = Signature()
        signature.declareAttributes(1, of: "red", note: "red takes an integer axis")
        let text = """
            sides  (red ?a ?b)         => (f ?b)
            within (g (red ?a ?b) ?b)  => ?a
            word   (red ?a k)          => ?a
            list   (red ?a (f ?b))     => ?a
            plain  (f ?a ?b)           => (f ?b ?a)
            """
        let diagnostics = assertDiagnostics([
            "n.rules:1:1: rule sides: ?b is bound as literal on the left but used as eclass on the right: red takes",
            "n.rules:2:23: variable '?b' is used as literal and as eclass: red takes an integer axis",
            "n.rules:3:16: an attribute must be an integer, found 'k': red takes an integer axis",
            "n.rules:4:16: an attribute must be an integer or a variable, found '(f ?b)': red takes an integer axis",
        ]) {
            _ = try RuleSet(parsing: text, file: "n.rules", signature: signature, conditions: conditions)
        }
        XCTAssertEqual(diagnostics.count, 4, "\(diagnostics)")
        XCTAssertEqual(signature.merging(Signature()).attributeNote(of: "red"), "red takes an integer axis")
    }

    /// A number past binary64's range is an error wherever a rule file
    /// writes one; `inf` spelled out, and a tiny number (which rounds to 0),
    /// read.
    func testOverflowingNumbersAreLocatedErrors() throws {
        let text = """
            (ac +)
            (unit + 1e999)
            big      (+ ?a 1e999)   => ?a
            negative (f ?a)         => (g ?a -1e400)
            cond     (f ?a)         => ?a            :if (not_zero 2e308)
            """
        assertDiagnostics([
            "o.rules:2:9: '1e999' overflows binary64 (the largest finite magnitude is about 1.8e308); write inf if an infinity is meant",
            "o.rules:3:16: '1e999' overflows binary64",
            "o.rules:4:34: '-1e400' overflows binary64 (the largest finite magnitude is about 1.8e308); write -inf",
            "o.rules:5:56: '2e308' overflows binary64",
        ]) {
            _ = try RuleSet(parsing: text, file: "o.rules", conditions: conditions)
        }
        let fine = try RuleSet(
            parsing: "spelled (+ ?a inf) => (+ ?a -inf 1e308 1e-999 nan)", conditions: conditions)
        XCTAssertEqual(fine.rewrites[0].rhs.description, "(+ ?a -inf 1e+308 0 nan)")
    }

    /// The worked example of docs/rules.md, read from the page itself, so
    /// the guide cannot drift from what the loader accepts.
    func testTheWorkedExampleOfTheGuideRuns() throws {
        let guide = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/rules.md")
        let page = try String(contentsOf: guide, encoding: .utf8)
        let block = try XCTUnwrap(
            page.components(separatedBy: "```rules\n").dropFirst().first?.components(separatedBy: "```").first)
        let folding = ConstantFolding()
        let rules = try RuleSet(parsing: block, file: "docs/rules.md", conditions: folding.mathConditions())
        XCTAssertEqual(rules.groupNames, ["cancellation", "units"])
        let egraph = checkedEGraph(rules.signature)
        egraph.register(folding)
        let start = try egraph.add("(+ (* x (inv x) y) (* -1 y) z)")
        let z = try egraph.add("z")
        var runner = Runner()
        runner.hooks = [GoalHook { $0.areEquivalent(start, z) }]
        let report = runner.run(rules.rewrites, on: egraph)
        XCTAssertEqual(report.stopReason, .goalReached)
        XCTAssertTrue(egraph.areEquivalent(start, z))
    }
}

/// Phases and switching groups off.
final class RuleGroupTests: XCTestCase {
    private let defaults = RuleSource(
        name: "defaults.rules",
        text:
            "[units]\nadd-zero (+ ?a 0) => ?a\n[factoring :phase 2]\nfactor (+ (* ?a ?b) (* ?a ?c)) => (* ?a (+ ?b ?c))"
    )

    func testGroupHeadersAssignPhases() throws {
        let rules = try RuleSet([defaults])
        XCTAssertEqual(rules.entries.map(\.phase), [1, 2])
        XCTAssertEqual(rules.phases, [1, 2])
    }

    func testAUserFileSwitchesDefaultGroupsOff() throws {
        let user = RuleSource(name: "mine.rules", text: "(disable factoring)\n[mine]\nmul-one (* ?a 1) => ?a")
        let rules = try RuleSet([defaults, user])
        XCTAssertEqual(rules.rewrites.map(\.name), ["add-zero", "mul-one"])
    }

    func testUnknownGroupsAndBadHeadersAreLocated() {
        let user = RuleSource(name: "mine.rules", text: "(disable factorng)\n[x :phase 0]")
        assertDiagnostics(["mine.rules:1:10: unknown group 'factorng'", "mine.rules:2:4: a group header is [name]"]) {
            _ = try RuleSet([defaults, user])
        }
    }
}
