import EGraph
import Foundation
import TensorOps
import TestSupport
import XCTest

/// `docs/language.md`, the language reference, cannot rot: every program in
/// an `eqs` block parses, its shapes fit, and it evaluates in binary64 and in
/// the reference arithmetic on seeded inputs of its declared shapes; and every
/// operator of the language has its row in the page's table.
final class LanguageDocTests: XCTestCase {
    private let seed: UInt64 = 0x1A_96_D0C5

    private static let pagePath = "docs/language.md"
    private static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(pagePath)

    // GuideTests (SaturateTests) reads fences too, with its markers: the two
    // targets share no test-support module yet (issue 14's), so each keeps
    // its own few lines.
    /// The body of each block fenced as ```eqs, with the line of its opening
    /// fence; a fence left open fails the test.
    private func programs(in text: String) -> [(line: Int, body: String)] {
        let (fences, unclosed) = fencedBlocks(in: text)
        if let unclosed { XCTFail("\(Self.pagePath):\(unclosed): the fence is never closed") }
        return fences.filter { $0.fence == "```eqs" }.map { ($0.line, $0.body) }
    }

    func testEveryProgramOnThePageReadsAndEvaluates() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let blocks = programs(in: text)
        XCTAssertGreaterThanOrEqual(blocks.count, 10, "the page's eqs blocks")
        var random = SplitMix64(seed: seed)
        for block in blocks {
            let label = "\(Self.pagePath):\(block.line) (seed \(seed))"
            // Blank lines up to the fence, so a diagnostic gives the page's own line numbers.
            let located = String(repeating: "\n", count: block.line) + block.body
            let program: TensorProgram
            do {
                program = try TensorProgram(parsing: located, file: Self.pagePath)
            } catch {
                XCTFail("\(label): the program does not read:\n\(error)")
                continue
            }
            // Each named dimension gets its own small size, so a program that
            // mixed two names up would not fit.
            let names = Set(
                program.inputs.flatMap(\.shape.dims).compactMap { dim -> String? in
                    if case .named(let name) = dim { return name }
                    return nil
                }
            ).sorted()
            let sizes = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0 + 2) })
            var values: [String: NDArray<Double>] = [:]
            for input in program.inputs {
                let shape = try XCTUnwrap(input.shape.sizes(binding: sizes), label)
                let count = shape.reduce(1, *)
                values[input.name] = try NDArray(
                    shape: shape, elements: (0..<count).map { _ in 6 * random.uniform() - 3 })
            }
            do {
                let binary64 = try program.evaluate(values)
                let reference = try program.evaluate(values.mapValues { $0.map(ReferenceFloat.init) })
                for (index, output) in program.outputs.enumerated() {
                    let expected = program.graph[output.node].shape.sizes(binding: sizes)
                    XCTAssertEqual(binary64[index].value.shape, expected, "\(label): output \(output.name)")
                    XCTAssertEqual(reference[index].value.shape, expected, "\(label): output \(output.name)")
                }
            } catch {
                XCTFail("\(label): evaluation failed: \(error)")
            }
        }
    }

    /// A new operator is documented before it ships.
    func testEveryOperatorHasARowInTheTable() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let rows = text.components(separatedBy: "\n").filter { $0.hasPrefix("| `(") }
        for op in TensorOperator.allCases {
            XCTAssertTrue(
                rows.contains { $0.contains("`(\(op.name) ") }, "no row of \(Self.pagePath)'s table for '\(op)'")
        }
        XCTAssertTrue(rows.contains { $0.contains("`(grad f x)`") })
    }
}
