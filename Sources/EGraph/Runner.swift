import Dispatch

/// When a run stops, whatever stops first. Defaults follow egg's.
public struct RunLimits: Sendable, Equatable {
    /// The most iterations to run (default 30).
    public var iterations: Int
    /// The most e-nodes; a run stops as soon as the e-graph has more
    /// (default 10,000).
    public var nodes: Int
    /// The most seconds of saturation (default 5).
    public var seconds: Double
    /// The most e-nodes at any moment within an iteration (default the node
    /// limit plus a tenth). The node limit proper is compared after each
    /// iteration, as egg does; this bounds the transient growth within one,
    /// so a run stops within 10% of its node limit. The benchmark's
    /// workloads use egg's semantics, where only the size after an
    /// iteration counts, and set this to twice the limit.
    public var peakNodes: Int

    /// Limits with egg's defaults unless given.
    public init(iterations: Int = 30, nodes: Int = 10_000, seconds: Double = 5, peakNodes: Int? = nil) {
        self.iterations = iterations
        self.nodes = nodes
        self.seconds = seconds
        let (peak, overflow) = nodes.addingReportingOverflow(nodes / 10)
        self.peakNodes = peakNodes ?? (overflow ? .max : peak)
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

/// How the runner decides which rules to search each iteration.
public enum Scheduler: Sendable, Equatable {
    /// Every rule, every iteration.
    case simple
    /// egg's back-off: a rule finding more than its threshold of matches in
    /// one iteration is banned for its ban length, and each ban doubles both.
    case backoff(matchLimit: Int, banLength: Int)

    /// egg's defaults: threshold 1,000, ban 5 iterations.
    public static let defaultBackoff = Scheduler.backoff(matchLimit: 1_000, banLength: 5)
}

/// Runs rewrites over an e-graph to saturation or a limit (egg's `Runner`).
///
/// One iteration searches every unbanned rule on the same clean e-graph,
/// applies all the matches, then rebuilds once. Limits are checked after every
/// rule's search and apply, and every few applications within one, so a run
/// overshoots its node or time limit by at most one small batch.
public struct Runner {
    /// The limits.
    public var limits: RunLimits
    /// The scheduler.
    public var scheduler: Scheduler
    /// Checked before the first iteration and after each: returning `true`
    /// stops the run with ``StopReason/goalReached``.
    public var goal: ((EGraph) -> Bool)?
    /// Whether the engine's lazy AC flattening runs for every AC operator of
    /// the e-graph's signature, as rules named `ac-flatten(op)`.
    public var flattensAC = true

    /// A runner with the given limits and scheduler.
    public init(limits: RunLimits = RunLimits(), scheduler: Scheduler = .defaultBackoff) {
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
        var bans = [BanState](repeating: BanState(scheduler), count: rules.count)
        var iterations: [IterationReport] = []
        var reason: StopReason?

        // The node limit is egg's: the e-graph's size after an iteration's
        // rebuild. Within an iteration the size can peak far above what the
        // iteration ends with (nodes added early become congruent after later
        // merges: n = 10 of the AC workload peaks near 174,000 nodes on its
        // way to 57,012), so mid-iteration the runner stops only past
        // `limits.peakNodes`.
        //
        // The estimate counts every node added since the last rebuild; when it
        // passes the peak limit, a rebuild gives the exact size. The next exact
        // check waits for another 5% in new nodes, so a run near its peak
        // limit does not rebuild every batch.
        let hardLimit = limits.peakNodes
        var exactCheckAt = hardLimit
        var midIterationRebuildSeconds = 0.0
        func limitReached() -> StopReason? {
            if clock.seconds > limits.seconds { return .timeLimit(limits.seconds) }
            guard egraph.estimatedNodeCount > exactCheckAt else { return nil }
            let start = clock.seconds
            egraph.rebuild()
            midIterationRebuildSeconds += clock.seconds - start
            let exact = egraph.nodeCount
            if exact > hardLimit { return .nodeLimit(limits.nodes) }
            exactCheckAt = max(exact, hardLimit).addingReportingOverflow(hardLimit / 20).partialValue
            return nil
        }

        // Each rule's last match set, emptied and refilled by its next search
        // so large match buffers are allocated once per run.
        var recycled = [MatchSet?](repeating: nil, count: rules.count)

        if let goal, goal(egraph) { reason = .goalReached }
        while reason == nil {
            if iterations.count >= limits.iterations {
                reason = .iterationLimit(limits.iterations)
                break
            }
            let index = iterations.count
            var stats: [RuleIterationStats] = []
            var searched: [(rule: Int, stat: Int, matches: MatchSet)] = []
            let searchStart = clock.seconds
            for (ruleIndex, rule) in rules.enumerated() where bans[ruleIndex].bannedUntil <= index {
                let threshold = bans[ruleIndex].threshold
                let matches = rule.search(
                    egraph, limit: threshold == .max ? .max : threshold + 1, recycling: recycled[ruleIndex].take())
                if matches.count > threshold {
                    recycled[ruleIndex] = matches
                    bans[ruleIndex].ban(from: index)
                    stats.append(RuleIterationStats(name: rule.name, matches: 0, applications: 0, banned: true))
                } else {
                    stats.append(
                        RuleIterationStats(name: rule.name, matches: matches.count, applications: 0, banned: false))
                    searched.append((ruleIndex, stats.count - 1, matches))
                }
                if let limit = limitReached() {
                    reason = limit
                    break
                }
            }
            let applyStart = clock.seconds
            var applied = 0
            if reason == nil {
                for (ruleIndex, statIndex, matches) in searched {
                    let merged = rules[ruleIndex].apply(matches, to: egraph) { limitReached() != nil }
                    applied += merged
                    stats[statIndex].applications = merged
                    if let limit = limitReached() {
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
            let applySeconds = rebuildStart - applyStart - midIterationRebuildSeconds
            let rebuildSeconds = end - rebuildStart + midIterationRebuildSeconds
            midIterationRebuildSeconds = 0
            iterations.append(
                IterationReport(
                    nodes: egraph.nodeCount, classes: egraph.classCount, rules: stats,
                    searchSeconds: applyStart - searchStart, applySeconds: applySeconds,
                    rebuildSeconds: rebuildSeconds, rebuildUnions: rebuildUnions))
            if reason != nil { break }
            if let goal, goal(egraph) {
                reason = .goalReached
                break
            }
            if egraph.nodeCount > limits.nodes {
                reason = .nodeLimit(limits.nodes)
                break
            }
            if applied == 0 && rebuildUnions == 0 && BanState.canStop(&bans, iteration: index + 1) {
                reason = .saturated
            }
        }
        return RunReport(
            stopReason: reason!, iterations: iterations, totalSeconds: clock.seconds,
            nodes: egraph.nodeCount, classes: egraph.classCount)
    }
}

/// One rule's back-off state.
struct BanState {
    var threshold: Int
    var banLength: Int
    var bannedUntil = 0

    init(_ scheduler: Scheduler) {
        switch scheduler {
        case .simple:
            threshold = .max
            banLength = 0
        case .backoff(let matchLimit, let banLength):
            threshold = matchLimit
            self.banLength = banLength
        }
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
}
