import Dispatch

/// Why a program could not be evaluated on given inputs.
///
/// Every problem with input data is reported this way, never by trapping: a missing input, a value of the wrong
/// rank, a size that contradicts a declared size, a named dimension bound to two sizes, and a `max` over an empty
/// slice.
public struct EvaluationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kinds of problems.
    public enum Kind: Sendable, Equatable {
        /// No value was given for a declared input.
        case missingInput
        /// An input's value has a different number of axes than its declaration.
        case rankMismatch
        /// An input's value has a size other than the integer its declaration gives for an axis.
        case sizeMismatch
        /// A named dimension takes two different sizes in the inputs.
        case conflictingDimension
        /// A value is given for a name the program does not declare as an input (see
        /// ``TensorProgram/checkInputNames(_:)``).
        case unknownInput
        /// `max` of an empty slice, which has no value (numpy raises here too).
        case emptyReduction
        /// The program's graph does not fit the inputs or itself, e.g. an input node without a declaration, a
        /// squeeze of an axis whose size is not 1, or shapes that do not broadcast.
        case shape
        /// The deadline the caller gave passed before the evaluation finished.
        case deadline
    }

    /// The kind of problem.
    public var kind: Kind
    /// What is wrong, in words that name the input and the sizes involved.
    public var message: String

    /// An error of a kind, with its message.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

// `evaluate` is specialized for the three formats it computes in: the
// probe's reference evaluations spent a third of their time on generic
// metadata lookups, which also serialize its threads.
extension TensorProgram {
    /// The size of every named dimension, read from the input values, after checking each value against its
    /// declaration (in declaration order, so the first problem reported is the first in the program).
    ///
    /// The checks are the judge's (`bind_inputs`): every declared input has a value, of the declared rank, with the
    /// declared size on every integer axis, and each named dimension takes one size throughout. Values for names the
    /// program does not declare are ignored.
    /// - Throws: ``EvaluationError`` of kind `missingInput`, `rankMismatch`, `sizeMismatch` or
    ///   `conflictingDimension`.
    /// - Complexity: O(total rank of the inputs) after the dictionary look-ups.
    public func bindDimensions<Scalar>(_ values: [String: NDArray<Scalar>]) throws(EvaluationError)
        -> [String: Int]
    {
        var sizes: [String: Int] = [:]
        var boundBy: [String: String] = [:]
        for input in inputs {
            guard let value = values[input.name] else {
                throw EvaluationError(.missingInput, "no value given for input '\(input.name)'")
            }
            let declared = input.shape
            guard value.rank == declared.rank else {
                throw EvaluationError(
                    .rankMismatch,
                    "input '\(input.name)' is declared with dims \(declared) (rank \(declared.rank)) but its value "
                        + "has shape \(NDArray<Scalar>.describe(value.shape)) (rank \(value.rank))")
            }
            for (axis, (dim, size)) in zip(declared.dims, value.shape).enumerated() {
                switch dim {
                case .size(let expected):
                    guard expected == size else {
                        throw EvaluationError(
                            .sizeMismatch,
                            "input '\(input.name)' is declared with size \(expected) on axis \(axis) but its value "
                                + "has size \(size) there (shape \(NDArray<Scalar>.describe(value.shape)))")
                    }
                case .named(let name):
                    if let bound = sizes[name] {
                        guard bound == size else {
                            throw EvaluationError(
                                .conflictingDimension,
                                "dim '\(name)' is \(bound) in input '\(boundBy[name] ?? "?")' but \(size) in input "
                                    + "'\(input.name)' (axis \(axis))")
                        }
                    } else {
                        sizes[name] = size
                        boundBy[name] = input.name
                    }
                }
            }
        }
        return sizes
    }

    /// Checks that every name given a value is an input the program declares.
    ///
    /// ``evaluate(_:deadline:)`` ignores values for other names, as the judge does, so that one set of values can serve
    /// several programs. Where a person wrote the values, call this first: a misspelled name (`X` for `x`) is then
    /// reported for what it is, rather than as the missing input it was meant for, or not at all.
    /// - Parameter names: the names given values, in the order to report them.
    /// - Throws: ``EvaluationError`` of kind `unknownInput` naming every undeclared name and listing the program's
    ///   inputs in declaration order.
    public func checkInputNames(_ names: some Sequence<String>) throws(EvaluationError) {
        let declared = inputs.map(\.name)
        var unknown: [String] = []
        for name in names where !declared.contains(name) && !unknown.contains(name) { unknown.append(name) }
        guard !unknown.isEmpty else { return }
        let quoted = unknown.map { "'\($0)'" }.joined(separator: ", ")
        let subject = unknown.count == 1 ? "input \(quoted) is" : "inputs \(quoted) are"
        let letNames = Set(self.names.values)
        let lets = unknown.filter { letNames.contains($0) }
        let letNote = lets.isEmpty ? "" : "; " + lets.map { "'\($0)' is a let" }.joined(separator: ", ")
        let known = declared.isEmpty ? "it declares none" : "its inputs are " + declared.joined(separator: ", ")
        throw EvaluationError(.unknownInput, "\(subject) not declared by the program (\(known)\(letNote))")
    }

    /// Evaluates every output of the program on the given inputs.
    ///
    /// Named dimensions are bound from the input values (``bindDimensions(_:)``); each node the outputs need is
    /// then computed once, after its arguments, in the scalar type's semantics: elementwise operators with numpy
    /// broadcasting, reductions that keep their axis with size 1 (or, without an axis, reduce to a scalar),
    /// `squeeze`, and `fill`, which broadcasts its second operand to the shape of both and never reads the first.
    ///
    /// With `Double`, results agree with numpy's float64 evaluation (the judge's `eval_f64`) to the bit for the
    /// arithmetic and the reductions (see ``TensorEvaluation/reduce(_:_:axis:)`` for numpy's summation order) and
    /// to within the C library's and numpy's differing roundings of `exp`, `log`, `tanh`, ... (see `Double`'s
    /// ``EvaluationScalar/unaryOperation(_:)``); with ``ReferenceFloat`` they are the judge's mpmath semantics at
    /// 256 bits.
    /// - Returns: each output's name and value, in the program's output order.
    /// - Throws: ``EvaluationError`` for inputs that do not fit the declarations, or a `max` of an empty slice.
    /// - Complexity: O(Σ over the needed nodes of their element counts · rank).
    /// - Parameters:
    ///   - values: each input's value, by name.
    ///   - deadline: when to give up, in `DispatchTime` uptime nanoseconds: the evaluation throws an error of
    ///     kind `deadline` once it has passed (checked every few nodes), so a caller with a time budget can stop a
    ///     reference evaluation of a large program.
    @_specialize(where Scalar == ReferenceFloat)
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func evaluate<Scalar: EvaluationScalar>(_ values: [String: NDArray<Scalar>], deadline: UInt64 = .max)
        throws(EvaluationError) -> [(name: String, value: NDArray<Scalar>)]
    {
        let results = try evaluate(nodes: outputs.map(\.node), values, deadline: deadline)
        return zip(outputs, results).map { (name: $0.name, value: $1) }
    }

    /// The values of arbitrary nodes of the program's graph on the given inputs, in the order of `nodes`; as
    /// ``evaluate(_:deadline:)``, which it implements.
    /// - Throws: ``EvaluationError`` as ``evaluate(_:deadline:)``, and of kind `shape` for a node id outside the graph.
    @_specialize(where Scalar == ReferenceFloat)
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func evaluate<Scalar: EvaluationScalar>(
        nodes roots: [NodeID], _ values: [String: NDArray<Scalar>], deadline: UInt64 = .max
    ) throws(EvaluationError) -> [NDArray<Scalar>] {
        let sizes = try bindDimensions(values)
        for root in roots where !graph.nodes.indices.contains(root) {
            throw EvaluationError(.shape, "node %\(root) is not in the program's graph")
        }
        let declared = Set(inputs.map(\.name))
        var computed = [NDArray<Scalar>?](repeating: nil, count: graph.nodes.count)
        let order = graph.topologicalOrder(from: roots)
        // Each value is freed after its last use, so memory follows the
        // widest cut of the graph, not its size (a sum of 100,000 operands
        // lowers to as many nested additions).
        var remainingUses = [Int](repeating: 0, count: graph.nodes.count)
        for id in order { for argument in graph[id].arguments { remainingUses[argument] += 1 } }
        for root in roots { remainingUses[root] += 1 }
        for (step, id) in order.enumerated() {
            if deadline != .max, step & 31 == 0, DispatchTime.now().uptimeNanoseconds > deadline {
                throw EvaluationError(.deadline, "the evaluation ran past its deadline")
            }
            let node = graph[id]
            var arguments: [NDArray<Scalar>] = []
            arguments.reserveCapacity(node.arguments.count)
            for argument in node.arguments {
                guard let value = computed[argument] else {
                    throw EvaluationError(.shape, "node %\(id) uses %\(argument) before it is computed")
                }
                arguments.append(value)
            }
            let value: NDArray<Scalar>
            switch node.kind {
            case .input(let name):
                guard declared.contains(name), let given = values[name] else {
                    throw EvaluationError(.shape, "the graph reads input '\(name)', which the program does not declare")
                }
                value = given
            case .constant(let number):
                value = NDArray(scalar: Scalar(number))
            case .apply(let op):
                value = try TensorEvaluation.apply(op, arguments, axis: node.axis)
            }
            // The graph inferred the node's shape symbolically; a concrete disagreement is a bug, reported not trapped.
            if let expected = node.shape.sizes(binding: sizes), expected != value.shape {
                throw EvaluationError(
                    .shape,
                    "node %\(id) (\(node.kind)) evaluated to shape \(NDArray<Scalar>.describe(value.shape)) but its "
                        + "declared shape \(node.shape) is \(NDArray<Scalar>.describe(expected))")
            }
            computed[id] = value
            for argument in node.arguments {
                remainingUses[argument] -= 1
                if remainingUses[argument] == 0 { computed[argument] = nil }
            }
        }
        var results: [NDArray<Scalar>] = []
        for root in roots {
            guard let value = computed[root] else { throw EvaluationError(.shape, "node %\(root) was not computed") }
            results.append(value)
        }
        return results
    }
}

/// The kernels of the evaluator: one operator applied to concrete arrays.
public enum TensorEvaluation {
    /// `op` applied to argument values (the operator's binary IR form: `+` and `*` take two), with `axis` the
    /// normalized axis of a reduction or squeeze (`nil` for a full reduction).
    /// - Throws: ``EvaluationError`` of kind `shape` for a wrong number of arguments, shapes that do not broadcast,
    ///   an axis out of range or a squeeze of a size other than 1; `emptyReduction` for `max` of an empty slice.
    public static func apply<Scalar: EvaluationScalar>(
        _ op: TensorOperator, _ arguments: [NDArray<Scalar>], axis: Int?
    ) throws(EvaluationError) -> NDArray<Scalar> {
        guard arguments.count == op.arity else {
            throw EvaluationError(.shape, "'\(op)' takes \(op.arity) operand(s), got \(arguments.count)")
        }
        switch op.kind {
        case .reduction:
            return try reduce(op, arguments[0], axis: axis)
        case .squeeze:
            return try squeeze(arguments[0], axis: axis ?? 0)
        case .fill:
            let shape = try broadcastShape([arguments[0].shape, arguments[1].shape])
            return try broadcast(arguments[1], to: shape)
        case .elementwise:
            if op == .select {
                return try select(arguments[0], arguments[1], arguments[2])
            }
            if let function = Scalar.unaryOperation(op) {
                return arguments[0].map(function)
            }
            if let function = Scalar.binaryOperation(op) {
                return try zipBroadcast(arguments[0], arguments[1], function)
            }
            throw EvaluationError(.shape, "'\(op)' has no elementwise evaluation")
        }
    }

    /// The numpy broadcast of several shapes, aligned on the right: each axis takes the size that is not 1 (all
    /// such sizes must agree).
    /// - Throws: ``EvaluationError`` of kind `shape` when two sizes differ and neither is 1, or when the result
    ///   would hold more elements than `Int` can count.
    public static func broadcastShape(_ shapes: [[Int]]) throws(EvaluationError) -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for position in 0..<rank {
            for shape in shapes {
                let index = position - (rank - shape.count)
                guard index >= 0 else { continue }
                let size = shape[index]
                if size == 1 || size == result[position] { continue }
                guard result[position] == 1 else {
                    throw EvaluationError(
                        .shape,
                        "shapes " + shapes.map { NDArray<Int>.describe($0) }.joined(separator: " and ")
                            + " do not broadcast")
                }
                result[position] = size
            }
        }
        do {
            _ = try NDArray<Int>.elementCount(of: result)
        } catch {
            throw EvaluationError(.shape, "the broadcast shape \(NDArray<Int>.describe(result)): \(error.message)")
        }
        return result
    }

    /// For each element of `target` in row-major order, the row-major position of the element of an array of
    /// shape `shape` that numpy broadcasting reads there (`shape` must broadcast to `target`).
    /// - Complexity: O(elements of `target`) amortized.
    static func broadcastPositions(from shape: [Int], to target: [Int]) -> [Int] {
        let count = target.reduce(1, *)
        let sourceCount = shape.reduce(1, *)
        if shape == target { return Array(0..<count) }
        if sourceCount == 1 { return [Int](repeating: 0, count: count) }
        // Strides of the source aligned on the right with the target; 0 along broadcast (size-1 or missing) axes.
        let rank = target.count
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            let position = axis + rank - shape.count
            strides[position] = shape[axis] == 1 ? 0 : step
            step *= shape[axis]
        }
        var positions = [Int](repeating: 0, count: count)
        var counter = [Int](repeating: 0, count: rank)
        var source = 0
        for index in 0..<count {
            positions[index] = source
            // Advance the odometer, innermost axis first.
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                source += strides[axis]
                if counter[axis] < target[axis] { break }
                source -= strides[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return positions
    }

    /// `value` broadcast to `shape` (numpy's `broadcast_to`, materialized).
    /// - Throws: ``EvaluationError`` of kind `shape` when `value` does not broadcast to `shape`.
    public static func broadcast<Scalar>(_ value: NDArray<Scalar>, to shape: [Int]) throws(EvaluationError)
        -> NDArray<Scalar>
    {
        guard try broadcastShape([value.shape, shape]) == shape else {
            throw EvaluationError(
                .shape,
                "cannot broadcast shape \(NDArray<Scalar>.describe(value.shape)) to \(NDArray<Scalar>.describe(shape))")
        }
        if value.shape == shape { return value }
        let elements = value.elements
        return NDArray(unchecked: shape, broadcastPositions(from: value.shape, to: shape).map { elements[$0] })
    }

    /// `function` applied elementwise to two broadcast operands.
    static func zipBroadcast<Scalar>(
        _ a: NDArray<Scalar>, _ b: NDArray<Scalar>, _ function: (Scalar, Scalar) -> Scalar
    ) throws(EvaluationError) -> NDArray<Scalar> {
        let shape = try broadcastShape([a.shape, b.shape])
        let x = a.elements
        let y = b.elements
        if a.shape == shape && b.shape == shape {
            return NDArray(unchecked: shape, zip(x, y).map(function))
        }
        if a.shape == shape && y.count == 1 {
            let right = y[0]
            return NDArray(unchecked: shape, x.map { function($0, right) })
        }
        if b.shape == shape && x.count == 1 {
            let left = x[0]
            return NDArray(unchecked: shape, y.map { function(left, $0) })
        }
        let left = broadcastPositions(from: a.shape, to: shape)
        let right = broadcastPositions(from: b.shape, to: shape)
        return NDArray(unchecked: shape, zip(left, right).map { function(x[$0], y[$1]) })
    }

    /// numpy's `where(c != 0, a, b)` over the broadcast of the three shapes.
    static func select<Scalar: EvaluationScalar>(
        _ condition: NDArray<Scalar>, _ a: NDArray<Scalar>, _ b: NDArray<Scalar>
    ) throws(EvaluationError) -> NDArray<Scalar> {
        let shape = try broadcastShape([condition.shape, a.shape, b.shape])
        let c = broadcastPositions(from: condition.shape, to: shape)
        let left = broadcastPositions(from: a.shape, to: shape)
        let right = broadcastPositions(from: b.shape, to: shape)
        var elements: [Scalar] = []
        elements.reserveCapacity(c.count)
        for index in c.indices {
            elements.append(
                condition.elements[c[index]].isNonzero ? a.elements[left[index]] : b.elements[right[index]])
        }
        return NDArray(unchecked: shape, elements)
    }

    /// `value` without axis `axis`, which must have size 1.
    static func squeeze<Scalar>(_ value: NDArray<Scalar>, axis: Int) throws(EvaluationError) -> NDArray<Scalar> {
        guard value.shape.indices.contains(axis) else {
            throw EvaluationError(
                .shape, "cannot squeeze axis \(axis) of shape \(NDArray<Scalar>.describe(value.shape))")
        }
        guard value.shape[axis] == 1 else {
            throw EvaluationError(
                .shape,
                "cannot squeeze axis \(axis) of shape \(NDArray<Scalar>.describe(value.shape)): its size is "
                    + "\(value.shape[axis]), not 1")
        }
        var shape = value.shape
        shape.remove(at: axis)
        return NDArray(unchecked: shape, value.elements)
    }
}
