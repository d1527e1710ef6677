import EGraph
import Foundation
import Optimizer
import TensorOps
import XCTest

/// Explanations of `optimize`: for every corpus program and bundled example,
/// the chain from the output as written to the output extracted checks
/// against the rules (each step an instance of the rule it names, the chain
/// joined end to end), and every step keeps the value: its whole term before
/// and after evaluate equal in 256-bit arithmetic at sample inputs.
final class OptimizeExplanationTests: XCTestCase {
    static let examples = SaturateProcess.packageRoot.appendingPathComponent("examples")

    static func programs() throws -> [(name: String, program: TensorProgram)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".eqs") }
        let bundled = try files.sorted().map { file in
            let text = try String(contentsOf: examples.appendingPathComponent(file), encoding: .utf8)
            return ("examples/" + file, try TensorProgram(parsing: text, file: file))
        }
        return try CorpusTests.programs() + bundled
    }

    func testEveryStepIsARuleInstanceAndKeepsTheValue() throws {
        var options = OptimizeOptions()
        options.recordsExplanations = true
        options.verifiesAccuracy = false
        var steps = 0
        for (name, program) in try OptimizeExplanationTests.programs() {
            let result = try optimize(program, options: options)
            let saturated = try XCTUnwrap(result.saturated, name)
            let rules = saturated.rules.rewrites
            let inputs = SoundnessPropertyTests.sampleInputs(for: program, set: 0)
            func value(_ term: Term) throws -> NDArray<ReferenceFloat> {
                try program.raising([("v", term)]).evaluate(inputs)[0].value
            }
            for (index, output) in saturated.outputNames.enumerated() {
                let explanation = try saturated.explanation(ofOutput: index)
                let label = "\(name) output \(output)"
                XCTAssertEqual(explanation.problems(rules: rules, signature: saturated.egraph.signature), [], label)
                // The chain starts at the program as written and ends at
                // the program returned.
                var previous = try value(explanation.start)
                let written = try program.evaluate(inputs)[index].value
                XCTAssertEqual(previous.shape, written.shape, label)
                for (a, b) in zip(written.elements, previous.elements) where a.isFinite {
                    XCTAssertTrue(SoundnessPropertyTests.agree(a, b), "\(label): the chain starts elsewhere")
                }
                XCTAssertEqual(
                    try value(explanation.end).elements.map(\.doubleValue),
                    try value(saturated.extractedTerms[index]).elements.map(\.doubleValue), label)
                for (number, step) in explanation.steps.enumerated() {
                    let next = try value(step.after)
                    XCTAssertEqual(next.shape, previous.shape, "\(label) step \(number + 1) changed the shape")
                    for (a, b) in zip(previous.elements, next.elements) where a.isFinite && b.isFinite {
                        XCTAssertTrue(
                            SoundnessPropertyTests.agree(a, b),
                            "\(label) step \(number + 1) (\(step.reason)): \(a.doubleValue) became \(b.doubleValue)")
                    }
                    previous = next
                    steps += 1
                }
            }
        }
        XCTAssertGreaterThan(steps, 50, "the corpus should need real chains of rewrites")
    }

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
              =>  (* (exp (- X (max X 1))) (exp (max X 1)))
              2. sum-lift
                  (sum (* (exp (- X (max X 1))) (exp (max X 1))) 1)
              =>  (* (exp (max X 1)) (sum (exp (- X (max X 1))) 1))
              3. log-product
                  (log (* (exp (max X 1)) (sum (exp (- X (max X 1))) 1)))
              =>  (+ (log (exp (max X 1))) (log (sum (exp (- X (max X 1))) 1)))
              4. log-exp
                  (log (exp (max X 1)))
              =>  (max X 1)
              to    (squeeze (+ (log (sum (exp (- X (max X 1))) 1)) (max X 1)) 1)

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
