import Dispatch
import EGraph
import Extract
import Foundation
import TensorOps

extension OptimizationPipeline {
    /// The second stage: saturates the prepared e-graph as
    /// ``optimize(_:options:)`` does, with its hooks: the progress display,
    /// if the options have one, then the ``StabilityGoal``.
    /// - Parameter prepared: The first stage's e-graph, saturated in place.
    /// - Returns: The run's report, across phases.
    public func saturate(_ prepared: PreparedEGraph) -> RunReport {
        var hooks: [any RunHook] = []
        if let progress = options.progress { hooks.append(ProgressHook(progress, since: budget.start)) }
        var goal = StabilityGoal(prepared, settleIterations: options.settleIterations)
        goal.settleIterationsWhileRisky = options.settleIterationsWhileRisky
        hooks.append(goal)
        return saturate(prepared, hooks: hooks)
    }

    /// Saturates the prepared e-graph as ``saturate(_:)`` does, with `hooks`
    /// instead of `optimize`'s: the rule phases in order under the options'
    /// limits and scheduler, within the budget's share for saturation.
    /// - Parameters:
    ///   - prepared: The first stage's e-graph, saturated in place.
    ///   - hooks: What watches the run and ends each phase (a test's own
    ///     goal, say); none runs every phase to saturation or a limit.
    /// - Returns: The run's report, across phases.
    public func saturate(_ prepared: PreparedEGraph, hooks: [any RunHook]) -> RunReport {
        var limits = options.limits
        limits.seconds = budget.saturationSecondsLeft
        var runner = Runner(limits: limits, scheduler: options.scheduler)
        runner.hooks = hooks
        var report = runner.run(phases: prepared.phases, on: prepared.egraph)
        // The runner was given what was left of the budget; the report
        // names the limit the caller set.
        if case .timeLimit = report.stopReason { report.stopReason = .timeLimit(options.reportedTimeLimit) }
        return report
    }
}

/// The goal of ``optimize(_:options:)``'s saturation: no output can fail any
/// more, and the best stability cost of the outputs together has not
/// improved for ``settleIterations`` iterations. The e-graphs of gradients
/// keep growing with AC variants long after their stable form is found.
///
/// It extracts the best terms of the whole e-graph every time it is called,
/// the costliest part of a late phase; the best cost is carried across
/// phases, and a later phase (a few rules for what the main one leaves) has
/// one iteration to improve on it, not the full settling time.
public struct StabilityGoal: RunHook {
    /// The iterations without improvement after which a phase has settled.
    public let settleIterations: Int
    /// The iterations without improvement after which a phase whose best
    /// form can still fail has settled too; `nil` for never.
    public var settleIterationsWhileRisky: Int?
    private let roots: [ClassID]
    private let cost: StabilityCost
    private let inputExtractor: Extractor<StabilityCost>
    private var best: StabilityCost.Value?
    private var quiet = 0

    /// The goal for the outputs of `prepared`.
    /// - Parameters:
    ///   - prepared: The e-graph the run saturates, and its outputs.
    ///   - settleIterations: ``OptimizeOptions/settleIterations``.
    public init(_ prepared: PreparedEGraph, settleIterations: Int) {
        self.settleIterations = settleIterations
        roots = prepared.roots
        cost = prepared.cost
        inputExtractor = prepared.inputExtractor
    }

    /// Extracts the outputs' best terms and reports the goal reached once
    /// none can fail and their cost has settled.
    public mutating func inspect(_ run: RunState) -> RunHookVerdict {
        // Before a later phase's first iteration the e-graph is as the
        // earlier phase left it: nothing to extract, and the phase gets one
        // iteration to improve on the best before it has settled.
        if run.isPhaseStart && run.iterations > 0 {
            quiet = settleIterations - 1
            return .proceed
        }
        // Before the first iteration the e-graph is the program as
        // inserted, whose extraction is already at hand.
        let costs =
            run.iterations == 0 ? inputExtractor.costs(of: roots) : Extractor(run.egraph, cost: cost).costs(of: roots)
        let total = costs.contains { $0 == nil } ? nil : StabilityCost.Value.total(costs.map { $0! })
        if let total, best.map({ total < $0 }) ?? true {
            best = total
            quiet = 0
        } else {
            quiet += 1
        }
        guard let best else { return .proceed }
        if !best.canFail { return quiet >= settleIterations ? .goalReached : .proceed }
        return settleIterationsWhileRisky.map { quiet >= $0 } == true ? .goalReached : .proceed
    }
}

/// Reports where a saturation stands to ``OptimizeOptions/progress``, and
/// never stops it.
struct ProgressHook: RunHook {
    let progress: @Sendable (OptimizationProgress) -> Void
    /// When the call started, which the elapsed seconds count from.
    let start: Date

    init(_ progress: @escaping @Sendable (OptimizationProgress) -> Void, since start: Date) {
        self.progress = progress
        self.start = start
    }

    mutating func inspect(_ run: RunState) -> RunHookVerdict {
        progress(
            OptimizationProgress(
                iteration: run.iterations, nodes: run.egraph.nodeCount, classes: run.egraph.classCount,
                elapsedSeconds: Date().timeIntervalSince(start)))
        return .proceed
    }
}

/// One time budget for a whole ``optimize(_:options:)`` call: saturation
/// (every phase), extraction, reading the program back and verification.
public struct TimeBudget: Sendable {
    /// When the call started.
    public let start: Date
    /// The budget: the options' limit of seconds (`RunLimits.seconds`).
    public let seconds: Double

    /// A budget of `seconds` from `start`.
    /// - Parameters:
    ///   - seconds: The seconds the whole call may take.
    ///   - start: When the call started; by default, now.
    public init(seconds: Double, start: Date = Date()) {
        self.seconds = seconds
        self.start = start
    }

    /// The share of the budget saturation may use. The rest is for
    /// extraction and verification, which on a program of thousands of
    /// operations take as long as saturating it (a 5,000-term log-sum-exp
    /// spent 3 s verifying after 2 s of saturation).
    static let saturationShare = 0.7
    /// The share of the budget after which verification gives up, leaving
    /// the rest for what follows it (rendering the warnings).
    static let verificationShare = 0.95

    /// Seconds of saturation left.
    public var saturationSecondsLeft: Double {
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
