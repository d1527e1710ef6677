import EGraph
import Optimizer
import TensorOps
import XCTest

/// The extraction stage's shortcut: an e-graph that saturation left as the
/// program was inserted returns the input's extraction, and one it changed
/// at all is extracted afresh.
final class ExtractStageTests: XCTestCase {
    /// Folding `(+ 1 0.5 0.5)` and the product by 2 merges nothing a rule
    /// applied, yet adds nodes: judged by the run's merges, the e-graph
    /// looked unchanged, and the input's extractor, sized before the new
    /// classes, trapped reading past its tables (seed 0x500dae9731 of
    /// `SoundnessPropertyTests`).
    func testAnEGraphGrownWithoutMergesIsExtractedAfresh() throws {
        let program = try TensorProgram(
            parsing: """
                (input x1 [1 1 m])
                (output y0 (where (sum x1) (* (+ 1 0.5 0.5) 2) 3))
                """)
        let pipeline = OptimizationPipeline(program, options: OptimizeOptions(), reference: program)
        let prepared = try pipeline.prepare()
        _ = pipeline.saturate(prepared)
        XCTAssertNotEqual(prepared.egraph.idCount, prepared.inputVersion.ids, "saturation added nodes")
        let extraction = try pipeline.extract(prepared)
        XCTAssertEqual(extraction.program.text, "(input x1 [1 1 m])\n(output y0 (where (sum x1) 4 3))\n")
        let result = try optimize(program)
        XCTAssertEqual(result.program.text, extraction.program.text)
    }

    /// Nothing to rewrite: the input's extraction, and the program as written.
    func testAnUnchangedEGraphReturnsTheProgramAsWritten() throws {
        let program = try TensorProgram(parsing: "(input x [n])\n(output y (exp x))\n")
        let pipeline = OptimizationPipeline(program, options: OptimizeOptions(), reference: program)
        let prepared = try pipeline.prepare()
        _ = pipeline.saturate(prepared)
        XCTAssertEqual(prepared.egraph.idCount, prepared.inputVersion.ids)
        XCTAssertEqual(prepared.egraph.unionCount, prepared.inputVersion.unions)
        XCTAssertEqual(try pipeline.extract(prepared).program.text, program.text)
    }
}
