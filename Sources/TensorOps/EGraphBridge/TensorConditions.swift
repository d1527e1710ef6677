import EGraph

extension TensorAnalysis {
    /// The predicates tensor rules use in `:if`, reading this analysis:
    ///
    /// | predicate | holds when |
    /// |---|---|
    /// | `(pos ?a)` | every element of `?a` is > 0 over the reals |
    /// | `(nonneg ?a)` | every element is ≥ 0 |
    /// | `(nonzero ?a)` | every element is ≠ 0 |
    /// | `(at-least-one ?a)` | every element is ≥ 1 |
    /// | `(const-along ?a ?k)` | `?a` does not vary along axis `?k` (an axis attribute, counted from the end); with a rest variable, every operand |
    /// | `(shifted ?x ?k)` | `?x` is `y - max(y, k)` for some `y` |
    /// | `(unshifted ?x ?k)` | the analysis does not know `?x` to be shifted along `?k` |
    /// | `(scalar ?a)` | `?a` has shape `[]` |
    /// | `(same-shape ?a ?b)` | `?a` and `?b` have the same shape |
    /// | `(const ?a)` | every element of `?a` is one known number |
    ///
    /// Facts hold over the reals for every finite input, as rules require.
    public func conditions() -> ConditionRegistry {
        var registry = ConditionRegistry()
        func classes(_ binding: Binding) -> [ClassID] {
            switch binding {
            case .eclass(let id): [id]
            case .multiset(let ids): ids
            case .literal: []
            }
        }
        func signs(_ name: String, _ fact: SignFacts) {
            registry.register(name, arity: 1) { arguments, egraph in
                let ids = classes(arguments[0])
                return !ids.isEmpty && ids.allSatisfy { egraph.data(of: $0, for: self).signs.closed.contains(fact) }
            }
        }
        signs("pos", .positive)
        signs("nonneg", .nonnegative)
        signs("nonzero", .nonzero)
        signs("at-least-one", .atLeastOne)
        registry.register("const-along", arity: 2) { arguments, egraph in
            guard case .literal(.integer(let axis)) = arguments[1], axis < 0 else { return false }
            return classes(arguments[0]).allSatisfy { egraph.data(of: $0, for: self).isConstant(alongFromEnd: -axis) }
        }
        registry.register("shifted", arity: 2) { arguments, egraph in
            guard case .eclass(let id) = arguments[0], case .literal(.integer(let axis)) = arguments[1] else {
                return false
            }
            return egraph.data(of: id, for: self).shiftedAlong.contains(fromEnd: -axis)
        }
        registry.register("unshifted", arity: 2) { arguments, egraph in
            guard case .eclass(let id) = arguments[0], case .literal(.integer(let axis)) = arguments[1] else {
                return false
            }
            return !egraph.data(of: id, for: self).shiftedAlong.contains(fromEnd: -axis)
        }
        registry.register("scalar", arity: 1) { arguments, egraph in
            let ids = classes(arguments[0])
            return !ids.isEmpty && ids.allSatisfy { egraph.data(of: $0, for: self).shape == .scalar }
        }
        registry.register("same-shape", arity: 2) { arguments, egraph in
            guard case .eclass(let a) = arguments[0], case .eclass(let b) = arguments[1] else { return false }
            return egraph.data(of: a, for: self).shape == egraph.data(of: b, for: self).shape
        }
        registry.register("const", arity: 1) { arguments, egraph in
            let ids = classes(arguments[0])
            return !ids.isEmpty && ids.allSatisfy { egraph.data(of: $0, for: self).value != nil }
        }
        return registry
    }
}
