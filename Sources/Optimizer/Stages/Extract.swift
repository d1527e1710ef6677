import EGraph
import Extract
import TensorOps

/// The third stage's result: the cheapest form of every output under the
/// stability cost, read back as a program.
public struct Extraction {
    /// The extraction: the input's when saturation changed nothing.
    public let extractor: Extractor<StabilityCost>
    /// Each output's extracted term, lowered, by output name; empty when
    /// saturation changed nothing and the e-graph is not kept, since the
    /// program is then the input as it is.
    public let terms: [(name: String, term: Term)]
    /// The program read back from the terms.
    public let program: TensorProgram
    /// The stability cost of each output extracted.
    public let costs: [Double]
}

extension OptimizationPipeline {
    /// The third stage: extracts the cheapest term of every output from the
    /// saturated e-graph and reads them back as a program.
    /// - Parameter prepared: The saturated e-graph.
    /// - Throws: an output with no finite term, or terms that do not read
    ///   back as a program (a bug, reported, not hidden).
    public func extract(_ prepared: PreparedEGraph) throws(OptimizationError) -> Extraction {
        // A run that added and merged nothing left the e-graph as the
        // program was inserted: its extraction is the input, which is
        // returned as it is rather than extracted and read back again (on a
        // sum of 100,000 operands stopped by a limit, that was two thirds of
        // the call). Judged by the e-graph's version, not by the run's
        // merges: a rewrite whose root was there already adds its inner
        // nodes with no merge, and the input's extractor, sized before
        // them, read past its tables.
        let unchanged =
            prepared.egraph.idCount == prepared.inputVersion.ids
            && prepared.egraph.unionCount == prepared.inputVersion.unions
        let extractor = unchanged ? prepared.inputExtractor : Extractor(prepared.egraph, cost: prepared.cost)
        var terms: [(name: String, term: Term)] = []
        if !unchanged || options.keepsEGraph || options.recordsExplanations {
            for (output, term) in zip(program.outputs, extractor.terms(for: prepared.roots)) {
                guard let term else {
                    throw OptimizationError(description: "output '\(output.name)' has no finite term to extract")
                }
                terms.append((output.name, term))
            }
        }
        let optimized: TensorProgram
        do {
            optimized = unchanged ? program : try program.raising(terms)
        } catch {
            throw OptimizationError(description: "cannot read the extracted program back: \(error.message)")
        }
        return Extraction(
            extractor: extractor, terms: terms, program: optimized,
            costs: extractor.costs(of: prepared.roots).map { $0?.scalar ?? .infinity })
    }
}
