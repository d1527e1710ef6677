@testable import TensorOps

extension SignFacts {
    /// Every fact `value` has, exactly: what an operator table entry's sign
    /// facts are checked against.
    static func of(_ value: ReferenceFloat) -> SignFacts {
        var facts = SignFacts()
        if value > .zero { facts.insert([.positive, .nonnegative, .nonzero]) }
        if value < .zero { facts.insert([.negative, .nonpositive, .nonzero]) }
        if value.isZero { facts.insert([.nonnegative, .nonpositive]) }
        if value >= .one { facts.insert(.atLeastOne) }
        return facts
    }

    /// Every fact a binary64 value has (converted exactly).
    static func of(_ value: Double) -> SignFacts { of(ReferenceFloat(value)) }
}
