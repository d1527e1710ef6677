import Dispatch

/// Why a search stopped before it had tried every candidate.
enum SearchCutoff: Sendable, Equatable {
    /// It found its limit of matches.
    case matchLimit
    /// Its matches bound more operands to rest variables than its budget.
    case operandBudget
    /// Its deadline passed.
    case deadline
}

/// Runs a compiled pattern over an e-graph. One searcher per search: it owns
/// the register file and scratch buffers, reused across every class tried.
///
/// Built for the search loop's hot path, each found costly by profiling:
/// - a struct with `mutating` methods, so its fields need no dynamic
///   exclusivity checks (as a class's would: measured, they made a search
///   half again slower);
/// - the register file and the bindings buffer are manually managed, so a
///   write pays no copy-on-write uniqueness check; the searcher is
///   noncopyable, so it frees them exactly once;
/// - candidate nodes are read from the e-graph's ``FlatNodeStore`` where they
///   fit (no payload or a literal leaf, at most two children), with no child
///   array to chase per node and no reference counting per class: this
///   halved the search time of both the AC and the micro workloads;
/// - other nodes are read from the class storage through one pointer taken
///   for the whole search, not through `egraph.classStorage` per class
///   visited, which paid a dynamic exclusivity check each time.
///
/// A rest variable's operands are gathered only once a match is complete,
/// and, when no side condition reads them, only once the conditions hold:
/// gathering them at assignment time cost a copy of the node's children for
/// every partial assignment, cubic in the width of a node
/// (`(* -1 -1 ?r...)` on a product of 10,000 numbers ran for minutes).
///
/// Two bounds keep one search from running away on a hostile e-graph, where
/// a node of n operands gives n matches each binding n - 1 of them: the
/// operands bound to rest variables count against a budget, so the memory a
/// search keeps stays proportional to its match limit, and the clock is read
/// every few thousand steps, so a search ends soon after its deadline.
///
/// A semi-naive search (``newerThan`` above 0) yields only the matches that
/// use at least one e-node of a generation after ``newerThan``
/// (``EGraph/generation``): a match made of older nodes alone was there,
/// node for node, when the e-graph was at that generation. Its last node
/// loop, with no new node bound before it, skips a class with no new node
/// outright and tries only the new nodes of any other.
///
/// Searching never changes the e-graph: it is clean, and conditions only
/// read it, so the pointers stay valid for the whole search.
struct Searcher: ~Copyable {
    let program: MatchProgram
    let egraph: EGraph
    /// Stop once this many matches are found (the back-off scheduler asks for
    /// one more than its threshold, as egg's does).
    let limit: Int
    /// Stop once the matches found, kept or rejected by a condition, have
    /// bound more than this many operands to rest variables.
    let operandBudget: Int
    /// Stop once the monotonic clock (`DispatchTime` uptime, nanoseconds)
    /// passes this; `.max` for never.
    let deadline: UInt64
    /// Side conditions, checked on each match before it is kept.
    let accept: ((MatchSet.Match) -> Bool)?
    /// Whether ``accept`` reads a rest variable, so rests must be gathered
    /// before it runs.
    let acceptReadsRests: Bool
    /// Yield only matches with a node of a later generation; 0 for every
    /// match.
    let newerThan: UInt32

    private let registers: UnsafeMutablePointer<ClassID>
    /// A match's class bindings, gathered from the registers in slot order.
    private let bindings: UnsafeMutablePointer<ClassID>
    /// Per instruction, for an AC one: which children of the node it is
    /// matching are assigned to operands. Grown to the widest node seen and
    /// reused, rather than an array allocated per node tried.
    private var assigned: [UnsafeMutableBufferPointer<Bool>]
    /// Per rest slot: the instruction binding it, and the children of the
    /// node that instruction is matching.
    private let restInstructions: [Int]
    private var restChildren: [ChildList]
    private var rests: [[ClassID]]
    /// Empty rests: the placeholders of a match whose conditions are checked
    /// before its rests are gathered.
    private let noRests: [[ClassID]]
    private var payloads: [Literal?]
    private(set) var matches: MatchSet
    /// Why the search stopped early; `nil` once it has tried every candidate.
    private(set) var cutoff: SearchCutoff?
    /// Operands bound to rest variables so far.
    private(set) var boundOperands = 0
    private var done = false
    /// Steps until the clock is read again.
    private var stepsUntilClock = Searcher.clockInterval
    /// The e-graph's class storage, valid within ``searchAll()`` only.
    private var storage = UnsafeBufferPointer<EClassStorage?>(start: nil, count: 0)

    /// Steps (candidate bindings tried) between two readings of the clock: a
    /// step takes nanoseconds, a reading tens of them, so the search stays
    /// within a fraction of a millisecond of its deadline at no measurable
    /// cost.
    static let clockInterval = 4_096

    /// A searcher collecting into `recycled` (emptied) when given: a match
    /// set of the same rule, whose buffers are reused.
    init(
        program: MatchProgram, egraph: EGraph, limit: Int, operandBudget: Int = .max, deadline: UInt64 = .max,
        accept: ((MatchSet.Match) -> Bool)?, acceptReadsRests: Bool = true, newerThan: UInt32 = 0,
        recycling recycled: consuming MatchSet? = nil
    ) {
        self.program = program
        self.egraph = egraph
        self.limit = limit
        self.operandBudget = operandBudget
        self.deadline = deadline
        self.accept = accept
        self.acceptReadsRests = acceptReadsRests
        self.newerThan = newerThan
        precondition(newerThan == 0 || program.lastBind >= 0, "a semi-naive search needs a pattern that binds a node")
        registers = .allocate(capacity: program.registerCount)
        registers.initialize(repeating: ClassID(0), count: program.registerCount)
        bindings = .allocate(capacity: program.classRegisters.count)
        bindings.initialize(repeating: ClassID(0), count: program.classRegisters.count)
        assigned = Array(repeating: UnsafeMutableBufferPointer(start: nil, count: 0), count: program.instructions.count)
        var restInstructions = Array(repeating: 0, count: program.restVariables.count)
        for (pc, instruction) in program.instructions.enumerated() {
            if case .bindAC(_, _, _, _, _, let restSlot?) = instruction { restInstructions[restSlot] = pc }
        }
        self.restInstructions = restInstructions
        restChildren = Array(repeating: [], count: program.restVariables.count)
        rests = Array(repeating: [], count: program.restVariables.count)
        noRests = rests
        payloads = Array(repeating: nil, count: program.payloadVariables.count)
        if var recycled {
            recycled.removeAll()
            matches = recycled
        } else {
            matches = MatchSet(
                classVariables: program.classVariables, restVariables: program.restVariables,
                payloadVariables: program.payloadVariables)
        }
    }

    deinit {
        registers.deallocate()
        bindings.deallocate()
        for buffer in assigned { buffer.deallocate() }
    }

    /// Matches every candidate class, in increasing id order, until a cutoff.
    mutating func searchAll() {
        let candidates = program.rootOp.map { egraph.classes(withOperator: $0) } ?? egraph.classIDs
        egraph.classStorage.withUnsafeBufferPointer { storage in
            self.storage = storage
            defer { self.storage = UnsafeBufferPointer(start: nil, count: 0) }
            // A full search counts every match as new.
            let sawNew = newerThan == 0
            for id in candidates {
                registers[0] = egraph.find(id)
                run(0, sawNew)
                if done { return }
            }
        }
    }

    private mutating func stop(_ cause: SearchCutoff) {
        done = true
        cutoff = cause
    }

    /// Counts a step, and reads the clock every ``clockInterval`` of them.
    @inline(__always)
    private mutating func step() {
        stepsUntilClock &-= 1
        guard stepsUntilClock == 0 else { return }
        stepsUntilClock = Searcher.clockInterval
        if DispatchTime.now().uptimeNanoseconds > deadline { stop(.deadline) }
    }

    private mutating func yield() {
        for (slot, register) in program.classRegisters.enumerated() { bindings[slot] = registers[register] }
        let classBindings = UnsafeBufferPointer(start: bindings, count: program.classRegisters.count)
        if let accept, !acceptReadsRests, !rests.isEmpty {
            // The conditions read no rest: check them first, so a rejected
            // match costs nothing per operand.
            matches.append(root: registers[0], bindings: classBindings, rests: noRests, payloads: payloads)
            guard accept(matches[matches.count - 1]) else {
                matches.removeLast()
                return
            }
            gatherRests()
            matches.replaceLastRests(with: rests)
        } else {
            gatherRests()
            matches.append(root: registers[0], bindings: classBindings, rests: rests, payloads: payloads)
            if let accept, !accept(matches[matches.count - 1]) {
                matches.removeLast()
                if boundOperands > operandBudget { stop(.operandBudget) }
                return
            }
        }
        if matches.count >= limit {
            stop(.matchLimit)
        } else if boundOperands > operandBudget {
            stop(.operandBudget)
        }
    }

    /// Fills ``rests`` with the children each rest's instruction left
    /// unassigned, in order, so each stays sorted.
    private mutating func gatherRests() {
        for slot in rests.indices {
            let children = restChildren[slot]
            let used = assigned[restInstructions[slot]]
            var rest: [ClassID] = []
            rest.reserveCapacity(children.count)
            for position in children.indices where !used[position] { rest.append(children[position]) }
            boundOperands += rest.count
            rests[slot] = rest
        }
    }

    /// Runs the program from instruction `pc`; `sawNew` says whether the
    /// nodes bound so far include a new one (always, in a full search).
    private mutating func run(_ pc: Int, _ sawNew: Bool) {
        step()
        if done { return }
        if pc == program.instructions.count {
            if sawNew { yield() }
            return
        }
        if case .compare(let a, let b) = program.instructions[pc] {
            if registers[a] == registers[b] { run(pc + 1, sawNew) }
            return
        }
        // Past the last binding, a match needs a new node here: a class with
        // none has no match to give.
        let input = registers[inputRegister(pc)].index
        let onlyNew = !sawNew && pc == program.lastBind
        if onlyNew && egraph.flatNodes.newest(of: input) <= newerThan { return }
        let stamps = egraph.flatNodes.stamps(of: input)
        switch program.instructions[pc] {
        case .compare: break
        case .bind(let op, .absent, let arity, _, let output) where arity <= 2:
            // The common cases, read from the class's flat nodes alone.
            let shape = UInt32(arity)
            let nodes = egraph.flatNodes.nodes(of: input)
            for index in nodes.indices where nodes[index].op == op.rawValue && nodes[index].shape == shape {
                let isNew = sawNew || stamps[index] > newerThan
                if onlyNew && !isNew { continue }
                if arity > 0 { registers[output] = ClassID(nodes[index].first) }
                if arity > 1 { registers[output + 1] = ClassID(nodes[index].second) }
                run(pc + 1, isNew)
                if done { return }
            }
        case .bind(let op, .equals(let literal), 0, _, _):
            let (shape, bits) = FlatNode.bits(of: literal)
            let first = UInt32(truncatingIfNeeded: bits)
            let second = UInt32(truncatingIfNeeded: bits >> 32)
            let nodes = egraph.flatNodes.nodes(of: input)
            for index in nodes.indices
            where nodes[index].op == op.rawValue && nodes[index].shape == shape && nodes[index].first == first
                && nodes[index].second == second
            {
                let isNew = sawNew || stamps[index] > newerThan
                if onlyNew && !isNew { continue }
                run(pc + 1, isNew)
                if done { return }
            }
        case .bind(let op, let payload, let arity, _, let output):
            nodes(of: input).withUnsafeBufferPointer { nodes in
                for index in nodes.indices where nodes[index].op == op && nodes[index].children.count == arity {
                    let isNew = sawNew || stamps[index] > newerThan
                    if onlyNew && !isNew { continue }
                    guard bindPayload(payload, nodes[index].payload) else { continue }
                    nodes[index].children.withUnsafeBufferPointer { children in
                        for offset in 0..<arity { registers[output + offset] = children[offset] }
                    }
                    run(pc + 1, isNew)
                    if done { return }
                }
            }
        case .bindAC(let op, let payload, _, let operands, let output, let restSlot):
            let nodes = nodes(of: input)
            for index in nodes.indices where nodes[index].op == op {
                let isNew = sawNew || stamps[index] > newerThan
                if onlyNew && !isNew { continue }
                let node = nodes[index]
                let count = node.children.count
                guard restSlot == nil ? count == operands.count : count >= operands.count else { continue }
                guard bindPayload(payload, node.payload) else { continue }
                let used = usedBuffer(pc, count: count)
                if let restSlot { restChildren[restSlot] = node.children }
                node.children.withUnsafeBufferPointer { assign(0, operands, $0, used, output, pc, isNew) }
                if done { return }
            }
        }
    }

    /// The nodes of a canonical class, as an owned array that the loop over
    /// them holds while the search recurses.
    @inline(__always)
    private func nodes(of index: Int) -> [ENode] { storage[index].unsafelyUnwrapped.nodes }

    /// The register a binding instruction reads its class from.
    @inline(__always)
    private func inputRegister(_ pc: Int) -> Int {
        switch program.instructions[pc] {
        case .bind(_, _, _, let input, _), .bindAC(_, _, let input, _, _, _): input
        case .compare: preconditionFailure("a comparison reads no class")
        }
    }

    /// Instruction `pc`'s flags, cleared for a node of `count` children.
    private mutating func usedBuffer(_ pc: Int, count: Int) -> UnsafeMutableBufferPointer<Bool> {
        if assigned[pc].count < count {
            assigned[pc].deallocate()
            assigned[pc] = .allocate(capacity: max(count, 2 * assigned[pc].count, 8))
        }
        let used = UnsafeMutableBufferPointer(rebasing: assigned[pc][0..<count])
        used.update(repeating: false)
        return used
    }

    /// Chooses a distinct child for each operand from `operands[index]` on,
    /// skipping equal children at the same step so each distinct assignment
    /// of values is produced once.
    private mutating func assign(
        _ index: Int, _ operands: [MatchProgram.Operand], _ children: UnsafeBufferPointer<ClassID>,
        _ used: UnsafeMutableBufferPointer<Bool>, _ output: Int, _ pc: Int, _ sawNew: Bool
    ) {
        if index == operands.count {
            run(pc + 1, sawNew)
            return
        }
        let required = operands[index].requiredOp
        let leaf = operands[index].requiredLeaf
        for position in children.indices where !used[position] {
            // A step per child tried: a wide node can take millions of them
            // between two complete assignments.
            step()
            if done { return }
            if position > 0 && children[position] == children[position - 1] && !used[position - 1] { continue }
            if let required {
                if let leaf {
                    if !classHolds(required, leaf, children[position]) { continue }
                } else if !classHolds(required, children[position]) {
                    continue
                }
            }
            used[position] = true
            registers[output + index] = children[position]
            assign(index + 1, operands, children, used, output, pc, sawNew)
            used[position] = false
            if done { return }
        }
    }

    private func classHolds(_ op: Symbol, _ id: ClassID) -> Bool {
        egraph.flatNodes.nodes(of: id.index).contains { $0.op == op.rawValue }
    }

    private func classHolds(_ op: Symbol, _ leaf: (shape: UInt32, first: UInt32, second: UInt32), _ id: ClassID)
        -> Bool
    {
        egraph.flatNodes.nodes(of: id.index).contains {
            $0.op == op.rawValue && $0.shape == leaf.shape && $0.first == leaf.first && $0.second == leaf.second
        }
    }

    private mutating func bindPayload(_ check: MatchProgram.PayloadCheck, _ payload: Literal?) -> Bool {
        switch check {
        case .absent: return payload == nil
        case .equals(let literal): return payload == literal
        case .bind(let slot):
            guard payload != nil else { return false }
            payloads[slot] = payload
            return true
        case .compare(let slot): return payload != nil && payloads[slot] == payload
        }
    }
}
