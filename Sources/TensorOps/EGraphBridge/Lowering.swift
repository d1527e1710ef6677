import EGraph

/// From the tensor IR into e-graph terms, and back.
extension TensorProgram {
    /// Each output as an e-graph term in lowered form (see
    /// ``TensorVocabulary``), in output order.
    public func loweredTerms() -> [(name: String, term: Term)] {
        outputs.map { ($0.name, lowered($0.node)) }
    }

    /// Adds every output to `egraph` and returns their classes, in order.
    /// - Precondition: `egraph` uses ``TensorVocabulary/signature``.
    public func lower(into egraph: EGraph) -> [ClassID] {
        precondition(egraph.signature.isAC(TensorVocabulary.add), "use TensorVocabulary.signature")
        return loweredTerms().map { egraph.add($0.term) }
    }

    /// The lowered term computing `root`.
    public func lowered(_ root: NodeID) -> Term {
        var term = Term()
        var position: [NodeID: Int] = [:]
        var minusOne: Int?
        func negativeOne(_ term: inout Term) -> Int {
            if let minusOne { return minusOne }
            let index = term.append(Term.Node(.literal, payload: .number(-1)))
            minusOne = index
            return index
        }
        for node in graph.topologicalOrder(from: [root]) {
            let current = graph[node]
            let operands = current.arguments.map { position[$0]! }
            let index: Int
            switch current.kind {
            case .input(let name):
                index = term.append(Term.Node(TensorVocabulary.input(name)))
            case .constant(let value):
                index = term.append(Term.Node(.literal, payload: .number(value)))
            case .apply(let op):
                let rank = current.arguments.first.map { graph[$0].shape.rank } ?? 0
                switch op {
                case .add:
                    index = term.append(Term.Node(TensorVocabulary.add, operands))
                case .multiply:
                    index = term.append(Term.Node(TensorVocabulary.multiply, operands))
                case .subtract:
                    let negated = term.append(Term.Node(TensorVocabulary.multiply, [negativeOne(&term), operands[1]]))
                    index = term.append(Term.Node(TensorVocabulary.add, [operands[0], negated]))
                case .negate:
                    index = term.append(Term.Node(TensorVocabulary.multiply, [negativeOne(&term), operands[0]]))
                case .divide where unitScaleMaximum(node) != nil:
                    // A unit scaling written as optimize prints it reads back
                    // as the same scaling, so optimizing an output again
                    // changes nothing.
                    let maximum = graph[unitScaleMaximum(node)!]
                    if let axis = maximum.axis {
                        index = term.append(
                            Term.Node(TensorVocabulary.unitScale, [operands[0]], payload: .integer(axis - rank)))
                    } else {
                        index = term.append(Term.Node(TensorVocabulary.unitScaleAll, [operands[0]]))
                    }
                case .divide
                where graph[current.arguments[0]].kind == .constant(1)
                    && graph[current.arguments[1]].shape == current.shape:
                    // `1 / a` is the inverse itself, not a product with a unit.
                    index = term.append(Term.Node(TensorVocabulary.inverse, [operands[1]]))
                case .divide:
                    let inverse = term.append(Term.Node(TensorVocabulary.inverse, [operands[1]]))
                    index = term.append(Term.Node(TensorVocabulary.multiply, [operands[0], inverse]))
                case .sum, .max:
                    if let axis = current.axis {
                        let symbol = op == .sum ? TensorVocabulary.sum : TensorVocabulary.max
                        index = term.append(Term.Node(symbol, operands, payload: .integer(axis - rank)))
                    } else {
                        let symbol = op == .sum ? TensorVocabulary.sumAll : TensorVocabulary.maxAll
                        index = term.append(Term.Node(symbol, operands))
                    }
                case .mean:
                    index = lowerMean(operands[0], axis: current.axis.map { $0 - rank }, into: &term)
                case .squeeze:
                    index = term.append(
                        Term.Node(TensorVocabulary.squeeze, operands, payload: .integer((current.axis ?? 0) - rank)))
                case .select where shiftedOperand(node) != nil:
                    // A shift written as optimize prints it reads back as the
                    // same shift, so optimizing an output again changes nothing.
                    let maximum = graph[shiftedOperand(node)!]
                    let operand = [position[maximum.arguments[0]]!]
                    if let axis = maximum.axis {
                        let payload = Literal.integer(axis - graph[maximum.arguments[0]].shape.rank)
                        index = term.append(Term.Node(TensorVocabulary.subtractMax, operand, payload: payload))
                    } else {
                        index = term.append(Term.Node(TensorVocabulary.subtractMaxAll, operand))
                    }
                default:
                    index = term.append(Term.Node(TensorVocabulary.direct[op]!, operands))
                }
            }
            position[node] = index
        }
        // The root comes last in the order, and its own node after any helper
        // node it needs, so it is the term's last node, as terms require.
        return term
    }

    /// The `max` node `m` of `(where (eq x m) 0 (- x m))` with `m` the
    /// maximum of `x`: the raised form of ``TensorVocabulary/subtractMax``.
    private func shiftedOperand(_ node: NodeID) -> NodeID? {
        let select = graph[node]
        guard select.arguments.count == 3, case .constant(0) = graph[select.arguments[1]].kind else { return nil }
        let (condition, difference) = (graph[select.arguments[0]], graph[select.arguments[2]])
        guard case .apply(.binary(.equal)) = condition.kind, case .apply(.subtract) = difference.kind,
            condition.arguments == difference.arguments
        else { return nil }
        let (value, maximum) = (difference.arguments[0], difference.arguments[1])
        guard case .apply(.max) = graph[maximum].kind, graph[maximum].arguments == [value] else { return nil }
        return maximum
    }

    /// The `max` node `m` of `(/ x (where (eq m inf) 1 m))` with `m` the
    /// maximum of `abs(x)`: the raised form of ``TensorVocabulary/unitScale``.
    private func unitScaleMaximum(_ node: NodeID) -> NodeID? {
        let quotient = graph[node].arguments
        guard quotient.count == 2, let scale = graph.guardedUnitScale(quotient[1]),
            graph[scale.magnitude].arguments == [quotient[0]]
        else { return nil }
        return scale.maximum
    }

    /// Appends `(* (sum a k) (inv (sum (fill a 1) k)))`, the mean of the node
    /// at `operand` along `axis` (from the end; `nil` for every element, with
    /// `sumall`), and returns the product's index.
    ///
    /// The e-graph has no `mean`: spelled as a sum over a count, a mean is
    /// seen through by every rule about sums and products (the max shift,
    /// lifting a factor out of a sum, cancelling an inverse) with no rule
    /// written for it. The count is a sum of ones rather than a number since
    /// a named dim has no size until inputs are given; the analysis sees that
    /// it is at least 1 and constant along every axis, so its inverse is safe
    /// and comes out of sums like any constant. The raiser spells the pattern
    /// as `mean` again, and evaluates as the judge does, `(/ (sum a k) n)`:
    /// a sum of ones is exact in binary64.
    private func lowerMean(_ operand: Int, axis: Int?, into term: inout Term) -> Int {
        let one = term.append(Term.Node(.literal, payload: .number(1)))
        let ones = term.append(Term.Node(TensorVocabulary.fill, [operand, one]))
        let total: Int
        let count: Int
        if let axis {
            total = term.append(Term.Node(TensorVocabulary.sum, [operand], payload: .integer(axis)))
            count = term.append(Term.Node(TensorVocabulary.sum, [ones], payload: .integer(axis)))
        } else {
            total = term.append(Term.Node(TensorVocabulary.sumAll, [operand]))
            count = term.append(Term.Node(TensorVocabulary.sumAll, [ones]))
        }
        let inverse = term.append(Term.Node(TensorVocabulary.inverse, [count]))
        return term.append(Term.Node(TensorVocabulary.multiply, [total, inverse]))
    }
}

/// A lowered term that does not read back as a program.
public struct RaisingError: Error, Sendable, CustomStringConvertible {
    /// What could not be raised.
    public var message: String
    /// The error.
    public var description: String { message }
}

extension TensorProgram {
    /// The program computing `terms` (lowered e-graph terms, say extracted
    /// ones) over the inputs of `self`, in readable form: `(* a (inv b))` as
    /// `(/ a b)`, `(+ a (* -1 b))` as `(- a b)`, `(* -1 a)` as `(neg a)`.
    /// Inputs keep their order and outputs their names.
    public func raising(_ terms: [(name: String, term: Term)]) throws(RaisingError) -> TensorProgram {
        var raiser = Raiser(graph: TensorGraph())
        var newInputs: [(name: String, shape: Shape, node: NodeID)] = []
        for input in inputs {
            let node = raiser.graph.input(input.name, shape: input.shape)
            raiser.inputs[TensorVocabulary.input(input.name)] = node
            newInputs.append((input.name, input.shape, node))
        }
        var newOutputs: [(name: String, node: NodeID)] = []
        for (name, term) in terms {
            newOutputs.append((name, try raiser.raise(term)))
        }
        return TensorProgram(graph: raiser.graph, inputs: newInputs, outputs: newOutputs)
    }

    private struct Raiser {
        var graph: TensorGraph
        var inputs: [Symbol: NodeID] = [:]
        /// Canonical keys of the term being raised, by node index.
        var canonicalKeys: [Int: String] = [:]

        mutating func raise(_ term: Term) throws(RaisingError) -> NodeID {
            canonicalKeys = [:]
            var nodes: [NodeID] = []
            nodes.reserveCapacity(term.nodes.count)
            for node in term.nodes {
                nodes.append(try raise(node, term, nodes))
            }
            return nodes[term.root]
        }

        private mutating func raise(_ node: Term.Node, _ term: Term, _ raised: [NodeID]) throws(RaisingError) -> NodeID
        {
            do {
                return try build(node, term, raised)
            } catch let error as ShapeError {
                throw RaisingError(message: "\(term.render(term.nodes.firstIndex(of: node) ?? 0)): \(error.message)")
            } catch let error as RaisingError {
                throw error
            } catch {
                throw RaisingError(message: "\(error)")
            }
        }

        private mutating func build(_ node: Term.Node, _ term: Term, _ raised: [NodeID]) throws -> NodeID {
            if node.op == .literal, case .number(let value)? = node.payload { return graph.constant(value) }
            if node.children.isEmpty {
                guard let input = inputs[node.op] else { throw RaisingError(message: "unknown input '\(node.op)'") }
                return input
            }
            let operands = node.children.map { raised[$0] }
            let axis: Int? = if case .integer(let value)? = node.payload { value } else { nil }
            switch node.op {
            case TensorVocabulary.add:
                return try sum(flatOperands(of: node, term), term, raised)
            case TensorVocabulary.multiply:
                return try product(flatOperands(of: node, term), term, raised)
            case TensorVocabulary.inverse:
                return try graph.apply(.divide, [graph.constant(1), operands[0]])
            case TensorVocabulary.sum: return try graph.apply(.sum, operands, axis: axis)
            case TensorVocabulary.max: return try graph.apply(.max, operands, axis: axis)
            case TensorVocabulary.sumAll: return try graph.apply(.sum, operands)
            case TensorVocabulary.maxAll: return try graph.apply(.max, operands)
            case TensorVocabulary.subtractMax:
                return try shifted(operands[0], by: graph.apply(.max, operands, axis: axis))
            case TensorVocabulary.subtractMaxAll: return try shifted(operands[0], by: graph.apply(.max, operands))
            case TensorVocabulary.unitScale, TensorVocabulary.unitScaleAll:
                // By 1 where the largest magnitude is infinite, so a slice
                // with an infinity divides as the unscaled form does (its
                // finite elements by an infinite norm, to 0).
                let magnitude = try graph.apply(.unary(.abs), operands)
                let largest = try graph.apply(
                    .max, [magnitude], axis: node.op == TensorVocabulary.unitScale ? axis : nil)
                let infinite = try graph.apply(.binary(.equal), [largest, graph.constant(.infinity)])
                let divisor = try graph.apply(.select, [infinite, graph.constant(1), largest])
                return try graph.apply(.divide, [operands[0], divisor])
            case TensorVocabulary.squeeze: return try graph.apply(.squeeze, operands, axis: axis)
            default:
                guard let op = TensorVocabulary.directInverse[node.op], op.arity == operands.count else {
                    throw RaisingError(message: "'\(node.op)' with \(operands.count) operand(s) is not an operator")
                }
                return try graph.apply(op, operands)
            }
        }

        /// `(where (eq x m) 0 (- x m))`: `x - m`, and 0 where `x` is its
        /// maximum `m` (infinite ones included), spelled with the language's
        /// operators so the output reads back anywhere.
        private mutating func shifted(_ value: NodeID, by maximum: NodeID) throws -> NodeID {
            let isMaximum = try graph.apply(.binary(.equal), [value, maximum])
            let difference = try graph.apply(.subtract, [value, maximum])
            return try graph.apply(.select, [isMaximum, graph.constant(0), difference])
        }

        /// The operands of an AC application, with scalar units dropped while
        /// another operand remains (a scalar never changes a broadcast).
        ///
        /// A product nested in a product is spliced in, so equal products
        /// print alike whatever grouping extraction happened to pick. A sum
        /// nested in a sum stays nested: its grouping is what extraction
        /// chose (`(x - max x) - log S` rather than `(x - log S) - max x`,
        /// whose first difference cancels), and binary64 evaluates the
        /// grouping as printed.
        private func flatOperands(of node: Term.Node, _ term: Term) -> [Int] {
            var operands: [Int] = []
            var pending = Array(node.children.reversed())
            while let child = pending.popLast() {
                let inner = term.nodes[child]
                if node.op == TensorVocabulary.multiply, inner.op == node.op, inner.payload == nil,
                    !inner.children.isEmpty
                {
                    pending.append(contentsOf: inner.children.reversed())
                } else {
                    operands.append(child)
                }
            }
            let unit: Literal = node.op == TensorVocabulary.add ? .number(0) : .number(1)
            let kept = operands.filter { !(term.nodes[$0].op == .literal && term.nodes[$0].payload == unit) }
            return kept.isEmpty ? Array(operands.prefix(1)) : kept
        }

        /// `(+ p1 p2 (* -1 n1))` as `(- (+ p1 p2) n1)`.
        private mutating func sum(_ children: [Int], _ term: Term, _ raised: [NodeID]) throws -> NodeID {
            var positiveTerms: [Int] = []
            var negativeTerms: [Int] = []
            for child in children {
                if let negated = negatedOperand(child, term) {
                    negativeTerms.append(negated)
                } else {
                    positiveTerms.append(child)
                }
            }
            let positives = canonicalOrder(positiveTerms, term).map { raised[$0] }
            var negatives = canonicalOrder(negativeTerms, term).map { raised[$0] }
            var result: NodeID
            if let first = positives.first {
                result = first
                for operand in positives.dropFirst() { result = try graph.apply(.add, [result, operand]) }
            } else {
                result = try graph.apply(.negate, [negatives.removeFirst()])
            }
            for operand in negatives { result = try graph.apply(.subtract, [result, operand]) }
            return result
        }

        /// Operands in an order that depends only on what they are (their
        /// canonical key), not on the e-graph's class ids, so optimizing a
        /// program twice prints it the same way.
        mutating func canonicalOrder(_ operands: [Int], _ term: Term) -> [Int] {
            operands.map { ($0, canonicalKey($0, term)) }.sorted { $0.1 < $1.1 }.map(\.0)
        }

        /// The term's text with the operands of `+` and `*` sorted by their
        /// own keys: the same for every class numbering. Memoized per term,
        /// and a text past 200 characters is replaced by a structural hash of
        /// it, so a term sharing subterms (a DAG whose text is exponentially
        /// long) costs time linear in its nodes.
        mutating func canonicalKey(_ index: Int, _ term: Term) -> String {
            if let key = canonicalKeys[index] { return key }
            let node = term.nodes[index]
            var key: String
            if node.op == .literal, let payload = node.payload {
                key = payload.description
            } else if node.children.isEmpty {
                key = node.op.name
            } else {
                var parts: [String] = []
                for child in node.children { parts.append(canonicalKey(child, term)) }
                if node.op == TensorVocabulary.add || node.op == TensorVocabulary.multiply { parts.sort() }
                if let payload = node.payload { parts.append(payload.description) }
                key = "(" + ([node.op.name] + parts).joined(separator: " ") + ")"
            }
            if key.utf8.count > 200 {
                // FNV-1a: fixed and seedless, unlike Hasher, so keys (and the
                // order they give) are the same in every process.
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                key = String(key.prefix(40)) + "~" + String(hash, radix: 16)
            }
            canonicalKeys[index] = key
            return key
        }

        /// The operand of `(* -1 t)`, if `index` is one.
        private func negatedOperand(_ index: Int, _ term: Term) -> Int? {
            let node = term.nodes[index]
            guard node.op == TensorVocabulary.multiply, node.children.count == 2 else { return nil }
            for (position, child) in node.children.enumerated() where isMinusOne(child, term) {
                return node.children[1 - position]
            }
            return nil
        }

        private func isMinusOne(_ index: Int, _ term: Term) -> Bool {
            let node = term.nodes[index]
            return node.op == .literal && node.payload == .number(-1)
        }

        /// The `mean` that a count and a sum in one product spell (see
        /// `lowerMean`): with `count` the index of `(sum (fill b 1) k)` (or
        /// `(sumall (fill b 1))`), the first of the numerators that is
        /// `(sum a k)` (or `(sumall a)`) with `a` of the shape of `b`, and its
        /// mean; `nil` when there is none. Only `b`'s shape matters, since a
        /// `fill` reads no value, so a rewrite that changed the fill's first
        /// operand still raises to a mean.
        private mutating func pairedMean(
            counting count: Int, among numerators: [Int?], _ term: Term, _ raised: [NodeID]
        ) throws -> (position: Int, mean: NodeID)? {
            let countNode = term.nodes[count]
            guard countNode.op == TensorVocabulary.sum || countNode.op == TensorVocabulary.sumAll,
                countNode.children.count == 1
            else { return nil }
            let ones = term.nodes[countNode.children[0]]
            guard ones.op == TensorVocabulary.fill, ones.children.count == 2,
                term.nodes[ones.children[1]].op == .literal, term.nodes[ones.children[1]].payload == .number(1)
            else { return nil }
            let onesShape = graph[raised[countNode.children[0]]].shape
            for (position, candidate) in numerators.enumerated() {
                guard let candidate else { continue }
                let total = term.nodes[candidate]
                guard total.op == countNode.op, total.payload == countNode.payload, total.children.count == 1,
                    graph[raised[total.children[0]]].shape == onesShape
                else { continue }
                let axis: Int? = if case .integer(let value)? = total.payload { value } else { nil }
                return (position, try graph.apply(.mean, [raised[total.children[0]]], axis: axis))
            }
            return nil
        }

        /// `(* a b (inv c) -1)` as `(neg (/ (* a b) c))`, and a sum over its
        /// count as `mean`.
        private mutating func product(_ children: [Int], _ term: Term, _ raised: [NodeID]) throws -> NodeID {
            var numeratorTerms: [Int] = []
            var denominatorTerms: [Int] = []
            var negate = false
            for child in children {
                let node = term.nodes[child]
                if isMinusOne(child, term) {
                    negate.toggle()
                } else if node.op == TensorVocabulary.inverse, node.children.count == 1 {
                    denominatorTerms.append(node.children[0])
                } else {
                    numeratorTerms.append(child)
                }
            }
            let orderedNumerators = canonicalOrder(numeratorTerms, term)
            var numerators = orderedNumerators.map { raised[$0] }
            // Each numerator's term while it is still free to pair with a count.
            var unpaired: [Int?] = orderedNumerators
            var denominators: [NodeID] = []
            for denominator in canonicalOrder(denominatorTerms, term) {
                if let (position, mean) = try pairedMean(counting: denominator, among: unpaired, term, raised) {
                    numerators[position] = mean
                    unpaired[position] = nil
                } else {
                    denominators.append(raised[denominator])
                }
            }
            if numerators.isEmpty && denominators.isEmpty {
                // (* -1 -1 ...): the product of the signs.
                return graph.constant(negate ? -1 : 1)
            }
            var result = numerators.first ?? graph.constant(1)
            for operand in numerators.dropFirst() { result = try graph.apply(.multiply, [result, operand]) }
            if let first = denominators.first {
                var denominator = first
                for operand in denominators.dropFirst() {
                    denominator = try graph.apply(.multiply, [denominator, operand])
                }
                result = try graph.apply(.divide, [result, denominator])
            }
            return negate ? try graph.apply(.negate, [result]) : result
        }
    }
}
