import Foundation

/// How far a binary64 result is from the truth, defined once for the project and identical to the judge's metrics
/// (`herbie_bits` and the "ar bits" of `score_output` in `judge.py`).
///
/// The truth is the correctly rounded binary64 value of the exact result (for a ``ReferenceFloat`` truth, its
/// ``ReferenceFloat/doubleValue``): rounding it first is what the judge does, it makes a correctly rounded result
/// score exactly 0, and it keeps both measures functions of two doubles.
///
/// Common rules, in both measures:
/// - a NaN truth is not scored (`nil`): the program is undefined there and any answer is acceptable;
/// - a NaN or infinite result where the truth is finite scores ``maximumBits`` (64), the worst possible;
/// - an infinite truth is matched only by the same infinity (0 bits).
public enum ErrorMeasure {
    /// The score of a result that is NaN or infinite where the truth is finite, and the cap of both measures.
    public static let maximumBits = 64.0

    /// The position of `x` on the line of binary64 values: consecutive doubles have consecutive ordinals, `-0` and
    /// `+0` both have ordinal 0, and `±infinity` sit one step beyond `±greatestFiniteMagnitude`. `nil` for NaN.
    ///
    /// Positive doubles are ordered like their bit patterns read as integers; negative ones are mirrored around 0.
    public static func ordinal(_ x: Double) -> Int64? {
        guard !x.isNaN else { return nil }
        let magnitude = Int64(bitPattern: x.magnitude.bitPattern)
        return x.sign == .minus ? -magnitude : magnitude
    }

    /// The number of steps between two doubles along the line of binary64 values: 0 for equal values (and for `-0`
    /// against `+0`), 1 for adjacent ones. `nil` if either is NaN.
    public static func ulpDistance(_ a: Double, _ b: Double) -> UInt64? {
        guard let x = ordinal(a), let y = ordinal(b) else { return nil }
        // |x - y| < 2^64 always (each ordinal is below 2^63 in magnitude), so the unsigned difference is exact.
        return x >= y ? UInt64(bitPattern: x &- y) : UInt64(bitPattern: y &- x)
    }

    /// Bits of error (Herbie's measure): `log2(1 + d)` with `d` the ``ulpDistance(_:_:)`` between the result `c`
    /// and the truth `t`.
    ///
    /// Why: it counts how many of the low-order bits of the result are wrong, uniformly across magnitudes, so that
    /// equal values score 0, adjacent doubles score exactly 1, and a result off by a factor of 2 scores about 52.
    /// Its weakness is a zero truth: every nonzero result is then some 2^62 steps away and scores about 62 however
    /// small it is (see ``mixedBits(computed:truth:sensitivity:in:)``).
    ///
    /// Specials: `nil` for a NaN truth; ``maximumBits`` for a NaN result, and for a non-finite result where the
    /// truth is finite; for an infinite truth, 0 if the result is the same infinity, otherwise the distance (which
    /// is large unless the result is a huge finite number of the same sign).
    public static func bits(computed c: Double, truth t: Double) -> Double? {
        if t.isNaN { return nil }
        if c.isNaN || (t.isFinite && !c.isFinite) { return maximumBits }
        guard let distance = ulpDistance(c, t) else { return maximumBits }
        return min(maximumBits, Foundation.log2(1 + Double(distance)))
    }

    /// ``bits(computed:truth:)`` with the truth given exactly; it is rounded to binary64 first.
    public static func bits(computed c: Double, exactTruth t: ReferenceFloat) -> Double? {
        bits(computed: c, truth: t.doubleValue)
    }

    /// Mixed absolute/relative bits of error (the judge's "ar bits"):
    /// `log2(1 + |c − t| / max(2^-52 · max(|t|, 1), s))`, capped at ``maximumBits``, with `s` an optional
    /// sensitivity (0 by default).
    ///
    /// Why: the error is measured relative to `|t|` where `|t| ≥ 1` and absolutely (in units of 2^-52) below, so a
    /// tiny nonzero result where the truth is exactly 0 — the best binary64 can do for the gradient of
    /// `sum(softmax(x))`, which is identically 0 — scores about 0 instead of the ~62 of ``bits(computed:truth:)``.
    /// One unit is one rounding error of a number near 1, so `log2(1 + 1) = 1` bit is a single rounding.
    ///
    /// With a sensitivity `s`, the largest change of the true result when every input moves by one unit in its
    /// 52nd bit, this is the judge's "cond bits", its verdict metric: it forgives the error that rounding the
    /// inputs to binary64 already causes.
    ///
    /// In binary32 (`precision`), the unit is 2^-23 rather than 2^-52: the same measure for results computed in
    /// `Float`, against a truth rounded to it.
    ///
    /// Specials: as ``bits(computed:truth:)``, except that a finite result against an infinite truth scores
    /// ``maximumBits``, as does a difference that overflows.
    public static func mixedBits(
        computed c: Double, truth t: Double, sensitivity s: Double = 0, in precision: Precision = .float64
    ) -> Double? {
        if t.isNaN { return nil }
        if !t.isFinite { return c == t ? 0 : maximumBits }
        guard c.isFinite else { return maximumBits }
        let difference = Swift.abs(c - t)
        guard difference.isFinite else { return maximumBits }
        let unit = precision.unitRoundoff * max(Swift.abs(t), 1)
        let scale = s.isFinite ? max(unit, s) : unit
        return min(maximumBits, Foundation.log2(1 + difference / scale))
    }

    /// ``mixedBits(computed:truth:sensitivity:in:)`` with the truth given exactly; it is rounded to `precision`
    /// first (through binary64, whose rounding error is far below binary32's).
    public static func mixedBits(
        computed c: Double, exactTruth t: ReferenceFloat, sensitivity s: Double = 0, in precision: Precision = .float64
    ) -> Double? {
        mixedBits(computed: c, truth: precision.rounded(t.doubleValue), sensitivity: s, in: precision)
    }
}
