import EGraph
import TensorOps
import TestSupport
import XCTest

/// Printing and reading back is the identity, on seeded random programs.
final class RoundTripTests: XCTestCase {
    func testRandomProgramsPrintAndReadBackUnchanged() throws {
        let seed: UInt64 = 0xA11CE
        var generator = RandomProgramGenerator(seed: seed)
        var built = 0
        for round in 0..<400 {
            let program = generator.program()
            let text = program.description
            let reread = try ProgramParser().parse(text, file: "random.eqs")
            XCTAssertEqual(reread, program, "seed \(seed) round \(round):\n\(text)")
            // Building checks shapes; the generator aims to be well shaped,
            // but a grad through a middle squeeze may still be rejected.
            guard let tensorProgram = try? TensorProgram(reread) else { continue }
            built += 1
            let printed = tensorProgram.program()
            let rebuilt = try TensorProgram(printed)
            XCTAssertEqual(
                rebuilt.program(), printed,
                "seed \(seed) round \(round): the IR's printing is not a fixpoint\n\(printed)")
            XCTAssertFalse(printed.description.contains("grad"))
        }
        XCTAssertGreaterThan(built, 300, "most random programs are well shaped")
    }

    func testNumbersReadBackBitForBit() throws {
        var random = SplitMix64(seed: 0xB175)
        for _ in 0..<2_000 {
            let value = Double(bitPattern: random.next())
            guard !value.isNaN else { continue }
            let text = "(input x [])\n(output y (+ x \(Literal.format(value))))"
            let program = try ProgramParser().parse(text)
            guard case .output(_, let expression) = program.statements[1].kind,
                case .apply(_, let operands, _) = expression.kind, case .number(let read) = operands[1].kind
            else { return XCTFail("unexpected shape of \(program)") }
            XCTAssertEqual(read.bitPattern, value.bitPattern, "\(value) printed as \(Literal.format(value))")
        }
    }
}
