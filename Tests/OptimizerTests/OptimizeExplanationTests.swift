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
    static let examples = CorpusTests.repository.appendingPathComponent("examples")

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
}
