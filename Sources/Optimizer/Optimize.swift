import DefaultRules
import EGraph
import Extract
import Foundation
import TensorOps

/// How ``optimize(_:options:)`` runs.
public struct OptimizeOptions: Sendable {
    /// The limits. The defaults leave room for the gradients of the softmax
    /// family, whose e-graphs stay near a thousand nodes. They bound the
    /// whole call, not each rule phase: the iterations and the e-nodes are
    /// counted across phases, and the seconds cover saturation (at most
    /// seven tenths of them), extraction and verification, which gives up
    /// at nineteen twentieths and leaves the result unverified.
    public var limits = RunLimits(iterations: 30, nodes: 20_000, seconds: 10)
    /// The scheduler. Cancellation rules find thousands of already-applied
    /// matches in the large products of a gradient, so egg's threshold of
    /// 1,000 would ban them just as they are needed; these e-graphs stay
    /// small, and a higher threshold still bans a rule that runs away.
    public var scheduler: any RewriteScheduler = BackoffScheduler(matchLimit: 20_000, banLength: 3)
    /// Iterations without improvement, once no output risks overflow or a
    /// division by zero, after which saturation stops: the e-graphs of
    /// gradients keep growing with AC variants long after their stable form
    /// is found.
    public var settleIterations = 2
    /// Whether the result is verified against the reference evaluator on
    /// adversarial inputs (`AccuracyProbe`), and the input kept when the
    /// optimized program would be less accurate.
    public var verifiesAccuracy = true
    /// The most operations (in the program as written and as optimized) the
    /// verification evaluates: the reference arithmetic costs microseconds
    /// an element, so a program of a hundred thousand operations would take
    /// minutes. Past it the result goes unverified, and the report says so.
    public var verificationOperationLimit = 50_000
    /// The most operations (as written or optimized) verified with the
    /// sensitivities computed up front; a larger program is measured first
    /// without them, and again with them only if that measure, an upper
    /// bound, is past the judge's 8 cond bits somewhere.
    public var quickVerificationOperations = 150
    /// The format the program will be evaluated in: the stability cost
    /// judges overflow and underflow by its thresholds, and the accuracy
    /// probe evaluates in it.
    public var precision = Precision.float64
    /// Whether the default rule files (`rules/*.rules`, compiled in) are
    /// loaded.
    public var usesDefaultRules = true
    /// Rule files loaded after the defaults.
    public var ruleFiles: [RuleSource] = []
    /// Groups of rules (from any file) that are not run.
    public var disabledGroups: Set<String> = []
    /// Whether the result keeps the final e-graph (``OptimizationResult/saturated``)
    /// for inspection: export, explanations. Off by default, since the
    /// e-graph is the run's largest allocation.
    public var keepsEGraph = false
    /// Whether the e-graph records why each pair of classes was merged, so
    /// ``SaturatedEGraph/explanation(ofOutput:)`` can replay the rewrites.
    /// Implies ``keepsEGraph``; it costs memory per merge, not search time.
    public var recordsExplanations = false
    /// Called after each saturation iteration (and once before the first),
    /// for progress displays; the command line shows it on a terminal.
    public var progress: (@Sendable (OptimizationProgress) -> Void)?

    /// Whether each `grad` is also taken of its function's stable form (see
    /// `TensorProgram.differentiatingStableForms`), and that program
    /// optimized and verified against the program as written: it is kept
    /// when it is stable and within 3 cond bits on the probe's inputs, and
    /// otherwise the more accurate of it and the direct optimization is.
    /// Off when explanations are recorded: its result is not a chain of
    /// rewrites from the program as written.
    public var differentiatesStableForms = true

    /// The time limit reports name: the caller's, where a run was given
    /// what is left of it.
    var reportedTimeLimit: Double {
        get { callerTimeLimit ?? limits.seconds }
        set { callerTimeLimit = newValue }
    }
    private var callerTimeLimit: Double?

    /// The default options.
    public init() {}
}

/// What an optimization did, for `--report` and for callers.
public struct OptimizationReport: Sendable {
    /// The saturation run.
    public var run: RunReport
    /// The stability cost of each output as written.
    public var costBefore: [Double]
    /// The stability cost of each output extracted.
    public var costAfter: [Double]
    /// Seconds spent loading rules, saturating, extracting and verifying.
    public var phaseSeconds: [(phase: String, seconds: Double)]
    /// The input program's worst error (cond bits) on the adversarial
    /// inputs, when verified.
    public var accuracyBefore: AccuracyProbe.Report?
    /// The returned program's worst error, when verified.
    public var accuracyAfter: AccuracyProbe.Report?
    /// Whether the optimized program was less accurate than the input, so
    /// the input (with `grad` expanded) was returned instead.
    public var keptInput = false
    /// Why the result was not verified, when verification was asked for but
    /// skipped (a program past ``OptimizeOptions/verificationOperationLimit``).
    public var unverifiedBecause: String?
    /// Whether ``accuracyBefore`` and ``accuracyAfter`` were measured
    /// without the sensitivities, so they are upper bounds of the cond bits
    /// (a program past ``OptimizeOptions/quickVerificationOperations``
    /// whose result was within 8 cond bits even so).
    public var accuracyIsUpperBound = false
    /// The risks the returned program still takes, by output: what the
    /// command line warns of. Empty when every output is stable.
    public var remainingRisks: [RemainingRisk] = []
}

/// An optimized program and how it was found.
public struct OptimizationResult: Sendable {
    /// The optimized program: the same inputs and outputs, no `grad`.
    public var program: TensorProgram
    /// The report.
    public var report: OptimizationReport
    /// The final e-graph and what was extracted from it, when
    /// ``OptimizeOptions/keepsEGraph`` or ``OptimizeOptions/recordsExplanations``
    /// asked for it.
    public var saturated: SaturatedEGraph?
}

/// Where a saturation stands, for progress displays.
public struct OptimizationProgress: Sendable {
    /// Iterations completed so far, across phases.
    public var iteration: Int
    /// E-nodes in the e-graph.
    public var nodes: Int
    /// E-classes in the e-graph.
    public var classes: Int
    /// Seconds since ``optimize(_:options:)`` started.
    public var elapsedSeconds: Double
}

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

/// What can stop an optimization: problems in rule files, or an extracted
/// term that does not read back as a program (a bug, reported, not hidden).
public struct OptimizationError: Error, Sendable, CustomStringConvertible {
    /// The problems, one per line.
    public var description: String
}

/// A program inserted into an e-graph ready to saturate, set up exactly as
/// ``optimize(_:options:)`` sets it up: the rules `options` asks for, the
/// tensor analysis with its shape-keeping merge adapter, and the outputs
/// lowered. Tests that reason about `optimize`'s e-graph start from here.
public struct PreparedEGraph {
    /// The e-graph, rebuilt.
    public let egraph: EGraph
    /// Its tensor analysis.
    public let analysis: TensorAnalysis
    /// The rules loaded for it, their conditions reading `analysis`.
    public let rules: RuleSet
    /// The class of each output, in order.
    public let roots: [ClassID]

    /// Loads the rules and inserts `program`.
    /// - Throws: the located problems of the rule files.
    public init(_ program: TensorProgram, options: OptimizeOptions = OptimizeOptions()) throws(DiagnosticError) {
        analysis = TensorAnalysis(program: program)
        rules = try loadRules(options, conditions: analysis.conditions())
        egraph = EGraph(signature: rules.signature)
        egraph.recordsExplanations = options.recordsExplanations
        egraph.register(analysis)
        analysis.adaptMerges(in: egraph)
        roots = program.lower(into: egraph)
        egraph.rebuild()
    }
}

/// Rewrites `program` into a numerically stable equivalent: inserts it into
/// an e-graph, saturates with the rules, extracts the cheapest form under
/// the stability cost, and reads it back.
public func optimize(_ program: TensorProgram, options: OptimizeOptions = OptimizeOptions()) throws(OptimizationError)
    -> OptimizationResult
{
    try optimizeWithStableGradients(program, options: options)
}

/// ``optimize(_:options:)`` of `program` as inserted, verified against
/// `reference`, the program as written, whose values it must keep and which
/// it returns when it would be less accurate.
func optimizeInserting(
    _ program: TensorProgram, reference: TensorProgram, options: OptimizeOptions
) throws(OptimizationError) -> OptimizationResult {
    var phases: [(String, Double)] = []
    let start = Date()
    var clock = start
    func lap(_ phase: String) {
        phases.append((phase, Date().timeIntervalSince(clock)))
        clock = Date()
    }
    let prepared: PreparedEGraph
    do {
        prepared = try PreparedEGraph(program, options: options)
    } catch {
        throw OptimizationError(description: error.description)
    }
    let (egraph, roots) = (prepared.egraph, prepared.roots)
    let entries = prepared.rules.entries.filter { !options.disabledGroups.contains($0.group) }
    lap("rules")

    let cost = StabilityCost(analysis: prepared.analysis, precision: options.precision)
    // Before saturation each class holds the program as written, so what
    // extraction finds now is the input's cost.
    let inputExtractor = Extractor(egraph, cost: cost)
    let costBefore = inputExtractor.costs(of: roots).map { $0?.scalar ?? .infinity }
    // Phases run in order, each with its own rules, under one budget: each
    // gets the iterations and the saturation time the earlier ones left, so
    // a limit bounds the whole call rather than each phase. The saturation
    // report joins their iterations.
    let budget = TimeBudget(start: start, seconds: options.limits.seconds)
    var joinedRun: RunReport?
    // The best cost so far, carried across phases: a later phase (a few
    // rules for what the main one leaves) has one iteration to improve on
    // it, not the full settling time, which the goal's extraction of the
    // whole e-graph made the costliest part of such a phase.
    var best: StabilityCost.Value?
    for phase in Array(Set(entries.map(\.phase))).sorted() {
        var limits = options.limits
        limits.iterations = max(0, limits.iterations - (joinedRun?.iterations.count ?? 0))
        limits.seconds = budget.saturationSecondsLeft
        // A limit that stopped one phase stops the rest.
        if let joinedRun, joinedRun.stopReason.isLimit || limits.iterations == 0 || limits.seconds <= 0 { break }
        var runner = Runner(limits: limits, scheduler: options.scheduler)
        var quiet = 0
        // The goal runs before the phase's first iteration and after each.
        let earlierIterations = joinedRun?.iterations.count ?? 0
        var goalCalls = 0
        runner.goal = { egraph in
            if let progress = options.progress {
                progress(
                    OptimizationProgress(
                        iteration: earlierIterations + goalCalls, nodes: egraph.nodeCount,
                        classes: egraph.classCount, elapsedSeconds: Date().timeIntervalSince(start)))
            }
            goalCalls += 1
            // Before a later phase's first iteration the e-graph is as the
            // earlier phase left it: nothing to extract, and the phase gets
            // one iteration to improve on the best before it has settled.
            if goalCalls == 1 && earlierIterations > 0 {
                quiet = options.settleIterations - 1
                return false
            }
            // Before the first iteration the e-graph is the program as
            // inserted, whose extraction is already at hand.
            let costs =
                goalCalls == 1 && earlierIterations == 0
                ? inputExtractor.costs(of: roots) : Extractor(egraph, cost: cost).costs(of: roots)
            let total = costs.contains { $0 == nil } ? nil : StabilityCost.Value.total(costs.map { $0! })
            if let total, best.map({ total < $0 }) ?? true {
                best = total
                quiet = 0
            } else {
                quiet += 1
            }
            return best.map { !$0.canFail } == true && quiet >= options.settleIterations
        }
        var phaseReport = runner.run(entries.filter { $0.phase == phase }.map(\.rewrite), on: egraph)
        // The runner was given what was left of the budget; the report
        // names the limit the caller set.
        if case .timeLimit = phaseReport.stopReason { phaseReport.stopReason = .timeLimit(options.reportedTimeLimit) }
        if var joined = joinedRun {
            joined.iterations += phaseReport.iterations
            joined.stopReason = phaseReport.stopReason
            joined.totalSeconds += phaseReport.totalSeconds
            joined.nodes = phaseReport.nodes
            joined.classes = phaseReport.classes
            joinedRun = joined
        } else {
            joinedRun = phaseReport
        }
    }
    let run = joinedRun ?? Runner(limits: options.limits).run([], on: egraph)
    lap("saturate")

    // A run that merged nothing left the e-graph as the program was
    // inserted: its extraction is the input, which is returned as it is
    // rather than extracted and read back again (on a sum of 100,000
    // operands stopped by a limit, that was two thirds of the call).
    let unchanged = run.iterations.allSatisfy { iteration in
        iteration.rebuildUnions == 0 && iteration.rules.allSatisfy { $0.applications == 0 }
    }
    let extractor = unchanged ? inputExtractor : Extractor(egraph, cost: cost)
    let keepsEGraph = options.keepsEGraph || options.recordsExplanations
    var extracted: [(name: String, term: Term)] = []
    if !unchanged || keepsEGraph {
        for (output, term) in zip(program.outputs, extractor.terms(for: roots)) {
            guard let term else {
                throw OptimizationError(description: "output '\(output.name)' has no finite term to extract")
            }
            extracted.append((output.name, term))
        }
    }
    let optimized: TensorProgram
    do {
        optimized = unchanged ? program : try program.raising(extracted)
    } catch {
        throw OptimizationError(description: "cannot read the extracted program back: \(error.message)")
    }
    lap("extract")
    var report = OptimizationReport(
        run: run, costBefore: costBefore, costAfter: extractor.costs(of: roots).map { $0?.scalar ?? .infinity },
        phaseSeconds: phases)
    var returned = optimized
    report.remainingRisks = RemainingRisk.find(
        in: extractor, roots: roots, outputs: program.outputs.map(\.name), program: program)
    let saturated =
        keepsEGraph
        ? SaturatedEGraph(
            egraph: egraph, analysis: prepared.analysis, rules: prepared.rules,
            outputNames: program.outputs.map(\.name),
            roots: roots, inputTerms: program.loweredTerms().map(\.term), extractedTerms: extracted.map(\.term),
            extractor: extractor) : nil
    let operations = max(reference.graph.nodes.count, optimized.graph.nodes.count)
    if options.verifiesAccuracy && operations > options.verificationOperationLimit {
        report.unverifiedBecause =
            "\(operations) operations, past the verification limit of \(options.verificationOperationLimit)"
    } else if options.verifiesAccuracy {
        // Verified, not trusted: a program the probe cannot evaluate (an
        // input it cannot bind) goes unverified rather than failing. The
        // probe stops at the call's deadline: a reference evaluation of a
        // large program takes seconds, and the time limit bounds the whole
        // call. A result it could not verify in time is kept, as one past
        // the operation limit is: the rules are sound, so it computes the
        // same values, and its stability cost is no worse than the input's.
        var probe = AccuracyProbe()
        probe.precision = options.precision
        probe.deadline = budget.verificationDeadline
        // A large program is first measured without sensitivities, at a
        // ninth of the reference evaluations (the deep MLPs spent nine
        // tenths of their time verifying): the bits are then upper bounds,
        // and if the result is within the judge's 8 everywhere, it cannot
        // be worse than the input anywhere. Otherwise it is measured again
        // with them.
        let quick = operations > options.quickVerificationOperations
        if quick { probe.sensitivitySamples = 0 }
        let measured: (AccuracyProbe.Report, AccuracyProbe.Report)?
        do {
            var baseline = try probe.baseline(for: reference)
            var after = try probe.measure(optimized, against: baseline)
            if quick && after.maximumBits > AccuracyProbe.acceptableBits {
                probe.sensitivitySamples = AccuracyProbe().sensitivitySamples
                baseline = try probe.baseline(for: reference)
                after = try probe.measure(optimized, against: baseline)
            }
            report.accuracyIsUpperBound = probe.sensitivitySamples == 0
            measured = (try probe.measure(reference, against: baseline), after)
        } catch {
            measured = nil
            if error.kind == .deadline {
                report.unverifiedBecause =
                    "the time limit of \(options.reportedTimeLimit) s ran out during verification"
            }
        }
        if let (before, after) = measured {
            report.accuracyBefore = before
            report.accuracyAfter = after
            // Worse means wrong (past the judge's 8 cond bits, or nan or inf)
            // on an element the input computes correctly: elsewhere the
            // input is no better, and the stable form is kept for the inputs
            // the probe did not try.
            if after.regressions(from: before) > 0 {
                returned = reference
                report.keptInput = true
                report.accuracyAfter = before
                report.costAfter = costBefore
                report.remainingRisks = inputRisks(of: reference, options: options)
            }
        }
        lap("verify")
        report.phaseSeconds = phases
    }
    return OptimizationResult(program: returned, report: report, saturated: saturated)
}

/// The risks of `program` as written, for the warnings of a run that returns
/// it: read off a fresh e-graph of it, whose classes hold only what was
/// written. Found only then, so an ordinary run does not pay for rendering
/// them.
private func inputRisks(of program: TensorProgram, options: OptimizeOptions) -> [RemainingRisk] {
    var options = options
    options.recordsExplanations = false
    guard let prepared = try? PreparedEGraph(program, options: options) else { return [] }
    let extractor = Extractor(
        prepared.egraph, cost: StabilityCost(analysis: prepared.analysis, precision: options.precision))
    return RemainingRisk.find(
        in: extractor, roots: prepared.roots, outputs: program.outputs.map(\.name), program: program)
}

/// One time budget for a whole ``optimize(_:options:)`` call: saturation
/// (every phase), extraction, reading the program back and verification.
struct TimeBudget {
    /// When the call started.
    let start: Date
    /// The budget, ``RunLimits/seconds`` of the options.
    let seconds: Double

    /// The share of the budget saturation may use. The rest is for
    /// extraction and verification, which on a program of thousands of
    /// operations take as long as saturating it (a 5,000-term log-sum-exp
    /// spent 3 s verifying after 2 s of saturation).
    static let saturationShare = 0.7
    /// The share of the budget after which verification gives up, leaving
    /// the rest for what follows it (rendering the warnings).
    static let verificationShare = 0.95

    /// Seconds of saturation the phases have left.
    var saturationSecondsLeft: Double {
        seconds * TimeBudget.saturationShare - Date().timeIntervalSince(start)
    }

    /// When verification gives up, in `DispatchTime` uptime nanoseconds
    /// (`.max` for a budget too long for the clock).
    var verificationDeadline: UInt64 {
        let left = seconds * TimeBudget.verificationShare - Date().timeIntervalSince(start)
        let now = DispatchTime.now().uptimeNanoseconds
        guard left * 1e9 < Double(UInt64.max - now) else { return .max }
        return now + UInt64(max(left, 0) * 1e9)
    }
}

extension StopReason {
    /// Whether a limit stopped the run (nodes, time or iterations), rather
    /// than saturation or the goal.
    var isLimit: Bool {
        switch self {
        case .nodeLimit, .timeLimit, .iterationLimit: true
        case .saturated, .goalReached: false
        }
    }
}
