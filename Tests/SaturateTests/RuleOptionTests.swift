import EGraph
import Foundation
import Optimizer
import TensorOps
import XCTest

/// Rules on the command line: `saturate rules` prints the rules the command
/// carries, in a form that loads back; `--rules` files are checked before
/// they run, an unsound rule refused with its counterexample.
final class RuleOptionTests: XCTestCase {
    private typealias Saturate = SaturateProcess

    private static let logsumexp = "examples/logsumexp.eqs"
    private static let rulesDirectory = Saturate.packageRoot.appendingPathComponent("rules")

    // MARK: saturate rules

    func testRulesPrintsEveryDefaultFileUnderItsName() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.rulesDirectory.path)
            .filter { $0.hasSuffix(".rules") }.sorted()
        XCTAssertGreaterThan(names.count, 3)
        let expected = try names.map { name in
            "; ---- rules/\(name) ----\n"
                + (try String(contentsOf: Self.rulesDirectory.appendingPathComponent(name), encoding: .utf8))
        }
        let run = try Saturate.run(["rules"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, expected.joined(separator: "\n"), "the built command carries rules/ as it is")
    }

    func testRulesListHasEveryGroupWithItsCount() throws {
        let rules = try loadRules(OptimizeOptions(), conditions: TensorAnalysis(inputShapes: [:]).conditions())
        let run = try Saturate.run(["rules", "--list"])
        XCTAssertEqual(run.status, 0, run.summary)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        XCTAssertEqual(rows.map { String($0[0]) }, rules.groupNames)
        for row in rows {
            let count = rules.entries.filter { $0.group == row[0] }.count
            XCTAssertEqual(Int(row[1]), count, "\(row)")
            XCTAssertTrue(row[3].hasPrefix("rules/") && row[3].hasSuffix(".rules"), "\(row)")
        }
    }

    /// A group printed by `saturate rules GROUP`, loaded in place of the
    /// default one, and every rule printed, loaded in place of the defaults,
    /// optimize as the defaults do: what is printed is what runs.
    func testPrintedRulesLoadBackInPlaceOfTheDefaults() throws {
        try Saturate.withTemporaryDirectory { directory in
            let group = try Saturate.run(["rules", "max-shift"])
            XCTAssertEqual(group.status, 0, group.summary)
            XCTAssertTrue(group.stdout.hasPrefix("; ---- rules/softmax.rules ----\n[max-shift]\n"), group.stdout)
            XCTAssertFalse(group.stdout.contains("[lifting]"), "only the group asked for")
            // The copy goes under a header of its own, the default group
            // switched off: the names the copy keeps are then free.
            let copied = directory.appendingPathComponent("max-shift.rules")
            let copy = group.stdout.replacingOccurrences(of: "[max-shift]", with: "[my-max-shift]")
            try Data(("(disable max-shift)\n" + copy).utf8).write(to: copied)
            let all = directory.appendingPathComponent("all.rules")
            try Data(try Saturate.run(["rules"]).stdout.utf8).write(to: all)
            let runs = try Saturate.runAll(
                [
                    ["optimize", Self.logsumexp],
                    ["optimize", Self.logsumexp, "--rules", copied.path],
                    ["optimize", Self.logsumexp, "--no-default-rules", "--rules", all.path, "--unchecked-rules"],
                ], timeout: 120)
            for run in runs { XCTAssertEqual(run.status, 0, run.summary) }
            XCTAssertTrue(runs[0].stdout.contains("(max X 1)"), "the default max shift: \(runs[0].stdout)")
            XCTAssertEqual(runs[1].stdout, runs[0].stdout)
            XCTAssertEqual(runs[2].stdout, runs[0].stdout)
        }
    }

    // MARK: --rules is checked

    func testAnUnsoundRuleIsRefusedWithItsCounterexample() throws {
        let wrong = "examples/guide/wrong.rules"
        let runs = try Saturate.runAll([
            ["optimize", Self.logsumexp, "--rules", wrong],
            ["explain", Self.logsumexp, "--rules", wrong],
            ["optimize", Self.logsumexp, "--rules", wrong, "--unchecked-rules"],
            ["explain", Self.logsumexp, "--rules", wrong, "--unchecked-rules"],
        ])
        for run in runs.prefix(2) {
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.stdout, "", run.summary)
            let lines = run.stderr.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.hasPrefix("\(wrong):4:1: rule lse-shift: unsound: ") == true, run.stderr)
            // The failing point: the bound values, and both sides' values.
            for part in ["    point: ?k = ", "           ?x = ", "    left:  ", "    right: "] {
                XCTAssertTrue(lines.contains { $0.hasPrefix(part) }, "no '\(part)' in\n\(run.stderr)")
            }
            XCTAssertTrue(run.stderr.contains("--unchecked-rules"), "the way around is named")
        }
        for run in runs.suffix(2) {
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertFalse(run.stdout.isEmpty)
        }
    }

    func testOnlyTheUsersRulesAreCheckedAndNeverMatchedOnesRun() throws {
        try Saturate.withTemporaryDirectory { directory in
            // Its conditions hold nowhere the sampler draws, so it is never
            // matched: a warning, not a refusal.
            let rules = directory.appendingPathComponent("rare.rules")
            try Data("[rare]\nrare-log  (log (exp ?a))  => ?a  :if (value ?a 7) (value ?a 8)\n".utf8).write(to: rules)
            let run = try Saturate.run(["optimize", Self.logsumexp, "--rules", rules.path])
            XCTAssertEqual(run.status, 0, run.summary)
            let warnings = run.stderr.split(separator: "\n")
            XCTAssertEqual(
                warnings.count, 1, "one warning, for the user's one rule, none for the defaults\n\(run.stderr)")
            XCTAssertTrue(
                warnings.first?.hasPrefix("\(rules.path):2:1: rule rare-log: warning: never matched") == true,
                run.stderr)
        }
    }

    func testDisablingAnUnknownGroupListsTheGroups() throws {
        let groups = try loadRules(OptimizeOptions(), conditions: TensorAnalysis(inputShapes: [:]).conditions())
            .groupNames
        let run = try Saturate.run(
            ["optimize", Self.logsumexp, "--rules", "-"], stdin: Data("(disable max-shfit)\n".utf8))
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(
            run.stderr, "<stdin>:1:10: unknown group 'max-shfit' (known: \(groups.joined(separator: ", ")))\n")
    }
}
