/// The right side of a rewrite compiled against the left side's slots: a
/// post-order list of steps, so instantiating needs no name lookups.
struct InstantiationPlan: Sendable {
    enum PayloadSource: Sendable {
        case none
        case literal(Literal)
        case slot(Int)
    }

    enum Step: Sendable {
        case classSlot(Int)
        /// A node with no payload and at most two children, given as indices
        /// of earlier steps (0 when absent), added by `EGraph.addSmall`.
        case small(op: Symbol, arity: Int, first: Int, second: Int)
        case node(op: Symbol, payload: PayloadSource, children: [Int], restSlots: [Int], isAC: Bool)
    }

    var steps: [Step] = []

    init(_ pattern: Pattern, program: MatchProgram, signature: Signature) {
        var builder = Builder(program: program, signature: signature)
        // Rewrite.init checks that every variable of a right side is bound
        // by its left side and that every group holds one pattern.
        guard pattern.instance(building: &builder, signature: signature) != nil else {
            preconditionFailure("checked by Rewrite.init")
        }
        steps = builder.steps
    }

    /// Compiles a right side to steps, an instance being the index of the
    /// step that makes it.
    private struct Builder: PatternInstanceBuilder {
        let program: MatchProgram
        let signature: Signature
        var steps: [Step] = []

        mutating func instance(of variable: PatternVariable) -> Int? {
            guard let (kind, slot) = program.slot(of: variable), kind == .eclass else { return nil }
            steps.append(.classSlot(slot))
            return steps.count - 1
        }

        func payload(_ literal: Literal) -> PayloadSource? { .literal(literal) }

        func payload(of variable: PatternVariable) -> PayloadSource? {
            program.slot(of: variable).map { .slot($0.slot) }
        }

        /// Steps leave the storing to `EGraph.add`, which collapses an AC
        /// application of one operand and returns the unit of an empty one,
        /// since what the rest variables hold is known only per match.
        mutating func application(_ op: Symbol, payload: PayloadSource?, operands: [Int], rests: [PatternVariable])
            -> Int?
        {
            var restSlots: [Int] = []
            for rest in rests {
                guard let (kind, slot) = program.slot(of: rest), kind == .multiset else { return nil }
                restSlots.append(slot)
            }
            let isAC = signature.isAC(op)
            if payload == nil, restSlots.isEmpty, operands.count <= 2, !isAC || operands.count == 2 {
                steps.append(
                    .small(
                        op: op, arity: operands.count, first: operands.first ?? 0,
                        second: operands.count > 1 ? operands[1] : 0))
            } else {
                steps.append(
                    .node(op: op, payload: payload ?? .none, children: operands, restSlots: restSlots, isAC: isAC))
            }
            return steps.count - 1
        }
    }

    /// Buffers reused across the matches of one apply: manually managed, so
    /// writing a step's value pays no copy-on-write uniqueness check (as
    /// appending to an array did, on every step of every match).
    struct Scratch: ~Copyable {
        /// Per step of the match being instantiated, its class.
        let values: UnsafeMutablePointer<ClassID>
        /// The warm pass's results: per match of a chunk, per step, a class
        /// id or `UInt32.max` where it is unknown.
        let probes: UnsafeMutablePointer<UInt32>
        var node = ENode(.literal)
        /// Whether the last ``InstantiationPlan/instantiate(_:_:in:mergingInto:scratch:)``
        /// stored its root node straight into the class it merges into.
        var storedInTarget = false

        init(_ plan: InstantiationPlan) {
            values = .allocate(capacity: plan.steps.count)
            values.initialize(repeating: ClassID(0), count: plan.steps.count)
            probes = .allocate(capacity: plan.steps.count * InstantiationPlan.warmChunk)
            probes.initialize(repeating: 0, count: plan.steps.count * InstantiationPlan.warmChunk)
        }

        deinit {
            values.deallocate()
            probes.deallocate()
        }
    }

    /// The number of matches ``warm(_:_:in:scratch:)`` reads ahead.
    static let warmChunk = 16

    /// Probes, without changing the e-graph, the hash-cons slots and
    /// union-find entries that instantiating the matches in `range` will read.
    ///
    /// A large saturation's hash-cons outgrows the caches, and each lookup
    /// missed (a quarter of the AC workload's time); one match's lookups
    /// depend on each other, but the matches of a chunk do not, so probing the
    /// chunk's first nodes, then their parents, and so on, keeps several misses
    /// in flight at once (measured: the AC workload's apply phase took 355 ms
    /// this way, 470 ms warming one match at a time). Results are only ever
    /// read here: the real instantiation repeats every lookup.
    func warm(_ matches: MatchSet, _ range: Range<Int>, in egraph: EGraph, scratch: inout Scratch) {
        let width = steps.count
        let probes = scratch.probes
        for (position, step) in steps.enumerated() {
            switch step {
            case .classSlot(let slot):
                for (offset, index) in range.enumerated() {
                    probes[offset * width + position] = matches.eclass(match: index, slot: slot).rawValue
                }
            case .small(let op, let arity, let first, let second):
                for offset in 0..<range.count {
                    let a = arity > 0 ? probes[offset * width + first] : 0
                    let b = arity > 1 ? probes[offset * width + second] : 0
                    probes[offset * width + position] =
                        a == .max || b == .max ? .max : egraph.probeSmall(op, arity: arity, a, b) ?? .max
                }
            case .node:
                for offset in 0..<range.count { probes[offset * width + position] = .max }
            }
        }
    }

    /// Adds the instantiation of match `index` and returns its class; `nil`
    /// when an AC application comes out empty and its operator has no unit.
    ///
    /// With `target`, the instantiation is to be merged into that class, and
    /// a small root node that is absent is stored there directly
    /// (``EGraph/addSmall(_:arity:_:_:mergingInto:)``), which
    /// `scratch.storedInTarget` reports.
    /// - Precondition: without a `target`, or ``EGraph/storesMergedNodesDirectly``.
    func instantiate(
        _ matches: MatchSet, _ index: Int, in egraph: EGraph, mergingInto target: ClassID? = nil,
        scratch: inout Scratch
    ) -> ClassID? {
        scratch.storedInTarget = false
        if steps.count == 1, case .classSlot(let slot) = steps[0] { return matches.eclass(match: index, slot: slot) }
        let values = scratch.values
        let last = steps.count - 1
        for (position, step) in steps.enumerated() {
            switch step {
            case .classSlot(let slot):
                values[position] = matches.eclass(match: index, slot: slot)
            case .small(let op, let arity, let first, let second):
                let a = arity > 0 ? values[first] : ClassID(0)
                let b = arity > 1 ? values[second] : ClassID(0)
                if position == last, let target {
                    (values[position], scratch.storedInTarget) = egraph.addSmall(
                        op, arity: arity, a, b, mergingInto: target)
                } else {
                    values[position] = egraph.addSmall(op, arity: arity, a, b)
                }
            case .node(let op, let payloadSource, let children, let restSlots, let isAC):
                scratch.node.op = op
                switch payloadSource {
                case .none: scratch.node.payload = nil
                case .literal(let literal): scratch.node.payload = literal
                case .slot(let slot): scratch.node.payload = matches.literal(match: index, slot: slot)
                }
                scratch.node.children.removeAll(keepingCapacity: true)
                for child in children { scratch.node.children.append(values[child]) }
                for slot in restSlots {
                    scratch.node.children.append(contentsOf: matches.multiset(match: index, slot: slot))
                }
                if isAC && scratch.node.children.isEmpty && egraph.signature.unit(of: op) == nil { return nil }
                values[position] = egraph.add(reusing: &scratch.node)
            }
        }
        return values[steps.count - 1]
    }
}
