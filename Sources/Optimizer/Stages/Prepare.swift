import DefaultRules
import EGraph
import Extract
import TensorOps

/// The first stage of ``optimize(_:options:)``: a program inserted into an
/// e-graph ready to saturate, set up exactly as `optimize` sets it up: the
/// rules `options` asks for, the tensor analysis with its shape-keeping merge
/// adapter, the outputs lowered, and the program's cost as written. Tests
/// that reason about `optimize`'s e-graph start from here
/// (``OptimizationPipeline/prepare()``).
public struct PreparedEGraph {
    /// The e-graph, rebuilt.
    public let egraph: EGraph
    /// Its tensor analysis.
    public let analysis: TensorAnalysis
    /// The rules loaded for it, their conditions reading `analysis`, the
    /// disabled groups included: what explanations name.
    public let rules: RuleSet
    /// The rules saturation runs, by phase in increasing order: the loaded
    /// rules less the groups ``OptimizeOptions/disabledGroups`` names.
    public let phases: [[Rewrite]]
    /// The class of each output, in order.
    public let roots: [ClassID]
    /// The stability cost extraction minimizes, over `analysis`.
    public let cost: StabilityCost
    /// The extraction before saturation, when each class holds the program
    /// as written: the input's terms and costs, which saturation's goal
    /// starts from and an unchanged e-graph returns. It reads the e-graph as
    /// it was: once saturation has changed it, ask a new extractor.
    public let inputExtractor: Extractor<StabilityCost>
    /// The e-graph's `EGraph.idCount` and `EGraph.unionCount` when
    /// `inputExtractor` read it: while both are unchanged, it still holds.
    public let inputVersion: (ids: Int, unions: Int)
    /// The stability cost of each output as written (`.infinity` where it
    /// has no finite term).
    public let inputCosts: [Double]

    /// Loads the rules and inserts `program`.
    /// - Parameters:
    ///   - program: The program to insert.
    ///   - options: The rules, the precision of the cost, and whether the
    ///     e-graph records explanations.
    /// - Throws: the located problems of the rule files.
    public init(_ program: TensorProgram, options: OptimizeOptions = OptimizeOptions()) throws(DiagnosticError) {
        analysis = TensorAnalysis(program: program)
        rules = try loadRules(options, conditions: analysis.conditions())
        let enabled = rules.entries.filter { !options.disabledGroups.contains($0.group) }
        // A phase whose groups are all disabled is no phase at all.
        let numbers = rules.phases.filter { phase in enabled.contains { $0.phase == phase } }
        phases = numbers.map { phase in enabled.filter { $0.phase == phase }.map(\.rewrite) }
        egraph = EGraph(signature: rules.signature)
        egraph.recordsExplanations = options.recordsExplanations
        egraph.register(analysis)
        analysis.adaptMerges(in: egraph)
        roots = program.lower(into: egraph)
        egraph.rebuild()
        cost = StabilityCost(analysis: analysis, precision: options.precision)
        inputExtractor = Extractor(egraph, cost: cost)
        inputVersion = (egraph.idCount, egraph.unionCount)
        inputCosts = inputExtractor.costs(of: roots).map { $0?.scalar ?? .infinity }
    }
}

/// The rules `options` asks for, lowered and checked.
/// - Parameters:
///   - options: Which files: the defaults, if ``OptimizeOptions/usesDefaultRules``,
///     then ``OptimizeOptions/ruleFiles``.
///   - conditions: The conditions the rules may name.
/// - Throws: every located problem of the files, at once.
public func loadRules(_ options: OptimizeOptions, conditions: ConditionRegistry) throws(DiagnosticError) -> RuleSet {
    var sources: [RuleSource] = []
    if options.usesDefaultRules {
        sources = DefaultRules.files.map { RuleSource(name: $0.path, text: $0.text) }
    }
    sources += options.ruleFiles
    return try CompiledRules.rules(sources, conditions: conditions)
}
