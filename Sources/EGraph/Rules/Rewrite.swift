import Dispatch

/// A rewrite rule: where the left pattern matches and every condition holds,
/// the right pattern, instantiated with the match, is merged into the matched
/// class.
///
/// Construction checks the rule: every variable of the right side and of the
/// conditions must be bound by the left side, as the same kind (class, rest
/// or literal), and each AC application takes at most one rest variable.
public struct Rewrite: CustomStringConvertible {
    /// The stable name reports and explanations use.
    public let name: String
    /// The pattern searched for.
    public let lhs: Pattern
    /// The pattern added and merged.
    public let rhs: Pattern
    /// Side conditions, all of which must hold.
    public private(set) var conditions: [Condition]
    /// The class the right side is merged into: the whole match's (`nil`), or
    /// the class an alias of the left side names (`:at ?e` in rule files).
    public let target: PatternVariable?

    let program: MatchProgram
    let plan: InstantiationPlan
    /// Set for the engine's built-in AC flattening step.
    let flattenedOperator: Symbol?

    /// A checked rewrite for a language with `signature`.
    /// - Parameters:
    ///   - name: the stable name reports and explanations use.
    ///   - lhs: the pattern searched for.
    ///   - rhs: the pattern added and merged; its variables must be bound by `lhs`.
    ///   - conditions: side conditions, all of which must hold for a match to apply.
    ///   - target: a class variable of `lhs` to merge the right side
    ///     into instead of the matched class; `nil` for the matched class.
    ///   - signature: the language's AC operators and attribute counts, which
    ///     the compiled matcher and the rest-variable checks follow.
    /// - Throws: every problem of the rule at once (see ``Rewrite``).
    public init(
        name: String, lhs: Pattern, rhs: Pattern, conditions: [Condition] = [], target: PatternVariable? = nil,
        signature: Signature
    ) throws(DiagnosticError) {
        var problems = DiagnosticCollector()
        let bound = Dictionary(lhs.variables.map { ($0.variable, $0.kind) }, uniquingKeysWith: { first, _ in first })
        for (variable, kind) in rhs.variables {
            if let lhsKind = bound[variable] {
                if lhsKind != kind {
                    let op = lhs.attributeOperator(of: variable) ?? rhs.attributeOperator(of: variable)
                    let note = op.flatMap(signature.attributeNote).map { ": " + $0 } ?? ""
                    problems.report(
                        "rule \(name): \(variable) is bound as \(lhsKind) on the left but used as \(kind) on the right"
                            + note, at: nil)
                }
            } else {
                problems.report("rule \(name): \(variable) on the right is not bound on the left", at: nil)
            }
        }
        for condition in conditions {
            for case .variable(let variable) in condition.arguments where bound[variable] == nil {
                problems.report("rule \(name): \(variable) in \(condition) is not bound on the left", at: nil)
            }
        }
        if let target, bound[target] != .eclass {
            problems.report("rule \(name): the target \(target) is not a class bound on the left", at: nil)
        }
        if rhs.containsAlias {
            problems.report("rule \(name): aliases (?e:...) name classes of the left side only", at: nil)
        }
        if lhs.containsGroup {
            problems.report("rule \(name): (:group ...) belongs on the right side", at: nil)
        }
        Rewrite.checkRestVariables(lhs, signature, rule: name, &problems)
        Rewrite.checkRestVariables(rhs, signature, rule: name, &problems)
        try problems.throwIfAny()
        self.name = name
        self.lhs = lhs
        self.rhs = rhs
        self.conditions = conditions
        self.target = target
        self.program = MatchProgram(lhs, signature: signature)
        self.plan = InstantiationPlan(rhs, program: program, signature: signature)
        self.flattenedOperator = nil
    }

    /// Reads a rewrite from pattern text, for tests and programmatic rules.
    public init(
        _ name: String, _ lhs: String, _ rhs: String, conditions: [Condition] = [], target: PatternVariable? = nil,
        signature: Signature
    ) throws(DiagnosticError) {
        try self.init(
            name: name, lhs: Pattern(parsing: lhs, signature: signature),
            rhs: Pattern(parsing: rhs, signature: signature), conditions: conditions, target: target,
            signature: signature)
    }

    /// The widest node ``flattening(_:signature:)`` makes.
    public static let flatteningWidthLimit = 1_024

    /// The engine's lazy flattening of one AC operator, named `ac-flatten(op)`.
    ///
    /// Where a class `P` holds `(op ... c ...)` and the child class `c` holds
    /// `(op d1 ... dk)`, it adds `(op ... d1 ... dk ...)` to `P`: one child at a
    /// time, so nested sums flatten over iterations without enumerating every
    /// regrouping. It never flattens a node that holds its own class, nor
    /// splices a node that refers back to either class, which would build
    /// ever-larger nodes from a cyclic equation such as `x = x * 1`.
    ///
    /// Nor does it make a node of more than ``flatteningWidthLimit``
    /// operands: shared sums double in width with each splice
    /// (`a1 = a0 + a0`, `a2 = a1 + a1`, ...), so 26 of them would flatten to
    /// 67 million operands. Past the limit the nested form stays, which is
    /// equal and as good to extract.
    public static func flattening(_ op: Symbol, signature: Signature) -> Rewrite {
        Rewrite(flattening: op, signature: signature)
    }

    private init(flattening op: Symbol, signature: Signature) {
        precondition(signature.isAC(op), "\(op) is not AC")
        let rest = PatternVariable("?operands")
        name = "ac-flatten(\(op))"
        lhs = .node(op: op, payload: nil, children: [], rest: rest)
        rhs = lhs
        conditions = []
        target = nil
        program = MatchProgram(lhs, signature: signature)
        plan = InstantiationPlan(rhs, program: program, signature: signature)
        flattenedOperator = op
    }

    /// The rewrite with each condition's predicate replaced by the one of the
    /// same name in `registry`, or `nil` if `registry` lacks one or takes it
    /// with another arity. Compiling a rule set is most of a small program's
    /// optimization, and its predicates read one program's analysis: a set
    /// compiled once is rebound to each program's predicates this way.
    public func rebinding(_ registry: ConditionRegistry) -> Rewrite? {
        var rebound: [Condition] = []
        rebound.reserveCapacity(conditions.count)
        for condition in conditions {
            guard let definition = registry[condition.definition.name],
                definition.arity == condition.definition.arity
            else { return nil }
            rebound.append(Condition(definition, condition.arguments))
        }
        var copy = self
        copy.conditions = rebound
        return copy
    }

    /// `name: lhs => rhs if conditions`.
    public var description: String {
        var text = "\(name): \(lhs) => \(rhs)"
        if let target { text += " :at \(target)" }
        if !conditions.isEmpty { text += " :if " + conditions.map(\.description).joined(separator: " ") }
        return text
    }

    /// The matches in a clean e-graph whose conditions hold, in increasing
    /// order of root class; at most `limit`.
    /// - Precondition: the e-graph is clean.
    public func search(_ egraph: EGraph, limit: Int = .max) -> MatchSet {
        search(egraph, limit: limit, recycling: nil).matches
    }

    /// Whether the runner may search the rule semi-naively: once all its
    /// matches at one generation of the e-graph are applied, later searches
    /// need only the matches that use a newer e-node (``Searcher``).
    ///
    /// Not a rule with conditions, which read analysis facts that change
    /// without any node changing; nor one whose left side is a bare variable,
    /// which binds no node; nor the engine's flattening step, searched its
    /// own way. The runner also searches every rule in full on an e-graph
    /// with a merge adapter, whose refusals may depend on facts.
    var searchesSemiNaively: Bool {
        conditions.isEmpty && flattenedOperator == nil && program.rootOp != nil
    }

    /// ``search(_:limit:)`` as the runner needs it: collecting into
    /// `recycled` when given (a match set this rule returned before, whose
    /// buffers are reused), and stopping early, with the cause, once the
    /// matches bind more than `operandBudget` operands to rest variables or
    /// the clock passes `deadline` (``Searcher/deadline``; `.max` for never).
    /// With `newerThan` above 0 (allowed where ``searchesSemiNaively``), only
    /// the matches using an e-node of a later generation.
    ///
    /// The engine's flattening step has neither bound: it finds at most one
    /// match per operand of each AC node, and stops at `limit`.
    func search(
        _ egraph: EGraph, limit: Int, operandBudget: Int = .max, deadline: UInt64 = .max, newerThan: UInt32 = 0,
        recycling recycled: consuming MatchSet?
    ) -> (matches: MatchSet, cutoff: SearchCutoff?) {
        precondition(newerThan == 0 || searchesSemiNaively, "rule \(name) is searched in full")
        egraph.requireClean("searching")
        if let op = flattenedOperator {
            return searchFlattenings(
                of: op, in: egraph, limit: limit, operandBudget: operandBudget, deadline: deadline)
        }
        let conditions = self.conditions
        let accept: ((MatchSet.Match) -> Bool)? =
            conditions.isEmpty ? nil : { match in conditions.allSatisfy { $0.holds(for: match, in: egraph) } }
        let restVariables = program.restVariables
        let acceptReadsRests = conditions.contains { condition in
            condition.arguments.contains { argument in
                if case .variable(let variable) = argument { return restVariables.contains(variable) }
                return false
            }
        }
        var searcher = Searcher(
            program: program, egraph: egraph, limit: limit, operandBudget: operandBudget, deadline: deadline,
            accept: accept, acceptReadsRests: acceptReadsRests, newerThan: newerThan, recycling: recycled)
        searcher.searchAll()
        return (searcher.matches, searcher.cutoff)
    }

    /// Adds each match's instantiation of the right side and merges it into
    /// the match's class (or the ``target``'s). Returns how many merges joined
    /// distinct classes.
    ///
    /// The e-graph's ``EGraph/mergeAdapter`` sees each merge first and may
    /// adapt or veto it. `shouldStop` is asked every 64 matches, so a limit
    /// reached halfway through a large batch stops it there.
    @discardableResult
    public func apply(_ matches: MatchSet, to egraph: EGraph, shouldStop: () -> Bool = { false }) -> Int {
        apply(matches, to: egraph) { shouldStop() ? nil : LimitMonitor.checkInterval }
    }

    /// The most nodes one match's instantiation adds: the right side's
    /// nodes, or one for the flattening step.
    var nodesPerMatch: Int {
        plan.steps.reduce(0) { count, step in
            if case .classSlot = step { return count }
            return count + 1
        }
    }

    /// ``apply(_:to:shouldStop:)`` asking `nextCheck` first and then again
    /// after as many matches as it last returned, stopping where it returns
    /// `nil` (``LimitMonitor/matchesUntilNextCheck()``).
    ///
    /// `memoizing` (where there is no merge adapter) skips a match whose
    /// small root node an earlier match of this apply already merged into
    /// the same class (``InstantiationPlan/instantiate(_:_:in:mergingInto:storesDirectly:memoizes:scratch:)``);
    /// the tests turn it off to check that it changes nothing.
    func apply(_ matches: MatchSet, to egraph: EGraph, memoizing: Bool = true, nextCheck: () -> Int?) -> Int {
        var merged = 0
        var untilCheck = 0
        let targetSlot = target.flatMap { matches.classVariables.firstIndex(of: $0) }
        let adapter = egraph.mergeAdapter
        // The warm pass only prefetches the lookups instantiation will make,
        // which pays only once the hash-cons outgrows the caches: on the
        // micro workload's e-graph (a few thousand keys) it cost 6%.
        let warms =
            plan.steps.count > 1 && targetSlot == nil && adapter == nil
            && egraph.hashCons.count >= egraph.warmsLookupsFrom
        let direct = egraph.storesMergedNodesDirectly
        let memoizes = memoizing && adapter == nil
        // A memo no larger than the matches, which it could not fill.
        let wanted = max(matches.count, 16)
        var scratch = InstantiationPlan.Scratch(
            plan,
            memoCapacity: memoizes
                ? min(InstantiationPlan.memoSize, 1 << (Int.bitWidth - (wanted - 1).leadingZeroBitCount)) : 1)
        for index in 0..<matches.count {
            if untilCheck == 0 {
                guard let interval = nextCheck() else { break }
                untilCheck = interval
            }
            untilCheck -= 1
            if warms && index % InstantiationPlan.warmChunk == 0 {
                let end = min(index + InstantiationPlan.warmChunk, matches.count)
                plan.warm(matches, index..<end, in: egraph, memoizes: memoizes, scratch: &scratch)
                plan.prefetchFirstLookups(
                    matches, end..<min(end + InstantiationPlan.warmChunk, matches.count), in: egraph)
            }
            let into = targetSlot.map { matches.eclass(match: index, slot: $0) } ?? matches.roots[index]
            guard
                let id = plan.instantiate(
                    matches, index, in: egraph, mergingInto: into, storesDirectly: direct, memoizes: memoizes,
                    scratch: &scratch)
            else { continue }
            if scratch.foundInTarget { continue }
            if scratch.storedInTarget {
                merged += 1
                continue
            }
            var adapted = id
            var wrapper: ENode?
            switch adapter?.adapt(merging: id, into: into, in: egraph) ?? .unchanged {
            case .unchanged: break
            case .refused: continue
            case .wrapped(let node):
                wrapper = node
                adapted = egraph.add(node)
            }
            let isNew =
                egraph.proofs == nil
                ? egraph.union(into, adapted)
                : egraph.union(
                    into, adapted,
                    because: proofReason(matches[index], rhs: id, wrapper: wrapper, signature: egraph.signature))
            if isNew { merged += 1 }
        }
        return merged
    }

    /// Why a match's merge holds, for the proof forest: the two sides
    /// instantiated with the match's classes, the right one wrapped as the
    /// merge adapter wrapped it.
    private func proofReason(
        _ match: MatchSet.Match, rhs result: ClassID, wrapper: ENode?, signature: Signature
    ) -> ProofReason {
        var bindings: [(PatternVariable, Binding)] = []
        for variable in match.matchSet.classVariables + match.matchSet.restVariables + match.matchSet.payloadVariables {
            if let binding = match.binding(of: variable) { bindings.append((variable, binding)) }
        }
        let lookup = Dictionary(bindings, uniquingKeysWith: { first, _ in first })
        var left: ProofTerm
        var right: ProofTerm
        if let op = flattenedOperator {
            // The associativity step: (op R... (op I...)) to (op R... I...).
            let operands = match.multiset(0)
            let inner = match.multiset(1)
            var outer = operands
            for child in inner {
                if let position = outer.firstIndex(of: child) { outer.remove(at: position) }
            }
            left = .node(op, nil, outer.map { .id($0.rawValue) } + [.node(op, nil, inner.map { .id($0.rawValue) })])
            right = .node(op, nil, operands.map { .id($0.rawValue) })
            bindings = [
                (PatternVariable("?operands"), .multiset(outer)), (PatternVariable("?spliced"), .multiset(inner)),
            ]
        } else {
            let matched = target.map { lhs.aliasedPattern($0) ?? .variable($0) } ?? lhs
            left = ProofTerm.instantiating(matched, lookup, signature: signature)
            right = ProofTerm.instantiating(rhs, lookup, signature: signature)
        }
        if let wrapper {
            let children = wrapper.children.map { $0 == result ? right : .id($0.rawValue) }
            right = .node(wrapper.op, wrapper.payload, children)
        }
        return .rule(name: name, lhs: left, rhs: right, bindings: bindings, isWrapped: wrapper != nil)
    }

    private func searchFlattenings(
        of op: Symbol, in egraph: EGraph, limit: Int, operandBudget: Int, deadline: UInt64
    ) -> (MatchSet, SearchCutoff?) {
        // With explanations on, each match also keeps the operands it spliced
        // in, to show the step as associativity.
        let explains = egraph.proofs != nil
        var matches = MatchSet(
            classVariables: [],
            restVariables: program.restVariables + (explains ? [PatternVariable("?spliced")] : []),
            payloadVariables: [])
        // Bounded as the searcher is (see ``Searcher``): the operands bound
        // count against the budget, and the clock is read every few
        // candidates, each of which scans the class's nodes.
        var boundOperands = 0
        var candidates = 0
        for root in egraph.classes(withOperator: op) {
            // A node holding its own class (x = x * 1) only restates the
            // class: flattening its other operands would grow it forever.
            for node in egraph.classStorage[root.index]!.nodes
            where node.op == op && node.payload == nil && !node.children.contains(root) {
                var previous: ClassID?
                for (position, child) in node.children.enumerated() where child != previous {
                    previous = child
                    for inner in egraph.classStorage[child.index]!.nodes
                    where inner.op == op && inner.payload == nil && !inner.children.contains(root)
                        && !inner.children.contains(child)
                    {
                        candidates &+= 1
                        if candidates & 63 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                            return (matches, .deadline)
                        }
                        if node.children.count - 1 + inner.children.count > Rewrite.flatteningWidthLimit { continue }
                        var operands = Array(node.children)
                        operands.remove(at: position)
                        operands.append(contentsOf: inner.children)
                        operands.sort()
                        if egraph.lookup(ENode(op, operands)) == root { continue }
                        // A node of the class whose operands are a strict part of
                        // these makes the rest multiply to the unit: nothing new,
                        // and splicing around such a cycle (a = b * c, b = a * d)
                        // would grow the node forever.
                        let siblings = egraph.classStorage[root.index]!.nodes
                        if siblings.contains(where: {
                            $0.op == op && $0.children.count < operands.count
                                && Rewrite.isSubMultiset($0.children, of: operands)
                        }) {
                            continue
                        }
                        if explains {
                            matches.append(
                                root: root, bindings: UnsafeBufferPointer(start: nil, count: 0),
                                rests: [operands, Array(inner.children)], payloads: [])
                        } else {
                            matches.append(root: root, multiset: operands)
                        }
                        boundOperands += operands.count
                        if matches.count >= limit { return (matches, .matchLimit) }
                        if boundOperands > operandBudget { return (matches, .operandBudget) }
                    }
                }
            }
        }
        return (matches, nil)
    }

    /// Whether sorted multiset `part` is contained in sorted multiset `whole`.
    static func isSubMultiset(_ part: ChildList, of whole: [ClassID]) -> Bool {
        part.withUnsafeBufferPointer { part in
            var index = 0
            for element in whole where index < part.count {
                if element == part[index] {
                    index += 1
                } else if element > part[index] {
                    return false
                }
            }
            return index == part.count
        }
    }

    private static func checkRestVariables(
        _ pattern: Pattern, _ signature: Signature, rule: String, _ problems: inout DiagnosticCollector
    ) {
        if case .alias(_, let inner) = pattern {
            checkRestVariables(inner, signature, rule: rule, &problems)
            return
        }
        guard case .node(let op, let payload, let children, let rest) = pattern else { return }
        if signature.isAC(op) {
            var rests = rest == nil ? 0 : 1
            var stack = children
            while let child = stack.popLast() {
                guard case .node(op, payload, let inner, let innerRest) = child else {
                    checkRestVariables(child, signature, rule: rule, &problems)
                    continue
                }
                if innerRest != nil { rests += 1 }
                stack.append(contentsOf: inner)
            }
            if rests > 1 {
                problems.report("rule \(rule): an application of \(op) has more than one rest variable", at: nil)
            }
        } else {
            for child in children { checkRestVariables(child, signature, rule: rule, &problems) }
        }
    }
}
