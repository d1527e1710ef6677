import EGraph
import Foundation
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
        runner.goal = { $0.areEquivalent(start, z) }
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
