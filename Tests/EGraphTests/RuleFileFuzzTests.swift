import EGraph
import Workloads
import XCTest

/// Mutated and random rule files: the loader either accepts them or throws
/// located diagnostics; it never traps, and what it accepts can run.
final class RuleFileFuzzTests: XCTestCase {
    private let valid = """
        (ac + *)
        (unit + 0)
        (unit * 1)
        [algebra]
        add-zero    (+ 0 ?r...)              => (+ ?r...)
        cancel-neg  (+ ?a (* -1 ?a) ?r...)   => (+ ?r...)
        cancel-inv  (* ?a (inv ?a) ?r...)    => (* ?r...)      :if (not_zero ?a)
        comm-f      (f ?a ?b)                <=> (f ?b ?a)
        fold        (g 1.5 -inf ?x)          => (h ?x)          :if (is_const ?x) (is_sym ?x)
        """

    func testMutatedRuleFilesNeverTrap() throws {
        let seed: UInt64 = 0x5EED_0001
        var random = SplitMix64(seed: seed)
        let alphabet = Array("()[]?.;:+-*/=<>0123456789abcxyz rif\n\t\"\\")
        let folding = ConstantFolding()
        var accepted = 0
        for round in 0..<1_500 {
            var characters = Array(valid)
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0..<max(characters.count, 1), using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !characters.isEmpty: characters.remove(at: position)
                case 1: characters.insert(alphabet.randomElement(using: &random)!, at: position)
                default:
                    if !characters.isEmpty { characters[position] = alphabet.randomElement(using: &random)! }
                }
            }
            let text = String(characters)
            do {
                let rules = try RuleSet(parsing: text, file: "fuzz.rules", conditions: folding.mathConditions())
                accepted += 1
                // Whatever loads must run: saturate a small term with it.
                let egraph = EGraph(signature: rules.signature)
                egraph.register(folding)
                _ = try? egraph.add(
                    Term(parsing: "(+ (* x (inv x) y) (* -1 y) (f 0 z) (g 1.5 -inf q))", signature: rules.signature))
                _ = Runner(limits: RunLimits(iterations: 4, nodes: 2_000, seconds: 1)).run(rules.rewrites, on: egraph)
            } catch {
                XCTAssertFalse(error.diagnostics.isEmpty, "seed \(seed) round \(round)")
                for diagnostic in error.diagnostics {
                    XCTAssertNotNil(diagnostic.location, "seed \(seed) round \(round): \(diagnostic)")
                }
            }
        }
        XCTAssertGreaterThan(accepted, 0, "some mutations stay valid")
    }

    func testRandomBytesNeverTrap() {
        var random = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0..<400, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? RuleSet(parsing: text, file: "bytes.rules")
            _ = try? Pattern(parsing: text)
            _ = try? Term(parsing: text)
        }
    }
}
