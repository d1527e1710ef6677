import Foundation
import XCTest

/// `saturate eval` reads values a person wrote: a name the program does not
/// declare is an error at the values' file, naming it and the inputs.
final class EvalCommandTests: XCTestCase {
    private func scratch(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    func testAnUnknownInputNameIsAnErrorNamingTheDeclaredInputs() throws {
        let directory = try scratch([
            "p.eqs": "(input x [n])\n(input w [n])\n(let t (* x w))\n(output m (mean t))\n",
            "good.json": #"{"x": [1, 2, 4], "w": [1, 1, 1]}"#,
            "typo.json": #"{"x": [1, 2, 4], "W": [1, 1, 1], "t": [0]}"#,
            "case.json": #"{"input_sets": [{"name": "s", "values": {"x": [1], "w": [2], "z": [3]}}]}"#,
        ])
        func eval(_ arguments: [String]) throws -> SaturateProcess.Run {
            try SaturateProcess.run(["eval", "p.eqs"] + arguments, in: directory)
        }
        let good = try eval(["--inputs", "good.json"])
        XCTAssertEqual(good.status, 0, good.summary)
        XCTAssertEqual(good.stdout, "{\"m\": 2.3333333333333335}\n")
        let typo = try eval(["--inputs", "typo.json"])
        XCTAssertEqual(typo.status, 1, typo.summary)
        XCTAssertEqual(
            typo.stderr,
            "typo.json: inputs 'W', 't' are not declared by the program (its inputs are x, w; 't' is a let)\n")
        let set = try eval(["--inputs", "case.json", "--input-set", "s"])
        XCTAssertEqual(set.status, 1, set.summary)
        XCTAssertEqual(set.stderr, "case.json: input 'z' is not declared by the program (its inputs are x, w)\n")
    }
}
