import EGraph
import Foundation
import Optimizer
import RuleChecking
import XCTest

/// The rule checker (`saturate check-rules`): every default rule sampled for
/// soundness, and deliberately wrong rules caught.
final class RuleCheckerTests: XCTestCase {
    /// Default rules the check shows wrong, each with the reason; they are
    /// the rule files' owners' to fix, and are listed here so the rest of the
    /// suite stays meaningful meanwhile. Once a rule passes, the test says so:
    /// remove it from the list.
    /// Default rules known to fail the check, with why; none today. A rule
    /// listed here must still fail, so the list cannot go stale.
    static let knownFailures: [String: String] = [:]

    /// Fewer points than the command's default keep the test to a fraction
    /// of a second in a debug build.
    static var options: RuleCheckOptions {
        var options = RuleCheckOptions()
        options.points = 8
        return options
    }

    /// Loads `text` as a rule file on disk, as `saturate check-rules FILE`
    /// does, and checks its rules.
    func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [RuleCheckResult] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rule-checker-\(UUID().uuidString).rules")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let rules = try RuleChecker.loadRules(files: [RuleSource(contentsOf: url)])
        let results = RuleChecker(options: RuleCheckerTests.options).check(rules)
        for result in results {
            XCTAssertEqual(result.location?.file, url.path, file: file, line: line)
        }
        return results
    }

    func failure(_ result: RuleCheckResult, file: StaticString = #filePath, line: UInt = #line) -> RuleCheckFailure? {
        guard case .failed(let failure) = result.outcome else {
            XCTFail("\(result.name) was not caught: \(result.report())", file: file, line: line)
            return nil
        }
        return failure
    }

    /// A file checked here loads as `optimize --rules` loads it: a rule
    /// named like a default rule is an error in both places, not only later.
    func testAFileThatClashesWithTheDefaultsFailsToLoad() {
        let clash = RuleSource(name: "clash.rules", text: "[mine]\nmax-shift (exp (log ?a)) => ?a :if (pos ?a)\n")
        XCTAssertThrowsError(try RuleChecker.loadRules(files: [clash])) { error in
            XCTAssertTrue("\(error)".contains("clash.rules:2:1: duplicate rule name 'max-shift'"), "\(error)")
        }
    }

    func testEveryDefaultRuleIsSoundWhereverItMatches() throws {
        let rules = try RuleChecker.loadRules()
        let results = RuleChecker(options: RuleCheckerTests.options).check(rules)
        XCTAssertEqual(results.map(\.name), rules.entries.map(\.rewrite.name))
        XCTAssertGreaterThan(results.count, 20)
        for result in results {
            XCTAssertFalse(result.isNeverMatched, "every default rule must be sampled: \(result.report())")
            if let reason = RuleCheckerTests.knownFailures[result.name] {
                XCTAssertTrue(
                    result.isFailure, "\(result.name) now passes (it was known to fail: \(reason)); unlist it")
            } else {
                XCTAssertFalse(result.isFailure, result.report())
                XCTAssertEqual(result.points, RuleCheckerTests.options.points, result.report())
            }
        }
    }

    func testAnUnconditionalLogOfAProductIsCaught() throws {
        let results = try check(
            """
            ; log(a b) = log a + log b only where a and b are positive
            [wrong]
            log-product-anywhere    (log (* ?a ?b))    => (+ (log ?a) (log ?b))
            """)
        guard let result = results.first, let failure = failure(result) else { return }
        // Where a and b are both negative, the left side is finite and the
        // right side is not.
        XCTAssertEqual(failure.kind, .undefined)
        XCTAssertTrue(failure.message.contains("nan"), failure.message)
        let report = result.report()
        XCTAssertTrue(report.hasPrefix("\(result.location!.file):3:1: rule log-product-anywhere: undefined: "), report)
        XCTAssertTrue(failure.point.contains { $0.hasPrefix("?a = ") }, report)
        XCTAssertTrue(failure.point.contains { $0.hasPrefix("?b = ") }, report)
        XCTAssertTrue(failure.left.hasPrefix("(log (* "), report)
        XCTAssertTrue(failure.left.contains(" = "), report)
        XCTAssertTrue(failure.right.contains(" = "), report)
    }

    func testADroppedSumIsAShapeFailure() throws {
        let results = try check("sum-dropped    (sum ?a -1)    => ?a")
        guard let failure = failure(results[0]) else { return }
        XCTAssertEqual(failure.kind, .shape)
        XCTAssertTrue(failure.message.contains("does not broadcast to the left side's"), failure.message)
    }

    func testWrongValuesAreUnsound() throws {
        let results = try check(
            """
            doubled        (exp ?a)               => (* 2 (exp ?a))
            sign-dropped   (neg ?a)               => ?a
            """)
        for result in results {
            XCTAssertEqual(failure(result)?.kind, .unsound, result.report())
        }
    }

    func testASmallerRightSideThatBroadcastsBackPasses() throws {
        let results = try check(
            """
            commuted       (* ?a ?b)                     => (* ?b ?a)
            ratio-one      (* ?a (inv ?a))               => 1                :if (nonzero ?a)
            cancelled      (+ ?a (* -1 ?a) ?r...)        => (+ ?r...)
            """)
        for result in results {
            XCTAssertFalse(result.isFailure, result.report())
            XCTAssertEqual(result.points, RuleCheckerTests.options.points, result.report())
        }
        XCTAssertFalse(results[0].broadcastsBack)
        XCTAssertTrue(results[1].broadcastsBack)
    }

    func testARuleWhoseDomainIsNeverSampledIsAWarning() throws {
        let results = try check("impossible    (exp (log ?a))    => ?a    :if (pos ?a) (value ?a -1)")
        XCTAssertTrue(results[0].isNeverMatched, results[0].report())
        XCTAssertFalse(results[0].isFailure)
        XCTAssertTrue(results[0].report().contains("warning: never matched at sampled points"))
        XCTAssertTrue(results[0].report().contains("the conditions did not hold"))
    }

    /// Operators outside the language (a bare leaf such as `x` included) and
    /// wrong arities are load errors; what loads but cannot hold (an axis out
    /// of range) is reported by the check, never a trap.
    func testRulesOutsideTheLanguageAreReportedWithoutTrapping() throws {
        XCTAssertThrowsError(
            try check(
                """
                unknown-left    (bar ?a)          => ?a
                fill-short      (fill ?a)         => ?a
                sum-long        (sum ?a ?b -1)    => ?a
                unknown-right   (exp ?a)          => (baz ?a)
                free-leaf       (exp ?a)          => (exp x)
                """)
        ) { error in
            let text = "\(error)"
            for fragment in [
                ":1:1: rule unknown-left: unknown operator 'bar'", ":2:1: rule fill-short: 'fill' takes 2 operand(s)",
                ":3:1: rule sum-long: 'sum' takes 1 operand(s), found 2",
                ":4:1: rule unknown-right: unknown operator 'baz'",
                ":5:1: rule free-leaf: unknown operator 'x'",
            ] {
                XCTAssertTrue(text.contains(fragment), "no '\(fragment)' in\n\(text)")
            }
        }
        let results = try check("bad-axis        (exp ?a)          => (sum (exp ?a) -3)")
        XCTAssertEqual(results.map(\.isFailure), [true])
    }

    func testTheDefaultFilesCheckFromTheirSources() throws {
        // Named files are read with the defaults' declarations only, so the
        // sources of the default files load beside the bundled copies.
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("rules")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".rules") }.sorted()
        let sources = try files.map { try RuleSource(contentsOf: directory.appendingPathComponent($0)) }
        let rules = try RuleChecker.loadRules(files: sources)
        XCTAssertEqual(
            Set(rules.entries.map(\.rewrite.name)), Set(try RuleChecker.loadRules().entries.map(\.rewrite.name)))
    }

    func testReportsRepeatFromTheSeed() throws {
        let rules = try RuleChecker.loadRules()
        var options = RuleCheckerTests.options
        options.points = 3
        let first = RuleChecker(options: options).check(rules).map { $0.report() }
        let second = RuleChecker(options: options).check(rules).map { $0.report() }
        XCTAssertEqual(first, second)
        options.seed += 1
        let results = RuleChecker(options: options).check(rules)
        XCTAssertEqual(results.count, first.count)
        XCTAssertTrue(results.summary.hasPrefix("checked \(results.count) rules: "), results.summary)
    }
}
