/// Runs a compiled pattern over an e-graph. One searcher per search: it owns
/// the register file and scratch buffers, reused across every class tried.
struct Searcher {
    let program: MatchProgram
    let egraph: EGraph
    /// Stop once this many matches are found (the back-off scheduler asks for
    /// one more than its threshold, as egg's does).
    let limit: Int
    /// Side conditions, checked on each match before it is kept.
    let accept: ((MatchSet.Match) -> Bool)?

    private var registers: [ClassID]
    private var rests: [[ClassID]]
    private var payloads: [Literal?]
    private(set) var matches: MatchSet
    private var done = false

    init(program: MatchProgram, egraph: EGraph, limit: Int, accept: ((MatchSet.Match) -> Bool)?) {
        self.program = program
        self.egraph = egraph
        self.limit = limit
        self.accept = accept
        registers = Array(repeating: ClassID(0), count: program.registerCount)
        rests = Array(repeating: [], count: program.restVariables.count)
        payloads = Array(repeating: nil, count: program.payloadVariables.count)
        matches = MatchSet(
            classVariables: program.classVariables, restVariables: program.restVariables,
            payloadVariables: program.payloadVariables)
    }

    /// Matches every candidate class, in increasing id order.
    mutating func searchAll() {
        let candidates = program.rootOp.map { egraph.classes(withOperator: $0) } ?? egraph.classIDs
        for id in candidates {
            search(id)
            if done { return }
        }
    }

    /// Matches the pattern's root against one class.
    mutating func search(_ id: ClassID) {
        registers[0] = egraph.find(id)
        run(0)
    }

    private mutating func yield() {
        matches.append(
            root: registers[0], registers: registers, classRegisters: program.classRegisters, rests: rests,
            payloads: payloads)
        if let accept, !accept(matches[matches.count - 1]) {
            matches.removeLast()
            return
        }
        if matches.count >= limit { done = true }
    }

    private mutating func run(_ pc: Int) {
        if done { return }
        if pc == program.instructions.count {
            yield()
            return
        }
        switch program.instructions[pc] {
        case .compare(let a, let b):
            if registers[a] == registers[b] { run(pc + 1) }
        case .bind(let op, let payload, let arity, let input, let output):
            let nodes = egraph.classStorage[registers[input].index]!.nodes
            for node in nodes where node.op == op && node.children.count == arity {
                guard bindPayload(payload, node.payload) else { continue }
                for offset in 0..<arity { registers[output + offset] = node.children[offset] }
                run(pc + 1)
                if done { return }
            }
        case .bindAC(let op, let payload, let input, let operands, let output, let restSlot):
            let nodes = egraph.classStorage[registers[input].index]!.nodes
            for node in nodes where node.op == op {
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
        egraph.classStorage[id.index]!.nodes.contains { $0.op == op }
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
