import EGraph
import TensorOps

extension SaturatedEGraph {
    /// Why output `index` as extracted equals the output as written: the
    /// rewrites from the one to the other (see `EGraph.explain(_:_:maximumSteps:)`).
    /// - Throws: if the optimization did not record explanations
    ///   (``OptimizeOptions/recordsExplanations``).
    public func explanation(ofOutput index: Int) throws(ExplanationError) -> Explanation {
        try egraph.explain(inputTerms[index], extractedTerms[index])
    }
}

/// Explanations as text for a terminal, terms in the program language.
public struct ExplanationPrinter {
    /// The program whose inputs the terms read: raising a term back into the
    /// language needs their shapes.
    public let program: TensorProgram
    /// Whether each step also shows the whole term before and after, not only
    /// the part rewritten.
    public var showsWholeTerms = false

    /// A printer for terms over `program`'s inputs.
    public init(program: TensorProgram) { self.program = program }

    /// The explanation of output `name`: the term as written, then one
    /// numbered step per rewrite with the rule's name, what it rewrote and
    /// into what, and the term reached.
    ///
    /// Steps that change the lowered term but not how it reads in the
    /// language (`(* 1 (inv a))` and `(inv a)` both read `(/ 1 a)`) are left
    /// out and counted.
    public func text(of explanation: Explanation, output name: String) -> String {
        var shown: [(step: Explanation.Step, before: String, after: String)] = []
        var previous = render(explanation.start)
        for step in explanation.steps {
            let whole = render(step.after)
            if whole != previous {
                var before = render(step.rewrittenBefore)
                var after = render(step.rewrittenAfter)
                // The part changed but reads the same in the language (a
                // literal folded from (* -1 1), say): show the lowered forms,
                // which differ, rather than a step that looks like nothing.
                if before == after {
                    before = step.rewrittenBefore.description
                    after = step.rewrittenAfter.description
                }
                shown.append((step, before, after))
            }
            previous = whole
        }
        let hidden = explanation.steps.count - shown.count
        var lines = [
            "output \(name): \(shown.count) step\(shown.count == 1 ? "" : "s")"
                + (hidden == 0
                    ? ""
                    : hidden == 1
                        ? " (one more only regroups the lowered form)"
                        : " (\(hidden) more only regroup the lowered form)"),
            "  from  " + render(explanation.start),
        ]
        let width = String(shown.count).count
        for (number, (step, before, after)) in shown.enumerated() {
            let label = String(repeating: " ", count: width - String(number + 1).count) + "\(number + 1)"
            var notes: [String] = []
            if step.isReversed { notes.append("right to left") }
            if step.isWrapped { notes.append("broadcast back with fill") }
            lines.append(
                "  \(label). \(step.reason)" + (notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")"))
            lines.append("     " + String(repeating: " ", count: width) + before)
            lines.append("  => " + String(repeating: " ", count: width) + after)
            if showsWholeTerms {
                lines.append("     " + String(repeating: " ", count: width) + "in " + render(step.after))
            }
        }
        lines.append("  to    " + render(explanation.end))
        return lines.joined(separator: "\n") + "\n"
    }

    /// A lowered term in the language, or as the e-graph spells it if it
    /// does not read back (it always should; the fallback keeps an
    /// explanation readable rather than failing it).
    ///
    /// A term whose written-out form would pass ``inlineLimit`` operations
    /// (shared subterms repeat when written out, doubling per level) is
    /// shown with its shared parts as `let`s instead.
    public func render(_ term: Term) -> String {
        guard let raised = try? program.raising([("term", term)]), let output = raised.outputs.first else {
            return term.description
        }
        var writtenSize: [NodeID: Int] = [:]
        for node in raised.graph.topologicalOrder(from: [output.node]) {
            let operands = raised.graph[node].arguments.reduce(0) { $0 + writtenSize[$1]! }
            writtenSize[node] = min(1 + operands, ExplanationPrinter.inlineLimit + 1)
        }
        if writtenSize[output.node]! <= ExplanationPrinter.inlineLimit {
            return ProgramPrinter.render(raised.expression(for: output.node))
        }
        let statements = raised.program().statements.filter {
            if case .input = $0.kind { return false }
            return true
        }
        return statements.map(ProgramPrinter.render).joined(separator: " ")
    }

    /// A glimpse of `term`: its top `depth` applications in the language's
    /// spelling, what lies deeper written `…` (see
    /// `TensorProgram.expression(for:depth:width:)`), as a warning names a
    /// node without printing the program around it.
    public func glimpse(_ term: Term, depth: Int = 5) -> String {
        guard let raised = try? program.raising([("term", term)]), let output = raised.outputs.first else {
            return term.description
        }
        return ProgramPrinter.render(raised.expression(for: output.node, depth: depth))
    }

    /// The most operations a term is written out with before its shared
    /// parts become `let`s.
    public static let inlineLimit = 400
}
