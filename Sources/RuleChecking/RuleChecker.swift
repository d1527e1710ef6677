// Checking rules for soundness by sampling (DESIGN.md, "Rules": "Every rule
// is checked by sampling against the reference evaluator"), in the manner of
// Herbie's rule tests: both sides evaluated at seeded points inside the
// rule's domain against a high-precision reference.

import DefaultRules
import EGraph
import Foundation
import Optimizer
import TensorOps

/// How ``RuleChecker`` samples.
public struct RuleCheckOptions: Sendable {
    /// The sample points at which both sides are compared before a rule
    /// passes.
    public var points = 12
    /// The instances of a left side drawn, at most, to find those points;
    /// a rule none of whose instances lands in its domain is reported as
    /// never matched. Drawing is cheap next to evaluating: most instances
    /// that miss fail a condition before anything is evaluated.
    public var attempts = 400
    /// The seed. Each rule's generator starts from this seed mixed with the
    /// rule's name, so a rule samples the same points whatever other rules
    /// are checked with it.
    public var seed: UInt64 = 0x5a7_0a7e
    /// The largest difference two finite values may show, relative to
    /// `max(|left|, |right|, 1)`.
    ///
    /// The reference arithmetic rounds to 256 bits (a unit roundoff of
    /// 2^-256 ≈ 8.6e-78). Sample leaves lie within 1e-3 to 1.5e5 in
    /// magnitude and the sampler's own `exp` forms within about 1e±13, so a
    /// few dozen operations, cancellations between such values included,
    /// lose far fewer than the 47 decimal digits this tolerance leaves
    /// (cancelling terms of 1e18 leaves an error near 1e-59); a wrong rule
    /// instead misses by a relative amount of order 1 at almost every
    /// point. The floor of 1 accepts the rounding noise of a result that
    /// cancels to (nearly) zero, such as `log(a * b) - log(a) - log(b)`.
    public var relativeTolerance = 1e-30
    /// The matches of the rule at one sample's root that are checked (an AC
    /// pattern may bind its variables in several ways); distinct right sides
    /// only.
    public var matchesPerPoint = 4

    /// The default options.
    public init() {}
}

/// Checks rewrite rules of the tensor language for soundness by sampling
/// (`saturate check-rules`, and the test that runs it on every default rule).
///
/// For each rule, it draws instances of the left side: each variable bound
/// to a small expression over fresh input leaves of a random shape (see the
/// sampler's forms: a leaf, `exp` of one, a reduction, ...), each attribute
/// variable to an axis. An instance is kept when the rule, searched in an
/// e-graph holding just that instance with the tensor analysis, matches at
/// its root with every condition holding: the conditions are the engine's
/// own, read from the analysis's facts, never re-implemented here. For each
/// such match (up to ``RuleCheckOptions/matchesPerPoint``) the right side is
/// built from the match's bindings, both sides are read back as programs,
/// and they must pass three checks:
///
/// - shape: the right side's shape is the left side's, or broadcasts to it
///   (the optimizer then merges it broadcast back with `fill`);
/// - definedness: the right side is finite wherever the left side is finite;
/// - soundness: where both are finite, they agree to within
///   ``RuleCheckOptions/relativeTolerance``, evaluated with the 256-bit
///   reference arithmetic (`ReferenceFloat`), in which `exp(1e5)` is an
///   ordinary number, so a rule that removes an overflow is compared on
///   values, not on infinities.
///
/// Elements where the left side is NaN or infinite are outside the domain
/// and skipped (a rule may remove a domain error, never add one). The first
/// failing point is reported with the variables' values and both sides'.
/// Everything is seeded: the same rules and options give the same report.
public struct RuleChecker {
    /// How to sample.
    public var options: RuleCheckOptions

    /// A checker sampling as `options` say.
    public init(options: RuleCheckOptions = RuleCheckOptions()) {
        self.options = options
    }

    /// The rules `saturate check-rules` checks: the default rule files when
    /// `files` is empty; otherwise the rules of `files` alone, read with the
    /// declarations of the default files (`(ac + *)`, the units), as
    /// `saturate optimize --rules` reads them.
    ///
    /// Only the defaults' declarations are shared, not their rules, so a
    /// default file can be checked from its source after an edit
    /// (`saturate check-rules rules/algebra.rules`) without its names
    /// clashing with the compiled-in copy's. Conditions are those of
    /// `TensorAnalysis.conditions()`.
    /// - Throws: every problem in the files, as `file:line:col: message`.
    public static func loadRules(files: [RuleSource] = []) throws(DiagnosticError) -> RuleSet {
        let conditions = TensorAnalysis(inputShapes: [:]).conditions()
        var defaultOptions = OptimizeOptions()
        defaultOptions.ruleFiles = []
        let defaults = try Optimizer.loadRules(defaultOptions, conditions: conditions)
        guard !files.isEmpty else { return defaults }
        // Loaded as `optimize --rules` will load them, beside the defaults: a
        // file that passes here must not then fail there (a rule named like
        // a default one, say). The default files' own sources, checked while
        // editing them, would only clash with their compiled-in copies.
        let defaultNames = Set(DefaultRules.files.map(\.name))
        let editsDefaults = files.contains { defaultNames.contains(($0.name as NSString).lastPathComponent) }
        if !editsDefaults {
            var together = OptimizeOptions()
            together.ruleFiles = files
            _ = try Optimizer.loadRules(together, conditions: conditions)
        }
        return try RuleSet(
            files, signature: defaults.signature, conditions: conditions, desugar: TensorVocabulary.lower,
            vocabulary: TensorVocabulary.operators)
    }

    /// Checks every rule of `rules`, in order.
    public func check(_ rules: RuleSet) -> [RuleCheckResult] {
        rules.entries.map { check($0, signature: rules.signature) }
    }

    /// Checks the rules that `options.ruleFiles` add, loaded exactly as
    /// `optimize(_:options:)` loads them (with the defaults' declarations,
    /// or without the defaults at all): what `saturate optimize --rules`
    /// runs before it trusts a user's file.
    ///
    /// The defaults are not checked again (a test checks every one of
    /// them), nor are rules of groups the options or a file switch off,
    /// which will not run.
    /// - Throws: every problem in the files, as `file:line:col: message`.
    /// - Complexity: ``check(_:signature:)`` for each added rule.
    public func checkAddedRules(of options: OptimizeOptions) throws(DiagnosticError) -> [RuleCheckResult] {
        let conditions = TensorAnalysis(inputShapes: [:]).conditions()
        let rules = try Optimizer.loadRules(options, conditions: conditions)
        let added = Set(options.ruleFiles.map(\.name))
        return rules.entries.filter { added.contains($0.location.file) && !options.disabledGroups.contains($0.group) }
            .map { check($0, signature: rules.signature) }
    }

    /// Checks one rule of a language with `signature`.
    ///
    /// The rule's conditions may come from any `TensorAnalysis`: each sample
    /// has an analysis of its own (it knows the sample's input shapes), and
    /// conditions are re-bound to it by name.
    /// - Complexity: at most ``RuleCheckOptions/attempts`` small e-graphs,
    ///   and ``RuleCheckOptions/points`` evaluations of each side on tensors
    ///   of at most 6 elements.
    public func check(_ entry: RuleEntry, signature: Signature) -> RuleCheckResult {
        let rewrite = entry.rewrite
        var result = RuleCheckResult(
            name: rewrite.name, location: entry.location, rule: rewrite.description, points: 0, attempts: 0,
            broadcastsBack: false, outcome: .passed)
        var random = SplitMix64(seed: options.seed ^ RuleChecker.fingerprint(rewrite.name))
        let sampler = RuleSampler(rewrite, signature: signature)
        let evaluator = SampleEvaluator(rewrite: rewrite, signature: signature, options: options)
        var rejections = RejectionTally()
        while result.points < options.points && result.attempts < options.attempts {
            result.attempts += 1
            guard let instance = sampler.draw(using: &random) else {
                rejections.note(.unspellable)
                continue
            }
            switch evaluator.check(instance) {
            case .rejected(let rejection):
                rejections.note(rejection)
            case .agreed(let broadcastsBack):
                result.points += 1
                result.broadcastsBack = result.broadcastsBack || broadcastsBack
            case .failed(let failure):
                result.points += 1
                result.outcome = .failed(failure)
                return result
            }
        }
        if result.points == 0 { result.outcome = .neverMatched(reason: rejections.summary(of: result.attempts)) }
        return result
    }

    /// FNV-1a of the name's UTF-8 bytes: a hash that, unlike `Hasher`, is
    /// the same in every process.
    static func fingerprint(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// Why a drawn instance was not a sample point.
enum Rejection: Equatable {
    /// The left side could not be spelled (an empty AC application without
    /// a unit).
    case unspellable
    /// The left side is not a program of the tensor language.
    case notAProgram(String)
    /// The leaves' shapes do not fit the left side's operators.
    case shapes
    /// The rule matched the instance's root, but a condition failed there.
    case conditions
    /// The rule did not match the instance's root at all (the e-graph
    /// flattened a drawn sum into the pattern's, say).
    case noMatch
    /// The left side is NaN or infinite at every element.
    case undefined
}

/// Counts rejections, for the reason a never-matched rule gives.
struct RejectionTally {
    /// Per kind of rejection, in order of first appearance: its label and
    /// how often it happened.
    private var counts: [(kind: String, label: String, count: Int)] = []

    mutating func note(_ rejection: Rejection) {
        let kind: String
        var detail = ""
        switch rejection {
        case .unspellable: kind = "the left side could not be spelled"
        case .notAProgram(let problem):
            kind = "the left side is not a tensor program"
            // The first problem stands for the others: they differ only by
            // the operand counts the sampler drew.
            detail = " (\(problem))"
        case .shapes: kind = "the shapes did not fit the left side"
        case .conditions: kind = "the conditions did not hold"
        case .noMatch: kind = "the rule did not match its own instance"
        case .undefined: kind = "the left side was undefined"
        }
        if let index = counts.firstIndex(where: { $0.kind == kind }) {
            counts[index].count += 1
        } else {
            counts.append((kind, kind + detail, 1))
        }
    }

    /// `400 attempts: 380 the conditions did not hold, 20 ...`, most
    /// frequent first.
    func summary(of attempts: Int) -> String {
        let parts = counts.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
            .map { "\($0.element.count) \($0.element.label)" }
        return "\(attempts) attempt\(attempts == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
