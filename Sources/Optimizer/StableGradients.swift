import Foundation
import TensorOps

/// The worst error, in cond bits, at which the gradients of the stable forms
/// are kept without also optimizing the program as written: the accuracy the
/// project promises (issue 11).
let stableGradientAcceptableBits = 3.0

/// ``optimize(_:options:)``: where the program differentiates, first the
/// gradients of its functions' stable forms, kept when they are stable and
/// accurate on the probe's inputs; otherwise, or besides, the program as
/// written, and the more accurate result.
///
/// The gradients of the stable forms are most often stable as built, so
/// their saturation is short; but a stable form with a kink (`maximum`,
/// `abs`, a `where` on equality) can take one side's derivative at a tie,
/// which only verification against the program as written shows. So they
/// are kept only when verified, and measured against the direct result
/// otherwise.
func optimizeWithStableGradients(_ program: TensorProgram, options: OptimizeOptions) throws(OptimizationError)
    -> OptimizationResult
{
    guard options.differentiatesStableForms, options.verifiesAccuracy, !options.recordsExplanations,
        !program.gradients.isEmpty
    else {
        return try optimizeInserting(program, reference: program, options: options)
    }
    let start = Date()
    var options = options
    options.reportedTimeLimit = options.limits.seconds
    func secondsLeft() -> Double { options.limits.seconds - Date().timeIntervalSince(start) }
    var forwardOptions = options
    forwardOptions.verifiesAccuracy = false
    forwardOptions.keepsEGraph = false
    forwardOptions.progress = nil
    forwardOptions.limits.seconds = options.limits.seconds / 4
    // One more iteration to settle than the whole program gets: a forward
    // program is small, and a simplification found late there (a softmax
    // summed to 1, the seed's function) spares its gradient the search. And
    // it settles even while an output can fail: a product of inputs (every
    // attention score, every layer of an MLP) is a risk no rewrite removes,
    // and the run went on to its node limit, most of an attention VJP's
    // time. Five quiet iterations keep every stable form the corpus needs
    // (three lost a mixture's shift).
    forwardOptions.settleIterations = options.settleIterations + 1
    forwardOptions.settleIterationsWhileRisky = options.settleIterations + 3
    // A forward program that does not optimize or differentiate (a shape
    // the gradient cannot put back) leaves the direct optimization alone.
    let candidate = try? program.differentiatingStableForms { forward in
        var options = forwardOptions
        options.limits.nodes = candidateNodeLimit(for: forward, options)
        return try optimizeInserting(forward, reference: forward, options: options).program
    }
    let forwardSeconds = Date().timeIntervalSince(start)
    var stable: OptimizationResult?
    if let candidate {
        var stableOptions = options
        stableOptions.limits.seconds = max(0, secondsLeft()) / 2
        stableOptions.limits.nodes = candidateNodeLimit(for: candidate, options)
        stable = try? optimizeInserting(candidate, reference: program, options: stableOptions)
        stable?.report.phaseSeconds.insert(("stable forms", forwardSeconds), at: 0)
        // A large program is verified without the sensitivities, and the
        // bits are then upper bounds: past 3 they do not say the gradients
        // of the stable forms miss the promise, so they are measured again,
        // which costs less than optimizing the program as written.
        if var result = stable, result.report.accuracyIsUpperBound,
            let bits = result.report.accuracyAfter?.maximumBits,
            bits > stableGradientAcceptableBits && bits <= AccuracyProbe.acceptableBits
        {
            var precise = stableOptions
            precise.quickVerificationOperations = .max
            let verifyStart = Date()
            let verification = OptimizationPipeline(candidate, options: precise, reference: program)
                .verify(result.program)
            if verification.after != nil {
                result.report.record(verification)
                result.report.phaseSeconds.append(("verify exactly", Date().timeIntervalSince(verifyStart)))
                stable = result
            }
        }
    }
    if var stable, isAccepted(stable) {
        // The report compares with the program as written, not with the
        // gradients of the stable forms it inserted.
        stable.report.costBefore = writtenCosts(of: program, options: options) ?? stable.report.costBefore
        return stable
    }
    var directOptions = options
    directOptions.limits.seconds = max(0, secondsLeft())
    // The gradient of a log(1 - softmax) is split at the maximum before the
    // rules start, which they cannot do (`ComplementedSoftmaxes`); it is
    // still measured against the program as written.
    let split = (try? program.splittingComplementedSoftmaxes()) ?? nil
    let direct = try optimizeInserting(split ?? program, reference: program, options: directOptions)
    guard let stable, !stable.report.keptInput, let stableBits = stable.report.accuracyAfter?.maximumBits,
        let directBits = direct.report.accuracyAfter?.maximumBits
    else { return direct }
    // The probe's bits first: the stability cost's failure risks are bounds
    // from intervals, which products of inputs reach without any input
    // doing so; they break ties.
    if Swift.abs(stableBits - directBits) > 0.5 { return stableBits < directBits ? stable : direct }
    let stableFails = stable.report.remainingRisks.contains { $0.risk.isFailure }
    let directFails = direct.report.remainingRisks.contains { $0.risk.isFailure }
    if stableFails != directFails { return stableFails ? direct : stable }
    return stableBits <= directBits ? stable : direct
}

/// The e-nodes a stable-forms run may grow to: a few times the program's
/// operations (what its insertion makes), at least `minimum`, at most the
/// caller's limit. A function or a gradient whose stable form is at hand is
/// found within a few iterations; one that keeps a risk the rules cannot
/// remove (a temperature's `1 / t`) never settles, and would otherwise run
/// to the caller's limit before the direct optimization starts. At least
/// 1,000: what the corpus and the models need since a weighted log-sum-exp
/// is shifted in one step, and half the time of the small models' forward
/// runs at 2,000.
private func candidateNodeLimit(for program: TensorProgram, _ options: OptimizeOptions, minimum: Int = 1_000) -> Int {
    min(options.limits.nodes, max(minimum, 4 * program.graph.nodes.count))
}

/// Whether the gradients of the stable forms stand alone: verified, and
/// within the promised accuracy on the probe's adversarial inputs. The
/// stability cost's remaining risks are not asked: they are bounds from
/// intervals, and products of several inputs (every attention or MLP
/// gradient) reach infinity in them without any input doing so.
private func isAccepted(_ result: OptimizationResult) -> Bool {
    guard !result.report.keptInput, result.report.unverifiedBecause == nil,
        let after = result.report.accuracyAfter
    else { return false }
    return after.maximumBits <= stableGradientAcceptableBits
}

/// The stability cost of each output of `program` as written, read off a
/// fresh e-graph of it.
private func writtenCosts(of program: TensorProgram, options: OptimizeOptions) -> [Double]? {
    try? PreparedEGraph(program, options: options).inputCosts
}
