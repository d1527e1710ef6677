import Foundation
import XCTest

/// `saturate explain` as a user runs it: the chain printed for each output,
/// the errors for an unknown output name, a missing FILE and terms too large
/// to write out.
final class ExplainCommandTests: XCTestCase {
    func testExplainCommandPrintsTheChainForEachOutput() throws {
        let run = try SaturateProcess.run(["explain", "examples/logsumexp.eqs"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(
            run.stdout,
            """
            output m: 4 steps
              from  (squeeze (log (sum (exp X) 1)) 1)
              1. max-shift
                  (exp X)
              =>  (* (exp (max X 1)) (exp (where (eq X (max X 1)) 0 (- X (max X 1)))))
              2. sum-lift
                  (sum (* (exp (max X 1)) (exp (where (eq X (max X 1)) 0 (- X (max X 1))))) 1)
              =>  (* (exp (max X 1)) (sum (exp (where (eq X (max X 1)) 0 (- X (max X 1)))) 1))
              3. log-product
                  (log (* (exp (max X 1)) (sum (exp (where (eq X (max X 1)) 0 (- X (max X 1)))) 1)))
              =>  (+ (log (exp (max X 1))) (log (sum (exp (where (eq X (max X 1)) 0 (- X (max X 1)))) 1)))
              4. log-exp
                  (log (exp (max X 1)))
              =>  (max X 1)
              to    (squeeze (+ (log (sum (exp (where (eq X (max X 1)) 0 (- X (max X 1)))) 1)) (max X 1)) 1)

            """)
        let seed = try SaturateProcess.run(
            ["explain", "examples/seed_softmax_grad.eqs", "--output", "g", "--time-limit", "600"])
        XCTAssertEqual(seed.status, 0, seed.summary)
        XCTAssertTrue(seed.stdout.hasSuffix("  to    (fill x 0)\n"), seed.stdout)

        let missing = try SaturateProcess.run(["explain", "examples/seed_softmax_grad.eqs", "--output", "nope"])
        XCTAssertEqual(missing.status, 1, missing.summary)
        XCTAssertTrue(missing.stderr.contains("no output named 'nope' (outputs: g)"), missing.stderr)
        let usage = try SaturateProcess.run(["explain"])
        XCTAssertEqual(usage.status, 2, usage.summary)
        XCTAssertTrue(usage.stderr.contains("saturate explain FILE"), usage.stderr)
    }

    /// Terms too deep or too large written out (shared parts doubling per
    /// level) get a clear error, not a crash or an exponential wait.
    func testHugeTermsAreRefusedWithAMessage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let deep =
            "(input x [n])\n(let a0 (exp x))\n" + (1...3_000).map { "(let a\($0) (exp a\($0 - 1)))\n" }.joined()
            + "(output o (log a3000))\n"
        let shared =
            "(input x [n])\n(let a0 x)\n" + (1...30).map { "(let a\($0) (* a\($0 - 1) (log a\($0 - 1))))\n" }.joined()
            + "(output o a30)\n"
        for (name, text, message) in [
            ("deep.eqs", deep, "too deep to explain"), ("shared.eqs", shared, "too large to explain written out"),
        ] {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try SaturateProcess.run(["explain", path], timeout: 120)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertFalse(run.crashed || run.timedOut, run.summary)
            XCTAssertTrue(run.stderr.contains(message), run.summary)
        }
    }
}
