import Foundation

/// A number type the evaluator can compute programs in: the elementwise operators of the language with this
/// type's semantics, and how a run of elements is summed.
///
/// Two conformances ship: `Double`, which reproduces numpy's float64 results (what the judge's float64 evaluator
/// computes, `_apply_f64` in `judge.py`), and ``ReferenceFloat``, which follows the judge's mpmath evaluator
/// (`_mp_ops`) and gives the true value that binary64 results are measured against.
///
/// The operations are handed out as closures, once per operator, so that the evaluator's loops over the elements
/// do not switch on the operator for every element.
public protocol EvaluationScalar: Sendable {
    /// The value of a binary64 number (an input element or a constant of the program): exact for both shipped
    /// types.
    init(_ value: Double)

    /// Zero, the start of a sum.
    static var zero: Self { get }

    /// Whether the value is NaN.
    var isNaN: Bool { get }

    /// Whether `where` picks its second operand for this condition: any value other than ±0, NaN included (numpy's
    /// `c != 0` and mpmath's agree on that).
    var isNonzero: Bool { get }

    /// The function computing elementwise unary operator `op` (`neg exp log log1p expm1 sqrt abs tanh sigmoid
    /// softplus`), or `nil` when `op` is not one of them.
    static func unaryOperation(_ op: TensorOperator) -> (@Sendable (Self) -> Self)?

    /// The function computing elementwise binary operator `op` (`+ - * / pow maximum minimum eq ne lt le gt ge`),
    /// or `nil` when `op` is not one of them. Comparisons give 1 where true and 0 where false.
    static func binaryOperation(_ op: TensorOperator) -> (@Sendable (Self, Self) -> Self)?

    /// The sum of a contiguous run of elements, the way this type's evaluator sums the run (the whole array for
    /// `(sum a)`, one row for a reduction along the last axis); an empty run sums to zero.
    static func sum(_ run: ArraySlice<Self>) -> Self
}

// MARK: - binary64 with numpy's semantics

extension Double: EvaluationScalar {
    /// Whether the value is not ±0 (NaN counts as nonzero, as numpy's `c != 0` says).
    public var isNonzero: Bool { self != 0 }

    /// numpy's float64 ufuncs: IEEE-754 results with the C library's specials (`exp(1000)` is `inf`, `log(0)` is
    /// `-inf`, `log(-1)` and `sqrt(-1)` are `nan`), `sigmoid` and `softplus` computed stably exactly as the
    /// judge's `_sigmoid64` and `_softplus64` do.
    ///
    /// `exp`, `log`, `log1p`, `expm1` and `tanh` (and `pow`) are the C library's. numpy picks its own SIMD versions
    /// at run time by CPU (AVX-512 here), which differ from glibc's by at most 1 ulp (3 for `tanh`) on a few
    /// percent of random arguments (measured with numpy 2.4.6): results are bit-identical to numpy's except
    /// downstream of those functions, where a cancellation such as `log1p(tanh(x))` can magnify the difference.
    public static func unaryOperation(_ op: TensorOperator) -> (@Sendable (Double) -> Double)? {
        if op == .negate { return { -$0 } }
        return UnaryFunction.of(op)?.binary64
    }

    /// numpy's float64 binary ufuncs: IEEE-754 arithmetic, `np.power` (the C library's `pow`, with its specials
    /// such as `pow(x, 0) = 1` even for NaN), NaN-propagating `np.maximum`/`np.minimum`, and comparisons that are
    /// false whenever an operand is NaN (except `ne`, which is true).
    public static func binaryOperation(_ op: TensorOperator) -> (@Sendable (Double, Double) -> Double)? {
        BinaryFunction.of(op)?.binary64 ?? numpyBinaryOperation(op)
    }

    /// numpy's float64 sum of a contiguous run: `0.0 + pairwise(run)` (numpy's add-reduce starts from its identity
    /// 0.0, so a sum of `-0.0`s is `+0.0`). See ``numpyPairwiseSum(_:)``.
    public static func sum(_ run: ArraySlice<Double>) -> Double {
        0.0 + numpyPairwiseSum(run)
    }

    /// numpy's pairwise summation (`pairwise_sum` in `numpy/_core/src/umath/loops_utils.h.src`), which numpy
    /// applies to every contiguous run it reduces with `np.add`.
    ///
    /// Fewer than 8 elements are added one after another. Up to 128 (numpy's `PW_BLOCKSIZE`), eight accumulators
    /// take every eighth element and are combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, then the
    /// remaining `n mod 8` elements are added in order. Longer runs split at `n / 2` rounded down to a multiple of 8
    /// and recurse. The grouping, not just the set of additions, must match for the results to be bit-identical.
    /// - Complexity: O(n), recursion depth O(log n).
    public static func numpyPairwiseSum(_ run: ArraySlice<Double>) -> Double { pairwiseSum(run) }
}

/// numpy's pairwise summation in any binary floating-point format: numpy sums float32 arrays in float32 with the
/// same grouping as float64 ones (see ``Swift/Double/numpyPairwiseSum(_:)``).
/// - Complexity: O(n), recursion depth O(log n).
func pairwiseSum<T: BinaryFloatingPoint>(_ run: ArraySlice<T>) -> T {
    let count = run.count
    let start = run.startIndex
    if count < 8 {
        // The sign of a zero total cannot show: `sum` adds the result to +0.0, as numpy does.
        var total: T = 0
        for element in run { total += element }
        return total
    }
    if count <= 128 {
        var r0 = run[start]
        var r1 = run[start + 1]
        var r2 = run[start + 2]
        var r3 = run[start + 3]
        var r4 = run[start + 4]
        var r5 = run[start + 5]
        var r6 = run[start + 6]
        var r7 = run[start + 7]
        let blocked = count - count % 8
        var index = start + 8
        while index < start + blocked {
            r0 += run[index]
            r1 += run[index + 1]
            r2 += run[index + 2]
            r3 += run[index + 3]
            r4 += run[index + 4]
            r5 += run[index + 5]
            r6 += run[index + 6]
            r7 += run[index + 7]
            index += 8
        }
        var total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while index < run.endIndex {
            total += run[index]
            index += 1
        }
        return total
    }
    var half = count / 2
    half -= half % 8
    return pairwiseSum(run[start..<start + half]) + pairwiseSum(run[(start + half)...])
}

/// `np.maximum`: NaN when either operand is NaN, otherwise the larger (the first on ties).
@Sendable func numpyMaximum<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    if a.isNaN || b.isNaN { return .nan }
    return a >= b ? a : b
}

/// `np.minimum`: NaN when either operand is NaN, otherwise the smaller (the first on ties).
@Sendable func numpyMinimum<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    if a.isNaN || b.isNaN { return .nan }
    return a <= b ? a : b
}

/// numpy's arithmetic ufuncs in either binary format (float64's ``Swift/Double``
/// and float32's ``Swift/Float`` alike): IEEE-754 `+`, `-`, `*` and `/`. The
/// other functions of two operands are ``BinaryFunction`` entries.
func numpyBinaryOperation<T: BinaryFloatingPoint & ElementaryFunctions & Sendable>(
    _ op: TensorOperator
) -> (@Sendable (T, T) -> T)? {
    switch op {
    case .add: return { $0 + $1 }
    case .subtract: return { $0 - $1 }
    case .multiply: return { $0 * $1 }
    case .divide: return { $0 / $1 }
    default: return nil
    }
}
