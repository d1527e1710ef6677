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
    /// A hook reported the last phase's goal reached (``RunHookVerdict/goalReached``).
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

    /// Whether a limit stopped the run (nodes, time or iterations), rather
    /// than saturation or a goal.
    public var isLimit: Bool {
        switch self {
        case .nodeLimit, .timeLimit, .iterationLimit: true
        case .saturated, .goalReached: false
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
    /// The phase it belongs to, an index into the runner's phases.
    public var phase: Int
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
