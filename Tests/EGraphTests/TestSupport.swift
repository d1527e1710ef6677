import EGraph
import XCTest

/// An e-graph that checks every invariant after every rebuild.
func checkedEGraph(_ signature: Signature = Signature()) -> EGraph {
    let egraph = EGraph(signature: signature)
    egraph.checksInvariants = true
    return egraph
}

/// A signature with `+` and `*` declared AC, with their units.
func arithmeticSignature() -> Signature {
    var signature = Signature()
    signature.declareAC("+")
    signature.declareAC("*")
    signature.declareUnit(.number(0), of: "+")
    signature.declareUnit(.number(1), of: "*")
    return signature
}

extension EGraph {
    /// Adds a term written as text; a term that does not parse fails the
    /// test at the caller's line, not here.
    @discardableResult
    func add(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ClassID {
        do {
            return try add(Term(parsing: text, signature: signature))
        } catch {
            XCTFail("\(text) does not parse: \(error)", file: file, line: line)
            throw error
        }
    }

    /// The class of a term written as text, if present.
    func lookup(_ text: String) throws -> ClassID? {
        try lookup(Term(parsing: text, signature: signature))
    }
}

/// Asserts that a call throws located diagnostics, each containing one of the
/// expected fragments, and returns them.
@discardableResult
func assertDiagnostics(
    _ expected: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
) -> [Diagnostic] {
    do {
        try body()
        XCTFail("expected diagnostics \(expected), but nothing was thrown", file: file, line: line)
        return []
    } catch let error as DiagnosticError {
        for fragment in expected where !error.diagnostics.contains(where: { $0.description.contains(fragment) }) {
            XCTFail("no diagnostic contains '\(fragment)' in:\n\(error)", file: file, line: line)
        }
        return error.diagnostics
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return []
    }
}
