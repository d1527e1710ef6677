import EGraph

/// A program built into the tensor IR: `grad` expanded, shapes checked, and
/// every subterm computed once.
public struct TensorProgram: Sendable {
    /// The graph holding every node of the program.
    public var graph: TensorGraph
    /// The inputs, in declaration order.
    public var inputs: [(name: String, shape: Shape, node: NodeID)]
    /// The outputs, in declaration order.
    public var outputs: [(name: String, node: NodeID)]
    /// Names the source gave to nodes with `let`, used when printing.
    public var names: [NodeID: String]
    /// Each `grad` the source wrote, as expanded: which function, by which
    /// input, and the node of its gradient. Empty for a program built from
    /// a graph.
    public var gradients: [GradientSite] = []

    /// One `(grad f x)` of the source.
    public struct GradientSite: Sendable, Hashable {
        /// The node of `f`.
        public var function: NodeID
        /// The node of the input `x`.
        public var input: NodeID
        /// The node of the gradient, as reverse mode built it.
        public var gradient: NodeID
    }

    /// Reads and builds a program, reporting every problem at once: syntax,
    /// names, shapes and axes.
    public init(parsing text: String, file: String = "<program>") throws(DiagnosticError) {
        try self.init(ProgramParser().parse(text, file: file))
    }

    /// Builds a parsed program, checking shapes and axes and expanding `grad`.
    public init(_ program: Program) throws(DiagnosticError) {
        var builder = Builder()
        for statement in program.statements { builder.build(statement) }
        try builder.problems.throwIfAny()
        graph = builder.graph
        inputs = builder.inputs
        outputs = builder.outputs
        names = builder.names
        gradients = builder.gradients
    }

    /// A program over an existing graph.
    public init(
        graph: TensorGraph, inputs: [(name: String, shape: Shape, node: NodeID)],
        outputs: [(name: String, node: NodeID)],
        names: [NodeID: String] = [:]
    ) {
        self.graph = graph
        self.inputs = inputs
        self.outputs = outputs
        self.names = names
    }

    private struct Builder {
        var graph = TensorGraph()
        var problems = DiagnosticCollector()
        var scope: [String: NodeID] = [:]
        var inputs: [(name: String, shape: Shape, node: NodeID)] = []
        var outputs: [(name: String, node: NodeID)] = []
        var names: [NodeID: String] = [:]
        var gradients: [GradientSite] = []

        mutating func build(_ statement: Statement) {
            switch statement.kind {
            case .input(let name, let shape):
                let node = graph.input(name, shape: shape)
                scope[name] = node
                inputs.append((name, shape, node))
            case .binding(let name, let value):
                guard let node = build(value) else { return }
                scope[name] = node
                if names[node] == nil, !isLeaf(node) { names[node] = name }
            case .output(let name, let value):
                guard let node = build(value) else { return }
                outputs.append((name, node))
            }
        }

        func isLeaf(_ node: NodeID) -> Bool { graph[node].arguments.isEmpty }

        /// Builds an expression; `nil` after reporting a problem inside it.
        mutating func build(_ expression: Expr) -> NodeID? {
            switch expression.kind {
            case .number(let value):
                return graph.constant(value)
            case .name(let name):
                return scope[name]
            case .apply(let op, let operands, let axis):
                var built: [NodeID] = []
                for operand in operands {
                    guard let node = build(operand) else { return nil }
                    built.append(node)
                }
                do {
                    if op.isVariadic {
                        var result = built[0]
                        for operand in built.dropFirst() { result = try graph.apply(op, [result, operand]) }
                        return result
                    }
                    return try graph.apply(op, built, axis: axis)
                } catch {
                    problems.report("\(Builder.excerpt(expression)): \(error.message)", at: expression.location)
                    return nil
                }
            case .grad(let function, let input):
                guard let built = build(function), let inputNode = scope[input] else { return nil }
                do {
                    let gradient = try graph.gradient(of: built, withRespectTo: inputNode)
                    gradients.append(GradientSite(function: built, input: inputNode, gradient: gradient))
                    return gradient
                } catch {
                    problems.report("\(Builder.excerpt(expression)): \(error.message)", at: expression.location)
                    return nil
                }
            }
        }

        /// The expression's text, shortened for a message.
        static func excerpt(_ expression: Expr) -> String {
            let text = ProgramPrinter.render(expression)
            return text.count <= 60 ? text : String(text.prefix(57)) + "..."
        }
    }
}
