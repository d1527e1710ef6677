import Foundation

/// The floating-point format a program is evaluated in, and so the thresholds
/// its numerical risks are judged by.
///
/// Programs are written once and run in either format: numpy and PyTensor
/// compute in binary64 by default, JAX in binary32, where `exp` overflows
/// past 88.72 rather than 709.78 and a value below about 1.2e-38 (rather than
/// 2.2e-308) is no longer normal. The stability cost and the accuracy probe
/// read the thresholds from here, and `saturate eval --precision float32`
/// evaluates in `Float`.
public enum Precision: String, CaseIterable, Sendable {
    /// IEEE 754 binary64, numpy's float64: the default.
    case float64
    /// IEEE 754 binary32, numpy's and JAX's float32.
    case float32

    /// The largest argument whose `exp` is finite in this format: the
    /// logarithm of its greatest finite value.
    public var largestExpArgument: Double {
        switch self {
        case .float64: return Foundation.log(Double.greatestFiniteMagnitude)
        case .float32: return Foundation.log(Double(Float.greatestFiniteMagnitude))
        }
    }

    /// The least positive normal value of this format: below it, division
    /// and `log` lose precision or meet 0.
    public var leastNormal: Double {
        switch self {
        case .float64: return Double.leastNormalMagnitude
        case .float32: return Double(Float.leastNormalMagnitude)
        }
    }

    /// The distance from 1 to the next value of this format (2^-52, 2^-23):
    /// one rounding of a number near 1, the unit of the judge's cond bits.
    public var unitRoundoff: Double {
        switch self {
        case .float64: return Double.ulpOfOne
        case .float32: return Double(Float.ulpOfOne)
        }
    }

    /// `value` rounded to the nearest value of this format (to ±infinity
    /// past its greatest finite value), as a `Double`.
    public func rounded(_ value: Double) -> Double {
        switch self {
        case .float64: return value
        case .float32: return Double(Float(value))
        }
    }
}
