import EGraph
import Synchronization
import TensorOps

/// Rule sets compiled once per process, by their sources and the names of
/// the predicates they were checked against.
///
/// Reading, lowering and compiling the default rules took a third of a small
/// program's optimization (1.2 of 3.6 ms for a log-sum-exp), the same work
/// on every call of `optimize`, `saturate serve` and the tests. What differs
/// from program to program is only the analysis the predicates read, so a set
/// is compiled against stand-ins of its predicates and rebound to each
/// program's (``RuleSet/rebinding(_:)``), which copies the compiled rules.
enum CompiledRules {
    /// A set compiled against stand-in predicates, which capture nothing:
    /// the rest of a rule set is values, so sharing one between threads is
    /// safe although `RuleSet` cannot say so (its predicates are closures).
    private struct Template: @unchecked Sendable {
        let rules: RuleSet
    }

    /// Only sets that compiled without problems are kept: a problem is
    /// reported afresh, with its location, each time.
    private static let templates = Mutex<[String: Template]>([:])

    /// The rules of `sources`, checked against and reading `conditions`.
    static func rules(_ sources: [RuleSource], conditions: ConditionRegistry) throws(DiagnosticError) -> RuleSet {
        var key = conditions.signatureKey
        for source in sources { key += "\u{0}" + source.name + "\u{0}" + source.text }
        if let template = templates.withLock({ $0[key] }), let rules = template.rules.rebinding(conditions) {
            return rules
        }
        let template = try compile(sources, conditions: conditions.standIns)
        templates.withLock { $0[key] = Template(rules: template) }
        guard let rules = template.rebinding(conditions) else {
            preconditionFailure("a rule set compiled against stand-ins of its predicates rebinds to them")
        }
        return rules
    }

    private static func compile(_ sources: [RuleSource], conditions: ConditionRegistry) throws(DiagnosticError)
        -> RuleSet
    {
        try RuleSet(
            sources, signature: TensorVocabulary.signature, conditions: conditions, desugar: TensorVocabulary.lower,
            vocabulary: TensorVocabulary.operators)
    }
}
