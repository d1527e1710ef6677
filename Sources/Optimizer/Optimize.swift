import DefaultRules
import EGraph
import Extract
import Foundation
import TensorOps

/// How ``optimize(_:options:)`` runs.
public struct OptimizeOptions: Sendable {
    /// The saturation limits. The defaults leave room for the gradients of
    /// the softmax family, whose e-graphs stay near a thousand nodes.
    public var limits = RunLimits(iterations: 30, nodes: 20_000, seconds: 10)
    /// Whether the bundled rule files are loaded.
    public var usesDefaultRules = true
    /// Rule files loaded after the defaults.
    public var ruleFiles: [RuleSource] = []
    /// Groups of rules (from any file) that are not run.
    public var disabledGroups: Set<String> = []

    /// The default options.
    public init() {}
}

/// What an optimization did, for `--report` and for callers.
public struct OptimizationReport: Sendable {
    /// The saturation run.
    public var run: RunReport
    /// The stability cost of each output as written, then as extracted.
    public var costBefore: [Double]
    /// The stability cost of each output extracted.
    public var costAfter: [Double]
    /// Seconds spent loading rules, saturating and extracting.
    public var phaseSeconds: [(phase: String, seconds: Double)]
}

/// An optimized program and how it was found.
public struct OptimizationResult: Sendable {
    /// The optimized program: the same inputs and outputs, no `grad`.
    public var program: TensorProgram
    /// The report.
    public var report: OptimizationReport
}

/// What can stop an optimization: problems in rule files, or an extracted
/// term that does not read back as a program (a bug, reported, not hidden).
public struct OptimizationError: Error, Sendable, CustomStringConvertible {
    /// The problems, one per line.
    public var description: String
}

/// Rewrites `program` into a numerically stable equivalent: inserts it into
/// an e-graph, saturates with the rules, extracts the cheapest form under
/// the stability cost, and reads it back.
public func optimize(_ program: TensorProgram, options: OptimizeOptions = OptimizeOptions()) throws(OptimizationError)
    -> OptimizationResult
{
    var phases: [(String, Double)] = []
    var clock = Date()
    func lap(_ phase: String) {
        phases.append((phase, Date().timeIntervalSince(clock)))
        clock = Date()
    }
    let analysis = TensorAnalysis(program: program)
    let rules: RuleSet
    do {
        rules = try loadRules(options, conditions: analysis.conditions())
    } catch {
        throw OptimizationError(description: error.description)
    }
    let rewrites = rules.entries.filter { !options.disabledGroups.contains($0.group) }.map(\.rewrite)
    lap("rules")

    let egraph = EGraph(signature: rules.signature)
    egraph.register(analysis)
    analysis.adaptMerges(in: egraph)
    let roots = program.lower(into: egraph)
    egraph.rebuild()
    let cost = StabilityCost(analysis: analysis)
    let costBefore = roots.map { Extractor(egraph, cost: cost).cost(of: $0) }
    let run = Runner(limits: options.limits).run(rewrites, on: egraph)
    lap("saturate")

    let extractor = Extractor(egraph, cost: cost)
    let terms = extractor.terms(for: roots)
    var extracted: [(name: String, term: Term)] = []
    for (output, term) in zip(program.outputs, terms) {
        guard let term else {
            throw OptimizationError(description: "output '\(output.name)' has no finite term to extract")
        }
        extracted.append((output.name, term))
    }
    let optimized: TensorProgram
    do {
        optimized = try program.raising(extracted)
    } catch {
        throw OptimizationError(description: "cannot read the extracted program back: \(error.message)")
    }
    lap("extract")
    return OptimizationResult(
        program: optimized,
        report: OptimizationReport(
            run: run, costBefore: costBefore, costAfter: roots.map { extractor.cost(of: $0) }, phaseSeconds: phases))
}

/// The rules `options` asks for, lowered and checked.
public func loadRules(_ options: OptimizeOptions, conditions: ConditionRegistry) throws(DiagnosticError) -> RuleSet {
    var sources: [RuleSource] = []
    if options.usesDefaultRules {
        let urls = DefaultRules.urls
        guard urls.count == DefaultRules.fileNames.count else {
            throw DiagnosticError([Diagnostic("the bundled default rule files are missing", at: nil)])
        }
        for url in urls { sources.append(try RuleSource(contentsOf: url)) }
    }
    sources += options.ruleFiles
    return try RuleSet(
        sources, signature: TensorVocabulary.signature, conditions: conditions, desugar: TensorVocabulary.lower)
}
