import EGraph
import Foundation

/// One benchmark or test case, ready to be set up afresh for each run.
public struct WorkloadCase {
    /// The workload: `micro`, `math`, `ac-binary`, `ac-declared` or `softmax`.
    public var workload: String
    /// The case name, as in the workloads file.
    public var name: String
    /// The runner's limits.
    public var limits: RunLimits
    /// Whether the goals should be proved (`nil` when the case has no goals).
    public var expectProved: Bool?
    /// The exact saturated size, where the file states it.
    public var expected: WorkloadFile.Expected?
    /// Builds the e-graph, rules and runner for one run.
    public var prepare: () throws -> PreparedRun
}

/// An e-graph with its terms inserted, and everything needed to saturate it.
public struct PreparedRun {
    /// The e-graph, roots and extras added and rebuilt.
    public var egraph: EGraph
    /// The rules.
    public var rules: [Rewrite]
    /// The runner, with its goal hook when the case stops on proof.
    public var runner: Runner
    /// The start term's class.
    public var root: ClassID?
    /// Terms to find in the root's class.
    public var goals: [Term]

    /// Saturates, timing only the runner, and reports whether the goals hold.
    public func run() -> CaseOutcome {
        let report = runner.run(rules, on: egraph)
        return CaseOutcome(report: report, proved: goals.isEmpty ? nil : PreparedRun.proves(egraph, root, goals))
    }

    static func proves(_ egraph: EGraph, _ root: ClassID?, _ goals: [Term]) -> Bool {
        guard let root else { return false }
        return goals.allSatisfy { goal in egraph.lookup(goal).map { egraph.areEquivalent($0, root) } ?? false }
    }
}

/// The result of one run of a case.
public struct CaseOutcome {
    /// The runner's report.
    public var report: RunReport
    /// Whether every goal ended in the start's class; `nil` without goals.
    public var proved: Bool?
}

/// The workloads the benchmark and the tests replay, built from the file.
public enum Workloads {
    /// The workload names, in the order the benchmark runs them.
    public static let names = ["micro", "math", "ac-binary", "ac-declared", "softmax"]

    /// The cases of every workload, in order.
    public static func cases(from file: WorkloadFile) throws -> [WorkloadCase] {
        try micro(file) + math(file) + ac(file, declared: false) + ac(file, declared: true) + softmax(file)
    }

    /// The micro-benchmark: 7 roots, 24 rules, exactly 11 iterations, under
    /// egg's schedule (full searches).
    public static func micro(_ file: WorkloadFile) throws -> [WorkloadCase] {
        let micro = file.micro
        let limits = RunLimits(iterations: micro.iterations, nodes: .max, seconds: .infinity)
        return [
            WorkloadCase(workload: "micro", name: micro.name, limits: limits, expectProved: nil, expected: nil) {
                let egraph = EGraph()
                for expression in micro.exprs { egraph.add(try Term(parsing: expression)) }
                // The workload is its 11 iterations, so it is the e-graph
                // they reach under egg's schedule: semi-naive search counts
                // fewer matches, bans less, and would reach 25,855 nodes
                // rather than egg's 13,386.
                var runner = Runner(limits: limits)
                runner.searchesSemiNaively = false
                return PreparedRun(
                    egraph: egraph, rules: try rules(micro.rules, Signature(), ConditionRegistry()),
                    runner: runner, root: nil, goals: [])
            }
        ]
    }

    /// The 19 goals of the math suite, with constant folding.
    public static func math(_ file: WorkloadFile) throws -> [WorkloadCase] {
        file.mathCases.map { spec in
            proofCase("math", spec, signature: Signature(), ruleSpecs: file.mathRules)
        }
    }

    /// `x1 + (x2 + ... + xn)` under `comm-add` and `assoc-add`, n = 3...12:
    /// binary rules, or `+` declared AC.
    public static func ac(_ file: WorkloadFile, declared: Bool) throws -> [WorkloadCase] {
        var specs = file.ac.cases
        // The file stops at n = 10; extend to 12 with the same limits.
        if let last = specs.last {
            for n in (last.n + 1)...12 {
                let terms = (1...n).map { "x\($0)" }
                let start = terms.dropLast().reversed().reduce(terms.last!) { "(+ \($1) \($0))" }
                specs.append(
                    WorkloadFile.ACCase(
                        name: "ac_sum_\(n)", n: n, start: start, limits: last.limits,
                        expected: WorkloadFile.Expected(
                            classes: (1 << n) - 1, nodes: power(3, n) - (1 << (n + 1)) + 1 + n)))
            }
        }
        var signature = Signature()
        if declared { signature.declareAC("+") }
        return specs.map { spec in
            let limits = spec.limits.runLimits
            let expected =
                declared
                ? WorkloadFile.Expected(classes: spec.n + 1, nodes: spec.n + 1)
                : spec.expected
            return WorkloadCase(
                workload: declared ? "ac-declared" : "ac-binary", name: spec.name, limits: limits,
                expectProved: nil, expected: expected
            ) {
                let egraph = EGraph(signature: signature)
                let root = egraph.add(try Term(parsing: spec.start, signature: signature))
                return PreparedRun(
                    egraph: egraph, rules: try rules(file.ac.rules, signature, ConditionRegistry()),
                    runner: Runner(limits: limits), root: root, goals: [])
            }
        }
    }

    /// Softmax and log-softmax and their gradients, proved equal to their
    /// max-shifted forms under the `base` and `ext` rule sets.
    public static func softmax(_ file: WorkloadFile) throws -> [WorkloadCase] {
        file.softmax.cases.map { spec in
            proofCase(
                "softmax", spec, signature: Signature(),
                ruleSpecs: spec.ruleset == "ext" ? file.softmax.extendedRules : file.softmax.rules)
        }
    }

    private static func proofCase(
        _ workload: String, _ spec: WorkloadFile.ProofCase, signature: Signature, ruleSpecs: [WorkloadFile.RuleSpec]
    ) -> WorkloadCase {
        let limits = spec.limits.runLimits
        return WorkloadCase(
            workload: workload, name: spec.name, limits: limits, expectProved: spec.expectsProof, expected: nil
        ) {
            let egraph = EGraph(signature: signature)
            var conditions = ConditionRegistry()
            if spec.analysis == "constfold" {
                let folding = ConstantFolding()
                egraph.register(folding)
                conditions = folding.mathConditions()
            }
            let root = egraph.add(try Term(parsing: spec.start, signature: signature))
            for extra in spec.extra { egraph.add(try Term(parsing: extra, signature: signature)) }
            let goals = try spec.goals.map { try Term(parsing: $0, signature: signature) }
            var runner = Runner(limits: limits)
            if spec.stopsWhenProved {
                runner.hooks = [GoalHook { egraph in PreparedRun.proves(egraph, root, goals) }]
            }
            return PreparedRun(
                egraph: egraph, rules: try rules(ruleSpecs, signature, conditions), runner: runner, root: root,
                goals: goals)
        }
    }

    /// Builds checked rewrites from the file's rule specs.
    public static func rules(
        _ specs: [WorkloadFile.RuleSpec], _ signature: Signature, _ conditions: ConditionRegistry
    ) throws -> [Rewrite] {
        try specs.map { spec in
            let resolved = try (spec.conds ?? []).map { condition -> Condition in
                guard let name = condition.first, let definition = conditions[name] else {
                    throw DiagnosticError([Diagnostic("rule \(spec.name): unknown condition \(condition)", at: nil)])
                }
                let arguments = try condition.dropFirst().map { text -> Condition.Argument in
                    if let value = Literal.parseNumber(text) { return .literal(.number(value)) }
                    guard text.hasPrefix("?"), text.count > 1 else {
                        throw DiagnosticError([
                            Diagnostic("rule \(spec.name): bad condition argument '\(text)'", at: nil)
                        ])
                    }
                    return .variable(PatternVariable(text))
                }
                return Condition(definition, arguments)
            }
            return try Rewrite(spec.name, spec.lhs, spec.rhs, conditions: resolved, signature: signature)
        }
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { product, _ in product * base }
    }
}
