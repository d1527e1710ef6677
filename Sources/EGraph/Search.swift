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
/// Searching never changes the e-graph: it is clean, and conditions only
/// read it, so the pointers stay valid for the whole search.
struct Searcher: ~Copyable {
    let program: MatchProgram
    let egraph: EGraph
    /// Stop once this many matches are found (the back-off scheduler asks for
    /// one more than its threshold, as egg's does).
    let limit: Int
    /// Side conditions, checked on each match before it is kept.
    let accept: ((MatchSet.Match) -> Bool)?

    private let registers: UnsafeMutablePointer<ClassID>
    /// A match's class bindings, gathered from the registers in slot order.
    private let bindings: UnsafeMutablePointer<ClassID>
    private var rests: [[ClassID]]
    private var payloads: [Literal?]
    private(set) var matches: MatchSet
    private var done = false
    /// The e-graph's class storage, valid within ``searchAll()`` only.
    private var storage = UnsafeBufferPointer<EClassStorage?>(start: nil, count: 0)

    /// A searcher collecting into `recycled` (emptied) when given: a match
    /// set of the same rule, whose buffers are reused.
    init(
        program: MatchProgram, egraph: EGraph, limit: Int, accept: ((MatchSet.Match) -> Bool)?,
        recycling recycled: consuming MatchSet? = nil
    ) {
        self.program = program
        self.egraph = egraph
        self.limit = limit
        self.accept = accept
        registers = .allocate(capacity: program.registerCount)
        registers.initialize(repeating: ClassID(0), count: program.registerCount)
        bindings = .allocate(capacity: program.classRegisters.count)
        bindings.initialize(repeating: ClassID(0), count: program.classRegisters.count)
        rests = Array(repeating: [], count: program.restVariables.count)
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
    }

    /// Matches every candidate class, in increasing id order.
    mutating func searchAll() {
        let candidates = program.rootOp.map { egraph.classes(withOperator: $0) } ?? egraph.classIDs
        egraph.classStorage.withUnsafeBufferPointer { storage in
            self.storage = storage
            defer { self.storage = UnsafeBufferPointer(start: nil, count: 0) }
            for id in candidates {
                registers[0] = egraph.find(id)
                run(0)
                if done { return }
            }
        }
    }

    private mutating func yield() {
        for (slot, register) in program.classRegisters.enumerated() { bindings[slot] = registers[register] }
        matches.append(
            root: registers[0], bindings: UnsafeBufferPointer(start: bindings, count: program.classRegisters.count),
            rests: rests, payloads: payloads)
        if let accept, !accept(matches[matches.count - 1]) {
            matches.removeLast()
            return
        }
        if matches.count >= limit { done = true }
    }

    /// The nodes of a canonical class.
    @inline(__always)
    private func nodes(of id: ClassID) -> [ENode] { storage[id.index].unsafelyUnwrapped.nodes }

    private mutating func run(_ pc: Int) {
        if done { return }
        if pc == program.instructions.count {
            yield()
            return
        }
        switch program.instructions[pc] {
        case .compare(let a, let b):
            if registers[a] == registers[b] { run(pc + 1) }
        case .bind(let op, .absent, let arity, let input, let output) where arity <= 2:
            // The common cases, read from the class's flat nodes alone.
            let shape = UInt32(arity)
            for node in egraph.flatNodes.nodes(of: registers[input].index)
            where node.op == op.rawValue && node.shape == shape {
                if arity > 0 { registers[output] = ClassID(node.first) }
                if arity > 1 { registers[output + 1] = ClassID(node.second) }
                run(pc + 1)
                if done { return }
            }
        case .bind(let op, .equals(let literal), 0, let input, _):
            let (shape, bits) = FlatNode.bits(of: literal)
            let first = UInt32(truncatingIfNeeded: bits)
            let second = UInt32(truncatingIfNeeded: bits >> 32)
            for node in egraph.flatNodes.nodes(of: registers[input].index)
            where node.op == op.rawValue && node.shape == shape && node.first == first && node.second == second {
                run(pc + 1)
                if done { return }
            }
        case .bind(let op, let payload, let arity, let input, let output):
            nodes(of: registers[input]).withUnsafeBufferPointer { nodes in
                for index in nodes.indices where nodes[index].op == op && nodes[index].children.count == arity {
                    guard bindPayload(payload, nodes[index].payload) else { continue }
                    nodes[index].children.withUnsafeBufferPointer { children in
                        for offset in 0..<arity { registers[output + offset] = children[offset] }
                    }
                    run(pc + 1)
                    if done { return }
                }
            }
        case .bindAC(let op, let payload, let input, let operands, let output, let restSlot):
            for node in nodes(of: registers[input]) where node.op == op {
                let count = node.children.count
                guard restSlot == nil ? count == operands.count : count >= operands.count else { continue }
                guard bindPayload(payload, node.payload) else { continue }
                var used = [Bool](repeating: false, count: count)
                assign(0, operands, node.children, &used, output, restSlot, pc)
                if done { return }
            }
        }
    }

    /// Chooses a distinct child for each operand from `operands[index]` on,
    /// skipping equal children at the same step so each distinct assignment
    /// of values is produced once.
    private mutating func assign(
        _ index: Int, _ operands: [MatchProgram.Operand], _ children: [ClassID], _ used: inout [Bool],
        _ output: Int, _ restSlot: Int?, _ pc: Int
    ) {
        if index == operands.count {
            if let restSlot {
                var rest: [ClassID] = []
                rest.reserveCapacity(children.count - operands.count)
                for position in children.indices where !used[position] { rest.append(children[position]) }
                rests[restSlot] = rest
            }
            run(pc + 1)
            return
        }
        let required = operands[index].requiredOp
        for position in children.indices where !used[position] {
            if position > 0 && children[position] == children[position - 1] && !used[position - 1] { continue }
            if let required, !classHolds(required, children[position]) { continue }
            used[position] = true
            registers[output + index] = children[position]
            assign(index + 1, operands, children, &used, output, restSlot, pc)
            used[position] = false
            if done { return }
        }
    }

    private func classHolds(_ op: Symbol, _ id: ClassID) -> Bool {
        egraph.flatNodes.nodes(of: id.index).contains { $0.op == op.rawValue }
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
