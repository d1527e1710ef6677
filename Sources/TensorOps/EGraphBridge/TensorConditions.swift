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
    /// | `(shifted-overall ?x)` | `?x` is `y - max(y)`, the maximum over all elements |
    /// | `(unshifted-overall ?x)` | the analysis does not know `?x` to be shifted overall |
    /// | `(unscaled ?x)` | the analysis does not know `?x` to be scaled by its largest magnitude (`unitscale`), along any axis or overall |
    /// | `(scalar ?a)` | `?a` has shape `[]` |
    /// | `(same-shape ?a ?b)` | `?a` and `?b` have the same shape |
    /// | `(const ?a)` | every element of `?a` is one known number |
    /// | `(value ?a V)` | every element of `?a` is the number `V` |
    /// | `(uniform ?a)` | `?a` does not vary along any axis |
    /// | `(single ?a ?k)` | axis `?k` of `?a` has size 1 (or `?a` has no such axis) |
    /// | `(one-element ?a)` | every axis of `?a` has size 1: it holds one number (with a rest variable, every operand) |
    /// | `(has-axis ?a ?k)` | `?a` has axis `?k` (with a rest variable, some operand has it) |
    /// | `(varies-along ?a ?k)` | `?a` has axis `?k`, not of size 1, and the analysis does not know it constant along it |
    /// | `(varies ?a)` | the analysis does not know `?a` uniform (constant along every axis) |
    /// | `(exp-may-overflow ?a)` | the analysis bounds `?a` above by more than 88.72, where `exp` overflows in binary32 (the lower of the formats' thresholds) |
    /// | `(spans ?a ?j ?k)` | `?a` has rank 2 and `?j`, `?k` are its two axes: summing along both sums every element |
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
        registry.register("shifted-overall", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return egraph.data(of: id, for: self).isShiftedOverall
        }
        registry.register("unshifted-overall", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return !egraph.data(of: id, for: self).isShiftedOverall
        }
        // Not 0 everywhere as far as the analysis knows: a * (1/a) is 1
        // wherever it is defined, but where a is 0 everywhere it is defined
        // nowhere, and merging it with 1 let the e-graph prove 1/x = 1 from
        // the gradient of log(0 * x).
        registry.register("maybe-nonzero", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            let facts = egraph.data(of: id, for: self)
            let signs = facts.signs.closed
            return facts.value != 0 && !(signs.contains(.nonnegative) && signs.contains(.nonpositive))
        }
        // Without it, the norm of a scaled value is scaled again, and again.
        registry.register("unscaled", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            let facts = egraph.data(of: id, for: self)
            return facts.unitScaledAlong.bits == 0 && !facts.isUnitScaledOverall
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
        registry.register("value", arity: 2) { arguments, egraph in
            let target: Double
            switch arguments[1] {
            case .literal(.number(let value)): target = value
            case .literal(.integer(let value)): target = Double(value)
            default: return false
            }
            let ids = classes(arguments[0])
            return !ids.isEmpty && ids.allSatisfy { egraph.data(of: $0, for: self).value == target }
        }
        registry.register("uniform", arity: 1) { arguments, egraph in
            classes(arguments[0]).allSatisfy { id in
                let facts = egraph.data(of: id, for: self)
                return facts.shape.rank == 0 || (1...facts.shape.rank).allSatisfy { facts.isConstant(alongFromEnd: $0) }
            }
        }
        registry.register("one-element", arity: 1) { arguments, egraph in
            let ids = classes(arguments[0])
            return !ids.isEmpty && ids.allSatisfy { egraph.data(of: $0, for: self).shape.dims.allSatisfy(\.isOne) }
        }
        registry.register("has-axis", arity: 2) { arguments, egraph in
            guard case .literal(.integer(let axis)) = arguments[1], axis < 0 else { return false }
            return classes(arguments[0]).contains { egraph.data(of: $0, for: self).shape.rank >= -axis }
        }
        // The negations of const-along and uniform, for rules whose work is
        // pointless (and whose results feed back into their own matches) on a
        // value constant along the axis: shifting exp(max x) by its own maximum.
        registry.register("varies-along", arity: 2) { arguments, egraph in
            guard case .eclass(let id) = arguments[0], case .literal(.integer(let axis)) = arguments[1], axis < 0 else {
                return false
            }
            let facts = egraph.data(of: id, for: self)
            return facts.shape.rank >= -axis && !facts.shape.dims[facts.shape.rank + axis].isOne
                && !facts.isConstant(alongFromEnd: -axis)
        }
        registry.register("varies", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            let facts = egraph.data(of: id, for: self)
            return facts.shape.rank > 0 && !(1...facts.shape.rank).allSatisfy { facts.isConstant(alongFromEnd: $0) }
        }
        // For rules that shift an exponent to keep exp from overflowing: once
        // shifted (min(a - b, 0) <= 0), the rule has nothing left to do, and
        // without the condition it would shift its own result again.
        registry.register("exp-may-overflow", arity: 1) { arguments, egraph in
            guard case .eclass(let id) = arguments[0] else { return false }
            return egraph.data(of: id, for: self).interval.upper > Precision.float32.largestExpArgument
        }
        registry.register("single", arity: 2) { arguments, egraph in
            guard case .literal(.integer(let axis)) = arguments[1], axis < 0 else { return false }
            return classes(arguments[0]).allSatisfy { id in
                let shape = egraph.data(of: id, for: self).shape
                return -axis > shape.rank || shape.dims[shape.rank + axis].isOne
            }
        }
        registry.register("spans", arity: 3) { arguments, egraph in
            guard case .literal(.integer(let first)) = arguments[1], case .literal(.integer(let second)) = arguments[2],
                Set([first, second]) == [-1, -2]
            else { return false }
            return classes(arguments[0]).allSatisfy { egraph.data(of: $0, for: self).shape.rank == 2 }
        }
        return registry
    }
}
