import Foundation
import XCTest

/// `saturate serve`, the machine interface of the Python bridges: one JSON
/// line in, one JSON line out, in order, a bad request answered with an
/// error and the next one served; and `--precision`, which judges risks and
/// evaluates in binary32.
final class ServeCommandTests: XCTestCase {
    func testEachRequestLineGetsOneResponseLineInOrder() throws {
        let requests = [
            #"{"id": 1, "program": "(input x [3])\n(output y (log (sum (exp x))))"}"#,
            "garbage",
            #"{"id": "b", "program": "(input x [3])\n(output y (exp x x))"}"#,
            "",
            #"{"id": 4, "program": "(input x [n])\n(output y (exp (* 500 (sigmoid x))))", "precision": "float32"}"#,
            #"{"id": 5, "program": "(input x [3])\n(output y x)", "precision": "float16"}"#,
            #"{"program": "(input x [3])\n(output y (exp x))", "report": true}"#,
        ]
        let run = try SaturateProcess.run(["serve"], stdin: Data((requests.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(run.status, 0, run.summary)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, run.stdout)
        guard lines.count == 6 else { return }
        XCTAssertTrue(
            lines[0].hasPrefix(#"{"id": 1, "ok": true, "program": "(input x [3])\n(let t1 (max x))"#), lines[0])
        XCTAssertTrue(lines[0].hasSuffix(#""warnings": [], "kept_input": false}"#), lines[0])
        XCTAssertEqual(
            lines[1],
            #"{"id": null, "ok": false, "error": "request 2: bad JSON at column 1: unexpected character, expected a value"}"#
        )
        XCTAssertEqual(
            lines[2], #"{"id": "b", "ok": false, "error": "request 3:2:11: 'exp' takes 1 operand(s), found 2"}"#)
        XCTAssertTrue(
            lines[3].contains(#""warnings": ["output y: (exp (* (sigmoid x) 500)) exp can overflow"]"#), lines[3])
        XCTAssertEqual(
            lines[4], #"{"id": 5, "ok": false, "error": "request 6: \"precision\" must be \"float64\" or \"float32\""}"#
        )
        XCTAssertTrue(lines[5].contains(#""report": "stop: "#), lines[5])
    }

    func testServeTakesNoOperands() throws {
        let run = try SaturateProcess.run(["serve", "file.eqs"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.stderr.hasPrefix("saturate serve: unexpected argument 'file.eqs'"), run.stderr)
    }

    func testPrecisionSetsTheOverflowThresholdOfTheWarnings() throws {
        try SaturateProcess.withTemporaryDirectory { directory in
            let program = "(input x [n])\n(output y (exp (* 500 (sigmoid x))))\n"
            try program.write(to: directory.appendingPathComponent("p.eqs"), atomically: true, encoding: .utf8)
            let float64 = try SaturateProcess.run(["optimize", "p.eqs"], in: directory)
            XCTAssertEqual(float64.status, 0, float64.summary)
            XCTAssertEqual(float64.stderr, "")
            let float32 = try SaturateProcess.run(["optimize", "--precision", "float32", "p.eqs"], in: directory)
            XCTAssertEqual(float32.status, 0, float32.summary)
            XCTAssertEqual(
                float32.stderr, "saturate: warning: p.eqs: output y: (exp (* (sigmoid x) 500)) exp can overflow\n")
            let wrong = try SaturateProcess.run(["optimize", "--precision", "half", "p.eqs"], in: directory)
            XCTAssertEqual(wrong.status, 2, wrong.summary)
            XCTAssertTrue(
                wrong.stderr.hasPrefix("saturate optimize: --precision takes float64 or float32, found 'half'"))
        }
    }

    func testEvalInFloat32RoundsEveryOperationToBinary32() throws {
        try SaturateProcess.withTemporaryDirectory { directory in
            try "(input x [3])\n(output s (/ (exp x) (sum (exp x) -1)))\n(output third (/ x 3))\n".write(
                to: directory.appendingPathComponent("p.eqs"), atomically: true, encoding: .utf8)
            try #"{"x": [0, 100, -100]}"#.write(
                to: directory.appendingPathComponent("x.json"), atomically: true, encoding: .utf8)
            let float32 = try SaturateProcess.run(
                ["eval", "p.eqs", "--inputs", "x.json", "--precision", "float32"], in: directory)
            XCTAssertEqual(float32.status, 0, float32.summary)
            // exp(100) overflows binary32: inf / inf.
            XCTAssertEqual(
                float32.stdout,
                "{\"s\": [0.0, \"nan\", 0.0], \"third\": [0.0, \(Double(Float(100) / 3)), \(Double(Float(-100) / 3))]}\n"
            )
            let float64 = try SaturateProcess.run(["eval", "p.eqs", "--inputs", "x.json"], in: directory)
            XCTAssertFalse(float64.stdout.contains("nan"), float64.stdout)
        }
    }
}
