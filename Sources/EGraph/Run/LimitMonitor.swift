import Dispatch

/// Watches a run's node and time limits within an iteration of a phase (a
/// runner makes one monitor per phase, on the run's clock), where the runner
/// asks after each rule's search and apply and every few applications
/// within one (``matchesUntilNextCheck()``), so that a run stops within a
/// tenth of either limit.
///
/// The node limit is egg's: the e-graph's size after an iteration's rebuild.
/// Within an iteration the size can peak far above what the iteration ends
/// with (nodes added early become congruent after later merges: n = 10 of the
/// AC workload peaks near 174,000 nodes on its way to 57,012), so
/// mid-iteration a run stops only past the node limit and never past
/// `limits.peakNodes`. The e-graph's estimate counts every node added since
/// the last rebuild, an upper bound on the exact size. The checks come more
/// often as the estimate nears the peak: the matches applied between two
/// checks are bounded so that, at the most nodes a match has added so far,
/// they cannot use more than half the room left. Once one more match could
/// pass the peak, a rebuild gives the exact size, and the run stops if that
/// is past the node limit and one more match could still pass the peak. (A
/// fixed 64 matches between checks overshot: a semi-naive iteration, whose
/// every match is new, added 120 nodes in one batch and went from 484 to 604
/// against a peak of 550.)
///
/// The time limit must leave room for the rebuild that ends every run,
/// which processes everything applied since the last one: stopping only once
/// the limit had passed overshot a 1-second limit by a third. So while
/// applying, the monitor stops once the time so far plus the rebuild it
/// predicts would pass the limit; it predicts a rebuild from the seconds
/// spent applying since the last one, at the ratio of rebuilding to applying
/// measured on the phase's longest apply (1 until an iteration has finished).
/// The prediction reserves at most a quarter of the limit
/// (``rebuildReserve``), so it never stops a run before three quarters of
/// it: where rebuilding is not proportional to applying (an analysis that
/// narrows its facts for a whole rebuild under unsound rules took 1.2 s
/// after 2 ms of applying), an unbounded reserve stopped a 5-second run at
/// 2.5 s. A tenth was too little: a final rebuild can take a fifth of the
/// run (a sum of 14 terms under associativity and commutativity in a debug
/// build rebuilt for 0.15–0.19 s of a 0.5 s limit), and the run then ended
/// up to a third past its limit. The hooks are timed the same way: the
/// optimizer's goal extracts from the whole e-graph, and ran a 1-second run
/// to 1.25 s after its last iteration; they are skipped, and the run stopped
/// by its time limit, when their last duration, scaled by the e-graph's
/// growth since, would take the run past the limit.
struct LimitMonitor {
    /// The largest share of the time limit reserved for the rebuild that
    /// ends a run.
    static let rebuildReserve = 0.25

    let limits: RunLimits
    let clock: Stopwatch
    let egraph: EGraph
    /// When a search gives up: the time limit, on the searcher's clock.
    let deadline: UInt64
    private var lastEstimate: Int
    /// The most nodes one applied match has added to the estimate this
    /// phase, at least what the rules' right sides can make.
    private var growthPerMatch: Double
    /// The matches the apply loop was told to apply before the last check;
    /// 0 outside the apply loop.
    private var matchesSinceCheck = 0
    /// When the work the next rebuild will process began, while applying.
    private var applyingSince: Double?
    private var midIterationRebuildSeconds = 0.0
    private var longestApply = 0.0
    private var rebuildPerApply = 1.0
    /// The hooks' last duration, and the e-graph's size then.
    private var hookSeconds = 0.0
    private var hookNodes = 0

    /// The most matches applied between two checks: the clock is read at
    /// least this often.
    static let checkInterval = 64

    /// A monitor for rules whose right sides add at most `nodesPerMatch`
    /// nodes each (a merge adapter's wrapper included).
    init(limits: RunLimits, clock: Stopwatch, egraph: EGraph, nodesPerMatch: Int) {
        self.limits = limits
        self.clock = clock
        self.egraph = egraph
        deadline = clock.deadline(after: limits.seconds)
        lastEstimate = egraph.estimatedNodeCount
        growthPerMatch = Double(max(nodesPerMatch, 1))
    }

    /// Marks the start of the apply phase, whose work the next rebuild does.
    mutating func startApplying() {
        applyingSince = clock.seconds
    }

    /// Why the run must stop now, if it must; may rebuild the e-graph to
    /// count its nodes exactly.
    mutating func limitReached() -> StopReason? {
        let now = clock.seconds
        let pendingRebuild = min(
            applyingSince.map { (now - $0) * rebuildPerApply } ?? 0, limits.seconds * LimitMonitor.rebuildReserve)
        if now + pendingRebuild > limits.seconds { return .timeLimit(limits.seconds) }
        let estimate = egraph.estimatedNodeCount
        if matchesSinceCheck > 0 {
            growthPerMatch = max(growthPerMatch, Double(estimate - lastEstimate) / Double(matchesSinceCheck))
            matchesSinceCheck = 0
        }
        lastEstimate = estimate
        guard Double(estimate) + growthPerMatch > Double(limits.peakNodes) else { return nil }
        egraph.rebuild()
        let end = clock.seconds
        midIterationRebuildSeconds += end - now
        if applyingSince != nil { applyingSince = end }
        let exact = egraph.nodeCount
        lastEstimate = egraph.estimatedNodeCount
        // Past the node limit mid-iteration is allowed, as egg's limit is on
        // the size after the iteration's rebuild (which congruence can bring
        // far below the peak), but only while one more match cannot pass
        // the peak.
        if exact > limits.nodes && Double(exact) + growthPerMatch > Double(limits.peakNodes) {
            return .nodeLimit(limits.nodes)
        }
        return nil
    }

    /// For the apply loop: `nil` if the run must stop now (``limitReached()``),
    /// else how many matches it may apply before asking again, so that at the
    /// most nodes a match has added so far they fill at most half the room
    /// left under the peak limit.
    mutating func matchesUntilNextCheck() -> Int? {
        if limitReached() != nil { return nil }
        let room = Double(limits.peakNodes) - Double(egraph.estimatedNodeCount)
        let interval = min(Double(LimitMonitor.checkInterval), max(1, room / (2 * growthPerMatch)))
        matchesSinceCheck = Int(interval)
        return matchesSinceCheck
    }

    /// Runs the hooks and records how long they took for the size of the
    /// e-graph.
    mutating func timeHooks(_ hooks: () -> Bool) -> Bool {
        let start = clock.seconds
        let reached = hooks()
        hookSeconds = clock.seconds - start
        hookNodes = egraph.nodeCount
        return reached
    }

    /// Whether the hooks, as long as they last took per node, would end
    /// before the time limit, or, reserving at most a tenth of the limit for
    /// them, nine tenths of the limit have not passed.
    func hasTimeForHooks() -> Bool {
        let growth = Double(egraph.nodeCount) / Double(max(hookNodes, 1))
        let reserve = min(hookSeconds * max(growth, 1), limits.seconds / 10)
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
