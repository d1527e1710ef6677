import Dispatch

/// When a run stops, whatever stops first. Defaults follow egg's.
public struct RunLimits: Sendable, Equatable {
    /// The most iterations to run (default 30).
    public var iterations: Int
    /// The most e-nodes; a run stops as soon as the e-graph has more
    /// (default 10,000).
    public var nodes: Int
    /// The most seconds of saturation (default 5). A run stops within a
    /// tenth of it, the final rebuild included: searches give up at the
    /// limit, and applying stops early enough to leave room for the rebuild.
    public var seconds: Double
    /// The most e-nodes at any moment within an iteration (default the node
    /// limit plus a tenth, following ``nodes`` until set). The node limit
    /// proper is compared after each iteration, as egg does; this bounds the
    /// transient growth within one, so a run stops within 10% of its node
    /// limit. The benchmark's workloads use egg's semantics, where only the
    /// size after an iteration counts, and set this to twice the limit.
    public var peakNodes: Int {
        get {
            if let explicitPeakNodes { return explicitPeakNodes }
            let (peak, overflow) = nodes.addingReportingOverflow(nodes / 10)
            return overflow ? .max : peak
        }
        set { explicitPeakNodes = newValue }
    }

    /// The peak limit when set, rather than derived from the node limit: a
    /// stored default went stale when a caller (the command line's
    /// `--node-limit`) set the node limit after initializing, and a run
    /// limited to 3,000 nodes could peak at 22,000.
    private var explicitPeakNodes: Int?

    /// Limits with egg's defaults unless given.
    public init(iterations: Int = 30, nodes: Int = 10_000, seconds: Double = 5, peakNodes: Int? = nil) {
        self.iterations = iterations
        self.nodes = nodes
        self.seconds = seconds
        explicitPeakNodes = peakNodes
    }

    /// Whether two limits stop runs alike: a peak limit set to the default
    /// equals one left to follow the node limit.
    public static func == (lhs: RunLimits, rhs: RunLimits) -> Bool {
        lhs.iterations == rhs.iterations && lhs.nodes == rhs.nodes && lhs.seconds == rhs.seconds
            && lhs.peakNodes == rhs.peakNodes
    }
}

/// Why a run stopped. Always set.
public enum StopReason: Hashable, Sendable, CustomStringConvertible {
    /// An iteration changed nothing and no rule was banned.
    case saturated
    /// The iteration limit was reached.
    case iterationLimit(Int)
    /// The e-graph grew past the node limit.
    case nodeLimit(Int)
    /// The time limit passed.
    case timeLimit(Double)
    /// The goal hook reported success.
    case goalReached

    /// A short kebab-case name, as the benchmark prints it.
    public var description: String {
        switch self {
        case .saturated: "saturated"
        case .iterationLimit: "iteration-limit"
        case .nodeLimit: "node-limit"
        case .timeLimit: "time-limit"
        case .goalReached: "goal-reached"
        }
    }
}

/// What one rule did in one iteration.
public struct RuleIterationStats: Sendable, Equatable {
    /// The rule's name.
    public var name: String
    /// Matches found (whose conditions held); 0 when banned.
    public var matches: Int
    /// Merges that joined distinct classes.
    public var applications: Int
    /// Whether the scheduler banned the rule this iteration.
    public var banned: Bool
}

/// What one iteration did.
public struct IterationReport: Sendable {
    /// E-nodes after the iteration's rebuild.
    public var nodes: Int
    /// E-classes after the iteration's rebuild.
    public var classes: Int
    /// Per rule, in rule order; rules the scheduler skipped are absent.
    public var rules: [RuleIterationStats]
    /// Seconds spent searching, applying and rebuilding.
    public var searchSeconds: Double
    /// Seconds spent applying.
    public var applySeconds: Double
    /// Seconds spent rebuilding.
    public var rebuildSeconds: Double
    /// Unions rebuilding performed (congruence, analyses).
    public var rebuildUnions: Int
}

/// The record of a run.
public struct RunReport: Sendable {
    /// Why the run stopped.
    public var stopReason: StopReason
    /// One entry per iteration run, complete or cut short by a limit.
    public var iterations: [IterationReport]
    /// Seconds from start to stop.
    public var totalSeconds: Double
    /// E-nodes at the end.
    public var nodes: Int
    /// E-classes at the end.
    public var classes: Int

    /// Matches and applications per rule, summed over iterations, in rule order.
    public var ruleTotals: [(name: String, matches: Int, applications: Int)] {
        var order: [String] = []
        var totals: [String: (Int, Int)] = [:]
        for iteration in iterations {
            for rule in iteration.rules {
                if totals[rule.name] == nil { order.append(rule.name) }
                let previous = totals[rule.name] ?? (0, 0)
                totals[rule.name] = (previous.0 + rule.matches, previous.1 + rule.applications)
            }
        }
        return order.map { ($0, totals[$0]!.0, totals[$0]!.1) }
    }
}

/// Decides, iteration by iteration, which rules the runner searches, how far
/// a search may go, and whether what it found is applied (egg's
/// `RewriteScheduler`). A runner copies its scheduler at the start of each
/// run, so a value type's state (its bans, say) starts afresh every run.
public protocol RewriteScheduler: Sendable {
    /// Called once at the start of a run with the rules it runs (the
    /// engine's AC flattening steps included), in the order the other calls
    /// index them.
    mutating func start(rules: [Rewrite])
    /// Whether rule `rule` is searched in iteration `iteration`.
    func canSearch(_ rule: Int, iteration: Int) -> Bool
    /// How far a search of rule `rule` may go: it stops one match past
    /// `matches`, or once it has bound `operands` operands to rest
    /// variables (`Int.max` for no bound).
    func searchBounds(_ rule: Int) -> (matches: Int, operands: Int)
    /// The search of rule `rule` in iteration `iteration` found `matches`
    /// matches, or was `cutOff` at its operand bound: whether the runner
    /// applies them. Returning `false` reports the rule banned this
    /// iteration.
    mutating func admit(_ rule: Int, iteration: Int, matches: Int, cutOff: Bool) -> Bool
    /// An iteration that changed nothing ended before iteration `iteration`:
    /// whether the run may stop as saturated (not while a rule it skipped
    /// could still match, say).
    mutating func canStop(iteration: Int) -> Bool
}

/// Searches every rule every iteration, with no bound on a search but the
/// time limit: a rule with a rest variable on an AC node of n operands binds
/// n² of them.
public struct SimpleScheduler: RewriteScheduler {
    /// The scheduler.
    public init() {}

    /// Nothing to prepare.
    public mutating func start(rules: [Rewrite]) {}
    /// Every rule.
    public func canSearch(_ rule: Int, iteration: Int) -> Bool { true }
    /// No bound.
    public func searchBounds(_ rule: Int) -> (matches: Int, operands: Int) { (.max, .max) }
    /// Everything found.
    public mutating func admit(_ rule: Int, iteration: Int, matches: Int, cutOff: Bool) -> Bool { true }
    /// A quiet iteration is saturation.
    public mutating func canStop(iteration: Int) -> Bool { true }
}

/// egg's back-off: a rule finding more than its threshold of matches in one
/// iteration is banned for its ban length, and each ban doubles both. A rule
/// whose matches bind more than 128 operands to rest variables per match of
/// its threshold is banned the same way, its search cut short, so a search's
/// memory stays proportional to its threshold however wide the AC nodes it
/// matches.
public struct BackoffScheduler: RewriteScheduler {
    /// The first threshold of every rule.
    public let matchLimit: Int
    /// The first ban's length, in iterations.
    public let banLength: Int
    private var bans: [BanState] = []

    /// egg's defaults: threshold 1,000, ban 5 iterations.
    public static let egg = BackoffScheduler(matchLimit: 1_000, banLength: 5)

    /// A scheduler with the given first threshold and ban length.
    public init(matchLimit: Int, banLength: Int) {
        self.matchLimit = matchLimit
        self.banLength = banLength
    }

    /// Every rule starts unbanned at the first threshold.
    public mutating func start(rules: [Rewrite]) {
        bans = [BanState](repeating: BanState(threshold: matchLimit, banLength: banLength), count: rules.count)
    }

    /// Unless banned.
    public func canSearch(_ rule: Int, iteration: Int) -> Bool { bans[rule].bannedUntil <= iteration }

    /// The rule's threshold, and its operand budget.
    public func searchBounds(_ rule: Int) -> (matches: Int, operands: Int) {
        (bans[rule].threshold, bans[rule].operandBudget)
    }

    /// Bans a rule past its threshold or cut off.
    public mutating func admit(_ rule: Int, iteration: Int, matches: Int, cutOff: Bool) -> Bool {
        guard matches > bans[rule].threshold || cutOff else { return true }
        bans[rule].ban(from: iteration)
        return false
    }

    /// Only if no rule is banned; otherwise lifts the earliest bans now, as
    /// egg does, so the run goes on without idling through the rest of them.
    public mutating func canStop(iteration: Int) -> Bool { BanState.canStop(&bans, iteration: iteration) }
}

extension RewriteScheduler where Self == SimpleScheduler {
    /// Every rule, every iteration (``SimpleScheduler``).
    public static var simple: SimpleScheduler { SimpleScheduler() }
}

extension RewriteScheduler where Self == BackoffScheduler {
    /// egg's back-off with the given first threshold and ban length
    /// (``BackoffScheduler``).
    public static func backoff(matchLimit: Int, banLength: Int) -> BackoffScheduler {
        BackoffScheduler(matchLimit: matchLimit, banLength: banLength)
    }

    /// egg's defaults: threshold 1,000, ban 5 iterations.
    public static var defaultBackoff: BackoffScheduler { .egg }
}

/// Runs rewrites over an e-graph to saturation or a limit (egg's `Runner`).
///
/// One iteration searches every unbanned rule on the same clean e-graph,
/// applies all the matches, then rebuilds once. Limits are checked after every
/// rule's search and apply, and every few applications within one, and a
/// search itself gives up at the time limit, so a run stops within a tenth of
/// its node or time limit. The scheduler (``RewriteScheduler``) picks the
/// rules searched and bounds each search.
public struct Runner {
    /// The limits.
    public var limits: RunLimits
    /// The scheduler, copied at the start of each run.
    public var scheduler: any RewriteScheduler
    /// Checked before the first iteration and after each: returning `true`
    /// stops the run with ``StopReason/goalReached``. Its time counts
    /// against the time limit: when its last duration says it would end
    /// past the limit, it is not called and the run stops by the limit.
    public var goal: ((EGraph) -> Bool)?
    /// Whether the engine's lazy AC flattening runs for every AC operator of
    /// the e-graph's signature, as rules named `ac-flatten(op)`.
    public var flattensAC = true

    /// A runner with the given limits and scheduler.
    public init(limits: RunLimits = RunLimits(), scheduler: some RewriteScheduler = BackoffScheduler.egg) {
        self.limits = limits
        self.scheduler = scheduler
    }

    /// Runs `rules` on `egraph` and leaves it clean.
    public func run(_ rules: [Rewrite], on egraph: EGraph) -> RunReport {
        let clock = Stopwatch()
        egraph.rebuild()
        var rules = rules
        if flattensAC {
            rules += egraph.signature.acOperators.map { Rewrite.flattening($0, signature: egraph.signature) }
        }
        var scheduler = self.scheduler
        scheduler.start(rules: rules)
        var iterations: [IterationReport] = []
        var reason: StopReason?

        var monitor = LimitMonitor(limits: limits, clock: clock, egraph: egraph)

        // Each rule's last match set, emptied and refilled by its next search
        // so large match buffers are allocated once per run.
        var recycled = [MatchSet?](repeating: nil, count: rules.count)

        if let goal, monitor.timeGoal({ goal(egraph) }) { reason = .goalReached }
        while reason == nil {
            if iterations.count >= limits.iterations {
                reason = .iterationLimit(limits.iterations)
                break
            }
            let index = iterations.count
            var stats: [RuleIterationStats] = []
            var searched: [(rule: Int, stat: Int, matches: MatchSet)] = []
            let searchStart = clock.seconds
            for (ruleIndex, rule) in rules.enumerated() where scheduler.canSearch(ruleIndex, iteration: index) {
                let bounds = scheduler.searchBounds(ruleIndex)
                let (matches, cutoff) = rule.search(
                    egraph, limit: bounds.matches == .max ? .max : bounds.matches + 1,
                    operandBudget: bounds.operands, deadline: monitor.deadline,
                    recycling: recycled[ruleIndex].take())
                if cutoff == .deadline {
                    recycled[ruleIndex] = matches
                    stats.append(RuleIterationStats(name: rule.name, matches: 0, applications: 0, banned: false))
                    reason = .timeLimit(limits.seconds)
                    break
                }
                if !scheduler.admit(
                    ruleIndex, iteration: index, matches: matches.count, cutOff: cutoff == .operandBudget)
                {
                    recycled[ruleIndex] = matches
                    stats.append(RuleIterationStats(name: rule.name, matches: 0, applications: 0, banned: true))
                } else {
                    stats.append(
                        RuleIterationStats(name: rule.name, matches: matches.count, applications: 0, banned: false))
                    searched.append((ruleIndex, stats.count - 1, matches))
                }
                if let limit = monitor.limitReached() {
                    reason = limit
                    break
                }
            }
            let applyStart = clock.seconds
            var applied = 0
            if reason == nil {
                monitor.startApplying()
                for (ruleIndex, statIndex, matches) in searched {
                    let merged = rules[ruleIndex].apply(matches, to: egraph) { monitor.limitReached() != nil }
                    applied += merged
                    stats[statIndex].applications = merged
                    if let limit = monitor.limitReached() {
                        reason = limit
                        break
                    }
                }
            }
            for entry in searched { recycled[entry.rule] = entry.matches }
            searched = []
            let rebuildStart = clock.seconds
            let rebuildUnions = egraph.rebuild()
            let end = clock.seconds
            let midIterationRebuildSeconds = monitor.finishIteration(rebuildFrom: rebuildStart, to: end)
            let applySeconds = rebuildStart - applyStart - midIterationRebuildSeconds
            let rebuildSeconds = end - rebuildStart + midIterationRebuildSeconds
            iterations.append(
                IterationReport(
                    nodes: egraph.nodeCount, classes: egraph.classCount, rules: stats,
                    searchSeconds: applyStart - searchStart, applySeconds: applySeconds,
                    rebuildSeconds: rebuildSeconds, rebuildUnions: rebuildUnions))
            if reason != nil { break }
            if let goal {
                guard monitor.hasTimeForGoal() else {
                    reason = .timeLimit(limits.seconds)
                    break
                }
                if monitor.timeGoal({ goal(egraph) }) {
                    reason = .goalReached
                    break
                }
            }
            if egraph.nodeCount > limits.nodes {
                reason = .nodeLimit(limits.nodes)
                break
            }
            if applied == 0 && rebuildUnions == 0 && scheduler.canStop(iteration: index + 1) {
                reason = .saturated
            }
        }
        return RunReport(
            stopReason: reason!, iterations: iterations, totalSeconds: clock.seconds,
            nodes: egraph.nodeCount, classes: egraph.classCount)
    }
}

/// Watches a run's node and time limits within an iteration, where the
/// runner asks after each rule's search and apply and every few applications
/// within one, so that a run stops within a tenth of either limit.
///
/// The node limit is egg's: the e-graph's size after an iteration's rebuild.
/// Within an iteration the size can peak far above what the iteration ends
/// with (nodes added early become congruent after later merges: n = 10 of the
/// AC workload peaks near 174,000 nodes on its way to 57,012), so
/// mid-iteration a run stops only at `limits.peakNodes`. The e-graph's
/// estimate counts every node added since the last rebuild, an upper bound on
/// the exact size; when the estimate comes within a batch (the most it has
/// grown between two checks) of the peak limit, a rebuild gives the exact
/// size, and the run stops if the next batch could take it past the peak.
///
/// The time limit must leave room for the rebuild that ends every run,
/// which processes everything applied since the last one: stopping only once
/// the limit had passed overshot a 1-second limit by a third. So while
/// applying, the monitor stops once the time so far plus the rebuild it
/// predicts would pass the limit; it predicts a rebuild from the seconds
/// spent applying since the last one, at the ratio of rebuilding to applying
/// measured on the run's longest apply (1 until an iteration has finished).
/// The prediction reserves at most a tenth of the limit, so it never stops a
/// run before nine tenths of it: where rebuilding is not proportional to
/// applying (an analysis that narrows its facts for a whole rebuild under
/// unsound rules took 1.2 s after 2 ms of applying), an unbounded reserve
/// stopped a 5-second run at 2.5 s. The goal hook is timed the same way: the
/// optimizer's extracts from the whole e-graph, and ran a 1-second run to
/// 1.25 s after its last iteration; it is skipped, and the run stopped by its
/// time limit, when its last duration, scaled by the e-graph's growth since,
/// would take the run past the limit.
struct LimitMonitor {
    let limits: RunLimits
    let clock: Stopwatch
    let egraph: EGraph
    /// When a search gives up: the time limit, on the searcher's clock.
    let deadline: UInt64
    private var lastEstimate: Int
    /// The most the estimate has grown between two checks this run.
    private var batchGrowth = 0
    /// When the work the next rebuild will process began, while applying.
    private var applyingSince: Double?
    private var midIterationRebuildSeconds = 0.0
    private var longestApply = 0.0
    private var rebuildPerApply = 1.0
    /// The goal hook's last duration, and the e-graph's size then.
    private var goalSeconds = 0.0
    private var goalNodes = 0

    init(limits: RunLimits, clock: Stopwatch, egraph: EGraph) {
        self.limits = limits
        self.clock = clock
        self.egraph = egraph
        deadline = clock.deadline(after: limits.seconds)
        lastEstimate = egraph.estimatedNodeCount
    }

    /// Marks the start of the apply phase, whose work the next rebuild does.
    mutating func startApplying() {
        applyingSince = clock.seconds
    }

    /// Why the run must stop now, if it must; may rebuild the e-graph to
    /// count its nodes exactly.
    mutating func limitReached() -> StopReason? {
        let now = clock.seconds
        let pendingRebuild = min(applyingSince.map { (now - $0) * rebuildPerApply } ?? 0, limits.seconds / 10)
        if now + pendingRebuild > limits.seconds { return .timeLimit(limits.seconds) }
        let estimate = egraph.estimatedNodeCount
        batchGrowth = max(batchGrowth, estimate - lastEstimate)
        lastEstimate = estimate
        // Subtracting, as the limits may be `Int.max`.
        let peak = limits.peakNodes
        guard estimate > peak - batchGrowth else { return nil }
        egraph.rebuild()
        let end = clock.seconds
        midIterationRebuildSeconds += end - now
        if applyingSince != nil { applyingSince = end }
        let exact = egraph.nodeCount
        lastEstimate = egraph.estimatedNodeCount
        if exact > peak || (exact > limits.nodes && exact > peak - batchGrowth) { return .nodeLimit(limits.nodes) }
        return nil
    }

    /// Runs the goal hook and records how long it took for the size of the
    /// e-graph.
    mutating func timeGoal(_ goal: () -> Bool) -> Bool {
        let start = clock.seconds
        let reached = goal()
        goalSeconds = clock.seconds - start
        goalNodes = egraph.nodeCount
        return reached
    }

    /// Whether the goal hook, as long as it last took per node, would end
    /// before the time limit, or, reserving at most a tenth of the limit for
    /// it, nine tenths of the limit have not passed.
    func hasTimeForGoal() -> Bool {
        let growth = Double(egraph.nodeCount) / Double(max(goalNodes, 1))
        let reserve = min(goalSeconds * max(growth, 1), limits.seconds / 10)
        return clock.seconds + reserve <= limits.seconds
    }

    /// Records the iteration's final rebuild, between two readings of the
    /// clock, and returns the seconds spent rebuilding before it.
    mutating func finishIteration(rebuildFrom start: Double, to end: Double) -> Double {
        if let applyingSince, start - applyingSince > longestApply {
            longestApply = start - applyingSince
            rebuildPerApply = (end - start) / longestApply
        }
        applyingSince = nil
        lastEstimate = egraph.estimatedNodeCount
        defer { midIterationRebuildSeconds = 0 }
        return midIterationRebuildSeconds
    }
}

/// One rule's back-off state.
struct BanState: Sendable {
    var threshold: Int
    var banLength: Int
    var bannedUntil = 0

    /// The most operands a search may bind to rest variables before it is
    /// cut off and the rule banned, as if it had found more than its
    /// threshold of matches.
    ///
    /// The match threshold alone does not bound a search's memory: each
    /// match of `(+ ?a ?r...)` on a sum of n operands binds n - 1 of them, so
    /// a threshold's worth of matches on a sum of 100,000 operands held
    /// gigabytes before the rule could be banned.
    var operandBudget: Int {
        let (budget, overflow) = threshold.multipliedReportingOverflow(by: BanState.operandsPerMatch)
        return overflow ? .max : budget
    }

    /// Rest operands a search may bind per match of its threshold. Measured
    /// on the corpus, the searches that stay under their threshold bind at
    /// most 10.3 operands per match of the threshold (sum-lift, counting the
    /// matches its conditions reject), so this is an order of magnitude
    /// above any normal search; at egg's threshold of 1,000 it still allows
    /// only half a megabyte of bindings.
    static let operandsPerMatch = 128

    init(threshold: Int, banLength: Int) {
        self.threshold = threshold
        self.banLength = banLength
    }

    mutating func ban(from iteration: Int) {
        bannedUntil = iteration + banLength
        threshold = threshold.multipliedReportingOverflow(by: 2).overflow ? .max : threshold * 2
        banLength *= 2
    }

    /// Whether a quiet iteration means saturation: only if no rule is banned.
    /// Otherwise it lifts the earliest bans now, as egg does, so the run goes
    /// on without idling through the remaining ban.
    static func canStop(_ bans: inout [BanState], iteration: Int) -> Bool {
        let banned = bans.indices.filter { bans[$0].bannedUntil > iteration }
        guard let earliest = banned.map({ bans[$0].bannedUntil }).min() else { return true }
        let delta = earliest - iteration
        for index in banned { bans[index].bannedUntil -= delta }
        return false
    }
}

/// Monotonic elapsed time, read cheaply.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// The uptime in nanoseconds (``Searcher/deadline``'s clock) `seconds`
    /// after the start; `.max` when that is past what the clock can count.
    func deadline(after seconds: Double) -> UInt64 {
        let nanoseconds = seconds * 1e9
        guard nanoseconds < Double(UInt64.max - start) else { return .max }
        return start + UInt64(max(nanoseconds, 0))
    }
}
