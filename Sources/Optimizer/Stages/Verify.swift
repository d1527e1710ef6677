import Extract
import TensorOps

/// The fourth stage's result: the accuracy of the program as written and as
/// optimized on the probe's adversarial inputs, or why it was not measured.
public struct Verification {
    /// The input's worst error (cond bits), when measured.
    public var before: AccuracyProbe.Report?
    /// The optimized program's, when measured.
    public var after: AccuracyProbe.Report?
    /// Whether both were measured without the sensitivities, so they are
    /// upper bounds of the cond bits.
    public var isUpperBound = false
    /// Why nothing was measured, when the program was past
    /// ``OptimizeOptions/verificationOperationLimit`` or the time ran out.
    public var unverifiedBecause: String?

    /// Whether the optimized program is worse: wrong (past the judge's 8
    /// cond bits, or nan or inf) on an element the input computes
    /// correctly. Elsewhere the input is no better, and the stable form is
    /// kept for the inputs the probe did not try.
    public var isWorse: Bool {
        guard let before, let after else { return false }
        return after.regressions(from: before) > 0
    }
}

extension OptimizationPipeline {
    /// The fourth stage: measures `optimized` against the program as
    /// written with the reference evaluator (``AccuracyProbe``).
    ///
    /// Verified, not trusted: a program the probe cannot evaluate (an input
    /// it cannot bind) goes unverified rather than failing. The probe stops
    /// at the budget's deadline, since a reference evaluation of a large
    /// program takes seconds and the time limit bounds the whole call. A
    /// result it could not verify in time is kept, as one past the operation
    /// limit is: the rules are sound, so it computes the same values, and its
    /// stability cost is no worse than the input's.
    /// - Parameter optimized: The third stage's program.
    public func verify(_ optimized: TensorProgram) -> Verification {
        var verification = Verification()
        let operations = max(reference.graph.nodes.count, optimized.graph.nodes.count)
        guard operations <= options.verificationOperationLimit else {
            verification.unverifiedBecause =
                "\(operations) operations, past the verification limit of \(options.verificationOperationLimit)"
            return verification
        }
        var probe = AccuracyProbe()
        probe.precision = options.precision
        probe.deadline = budget.verificationDeadline
        // A large program is first measured without sensitivities, at a
        // ninth of the reference evaluations (the deep MLPs spent nine
        // tenths of their time verifying): the bits are then upper bounds,
        // and if the result is within the judge's 8 everywhere, it cannot be
        // worse than the input anywhere. Otherwise it is measured again with
        // them.
        let quick = operations > options.quickVerificationOperations
        if quick { probe.sensitivitySamples = 0 }
        do {
            var baseline = try probe.baseline(for: reference)
            var after = try probe.measure(optimized, against: baseline)
            if quick && after.maximumBits > AccuracyProbe.acceptableBits {
                probe.sensitivitySamples = AccuracyProbe().sensitivitySamples
                baseline = try probe.baseline(for: reference)
                after = try probe.measure(optimized, against: baseline)
            }
            verification.isUpperBound = probe.sensitivitySamples == 0
            verification.before = try probe.measure(reference, against: baseline)
            verification.after = after
        } catch {
            if error.kind == .deadline {
                verification.unverifiedBecause =
                    "the time limit of \(options.reportedTimeLimit) s ran out during verification"
            }
        }
        return verification
    }

    /// The risks of the program as written, for the warnings of a call that
    /// returns it: read off a fresh e-graph of it, whose classes hold only
    /// what was written. Found only then, so an ordinary call does not pay
    /// for rendering them.
    func inputRisks() -> [RemainingRisk] {
        var options = options
        options.recordsExplanations = false
        guard let prepared = try? PreparedEGraph(reference, options: options) else { return [] }
        return RemainingRisk.find(
            in: prepared.inputExtractor, roots: prepared.roots, outputs: reference.outputs.map(\.name),
            program: reference)
    }
}

extension OptimizationReport {
    /// Records what verification measured, or why it did not.
    mutating func record(_ verification: Verification) {
        accuracyBefore = verification.before
        accuracyAfter = verification.after
        accuracyIsUpperBound = verification.isUpperBound
        unverifiedBecause = verification.unverifiedBecause
    }

    /// Reports the input returned in place of a less accurate result: its
    /// accuracy, its cost and `risks`, its own.
    mutating func keepInput(risks: [RemainingRisk]) {
        keptInput = true
        accuracyAfter = accuracyBefore
        costAfter = costBefore
        remainingRisks = risks
    }
}
