/// Decides, iteration by iteration, which rules the runner searches, how far
/// a search may go, and whether what it found is applied (egg's
/// `RewriteScheduler`). A runner copies its scheduler at the start of each
/// phase of a run, so a value type's state (its bans, say) starts afresh
/// with every phase's rules; iterations are counted from the phase's first.
public protocol RewriteScheduler: Sendable {
    /// Called once at the start of a phase with the rules it runs (the
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
    /// Iteration `iteration` changed nothing: whether the phase may stop as
    /// saturated (not while a rule it skipped could still match, say).
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

    /// Only if the quiet iteration searched every rule; otherwise lifts the
    /// earliest bans now, as egg does, so the run goes on without idling
    /// through the rest of them.
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

    /// Whether quiet iteration `iteration` means saturation: only if it
    /// searched every rule. Otherwise it lifts the earliest bans now, as egg
    /// does, so the run goes on without idling through the remaining ban.
    ///
    /// A rule whose ban ends at the next iteration was still skipped by this
    /// one: counting it as unbanned (as this did, off by one from egg's
    /// `can_stop`) declared saturation before it was searched again, which
    /// semi-naive search, quiet far more often, made happen.
    static func canStop(_ bans: inout [BanState], iteration: Int) -> Bool {
        let skipped = bans.indices.filter { bans[$0].bannedUntil > iteration }
        guard let earliest = skipped.map({ bans[$0].bannedUntil }).min() else { return true }
        let delta = earliest - (iteration + 1)
        for index in skipped { bans[index].bannedUntil -= delta }
        return false
    }
}
