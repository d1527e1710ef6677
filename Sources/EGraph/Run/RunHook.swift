/// Called by a ``Runner`` at the start of each phase and after every
/// iteration, to watch the run or end a phase once its goal holds (egg's
/// `Runner::with_hook`).
///
/// A runner holds a list of hooks and calls them in order, stopping at the
/// first that reports ``RunHookVerdict/goalReached``. It copies them at the
/// start of each run, as it does its scheduler, so a value type's state (the
/// best cost so far, say) starts afresh every run; a hook that reports back
/// to its caller holds a reference to do so.
///
/// The hooks' time counts against the time limit: after an iteration, when
/// their last duration says they would end past the limit, they are not
/// called and the run stops by the limit.
public protocol RunHook {
    /// Looks at the run as it stands and says whether it goes on.
    mutating func inspect(_ run: RunState) -> RunHookVerdict
}

/// What a ``RunHook`` sees of a run.
public struct RunState {
    /// The e-graph, clean.
    public let egraph: EGraph
    /// Iterations completed so far, across phases.
    public let iterations: Int
    /// The phase running, an index into the runner's phases.
    public let phase: Int
    /// Whether the phase has run no iteration yet: the hook is called once
    /// before each phase's first iteration.
    public let isPhaseStart: Bool
    /// Seconds since the run started.
    public let elapsedSeconds: Double
}

/// What a ``RunHook`` tells the runner.
public enum RunHookVerdict: Sendable, Equatable {
    /// The run goes on.
    case proceed
    /// The goal is reached: the phase ends with ``StopReason/goalReached``,
    /// and the run goes on with the next phase, if there is one.
    case goalReached
}

/// A hook that ends a phase once a condition on the e-graph holds: egg's
/// goal check, as in its tests' `check_goals`.
public struct GoalHook: RunHook {
    /// The condition.
    private let isReached: (EGraph) -> Bool

    /// A hook ending the phase once `isReached` is true of the e-graph.
    public init(_ isReached: @escaping (EGraph) -> Bool) {
        self.isReached = isReached
    }

    /// ``RunHookVerdict/goalReached`` once the condition holds.
    public mutating func inspect(_ run: RunState) -> RunHookVerdict {
        isReached(run.egraph) ? .goalReached : .proceed
    }
}
