import EGraph
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

    /// Iterations without improvement after which saturation stops even
    /// though an output can still fail; `nil` (the default) runs on to a
    /// limit, since a risk may take many iterations to remove.
    public var settleIterationsWhileRisky: Int?

    /// Whether each `grad` is also taken of its function's stable form (see
    /// `TensorProgram.differentiatingStableForms`), and that program
    /// optimized and verified against the program as written: it is kept
    /// when it is within 3 cond bits on the probe's inputs, and otherwise
    /// the more accurate of it and the direct optimization is. Off when
    /// explanations are recorded: its result is not a chain of rewrites from
    /// the program as written.
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
