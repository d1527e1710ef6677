import EGraph
import Extract
import TensorOps

/// The e-graph an optimization ended with, kept for inspection: the outputs'
/// classes, each output as written and as extracted, and the rules that ran.
///
/// `@unchecked Sendable` because an `EGraph` is a mutable class: nothing
/// mutates it once ``optimize(_:options:)`` returns, and readers must not
/// either.
public final class SaturatedEGraph: @unchecked Sendable {
    /// The e-graph, clean.
    public let egraph: EGraph
    /// Its tensor analysis.
    public let analysis: TensorAnalysis
    /// The rules loaded, disabled groups included: what explanations name.
    public let rules: RuleSet
    /// The output names, in order.
    public let outputNames: [String]
    /// The class of each output.
    public let roots: [ClassID]
    /// Each output as written, lowered (the term inserted into the e-graph).
    public let inputTerms: [Term]
    /// Each output as extracted, lowered.
    public let extractedTerms: [Term]
    /// The e-node extraction chose in every class the extracted terms use,
    /// to mark in exports.
    public let extractedNodes: [ClassID: ENode]
    /// The extraction, for the cost of each node.
    let extractor: Extractor<StabilityCost>

    init(
        egraph: EGraph, analysis: TensorAnalysis, rules: RuleSet, outputNames: [String], roots: [ClassID],
        inputTerms: [Term], extractedTerms: [Term], extractor: Extractor<StabilityCost>
    ) {
        self.egraph = egraph
        self.analysis = analysis
        self.rules = rules
        self.outputNames = outputNames
        self.roots = roots
        self.inputTerms = inputTerms
        self.extractedTerms = extractedTerms
        self.extractedNodes = extractor.chosenNodes(for: roots)
        self.extractor = extractor
    }

    /// What `optimize` ended with for `program`: the prepared e-graph,
    /// saturated, and its extraction.
    convenience init(_ prepared: PreparedEGraph, _ extraction: Extraction, of program: TensorProgram) {
        self.init(
            egraph: prepared.egraph, analysis: prepared.analysis, rules: prepared.rules,
            outputNames: program.outputs.map(\.name), roots: prepared.roots,
            inputTerms: program.loweredTerms().map(\.term), extractedTerms: extraction.terms.map(\.term),
            extractor: extraction.extractor)
    }

    /// The stability cost of `node`, an e-node of the e-graph: the cost
    /// extraction compared it by, over its children's cheapest terms, as
    /// the cost value's `scalar` (`.infinity` if a child has none).
    public func cost(of node: ENode) -> Double {
        guard let id = egraph.lookup(node) else { return .infinity }
        return extractor.cost(of: node, inClass: id)?.scalar ?? .infinity
    }

    /// The e-graph as egraph-serialize JSON (`EGraph.serializedJSON(roots:marking:cost:)`):
    /// the outputs' classes as roots, the extraction marked, and each
    /// node's ``cost(of:)``.
    ///
    /// The stability cost is not a sum over a term (its risks are a set,
    /// each counted once), so each node carries its whole term's cost, not
    /// a share to be added up as extraction-gym's additive costs are.
    public func serializedJSON() -> String {
        egraph.serializedJSON(roots: roots, marking: extractedNodes) { self.cost(of: $0) }
    }
}
