/// A named predicate that a client language registers for rules to use as a
/// side condition, such as `(not_zero ?x)` or `(pos ?a)`.
///
/// Predicates read analysis data through the e-graph; they run while
/// searching, on a clean e-graph, so what they read is at its fixpoint.
public struct ConditionDefinition {
    /// The name rule files use.
    public let name: String
    /// How many arguments the predicate takes.
    public let arity: Int
    /// The predicate.
    public let holds: (_ arguments: [Binding], _ egraph: EGraph) -> Bool

    /// A predicate named `name` taking `arity` arguments.
    public init(_ name: String, arity: Int, holds: @escaping (_ arguments: [Binding], _ egraph: EGraph) -> Bool) {
        self.name = name
        self.arity = arity
        self.holds = holds
    }
}

/// The predicates a language offers to rules, by name.
public struct ConditionRegistry {
    private var definitions: [String: ConditionDefinition] = [:]

    /// An empty registry.
    public init() {}

    /// Adds or replaces a predicate.
    public mutating func register(_ definition: ConditionDefinition) {
        definitions[definition.name] = definition
    }

    /// Adds or replaces a predicate given as a closure.
    public mutating func register(
        _ name: String, arity: Int, holds: @escaping (_ arguments: [Binding], _ egraph: EGraph) -> Bool
    ) {
        register(ConditionDefinition(name, arity: arity, holds: holds))
    }

    /// The predicate named `name`, if registered.
    public subscript(name: String) -> ConditionDefinition? { definitions[name] }

    /// The registered names, sorted, for error messages.
    public var names: [String] { definitions.keys.sorted() }

    /// The same names and arities, each predicate a stand-in that holds
    /// nowhere and captures nothing: what a rule set compiled once, to be
    /// rebound to each program's predicates, is compiled against, so the
    /// set can be shared between threads.
    public var standIns: ConditionRegistry {
        var registry = ConditionRegistry()
        for definition in definitions.values {
            registry.register(ConditionDefinition(definition.name, arity: definition.arity) { _, _ in false })
        }
        return registry
    }

    /// The names and arities, sorted: what a rule set compiled against this
    /// registry depends on.
    public var signatureKey: String {
        definitions.values.map { "\($0.name)/\($0.arity)" }.sorted().joined(separator: " ")
    }

    /// The union of two registries; `other` wins on a shared name.
    public func merging(_ other: ConditionRegistry) -> ConditionRegistry {
        var merged = self
        merged.definitions.merge(other.definitions) { _, new in new }
        return merged
    }
}

/// A side condition of a rewrite: a predicate applied to pattern variables
/// and literals, as in `(not_zero ?x)`.
public struct Condition: CustomStringConvertible {
    /// An argument as written: a variable of the left pattern, or a literal.
    public enum Argument: Hashable, Sendable, CustomStringConvertible {
        /// A pattern variable, bound by the match.
        case variable(PatternVariable)
        /// A literal written in the condition.
        case literal(Literal)

        /// The argument as written.
        public var description: String {
            switch self {
            case .variable(let variable): variable.name
            case .literal(let literal): literal.description
            }
        }
    }

    /// The predicate.
    public let definition: ConditionDefinition
    /// Its arguments.
    public let arguments: [Argument]

    /// A condition applying `definition` to `arguments`.
    /// - Precondition: the argument count is the predicate's arity.
    public init(_ definition: ConditionDefinition, _ arguments: [Argument]) {
        precondition(arguments.count == definition.arity, "\(definition.name) takes \(definition.arity) argument(s)")
        self.definition = definition
        self.arguments = arguments
    }

    /// `(name args...)`.
    public var description: String {
        "(" + ([definition.name] + arguments.map(\.description)).joined(separator: " ") + ")"
    }

    /// Whether the condition holds for a match.
    func holds(for match: MatchSet.Match, in egraph: EGraph) -> Bool {
        let bindings = arguments.map { argument -> Binding in
            switch argument {
            case .variable(let variable):
                guard let binding = match.binding(of: variable) else {
                    preconditionFailure("condition variable \(variable) is not bound by the pattern")
                }
                return binding
            case .literal(let literal):
                return .literal(literal)
            }
        }
        return definition.holds(bindings, egraph)
    }
}
