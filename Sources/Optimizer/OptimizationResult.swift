import EGraph
import TensorOps

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

/// What can stop an optimization: problems in rule files, or an extracted
/// term that does not read back as a program (a bug, reported, not hidden).
public struct OptimizationError: Error, Sendable, CustomStringConvertible {
    /// The problems, one per line.
    public var description: String
}
