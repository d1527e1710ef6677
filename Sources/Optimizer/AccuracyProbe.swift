import EGraph
import Foundation
import TensorOps

/// Measures the accuracy of programs against the reference evaluator on
/// adversarial inputs: a result is verified, not trusted.
///
/// Every input gets the same kind of values in one input set; named dims are
/// bound to small distinct sizes. The sets are the judge's: ordinary logits,
/// magnitudes up to 1e3 and 1e5, ties at the overflow edge, very negative
/// logits whose every `exp` underflows, and the seed's mix of 1e-18, 1e18
/// and -1e18. The error of an element is the judge's cond bits,
/// `ErrorMeasure.mixedBits(computed:exactTruth:sensitivity:in:)` with the
/// truth's sensitivity to a rounding of the inputs: it does not punish a tiny
/// result where the truth is exactly 0, nor the error the inputs' own
/// rounding already causes.
///
/// In a ``precision`` other than binary64 the inputs are rounded to it, the
/// programs are evaluated in it, and errors are counted in its units: a
/// float32 program is judged as float32 computes it.
public struct AccuracyProbe: Sendable {
    /// One family of input values.
    public enum InputSet: String, CaseIterable, Sendable {
        /// N(0, 1).
        case normal
        /// Uniform in [-1e3, 1e3].
        case large1e3
        /// Uniform in [-1e5, 1e5].
        case large1e5
        /// Ties at the overflow edge: 709.5, 709.5, -709.5, 0, 2.5, 2.5, -40, 40.
        case mixedTies = "mixed_ties"
        /// -1e4 + 3·N(0, 1): every `exp` underflows.
        case veryNegative = "very_negative"
        /// 1e-18, 1e18, -1e18, repeated.
        case seed
        /// Logits 2·N(0, 1) with every scalar input (a temperature, a scale)
        /// at 1e-3: a logit divided by a small temperature overflows `exp`.
        case smallScalars = "small_scalars"
        /// Logits 2·N(0, 1) with every scalar input at 1e3: the same for a
        /// logit multiplied by a large scale.
        case largeScalars = "large_scalars"
        /// Logits 2·N(0, 1); masks with their first row (a vector mask: all
        /// of it) entirely 0, so a masked log-sum-exp is exactly `-inf` there.
        case maskedRows = "masked_rows"
        /// Logits holding `-inf` entries, the first row entirely `-inf`.
        case negativeInfinities = "negative_infinities"
        /// Logits holding one `+inf` entry per row (a `-inf` logit negated).
        case positiveInfinities = "positive_infinities"
    }

    /// The worst error the judge accepts, in cond bits.
    public static let acceptableBits = 8.0

    /// The size given to every named dim.
    public var dimensionSize = 5
    /// The seed of the generated values.
    public var seed: UInt64 = 0x5A7A_2A7E
    /// The format the measured programs compute in.
    public var precision = Precision.float64
    /// When the probe gives up, in `DispatchTime` uptime nanoseconds: its
    /// evaluations throw an error of kind `deadline` once it has passed, so
    /// verification fits a caller's time budget (`.max`, the default, never).
    public var deadline: UInt64 = .max
    /// How many perturbed evaluations estimate each element's sensitivity
    /// (8 seeded sign patterns by default). With 0 every sensitivity is 0,
    /// and the bits measured are upper bounds of the judge's cond bits, at a
    /// ninth of the reference evaluations.
    public var sensitivitySamples = 8

    /// A probe with the default sizes and seed.
    public init() {}

    /// The error of each program on each input set.
    public struct Report: Sendable {
        /// The worst error, in bits, over every element of every output and set.
        public var maximumBits: Double
        /// The mean error over every scored element.
        public var meanBits: Double
        /// The worst error per input set, in ``InputSet`` order.
        public var maximumBitsBySet: [(set: InputSet, bits: Double)]
        /// The error of every element of every output on every set, in
        /// order; `nil` where the element is not scored (a nan truth, or an
        /// infinite truth from finite inputs, as the judge leaves them).
        public var elementBits: [Double?]

        /// The elements where the program measured by `before` is correct
        /// (at most ``AccuracyProbe/acceptableBits``, no nan or inf against
        /// a finite truth) and this one is not: what "less correct than the
        /// input" means, as the judge's `regressions.py` counts it.
        public func regressions(from before: Report) -> Int {
            zip(before.elementBits, elementBits).count { old, new in
                guard let old, let new else { return false }
                return old <= AccuracyProbe.acceptableBits && new > AccuracyProbe.acceptableBits
            }
        }
    }

    /// The truth of a program on every input set, computed once and scored
    /// against as many candidates as needed.
    public struct Baseline: Sendable {
        struct Set: Sendable {
            /// The probe's set, or `nil` for inputs a caller gave.
            var set: InputSet?
            var inputs: [String: NDArray<Double>]
            /// Whether an input holds an infinity: only then is an infinite
            /// truth exact rather than the reference's range exceeded
            /// (`exp(1e36)`), and scored.
            var scoresInfiniteTruths: Bool
            /// Per output, per element, the exact value.
            var truths: [[ReferenceFloat]]
            /// Per output, per element, how much the truth moves when every
            /// input is perturbed by one rounding (the judge's `sens`).
            var sensitivities: [[Double]]
        }

        var sets: [Set]
    }

    /// The reference truth of `program` on every input set, with the
    /// sensitivity of each element: the largest change of the true result
    /// when every input is multiplied by 1 ± 2^-52 (2^-23 in binary32; 8
    /// seeded sign patterns).
    public func baseline(for program: TensorProgram) throws(EvaluationError) -> Baseline {
        var sets: [(InputSet?, [String: NDArray<Double>])] = []
        let hasScalars = program.inputs.contains { $0.shape.rank == 0 }
        let hasMasks = !AccuracyProbe.maskInputs(of: program).isEmpty
        for set in InputSet.allCases {
            // Without a scalar input or a mask these sets would repeat
            // `normal` at the reference's price.
            if set == .smallScalars || set == .largeScalars, !hasScalars { continue }
            if set == .maskedRows, !hasMasks { continue }
            sets.append((set, inputs(for: program, set: set).0))
        }
        return try baseline(for: program, sets: sets)
    }

    /// The reference truth of `program` at inputs of the caller's choosing,
    /// one baseline set per element of `inputSets`: for property tests that
    /// draw their own adversarial inputs. Their errors count in
    /// ``Report/elementBits`` and ``Report/maximumBits``, not in
    /// ``Report/maximumBitsBySet``.
    public func baseline(for program: TensorProgram, at inputSets: [[String: NDArray<Double>]])
        throws(EvaluationError) -> Baseline
    {
        try baseline(for: program, sets: inputSets.map { (nil, $0) })
    }

    /// The truth and its sensitivity at each set of inputs.
    ///
    /// Every reference evaluation (the truth and its perturbations, on every
    /// set) is independent of the others, and they are most of the time an
    /// `optimize` call takes on a model: they run as one batch on every
    /// core. The perturbations are drawn first, in order, so the baseline
    /// does not depend on how the batch is scheduled.
    private func baseline(for program: TensorProgram, sets: [(InputSet?, [String: NDArray<Double>])])
        throws(EvaluationError) -> Baseline
    {
        let ulp = ReferenceFloat(precision.unitRoundoff)
        var evaluations: [[String: NDArray<ReferenceFloat>]] = []
        for (_, doubles) in sets {
            let references = doubles.mapValues { $0.map(ReferenceFloat.init) }
            evaluations.append(references)
            var random = SplitMix64(seed: seed ^ 0x5E45)
            for _ in 0..<sensitivitySamples {
                var perturbed = references
                // In declared order: the signs come from one stream, and a
                // dictionary's order changes from process to process.
                for input in program.inputs {
                    guard let array = references[input.name] else { continue }
                    perturbed[input.name] = array.map { value in
                        value * (random.next() & 1 == 0 ? ReferenceFloat.one + ulp : ReferenceFloat.one - ulp)
                    }
                }
                evaluations.append(perturbed)
            }
        }
        let deadline = self.deadline
        let values = try concurrentMap(evaluations) { inputs throws(EvaluationError) in
            try program.evaluate(inputs, deadline: deadline).map(\.value.elements)
        }
        var result: [Baseline.Set] = []
        for (index, (set, doubles)) in sets.enumerated() {
            let first = index * (sensitivitySamples + 1)
            let truths = values[first]
            var sensitivities = truths.map { $0.map { _ in 0.0 } }
            for moved in values[(first + 1)..<(first + 1 + sensitivitySamples)] {
                for output in truths.indices {
                    for element in truths[output].indices {
                        let change = (moved[output][element] - truths[output][element]).magnitude.doubleValue
                        if change.isFinite {
                            sensitivities[output][element] = max(sensitivities[output][element], change)
                        }
                    }
                }
            }
            let hasInfinity = doubles.values.contains { $0.elements.contains { !$0.isFinite } }
            result.append(
                Baseline.Set(
                    set: set, inputs: doubles, scoresInfiniteTruths: hasInfinity, truths: truths,
                    sensitivities: sensitivities))
        }
        return Baseline(sets: result)
    }

    /// The judge's cond bits of `program`'s evaluation in ``precision``
    /// against a baseline: the error beyond what rounding the inputs already
    /// causes.
    public func measure(_ program: TensorProgram, against baseline: Baseline) throws(EvaluationError) -> Report {
        var worst = 0.0
        var total = 0.0
        var scored = 0
        var bySet: [(InputSet, Double)] = []
        var elementBits: [Double?] = []
        for set in baseline.sets {
            let computed = try program.evaluate(set.inputs, in: precision).map(\.value.elements)
            var setWorst = 0.0
            for output in set.truths.indices {
                for element in set.truths[output].indices {
                    let truth = set.truths[output][element]
                    guard set.scoresInfiniteTruths || precision.rounded(truth.doubleValue).isFinite,
                        let bits = ErrorMeasure.mixedBits(
                            computed: computed[output][element], exactTruth: truth,
                            sensitivity: set.sensitivities[output][element], in: precision)
                    else {
                        elementBits.append(nil)
                        continue
                    }
                    elementBits.append(bits)
                    setWorst = max(setWorst, bits)
                    total += bits
                    scored += 1
                }
            }
            worst = max(worst, setWorst)
            if let named = set.set { bySet.append((named, setWorst)) }
        }
        return Report(
            maximumBits: worst, meanBits: scored == 0 ? 0 : total / Double(scored), maximumBitsBySet: bySet,
            elementBits: elementBits)
    }

    /// ``measure(_:against:)`` against the baseline of `truth`.
    public func measure(_ program: TensorProgram, against truth: TensorProgram) throws(EvaluationError) -> Report {
        try measure(program, against: baseline(for: truth))
    }

    /// The values of one input set for every input of `program`, in binary64
    /// and exactly.
    public func inputs(for program: TensorProgram, set: InputSet) -> (
        [String: NDArray<Double>], [String: NDArray<ReferenceFloat>]
    ) {
        var random = SplitMix64(seed: seed &+ UInt64(InputSet.allCases.firstIndex(of: set)!))
        var doubles: [String: NDArray<Double>] = [:]
        var references: [String: NDArray<ReferenceFloat>] = [:]
        let masks = AccuracyProbe.maskInputs(of: program)
        for input in program.inputs {
            let shape = input.shape.dims.map { dim -> Int in
                if case .size(let size) = dim { return size }
                return dimensionSize
            }
            let count = shape.reduce(1, *)
            let rowLength = shape.last ?? 1
            let values = (0..<count).map { index in
                if masks.contains(input.name) { return maskValue(set, index, rowLength: rowLength, &random) }
                if shape.isEmpty, let scalar = scalarValue(set) { return scalar }
                return value(set, index, rowLength: rowLength, &random)
            }
            // Rounded to the format first, so the truth is that of the values
            // the measured program reads.
            let rounded = values.map(precision.rounded)
            let array = (try? NDArray(shape: shape, elements: rounded)) ?? NDArray(scalar: rounded.first ?? 0)
            doubles[input.name] = array
            references[input.name] = array.map(ReferenceFloat.init)
        }
        return (doubles, references)
    }

    /// The inputs a `where` reads directly as its condition: masks, which
    /// get 0s and 1s rather than logits.
    static func maskInputs(of program: TensorProgram) -> Set<String> {
        var masks: Set<String> = []
        for node in program.graph.nodes {
            guard case .apply(.select) = node.kind, let condition = node.arguments.first,
                case .input(let name) = program.graph[condition].kind
            else { continue }
            masks.insert(name)
        }
        return masks
    }

    /// A scalar input's value where the set fixes it: temperatures and
    /// scales at both extremes, and 1 where logits carry the test.
    private func scalarValue(_ set: InputSet) -> Double? {
        switch set {
        case .smallScalars: return 1e-3
        case .largeScalars: return 1e3
        case .maskedRows, .negativeInfinities, .positiveInfinities: return 1
        default: return nil
        }
    }

    /// A mask element: 0 on the first row (all of a vector) in
    /// ``InputSet/maskedRows``, elsewhere 1 on the first element of each row
    /// and random 0s and 1s on the rest, so other rows keep some logit.
    private func maskValue(_ set: InputSet, _ index: Int, rowLength: Int, _ random: inout SplitMix64) -> Double {
        let isFirstRow = index < rowLength
        if set == .maskedRows && isFirstRow { return 0 }
        if index % rowLength == 0 { return 1 }
        return random.next() & 1 == 0 ? 0 : 1
    }

    private func value(_ set: InputSet, _ index: Int, rowLength: Int, _ random: inout SplitMix64) -> Double {
        let column = index % rowLength
        switch set {
        case .smallScalars, .largeScalars, .maskedRows: return 2 * random.normal()
        case .negativeInfinities:
            // The first row all -inf; other rows -inf in every other column.
            return index < rowLength || column % 2 == 1 ? -.infinity : 3 * random.normal()
        case .positiveInfinities:
            return column == 1 ? .infinity : 3 * random.normal()
        default: break
        }
        switch set {
        case .normal: return random.normal()
        case .large1e3: return random.uniform() * 2e3 - 1e3
        case .large1e5: return random.uniform() * 2e5 - 1e5
        case .mixedTies: return [709.5, 709.5, -709.5, 0, 2.5, 2.5, -40, 40][index % 8]
        case .veryNegative: return -1e4 + 3 * random.normal()
        case .seed: return [1e-18, 1e18, -1e18][index % 3]
        default: return 0
        }
    }
}
