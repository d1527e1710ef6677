/// The reference evaluator's semantics: the judge's mpmath evaluator (`_mp_ops` in `judge.py`), computed with
/// ``ReferenceFloat``'s 256-bit significand and 62-bit exponent, so `exp(1e18)` and `exp(-1e18)` are ordinary
/// finite values and the true result of a program rounds correctly to binary64 at the end.
///
/// mpmath has no signed zero, and its specials differ from IEEE's where the sign of a zero would matter: `x / 0` is
/// `+inf` for every `x > 0` and `-inf` for every `x < 0` whatever the zero, `0 / 0` and `nan / 0` are NaN, and
/// `pow(0, y)` is `0` for `y > 0` and `+inf` for `y < 0`. To reproduce that, every result here that is a zero is
/// made `+0`. The other specials: `log` of a negative number and `sqrt` of a negative number are NaN, `log(0)` is
/// `-inf`, `log1p(x)` is NaN below -1 and `-inf` at -1, `tanh(±inf)` is ±1, `maximum`/`minimum` propagate NaN,
/// and `pow` follows the judge's `power` (`pow(x, 0) = pow(1, y) = 1` even for NaN, `pow(-1, ±inf) = 1`, a negative
/// base with a non-integral exponent gives NaN).
///
/// One limit: mpmath's exponent is unbounded, this one stops at about ±4.6·10^18 binary orders of magnitude, so
/// `exp(x)` for finite `|x|` above about 3.2·10^18 has no value here. It is NaN, "unknown", rather than `inf` or
/// `0`: `log(n·exp(-1e30))` is `-1e30 + log n`, and a flushed `0` would make the truth a confident, wrong `-inf`
/// that scores the right answer as wrong. A NaN truth is not scored.
extension ReferenceFloat: EvaluationScalar {
    /// Whether the value is not zero (NaN counts as nonzero: mpmath's `nan != 0` is true).
    public var isNonzero: Bool { !isZero }

    /// The unary operators with the judge's mpmath semantics (see the extension's documentation).
    public static func unaryOperation(_ op: TensorOperator) -> (@Sendable (ReferenceFloat) -> ReferenceFloat)? {
        if op == .negate { return { unsigned(-$0) } }
        return UnaryFunction.of(op)?.reference
    }

    /// The binary operators with the judge's mpmath semantics (see the extension's documentation).
    public static func binaryOperation(
        _ op: TensorOperator
    ) -> (@Sendable (ReferenceFloat, ReferenceFloat) -> ReferenceFloat)? {
        if let function = BinaryFunction.of(op) { return function.reference }
        switch op {
        case .add: return { unsigned($0 + $1) }
        case .subtract: return { unsigned($0 - $1) }
        case .multiply: return { unsigned($0 * $1) }
        case .divide: return judgeDivide
        default: return nil
        }
    }

    /// The elements added in order, each sum rounded to 256 bits; NaN if any element is NaN, and `inf - inf` is
    /// NaN. (The judge uses mpmath's `fsum`, which keeps about twice its working precision while summing; the
    /// order hardly matters at 256 bits, and adding in order keeps the result independent of the layout.)
    /// - Complexity: O(n).
    public static func sum(_ run: ArraySlice<ReferenceFloat>) -> ReferenceFloat {
        var total = zero
        for element in run { total = total + element }
        return unsigned(total)
    }

    /// `x` with a zero made `+0`: mpmath has a single, unsigned zero.
    @inline(__always) static func unsigned(_ x: ReferenceFloat) -> ReferenceFloat {
        x.isZero ? zero : x
    }
}

/// The judge's `div`: a zero divisor gives NaN for a zero or NaN dividend and otherwise an infinity with the
/// dividend's sign, whatever the sign of the zero.
@Sendable private func judgeDivide(_ a: ReferenceFloat, _ b: ReferenceFloat) -> ReferenceFloat {
    if b.isZero {
        if a.isZero || a.isNaN { return .nan }
        return a > .zero ? .infinity : -ReferenceFloat.infinity
    }
    return ReferenceFloat.unsigned(a / b)
}

/// The judge's `power` (mpmath with IEEE-like specials): `pow(a, 0)` and `pow(1, b)` are 1 even for NaN; otherwise
/// NaN operands give NaN; `pow(0, b)` is 0 for `b > 0` and `+inf` for `b < 0`; a negative base needs an integral
/// exponent (NaN otherwise); the infinite cases follow the limits. The finite cases are ``ReferenceFloat/pow(_:_:)``.
@Sendable func judgePower(_ a: ReferenceFloat, _ b: ReferenceFloat) -> ReferenceFloat {
    if b.isZero || a == .one { return .one }
    if a.isNaN || b.isNaN { return .nan }
    if a.isZero { return b > .zero ? .zero : .infinity }
    if a.isInfinite && a < .zero && b < .zero { return .zero }
    return ReferenceFloat.unsigned(ReferenceFloat.pow(a, b))
}
