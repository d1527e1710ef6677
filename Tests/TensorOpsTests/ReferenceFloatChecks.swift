import EGraph

@testable import TensorOps

// The helpers the ReferenceFloat test files share.

/// Short, as the tests write many literals of it.
typealias RF = ReferenceFloat

/// Units in the last place between two finite doubles of binary64 (0 for equal values, +0 and −0 included).
func ulpDistance(_ a: Double, _ b: Double) -> UInt64 {
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern & ~(1 << 63))
        return x.sign == .minus ? -bits : bits
    }
    return ordered(a) > ordered(b)
        ? UInt64(bitPattern: ordered(a) &- ordered(b)) : UInt64(bitPattern: ordered(b) &- ordered(a))
}

/// |got − want| / |want| computed in `ReferenceFloat` and returned as a Double (|got| if want is zero).
func relativeError(_ got: RF, _ want: RF) -> Double {
    if want.isZero { return got.magnitude.doubleValue }
    return ((got - want) / want).magnitude.doubleValue
}

/// 2^exponent as an exact `ReferenceFloat`, for any exponent in the type's range.
func powerOfTwo(_ exponent: Int64) -> RF {
    RF.one.scaled(byPowerOfTwo: exponent)
}

/// A random value with a full 256-bit significand: a ratio of random odd integers (whose binary expansion does not
/// terminate), times 2^exponent.
func fullWidthValue(exponent: Int64, using random: inout SplitMix64) -> RF {
    let numerator = RF(random.next() | 1 | 1 << 63)
    let denominator = RF(random.next() >> 1 | 1 | 1 << 62)
    let ratio = numerator / denominator  // in (1, 4)
    return ratio.scaled(byPowerOfTwo: exponent - ratio.exponent)
}
