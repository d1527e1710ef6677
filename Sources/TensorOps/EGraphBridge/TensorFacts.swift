import EGraph

/// Axes counted from the end (1 is the last axis), as a bit set: the
/// coordinates in which right-aligned broadcasting keeps an axis's meaning
/// across operands of different ranks.
public struct AxisSet: Hashable, Sendable, CustomStringConvertible {
    /// Bit `k - 1` holds axis `-k`.
    public var bits: UInt64

    /// A set from raw bits.
    public init(bits: UInt64 = 0) { self.bits = bits }

    /// Every axis.
    public static let all = AxisSet(bits: .max)

    /// Whether axis `-k` is in the set (`k` ≥ 1; axes past 64 are not tracked).
    public func contains(fromEnd k: Int) -> Bool { k >= 1 && k <= 64 && bits & (1 << UInt64(k - 1)) != 0 }

    /// The set with axis `-k` added.
    public func inserting(fromEnd k: Int) -> AxisSet {
        k >= 1 && k <= 64 ? AxisSet(bits: bits | (1 << UInt64(k - 1))) : self
    }

    /// The axes as negative indices, for printing.
    public var description: String {
        "{" + (1...64).filter { contains(fromEnd: $0) }.map { "-\($0)" }.joined(separator: " ") + "}"
    }
}

/// Real-valued sign facts, as an option set: each one proved for every
/// element of the value over the reals, whatever the (finite) inputs.
///
/// They are never read off float intervals: `exp(-1e4)` rounds to 0 in
/// binary64 yet is positive, and a rule guarded by "positive" must see that.
public struct SignFacts: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bits.
    public var rawValue: UInt8
    /// An option set from raw bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Every element is > 0.
    public static let positive = SignFacts(rawValue: 1)
    /// Every element is ≥ 0.
    public static let nonnegative = SignFacts(rawValue: 2)
    /// Every element is < 0.
    public static let negative = SignFacts(rawValue: 4)
    /// Every element is ≤ 0.
    public static let nonpositive = SignFacts(rawValue: 8)
    /// Every element is ≠ 0.
    public static let nonzero = SignFacts(rawValue: 16)
    /// Every element is ≥ 1.
    public static let atLeastOne = SignFacts(rawValue: 32)

    /// The facts that follow from these (positive implies nonnegative and
    /// nonzero, and so on), so every check reads one bit.
    public var closed: SignFacts {
        var facts = self
        if facts.contains(.atLeastOne) { facts.insert(.positive) }
        if facts.contains(.positive) { facts.formUnion([.nonnegative, .nonzero]) }
        if facts.contains(.negative) { facts.formUnion([.nonpositive, .nonzero]) }
        return facts
    }

    /// The names of the facts.
    public var description: String {
        let names: [(SignFacts, String)] = [
            (.positive, "pos"), (.nonnegative, "nonneg"), (.negative, "neg"), (.nonpositive, "nonpos"),
            (.nonzero, "nonzero"), (.atLeastOne, ">=1"),
        ]
        return names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}

/// A closed interval of binary64 values that every element of a value lies
/// in when evaluated in binary64, infinities included: what the stability
/// cost reads to see that `exp` may overflow or `log` may meet 0.
public struct ValueInterval: Hashable, Sendable, CustomStringConvertible {
    /// The least possible element.
    public var lower: Double
    /// The greatest possible element.
    public var upper: Double

    /// An interval; NaN bounds widen to the whole line.
    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower.isNaN ? -.infinity : lower
        self.upper = upper.isNaN ? .infinity : upper
    }

    /// Anything, infinities included.
    public static let everything = ValueInterval(-.infinity, .infinity)

    /// Whether the interval holds `value`.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// `[lower, upper]`.
    public var description: String { "[\(lower), \(upper)]" }
}

/// A class "is the maximum (or its negation) of class `of` along axis `axis`
/// from the end": the relation that lets the analysis see `x - max_k(x)`.
public struct MaximumRelation: Hashable, Sendable, Comparable {
    /// The class whose maximum is taken.
    public var of: ClassID
    /// The axis, counted from the end (negative), or ``overall``.
    public var axis: Int

    /// The axis value of a maximum over all elements (`(max x)`), which no
    /// real axis, counted from the end, ever has.
    public static let overall = 0

    /// Orders by class, then axis, so sets of relations are canonical.
    public static func < (lhs: MaximumRelation, rhs: MaximumRelation) -> Bool {
        (lhs.of, lhs.axis) < (rhs.of, rhs.axis)
    }
}

/// Everything the tensor analysis knows of one e-class.
public struct TensorFacts: Hashable, Sendable, CustomStringConvertible {
    /// The shape, which every node of the class shares: rewrites never
    /// change a value's shape.
    public var shape: Shape
    /// Axes (from the end) along which the value does not vary, beyond the
    /// axes the shape makes trivially constant (missing or of size 1).
    public var constantAxes = AxisSet()
    /// The exact real value of every element, when known.
    public var value: Double?
    /// Sign facts over the reals.
    public var signs = SignFacts()
    /// The binary64 range of the elements.
    public var interval = ValueInterval.everything
    /// Axes along which the value is `x - max(x)` for some `x`: it is ≤ 0 and
    /// its maximum along the axis is exactly 0.
    public var shiftedAlong = AxisSet()
    /// Axes along which every slice holds a 1 and lies in [0, 1] (the `exp`
    /// of a shifted value).
    public var holdsOneAlong = AxisSet()
    /// Whether the value is `x - max(x)`, the maximum over all elements: it
    /// is ≤ 0 and its largest element is exactly 0.
    public var isShiftedOverall = false
    /// Whether the value holds a 1 and lies in [0, 1] (the `exp` of a value
    /// shifted overall).
    public var holdsOneOverall = false
    /// Axes along which the value is `x / max(|x|)` for some `x`: it lies
    /// in [-1, 1] and each slice holds a 1 or a -1 (a slice of zeros, 0/0,
    /// aside: the norm it serves is 0 there too).
    public var unitScaledAlong = AxisSet()
    /// Whether the value is `x / max(|x|)` over all elements.
    public var isUnitScaledOverall = false
    /// The classes and axes this class is the maximum of.
    public var maximumOf: [MaximumRelation] = []
    /// The classes and axes this class is the negated maximum of.
    public var negatedMaximumOf: [MaximumRelation] = []

    /// Facts about a value of the given shape and nothing else.
    public init(shape: Shape) { self.shape = shape }

    /// Whether the value does not vary along axis `-k` (`k` ≥ 1).
    public func isConstant(alongFromEnd k: Int) -> Bool {
        if value != nil || k > shape.rank { return true }
        return shape.dims[shape.rank - k].isOne || constantAxes.contains(fromEnd: k)
    }

    /// The facts, compactly.
    public var description: String {
        var parts = ["shape \(shape)"]
        if let value { parts.append("value \(value)") }
        if !signs.isEmpty { parts.append(signs.description) }
        if interval != .everything { parts.append("in \(interval)") }
        if constantAxes.bits != 0 { parts.append("const \(constantAxes)") }
        if shiftedAlong.bits != 0 { parts.append("shifted \(shiftedAlong)") }
        if holdsOneAlong.bits != 0 { parts.append("holds-1 \(holdsOneAlong)") }
        if isShiftedOverall { parts.append("shifted overall") }
        if holdsOneOverall { parts.append("holds-1 overall") }
        if unitScaledAlong.bits != 0 { parts.append("unit-scaled \(unitScaledAlong)") }
        if isUnitScaledOverall { parts.append("unit-scaled overall") }
        return parts.joined(separator: "; ")
    }
}
