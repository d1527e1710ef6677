/// Runs rewrites over an e-graph to saturation or a limit (egg's `Runner`),
/// in phases: each phase runs its own rules until it saturates or a hook
/// reports its goal reached, then hands the e-graph to the next, and every
/// phase runs under the one set of limits the runner was given.
///
/// One iteration searches every unbanned rule on the same clean e-graph,
/// applies all the matches, then rebuilds once. Limits are checked after every
/// rule's search and apply, and every few applications within one, and a
/// search itself gives up at the time limit, so a run stops within a tenth of
/// its node or time limit. The scheduler (``RewriteScheduler``) picks the
/// rules searched and bounds each search; the hooks (``RunHook``) watch the
/// run and end a phase when its goal holds.
public struct Runner {
    /// The limits, for the whole run: the iterations and the e-nodes are
    /// counted across phases, and the seconds from the start of the first.
    public var limits: RunLimits
    /// The scheduler, copied at the start of each phase, so its state (its
    /// bans, say) is about the phase's own rules.
    public var scheduler: any RewriteScheduler
    /// Called in order before each phase's first iteration and after each
    /// iteration (``RunHook``); copied at the start of each run.
    public var hooks: [any RunHook] = []
    /// Whether the engine's lazy AC flattening runs for every AC operator of
    /// the e-graph's signature, as rules named `ac-flatten(op)`, in every
    /// phase.
    public var flattensAC = true
    /// Whether a rule whose every match at one generation of the e-graph was
    /// applied is searched next only for the matches that use a newer e-node
    /// (semi-naive search: each e-node is stamped with the rebuild that last
    /// changed it in its class). It applies to rules without conditions, on
    /// an e-graph without a merge adapter; it never changes what a run
    /// saturates to, only how much of it each iteration finds again. The
    /// back-off scheduler then counts new matches only, so it bans less
    /// often than egg's, which counts every match: turn this off to replay
    /// egg's schedule iteration for iteration.
    public var searchesSemiNaively = true

    /// A runner with the given limits and scheduler.
    public init(limits: RunLimits = RunLimits(), scheduler: some RewriteScheduler = BackoffScheduler.egg) {
        self.limits = limits
        self.scheduler = scheduler
    }

    /// Runs `rules` on `egraph`, as one phase, and leaves it clean.
    public func run(_ rules: [Rewrite], on egraph: EGraph) -> RunReport {
        run(phases: [rules], on: egraph)
    }

    /// Runs each phase's rules on `egraph` in order and leaves it clean.
    ///
    /// A phase ends when it saturates or a hook reports its goal reached,
    /// and the next one starts on the e-graph it leaves; a limit ends the
    /// run, and so does a phase that ends with the limits used up. The
    /// report joins the phases' iterations; its stop reason is why the last
    /// phase that ran stopped. No phases at all run as one without rules, in
    /// which only the AC flattening (``flattensAC``) can run.
    public func run(phases: [[Rewrite]], on egraph: EGraph) -> RunReport {
        let clock = Stopwatch()
        var hooks = self.hooks
        var iterations: [IterationReport] = []
        var reason: StopReason?
        for (phase, rules) in (phases.isEmpty ? [[]] : phases).enumerated() {
            if let reason, reason.isLimit || iterations.count >= limits.iterations || clock.seconds >= limits.seconds {
                break
            }
            reason = runPhase(phase, rules, on: egraph, clock: clock, hooks: &hooks, iterations: &iterations)
        }
        return RunReport(
            stopReason: reason!, iterations: iterations, totalSeconds: clock.seconds,
            nodes: egraph.nodeCount, classes: egraph.classCount)
    }

    /// Runs one phase, appending its iterations to `iterations`, and
    /// returns why it stopped.
    private func runPhase(
        _ phase: Int, _ rules: [Rewrite], on egraph: EGraph, clock: Stopwatch, hooks: inout [any RunHook],
        iterations: inout [IterationReport]
    ) -> StopReason {
        egraph.rebuild()
        var rules = rules
        if flattensAC {
            rules += egraph.signature.acOperators.map { Rewrite.flattening($0, signature: egraph.signature) }
        }
        var scheduler = self.scheduler
        scheduler.start(rules: rules)
        let firstIteration = iterations.count
        // A fresh monitor on the run's clock: the deadline is the run's,
        // while what it learns of batch growth and rebuild times is about
        // the phase's own rules.
        var monitor = LimitMonitor(
            limits: limits, clock: clock, egraph: egraph,
            nodesPerMatch: rules.map(\.nodesPerMatch).max().map { $0 + (egraph.mergeAdapter == nil ? 0 : 1) } ?? 1)
        func hooksReachGoal() -> Bool {
            let state = RunState(
                egraph: egraph, iterations: iterations.count, phase: phase,
                isPhaseStart: iterations.count == firstIteration, elapsedSeconds: clock.seconds)
            return monitor.timeHooks {
                hooks.indices.contains { hooks[$0].inspect(state) == .goalReached }
            }
        }

        // Each rule's last match set, emptied and refilled by its next search
        // so large match buffers are allocated once per phase.
        var recycled = [MatchSet?](repeating: nil, count: rules.count)
        // Per rule, the generation of the e-graph at which every match it had
        // was applied, so its next search wants only newer ones; 0 for a
        // full search. Only a search whose matches were all applied counts.
        var seenThrough = [UInt32](repeating: 0, count: rules.count)
        let semiNaive = rules.map { searchesSemiNaively && $0.searchesSemiNaively && egraph.mergeAdapter == nil }

        if !hooks.isEmpty && hooksReachGoal() { return .goalReached }
        while true {
            if iterations.count >= limits.iterations { return .iterationLimit(limits.iterations) }
            let index = iterations.count - firstIteration
            var reason: StopReason?
            var stats: [RuleIterationStats] = []
            var searched: [(rule: Int, stat: Int, matches: MatchSet)] = []
            let searchStart = clock.seconds
            let generation = egraph.generation
            for (ruleIndex, rule) in rules.enumerated() where scheduler.canSearch(ruleIndex, iteration: index) {
                let bounds = scheduler.searchBounds(ruleIndex)
                let (matches, cutoff) = rule.search(
                    egraph, limit: bounds.matches == .max ? .max : bounds.matches + 1,
                    operandBudget: bounds.operands, deadline: monitor.deadline,
                    newerThan: semiNaive[ruleIndex] ? seenThrough[ruleIndex] : 0,
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
                    let merged = rules[ruleIndex].apply(matches, to: egraph) { monitor.matchesUntilNextCheck() }
                    applied += merged
                    stats[statIndex].applications = merged
                    if let limit = monitor.limitReached() {
                        reason = limit
                        break
                    }
                    seenThrough[ruleIndex] = generation
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
                    phase: phase, nodes: egraph.nodeCount, classes: egraph.classCount, rules: stats,
                    searchSeconds: applyStart - searchStart, applySeconds: applySeconds,
                    rebuildSeconds: rebuildSeconds, rebuildUnions: rebuildUnions))
            if let reason { return reason }
            if !hooks.isEmpty {
                guard monitor.hasTimeForHooks() else { return .timeLimit(limits.seconds) }
                if hooksReachGoal() { return .goalReached }
            }
            if egraph.nodeCount > limits.nodes { return .nodeLimit(limits.nodes) }
            if applied == 0 && rebuildUnions == 0 && scheduler.canStop(iteration: index) { return .saturated }
        }
    }
}
