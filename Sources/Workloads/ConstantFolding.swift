import EGraph

/// Constant folding for the generic symbolic language: a class whose value is
/// a known number gets that number as a literal node (egg's `ConstantFold`).
///
/// Folds `+`, `-`, `*` and `/` over number literals, binary or, when declared
/// AC, n-ary. Division by zero folds to nothing, so no rule can learn an
/// infinity or NaN from it.
///
/// The join is "unknown < known"; two different known values (only an
/// unsound rule set could produce them) join to the smaller in IEEE total
/// order, which keeps the join commutative and associative.
public final class ConstantFolding: Analysis {
    private let add = Symbol("+")
    private let subtract = Symbol("-")
    private let multiply = Symbol("*")
    private let divide = Symbol("/")

    /// Whether a class with a known value keeps only its leaves (egg's
    /// math suite does, and its harder goals need the smaller e-graph).
    public let prunesConstantClasses: Bool

    /// A constant-folding analysis; register it with an e-graph before adding.
    public init(prunesConstantClasses: Bool = true) {
        self.prunesConstantClasses = prunesConstantClasses
    }

    /// The folded value of `node`, if all its operands are known.
    public func make(_ node: ENode, in egraph: EGraph) -> Double? {
        if node.op == .literal, case .number(let value)? = node.payload { return value }
        guard !node.children.isEmpty, node.payload == nil else { return nil }
        var values: [Double] = []
        values.reserveCapacity(node.children.count)
        for child in node.children {
            guard let value = egraph.data(of: child, for: self) else { return nil }
            values.append(value)
        }
        switch node.op {
        case add: return values.reduce(0, +)
        case multiply: return values.reduce(1, *)
        case subtract where values.count == 2: return values[0] - values[1]
        case divide where values.count == 2: return values[1] == 0 ? nil : values[0] / values[1]
        default: return nil
        }
    }

    /// Unknown joined with known is known; see the type's note on conflicts.
    public func merge(_ a: inout Double?, _ b: Double?) -> DidMerge {
        switch (a, b) {
        case (nil, nil): return .unchanged
        case (nil, .some):
            a = b
            return DidMerge(changedLeft: true, changedRight: false)
        case (.some, nil): return DidMerge(changedLeft: false, changedRight: true)
        case (let left?, let right?):
            if Literal.number(left) == Literal.number(right) { return .unchanged }
            if right.isTotallyOrdered(belowOrEqualTo: left) {
                a = right
                return DidMerge(changedLeft: true, changedRight: false)
            }
            return DidMerge(changedLeft: false, changedRight: true)
        }
    }

    /// Adds the folded constant to its class as a literal node and, if
    /// pruning, drops the class's other non-leaf nodes.
    public func modify(_ id: ClassID, in egraph: EGraph) {
        guard let value = egraph.data(of: id, for: self) else { return }
        let literal = egraph.add(.number(value))
        egraph.union(id, literal, foundBy: "constant-folding")
        if prunesConstantClasses { egraph.retainNodes(in: id) { $0.children.isEmpty } }
    }

    /// The side conditions of egg's math test suite, reading this analysis:
    /// - `not_zero ?x`: `?x` has no known constant, or a nonzero one;
    /// - `is_const ?x`: `?x` has a known constant;
    /// - `is_sym ?x`: `?x` holds a symbol leaf;
    /// - `const_or_distinct ?c ?x`: `?c` and `?x` are different classes and
    ///   `?c` is a constant or holds a symbol leaf.
    public func mathConditions() -> ConditionRegistry {
        var registry = ConditionRegistry()
        registry.register("not_zero", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return egraph.data(of: id, for: self) != 0
        }
        registry.register("is_const", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return egraph.data(of: id, for: self) != nil
        }
        registry.register("is_sym", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return egraph.nodes(in: id).contains(where: \.isSymbolLeaf)
        }
        registry.register("const_or_distinct", arity: 2) { arguments, egraph in
            guard case .eclass(let constant) = arguments[0], case .eclass(let other) = arguments[1] else {
                return false
            }
            guard !egraph.areEquivalent(constant, other) else { return false }
            return egraph.data(of: constant, for: self) != nil
                || egraph.nodes(in: constant).contains(where: \.isSymbolLeaf)
        }
        return registry
    }
}
