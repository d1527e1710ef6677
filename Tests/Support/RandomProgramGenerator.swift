import EGraph
import TensorOps

/// Seeded random well-shaped programs, for property tests in every test
/// target: inputs of rank 0 to 3 over named (`n`, `m`) and sized (3, 1) dims,
/// so operands broadcast against each other; every operator of the language;
/// reductions on every axis (counted from either end) and over all axes;
/// `let`s that later expressions use, often more than once; and `grad`,
/// including the gradient of a gradient.
///
/// The same seed gives the same sequence of programs on every platform: all
/// draws come from `SplitMix64`. The programs aim to build, but a few do not
/// (a `grad` through a `squeeze`, say), so callers build them with
/// `TensorProgram(_:)` and skip those that throw.
public struct RandomProgramGenerator {
    /// The random source, advanced by every program drawn.
    public var random: SplitMix64
    /// The deepest expression built.
    public var maximumDepth = 4

    private var inputs: [(name: String, shape: Shape)] = []
    private var lets: [(name: String, shape: Shape)] = []

    /// A generator whose programs are determined by `seed`.
    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The next random program: 1 to 3 inputs `x0`, `x1`, ..., 0 to 2 `let`s
    /// `t0`, `t1`, and 1 to 2 outputs `y0`, `y1`, about half of them
    /// gradients.
    public mutating func program() -> Program {
        inputs = []
        lets = []
        var statements: [Statement] = []
        let dims: [Dim] = [.named("n"), .named("m"), .size(3), .size(1)]
        for index in 0..<Int.random(in: 1...3, using: &random) {
            let rank = Int.random(in: 0...3, using: &random)
            let shape = Shape((0..<rank).map { _ in dims.randomElement(using: &random)! })
            inputs.append(("x\(index)", shape))
            statements.append(Statement(.input(name: "x\(index)", shape: shape)))
        }
        for index in 0..<Int.random(in: 0...2, using: &random) {
            let (value, shape) = expression(depth: 0)
            lets.append(("t\(index)", shape))
            statements.append(Statement(.binding(name: "t\(index)", value: value)))
        }
        for index in 0..<Int.random(in: 1...2, using: &random) {
            let (value, _) = Bool.random(using: &random) ? gradient() : expression(depth: 0)
            statements.append(Statement(.output(name: "y\(index)", value: value)))
        }
        return Program(statements)
    }

    private mutating func gradient() -> (Expr, Shape) {
        let input = inputs.randomElement(using: &random)!
        var (function, _) = expression(depth: 1)
        if Int.random(in: 0..<4, using: &random) == 0 {
            // A second-order gradient: the gradient of a gradient's sum.
            function = Expr(.grad(function, withRespectTo: input.name))
        }
        return (Expr(.grad(Expr(.apply(.sum, [function], axis: nil)), withRespectTo: input.name)), input.shape)
    }

    private mutating func leaf() -> (Expr, Shape) {
        let names = inputs + lets
        if Int.random(in: 0..<5, using: &random) == 0 || names.isEmpty {
            let numbers: [Double] = [0, 1, -1, 2, 0.5, 1e-18, 1e18, -3.25, .infinity, 1e-300]
            return (Expr(.number(numbers.randomElement(using: &random)!)), .scalar)
        }
        let chosen = names.randomElement(using: &random)!
        return (Expr(.name(chosen.name)), chosen.shape)
    }

    private mutating func expression(depth: Int) -> (Expr, Shape) {
        if depth >= maximumDepth || Int.random(in: 0..<3, using: &random) == 0 { return leaf() }
        let (operand, shape) = expression(depth: depth + 1)
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            let unary: [TensorOperator] = [.negate] + UnaryFunction.table.map(\.op)
            return (Expr(.apply(unary.randomElement(using: &random)!, [operand], axis: nil)), shape)
        case 1 where shape.rank > 0:
            let axis = Int.random(in: -shape.rank..<shape.rank, using: &random)
            let op = reductions.randomElement(using: &random)!
            let normalized = axis < 0 ? axis + shape.rank : axis
            return (Expr(.apply(op, [operand], axis: axis)), shape.reducing(axis: normalized))
        case 2:
            let op = reductions.randomElement(using: &random)!
            return (Expr(.apply(op, [operand], axis: nil)), .scalar)
        case 3 where shape.dims.contains(.size(1)):
            let axis = shape.dims.firstIndex(of: .size(1))!
            return (Expr(.apply(.squeeze, [operand], axis: axis)), shape.removing(axis: axis))
        case 4:
            return (Expr(.apply(.fill, [operand, scalarNumber()], axis: nil)), shape)
        case 5:
            let (other, otherShape) = expression(depth: depth + 1)
            guard let joined = Shape.broadcast(shape, otherShape) else { return (operand, shape) }
            let (third, thirdShape) = leaf()
            if Bool.random(using: &random), let all = Shape.broadcast(joined, thirdShape) {
                return (Expr(.apply(.select, [operand, other, third], axis: nil)), all)
            }
            let binary: [TensorOperator] =
                [.add, .subtract, .multiply, .divide] + BinaryFunction.table.map(\.op)
            return (Expr(.apply(binary.randomElement(using: &random)!, [operand, other], axis: nil)), joined)
        default:
            let (other, otherShape) = leaf()
            guard let joined = Shape.broadcast(shape, otherShape) else { return (operand, shape) }
            let op: TensorOperator = Bool.random(using: &random) ? .add : .multiply
            return (Expr(.apply(op, [operand, other, scalarNumber()], axis: nil)), joined)
        }
    }

    /// The reductions drawn, each with and without an axis.
    private let reductions: [TensorOperator] = [.sum, .max, .mean]

    /// A small scalar number literal.
    private mutating func scalarNumber() -> Expr {
        Expr(.number([0.5, 2, -1, 3].randomElement(using: &random)!))
    }
}
