extension TensorEvaluation {
    /// `(sum a k)`, `(max a k)` or `(mean a k)` keeping axis `k` with size 1, or, with `axis == nil`, `(sum a)`,
    /// `(max a)` or `(mean a)` over every axis to a rank-0 result.
    ///
    /// Sums follow numpy's float64 order so that results are bit-identical to `np.sum` (checked against numpy for
    /// ranks 1 to 3, every axis, contiguous arrays and broadcast views):
    /// - over all axes, the flattened row-major array is one run, summed by ``EvaluationScalar/sum(_:)`` (for
    ///   `Double`, numpy's pairwise summation);
    /// - along an axis after which every axis has size 1 (the last axis, typically), each slice along the axis is
    ///   contiguous and numpy's reduce loop sums it as one run, so again ``EvaluationScalar/sum(_:)`` per slice;
    /// - along any other axis, numpy's loop runs over the later axes elementwise and steps through the reduced axis
    ///   in the outer loop, so the slices are added one after another, starting from zero.
    ///
    /// numpy itself departs from the first rule in one case this evaluator does not model: a full `np.sum` of a
    /// broadcast view (the judge's `fill`) with more than 8192 elements is split by numpy's iterator buffer.
    ///
    /// `max` takes the first element of each slice and folds the rest with the scalar's `maximum`, which propagates
    /// NaN, so a slice holding a NaN gives NaN.
    ///
    /// `mean` is the sum, in the order above, divided by the number of elements reduced (the axis's size, or every
    /// element): what `np.mean` computes for float64 and what the judge lowers `mean` to, `(/ (sum a k) count)`, so
    /// the two agree to the bit. An empty slice gives `0 / 0`, NaN, as numpy does.
    /// - Throws: ``EvaluationError`` of kind `shape` for an axis out of range or an operator that is not a
    ///   reduction, `emptyReduction` for `max` over an empty slice (numpy raises too).
    /// - Complexity: O(elements of `value`).
    public static func reduce<Scalar: EvaluationScalar>(
        _ op: TensorOperator, _ value: NDArray<Scalar>, axis: Int?
    ) throws(EvaluationError) -> NDArray<Scalar> {
        if op == .mean {
            // `reduce(.sum, ...)` has checked the axis.
            let total = try reduce(.sum, value, axis: axis)
            let count = axis.map { value.shape[$0] } ?? value.shape.reduce(1, *)
            guard let divide = Scalar.binaryOperation(.divide) else {
                throw EvaluationError(.shape, "the scalar type has no '/'")
            }
            let divisor = Scalar(Double(count))
            return total.map { divide($0, divisor) }
        }
        guard op == .sum || op == .max else { throw EvaluationError(.shape, "'\(op)' is not a reduction") }
        let elements = value.elements
        guard let axis else {
            if op == .sum { return NDArray(scalar: Scalar.sum(elements[...])) }
            return NDArray(scalar: try maximum(of: elements[...], shape: value.shape))
        }
        guard value.shape.indices.contains(axis) else {
            throw EvaluationError(
                .shape,
                "axis \(axis) is out of range for shape \(NDArray<Scalar>.describe(value.shape)) in '\(op)'")
        }
        let length = value.shape[axis]
        let outer = value.shape[..<axis].reduce(1, *)
        let inner = value.shape[(axis + 1)...].reduce(1, *)
        var shape = value.shape
        shape[axis] = 1
        if op == .max {
            guard length > 0 || outer * inner == 0 else {
                throw EvaluationError(
                    .emptyReduction,
                    "max along axis \(axis) of shape \(NDArray<Scalar>.describe(value.shape)): an empty slice has "
                        + "no maximum")
            }
            guard let maximum = Scalar.binaryOperation(.binary(.maximum)) else {
                throw EvaluationError(.shape, "the scalar type has no 'maximum'")
            }
            var result: [Scalar] = []
            result.reserveCapacity(outer * inner)
            for block in 0..<outer {
                for offset in 0..<inner {
                    let base = block * length * inner + offset
                    var best = elements[base]
                    for step in 1..<max(length, 1) { best = maximum(best, elements[base + step * inner]) }
                    result.append(best)
                }
            }
            return NDArray(unchecked: shape, result)
        }
        if inner == 1 {
            // Each slice is a contiguous run: numpy's reduce inner loop, pairwise for float64.
            var result: [Scalar] = []
            result.reserveCapacity(outer)
            for block in 0..<outer {
                result.append(Scalar.sum(elements[(block * length)..<((block + 1) * length)]))
            }
            return NDArray(unchecked: shape, result)
        }
        guard let add = Scalar.binaryOperation(.add) else {
            throw EvaluationError(.shape, "the scalar type has no '+'")
        }
        // The reduced axis is not innermost: numpy adds whole slices in order, elementwise, from zero.
        var result = [Scalar](repeating: Scalar.zero, count: outer * inner)
        for block in 0..<outer {
            for step in 0..<length {
                let source = (block * length + step) * inner
                let target = block * inner
                for offset in 0..<inner {
                    result[target + offset] = add(result[target + offset], elements[source + offset])
                }
            }
        }
        return NDArray(unchecked: shape, result)
    }

    /// The NaN-propagating maximum of a non-empty run.
    private static func maximum<Scalar: EvaluationScalar>(of run: ArraySlice<Scalar>, shape: [Int])
        throws(EvaluationError) -> Scalar
    {
        guard let first = run.first else {
            throw EvaluationError(
                .emptyReduction,
                "max of an empty array (shape \(NDArray<Scalar>.describe(shape))) has no value")
        }
        guard let maximum = Scalar.binaryOperation(.binary(.maximum)) else {
            throw EvaluationError(.shape, "the scalar type has no 'maximum'")
        }
        return run.dropFirst().reduce(first, maximum)
    }
}
