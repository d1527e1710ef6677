// saturate serve: optimize many programs in one process, for the Python
// bridges. A model has many functions, and each would otherwise pay a process
// start and the loading of the rules; here they are paid once.

import Foundation
import Optimizer
import TensorOps

private let reportOption = CommandOption.flag(
    "--report", help: "include the optimizer's report (what --report prints) in every response")
private let noVerifyOption = CommandOption.flag(
    "--no-verify", help: "skip the accuracy probe that returns the input when the rewrite is less accurate")

let serveInterface = CommandInterface(
    name: "serve", operands: "", operandCount: 0...0, operandsReadFiles: false,
    summary: "optimize programs read as JSON lines from stdin, answering one JSON line each",
    description: """
        Reads requests from standard input, one JSON object per line, and writes one JSON object
        per line to standard output for each, in order, until standard input ends. A request is
        {"program": TEXT} with optionally "id" (a string or number, echoed), "precision"
        ("float64" or "float32", overriding --precision) and "report" (true to include the
        report). The response is {"id": ..., "ok": true, "program": TEXT, "warnings": [...],
        "kept_input": BOOL} (and "report": TEXT), or {"id": ..., "ok": false, "error": TEXT}
        for a request that cannot be read or optimized; the server goes on with the next line.
        """,
    options: [reportOption, noVerifyOption] + OptimizationOption.all,
    notes: "The options apply to every request; --rules files are read and checked once, at the start.")

/// Runs `saturate serve`.
func runServe(_ arguments: ParsedArguments) throws {
    // Standard input carries the requests.
    if arguments.values(OptimizationOption.rules).contains("-") {
        throw serveInterface.usageError("--rules cannot read standard input, which carries the requests")
    }
    var options = try optimizeOptions(arguments, of: serveInterface)
    try checkAddedRules(of: options, arguments)
    options.verifiesAccuracy = !arguments.flag(noVerifyOption)
    let server = Server(options: options, reports: arguments.flag(reportOption))
    var number = 0
    while let line = readLine(strippingNewline: true) {
        number += 1
        if line.allSatisfy(\.isWhitespace) { continue }
        let response = server.respond(to: line, number: number)
        FileHandle.standardOutput.write(Data((response + "\n").utf8))
    }
}

/// Answers the requests of `saturate serve`.
struct Server {
    /// The options every request starts from.
    var options: OptimizeOptions
    /// Whether every response carries the report.
    var reports: Bool

    /// The response to one request line, `number` counting from 1 (problems
    /// in the program are located as `request N:line:col`).
    func respond(to line: String, number: Int) -> String {
        let request: JSONValue
        do {
            request = try JSONValue.parse(line)
        } catch {
            return Self.failure(id: nil, "request \(number): bad JSON at column \(error.column): \(error.message)")
        }
        guard case .object = request else {
            return Self.failure(id: nil, "request \(number): a request is a JSON object {\"program\": ...}")
        }
        var id: String?
        switch request.member("id") {
        case nil, .null?: id = nil
        case .string(let text)?: id = JSONValue.quoted(text)
        case .number(let value)? where value.isFinite:
            id = value == value.rounded() && abs(value) < 0x1p53 ? String(Int64(value)) : "\(value)"
        default: return Self.failure(id: nil, "request \(number): \"id\" must be a string or a number")
        }
        guard let text = request.member("program")?.stringValue else {
            return Self.failure(id: id, "request \(number): \"program\" must be the program's text, a string")
        }
        var options = self.options
        if let value = request.member("precision") {
            guard let name = value.stringValue, let precision = Precision(rawValue: name) else {
                let names = Precision.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                return Self.failure(id: id, "request \(number): \"precision\" must be \(names)")
            }
            options.precision = precision
        }
        var includesReport = reports
        if let value = request.member("report") {
            guard case .bool(let flag) = value else {
                return Self.failure(id: id, "request \(number): \"report\" must be true or false")
            }
            includesReport = flag
        }
        let result: OptimizationResult
        do {
            let program = try TensorProgram(parsing: text, file: "request \(number)")
            result = try optimize(program, options: options)
        } catch {
            return Self.failure(id: id, "\(error)")
        }
        var members = [
            ("id", id ?? "null"), ("ok", "true"), ("program", JSONValue.quoted(result.program.program().description)),
            ("warnings", "[" + result.report.warnings.map(JSONValue.quoted).joined(separator: ", ") + "]"),
            ("kept_input", result.report.keptInput ? "true" : "false"),
        ]
        if includesReport { members.append(("report", JSONValue.quoted(result.report.text))) }
        return Self.object(members)
    }

    /// A failed request's response.
    private static func failure(id: String?, _ message: String) -> String {
        object([("id", id ?? "null"), ("ok", "false"), ("error", JSONValue.quoted(message))])
    }

    /// A JSON object of members whose values are already JSON text.
    private static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { JSONValue.quoted($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }
}
