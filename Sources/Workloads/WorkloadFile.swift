import EGraph
import Foundation

/// The engine-neutral workloads file (`Benchmarks/workloads.json`), as
/// decoded: terms and patterns in egg's s-expression syntax.
public struct WorkloadFile: Decodable, Sendable {
    /// A rule as the file writes it.
    public struct RuleSpec: Decodable, Sendable {
        /// The rule's name.
        public var name: String
        /// The left pattern.
        public var lhs: String
        /// The right pattern.
        public var rhs: String
        /// Side conditions: a predicate name followed by its arguments.
        public var conds: [[String]]?
    }

    /// Limits as the file writes them.
    public struct LimitsSpec: Decodable, Sendable {
        /// Iterations.
        public var iter: Int
        /// E-nodes.
        public var nodes: Int
        /// Seconds.
        public var seconds: Double

        /// The runner's limits.
        /// The runner's limits, with egg's node-limit semantics: the size after
        /// an iteration counts, and an iteration may peak at twice the limit
        /// (n = 10 of the AC workload peaks near 174,000 nodes on its way to
        /// 57,012, under a limit of 100,000).
        public var runLimits: RunLimits {
            RunLimits(
                iterations: iter, nodes: nodes, seconds: seconds,
                peakNodes: nodes > Int.max / 2 ? .max : nodes * 2)
        }

        private enum CodingKeys: String, CodingKey {
            case iter, nodes
            case seconds = "time_s"
        }
    }

    /// A goal-proving case.
    public struct ProofCase: Decodable, Sendable {
        /// The case's name.
        public var name: String
        /// The term to start from.
        public var start: String
        /// Terms that must end in the start's class.
        public var goals: [String]
        /// Terms added to the e-graph before running.
        public var extra: [String]
        /// Limits.
        public var limits: LimitsSpec
        /// `"constfold"` or absent.
        public var analysis: String?
        /// Whether the run stops once every goal is proved.
        public var stopsWhenProved: Bool
        /// Whether the goals are expected to be proved.
        public var expectsProof: Bool
        /// For softmax cases: `"base"` or `"ext"`.
        public var ruleset: String?

        private enum CodingKeys: String, CodingKey {
            case name, start, goals, extra, limits, analysis, ruleset
            case stopsWhenProved = "stop_when_proved"
            case expectsProof = "expect_proved"
        }
    }

    /// The micro-benchmark: several roots, fixed iterations.
    public struct Micro: Decodable, Sendable {
        /// Its name.
        public var name: String
        /// The roots.
        public var exprs: [String]
        /// The rules.
        public var rules: [RuleSpec]
        /// Iterations to run, exactly.
        public var iterations: Int
    }

    /// An AC blow-up case.
    public struct ACCase: Decodable, Sendable {
        /// `ac_sum_N`.
        public var name: String
        /// The number of terms.
        public var n: Int
        /// The right-nested sum.
        public var start: String
        /// Limits.
        public var limits: LimitsSpec
        /// The saturated size under the binary rules.
        public var expected: Expected?
    }

    /// An exact e-graph size.
    public struct Expected: Decodable, Sendable {
        /// E-classes.
        public var classes: Int
        /// E-nodes.
        public var nodes: Int
    }

    /// The AC workload.
    public struct ACWorkload: Decodable, Sendable {
        /// `comm-add` and `assoc-add`.
        public var rules: [RuleSpec]
        /// n = 3 upward.
        public var cases: [ACCase]
    }

    /// The softmax workload.
    public struct SoftmaxWorkload: Decodable, Sendable {
        /// The `base` rule set.
        public var rules: [RuleSpec]
        /// The `ext` rule set.
        public var extendedRules: [RuleSpec]
        /// Its cases.
        public var cases: [ProofCase]

        private enum CodingKeys: String, CodingKey {
            case rules, cases
            case extendedRules = "rules_ext"
        }
    }

    /// The 36 rules of the math suite.
    public var mathRules: [RuleSpec]
    /// The 19 math goals.
    public var mathCases: [ProofCase]
    /// The micro-benchmark.
    public var micro: Micro
    /// The AC workload.
    public var ac: ACWorkload
    /// The softmax workload.
    public var softmax: SoftmaxWorkload

    private enum CodingKeys: String, CodingKey {
        case micro, ac, softmax
        case mathRules = "math_rules"
        case mathCases = "math_cases"
    }

    /// Reads a workloads file.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(WorkloadFile.self, from: Data(contentsOf: url))
    }

    /// The project's copy, found from this source file's place in the
    /// package, so tests and the benchmark work from any directory.
    public static var bundledURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/workloads.json")
    }
}
