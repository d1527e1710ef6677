/// A pattern compiled to a small matching machine (de Moura and Bjørner,
/// "Efficient E-matching for SMT Solvers", CADE 2007; egg's `machine.rs`):
/// registers hold e-classes, and each instruction either binds the children
/// of a node found in a register's class, or checks two registers are equal.
///
/// AC applications compile to one instruction that enumerates the ways to
/// assign the pattern's operands to distinct children of an n-ary node; the
/// operands' own sub-patterns are matched by the instructions that follow.
struct MatchProgram: Sendable {
    enum PayloadCheck: Sendable {
        /// The node must carry no payload.
        case absent
        case equals(Literal)
        case bind(slot: Int)
        case compare(slot: Int)
    }

    /// What an AC operand demands of the child it is assigned, checked as
    /// the child is chosen rather than by the instructions after the
    /// assignment: on a node of n operands, that prunes a partial assignment
    /// before the next operand's n candidates are tried.
    struct Operand: Sendable {
        /// The child's class must hold a node with this operator.
        var requiredOp: Symbol?
        /// For an operand that is a literal leaf, such as the `-1`s of
        /// `(* -1 -1 ?r...)`: the class must hold that leaf. Without it, a
        /// product of 10,000 numbers tried all 10^8 ordered pairs of them.
        var requiredLeaf: (shape: UInt32, first: UInt32, second: UInt32)?

        init(_ pattern: Pattern) {
            requiredOp = pattern.rootOperator
            if case .node(_, .literal(let literal)?, let children, nil) = pattern, children.isEmpty {
                let (shape, bits) = FlatNode.bits(of: literal)
                requiredLeaf = (shape, UInt32(truncatingIfNeeded: bits), UInt32(truncatingIfNeeded: bits >> 32))
            }
        }
    }

    enum Instruction: Sendable {
        case bind(op: Symbol, payload: PayloadCheck, arity: Int, input: Int, output: Int)
        case bindAC(op: Symbol, payload: PayloadCheck, input: Int, operands: [Operand], output: Int, restSlot: Int?)
        case compare(Int, Int)
    }

    var instructions: [Instruction] = []
    var registerCount = 1
    /// The root operator, to search only the classes holding it; `nil` when
    /// the pattern is a variable and matches every class.
    var rootOp: Symbol?
    /// Variables by slot, and the register each class variable lives in.
    var classVariables: [PatternVariable] = []
    var classRegisters: [Int] = []
    var restVariables: [PatternVariable] = []
    var payloadVariables: [PatternVariable] = []
    /// The last instruction that binds a node, -1 if none does: past it, a
    /// match of a semi-naive search (``Searcher``) cannot gain a new node.
    /// Found once per pattern here: found by a closure in the searcher's
    /// initializer (a noncopyable struct), it made the optimized build of
    /// Swift 6.3 release a bad pointer when the searcher was destroyed.
    var lastBind = -1

    init(_ pattern: Pattern, signature: Signature) {
        var compiler = Compiler(signature: signature)
        if case .variable(let variable) = pattern {
            compiler.classSlots[variable] = 0
            compiler.program.classVariables = [variable]
            compiler.program.classRegisters = [0]
        } else {
            compiler.compile(pattern, at: 0)
        }
        self = compiler.program
        registerCount = compiler.nextRegister
        // Set after the compiled program replaces `self`, which resets it:
        // without it every search tried every class (measured: the micro
        // workload's search took 8.6 ms against 3.9 ms).
        rootOp = pattern.rootOperator
        for (pc, instruction) in instructions.enumerated() {
            if case .compare = instruction { continue }
            lastBind = pc
        }
    }

    func slot(of variable: PatternVariable) -> (kind: PatternVariableKind, slot: Int)? {
        if let index = classVariables.firstIndex(of: variable) { return (.eclass, index) }
        if let index = restVariables.firstIndex(of: variable) { return (.multiset, index) }
        if let index = payloadVariables.firstIndex(of: variable) { return (.literal, index) }
        return nil
    }

    private struct Compiler {
        let signature: Signature
        var program = MatchProgram(empty: ())
        var nextRegister = 1
        var classSlots: [PatternVariable: Int] = [:]

        init(signature: Signature) { self.signature = signature }

        mutating func allocate(_ count: Int) -> Int {
            defer { nextRegister += count }
            return nextRegister
        }

        mutating func payloadCheck(_ payload: PayloadPattern?) -> PayloadCheck {
            switch payload {
            case nil: return .absent
            case .literal(let literal)?: return .equals(literal)
            case .variable(let variable)?:
                if let slot = program.payloadVariables.firstIndex(of: variable) { return .compare(slot: slot) }
                program.payloadVariables.append(variable)
                return .bind(slot: program.payloadVariables.count - 1)
            }
        }

        /// Binds a variable to a register, or checks it against its earlier one.
        mutating func bindVariable(_ variable: PatternVariable, register: Int) {
            if let slot = classSlots[variable] {
                program.instructions.append(.compare(program.classRegisters[slot], register))
            } else {
                classSlots[variable] = program.classVariables.count
                program.classVariables.append(variable)
                program.classRegisters.append(register)
            }
        }

        mutating func compile(_ pattern: Pattern, at register: Int) {
            if case .alias(let variable, let inner) = pattern {
                bindVariable(variable, register: register)
                compile(inner, at: register)
                return
            }
            guard case .node(let op, let payload, let children, let rest) = pattern else {
                preconditionFailure("variables are bound by their parent")
            }
            if signature.isAC(op) {
                compileAC(op, payload, children, rest, at: register)
                return
            }
            let output = allocate(children.count)
            program.instructions.append(
                .bind(op: op, payload: payloadCheck(payload), arity: children.count, input: register, output: output))
            // Variables first: a compare that fails prunes before descending.
            for (offset, child) in children.enumerated() {
                if case .variable(let variable) = child { bindVariable(variable, register: output + offset) }
            }
            for (offset, child) in children.enumerated() where child.rootOperator != nil {
                compile(child, at: output + offset)
            }
        }

        mutating func compileAC(
            _ op: Symbol, _ payload: PayloadPattern?, _ children: [Pattern], _ rest: PatternVariable?,
            at register: Int
        ) {
            // Splice directly nested applications of the same operator, as
            // e-nodes store them flat.
            var operands: [Pattern] = []
            var restVariable = rest
            var stack = children.reversed() as [Pattern]
            while let child = stack.popLast() {
                if case .node(op, payload, let inner, let innerRest) = child {
                    stack.append(contentsOf: inner.reversed())
                    if let innerRest { restVariable = restVariable ?? innerRest }
                } else {
                    operands.append(child)
                }
            }
            // Operands with an operator first: they narrow the candidates.
            let ordered = operands.filter { $0.rootOperator != nil } + operands.filter { $0.rootOperator == nil }
            let output = allocate(ordered.count)
            var restSlot: Int?
            if let restVariable {
                program.restVariables.append(restVariable)
                restSlot = program.restVariables.count - 1
            }
            program.instructions.append(
                .bindAC(
                    op: op, payload: payloadCheck(payload), input: register,
                    operands: ordered.map(Operand.init),
                    output: output, restSlot: restSlot))
            for (offset, operand) in ordered.enumerated() {
                if case .variable(let variable) = operand { bindVariable(variable, register: output + offset) }
            }
            for (offset, operand) in ordered.enumerated() where operand.rootOperator != nil {
                compile(operand, at: output + offset)
            }
        }
    }

    private init(empty: Void) {}
}
