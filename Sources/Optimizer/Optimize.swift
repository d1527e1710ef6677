import EGraph
import Foundation
import TensorOps

/// Rewrites `program` into a numerically stable equivalent: inserts it into
/// an e-graph, saturates with the rules, extracts the cheapest form under
/// the stability cost, reads it back, and verifies it is no less accurate.
/// - Parameters:
///   - program: The program, `grad` and all.
///   - options: The rules, limits and checks.
/// - Throws: the problems of the rule files, or extracted terms that do not
///   read back as a program.
public func optimize(_ program: TensorProgram, options: OptimizeOptions = OptimizeOptions()) throws(OptimizationError)
    -> OptimizationResult
{
    try optimizeWithStableGradients(program, options: options)
}

/// The chain of stages for `program` as inserted, verified against
/// `reference`, the program as written, whose values it must keep and which
/// it returns when the result would be less accurate.
func optimizeInserting(_ program: TensorProgram, reference: TensorProgram, options: OptimizeOptions)
    throws(OptimizationError) -> OptimizationResult
{
    let pipeline = OptimizationPipeline(program, options: options, reference: reference)
    var clock = StageClock(start: pipeline.budget.start)
    let prepared = try pipeline.prepare()
    clock.lap("rules")
    let run = pipeline.saturate(prepared)
    clock.lap("saturate")
    let extraction = try pipeline.extract(prepared)
    clock.lap("extract")

    var report = OptimizationReport(
        run: run, costBefore: prepared.inputCosts, costAfter: extraction.costs, phaseSeconds: clock.laps)
    report.remainingRisks = RemainingRisk.find(
        in: extraction.extractor, roots: prepared.roots, outputs: program.outputs.map(\.name), program: program)
    let saturated =
        options.keepsEGraph || options.recordsExplanations ? SaturatedEGraph(prepared, extraction, of: program) : nil
    guard options.verifiesAccuracy else {
        return OptimizationResult(program: extraction.program, report: report, saturated: saturated)
    }

    let verification = pipeline.verify(extraction.program)
    clock.lap("verify")
    report.phaseSeconds = clock.laps
    report.record(verification)
    guard verification.isWorse else {
        return OptimizationResult(program: extraction.program, report: report, saturated: saturated)
    }
    report.keepInput(risks: pipeline.inputRisks())
    return OptimizationResult(program: reference, report: report, saturated: saturated)
}

/// The stages of ``optimize(_:options:)`` for one program, one at a time:
/// ``prepare()``, ``saturate(_:)``, ``extract(_:)`` and ``verify(_:)``.
/// `optimize` is their chain; a test that needs `optimize`'s e-graph, or its
/// saturation with a goal of its own, calls them rather than copying them.
public struct OptimizationPipeline {
    /// The program, `grad` and all.
    public let program: TensorProgram
    /// The program as written, which verification measures against: the
    /// program itself, or the one whose gradients ``program`` took of
    /// stable forms.
    public let reference: TensorProgram
    /// The options every stage reads.
    public let options: OptimizeOptions
    /// The one time budget of the stages, from when the pipeline was made.
    public let budget: TimeBudget

    /// The stages for `program` under `options`, their budget starting now.
    /// - Parameters:
    ///   - program: The program, `grad` and all.
    ///   - options: The rules, limits and checks.
    ///   - reference: The program as written, if `program` is not.
    public init(
        _ program: TensorProgram, options: OptimizeOptions = OptimizeOptions(), reference: TensorProgram? = nil
    ) {
        self.program = program
        self.reference = reference ?? program
        self.options = options
        budget = TimeBudget(seconds: options.limits.seconds)
    }

    /// The first stage: loads the rules and inserts the program into a new
    /// e-graph (``PreparedEGraph``).
    /// - Throws: the located problems of the rule files.
    public func prepare() throws(OptimizationError) -> PreparedEGraph {
        do {
            return try PreparedEGraph(program, options: options)
        } catch {
            throw OptimizationError(description: error.description)
        }
    }
}

/// The seconds each stage took, for ``OptimizationReport/phaseSeconds``.
struct StageClock {
    private(set) var laps: [(phase: String, seconds: Double)] = []
    private var clock: Date

    init(start: Date) { clock = start }

    /// Ends the stage named `phase`.
    mutating func lap(_ phase: String) {
        let now = Date()
        laps.append((phase, now.timeIntervalSince(clock)))
        clock = now
    }
}
