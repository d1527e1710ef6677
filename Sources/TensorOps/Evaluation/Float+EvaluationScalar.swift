import Foundation

// MARK: - binary32 with numpy's semantics

extension Float: EvaluationScalar {
    /// Whether the value is not ±0 (NaN counts as nonzero, as numpy's `c != 0` says).
    public var isNonzero: Bool { self != 0 }

    /// numpy's float32 ufuncs, as ``Swift/Double``'s are its float64 ones: the C library's single-precision
    /// functions (`expf`: `exp(89)` is `inf`), and `sigmoid` and `softplus` in the same overflow-free forms.
    public static func unaryOperation(_ op: TensorOperator) -> (@Sendable (Float) -> Float)? {
        if op == .negate { return { -$0 } }
        return UnaryFunction.of(op)?.binary32
    }

    /// numpy's float32 binary ufuncs: IEEE-754 single-precision arithmetic, `powf`, NaN-propagating
    /// `np.maximum`/`np.minimum`, and comparisons that are false whenever an operand is NaN (except `ne`).
    public static func binaryOperation(_ op: TensorOperator) -> (@Sendable (Float, Float) -> Float)? {
        BinaryFunction.of(op)?.binary32 ?? numpyBinaryOperation(op)
    }

    /// numpy's float32 sum of a contiguous run: pairwise, accumulated in float32, from +0.
    public static func sum(_ run: ArraySlice<Float>) -> Float { 0 + pairwiseSum(run) }
}

extension TensorProgram {
    /// Every output evaluated in `precision` on binary64 input values: in `Double`, or with the inputs (and the
    /// program's constants) rounded to `Float` and every operation rounded to binary32, as numpy's and JAX's
    /// float32 compute. The results are returned as `Double`s, exactly.
    /// - Throws: ``EvaluationError`` as ``evaluate(_:deadline:)``.
    public func evaluate(_ values: [String: NDArray<Double>], in precision: Precision) throws(EvaluationError)
        -> [(name: String, value: NDArray<Double>)]
    {
        switch precision {
        case .float64:
            return try evaluate(values)
        case .float32:
            let rounded = values.mapValues { $0.map { Float($0) } }
            return try evaluate(rounded).map { (name: $0.name, value: $0.value.map { Double($0) }) }
        }
    }
}
