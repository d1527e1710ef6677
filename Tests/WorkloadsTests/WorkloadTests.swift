import EGraph
import Workloads
import XCTest

/// The workloads file replayed as tests: the math goals prove (and
/// `math_fail` does not), binary AC rules reach exactly the saturated sizes,
/// and the softmax identities prove under both rule sets.
final class WorkloadTests: XCTestCase {
    private var file: WorkloadFile!

    override func setUpWithError() throws {
        file = try WorkloadFile(contentsOf: WorkloadFile.bundledURL)
    }

    private func run(_ workloadCase: WorkloadCase, checkingInvariants: Bool = true) throws -> CaseOutcome {
        let prepared = try workloadCase.prepare()
        prepared.egraph.checksInvariants = checkingInvariants
        return prepared.run()
    }

    func testMathGoalsProveWithinTheirLimits() throws {
        let cases = try Workloads.math(file)
        XCTAssertEqual(cases.count, 19)
        for workloadCase in cases {
            let outcome = try run(workloadCase)
            XCTAssertEqual(
                outcome.proved, workloadCase.expectProved,
                "\(workloadCase.name): stopped by \(outcome.report.stopReason) after \(outcome.report.iterations.count) iterations"
            )
        }
    }

    func testMathFailIsNotProvedAndSaysWhy() throws {
        let mathFail = try XCTUnwrap(try Workloads.math(file).first { $0.name == "math_fail" })
        let outcome = try run(mathFail)
        XCTAssertEqual(outcome.proved, false)
        XCTAssertNotEqual(outcome.report.stopReason, .goalReached)
    }

    func testBinaryACRulesSaturateToTheExactSizes() throws {
        // n = 3...8 here; n = 9 and 10 take seconds in a debug build and are
        // the benchmark's to time.
        for workloadCase in try Workloads.ac(file, declared: false)
        where (workloadCase.expected?.nodes ?? .max) <= 6_058 {
            let expected = try XCTUnwrap(workloadCase.expected)
            // The invariant checker is quadratic-ish in the operator index;
            // it runs on the smaller sums.
            let outcome = try run(workloadCase, checkingInvariants: expected.nodes < 2_000)
            XCTAssertEqual(outcome.report.stopReason, .saturated, workloadCase.name)
            XCTAssertEqual(outcome.report.nodes, expected.nodes, workloadCase.name)
            XCTAssertEqual(outcome.report.classes, expected.classes, workloadCase.name)
        }
    }

    func testDeclaredACStoresOneNodePerMultiset() throws {
        for workloadCase in try Workloads.ac(file, declared: true) {
            let outcome = try run(workloadCase)
            XCTAssertEqual(outcome.report.stopReason, .saturated, workloadCase.name)
            XCTAssertEqual(outcome.report.nodes, workloadCase.expected?.nodes, workloadCase.name)
            XCTAssertEqual(outcome.report.classes, workloadCase.expected?.classes, workloadCase.name)
        }
    }

    func testSoftmaxIdentitiesProve() throws {
        for workloadCase in try Workloads.softmax(file) {
            let outcome = try run(workloadCase)
            XCTAssertEqual(outcome.proved, true, workloadCase.name)
        }
    }

    func testMicroRunsExactlyItsIterations() throws {
        let micro = try XCTUnwrap(try Workloads.micro(file).first)
        let outcome = try run(micro, checkingInvariants: false)
        XCTAssertEqual(outcome.report.iterations.count, 11)
        XCTAssertEqual(outcome.report.stopReason, .iterationLimit(11))
    }
}
