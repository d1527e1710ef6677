/// What the e-graph must know about a term language's operators.
///
/// The engine runs any language: every symbol is an operator of any arity.
/// A signature adds only what changes how nodes are stored or patterns read:
/// - associative-commutative operators, stored as flattened n-ary nodes whose
///   children are a sorted multiset;
/// - units of AC operators (`0` for `+`), used when a rest variable binds the
///   empty multiset;
/// - attribute counts: how many trailing arguments of an operator are literal
///   attributes (an axis, say) rather than children.
public struct Signature: Sendable, Equatable {
    /// Flags by symbol raw value: a dense table because `isAC` runs on every
    /// node added.
    private var acFlags: [Bool] = []
    private var acList: [Symbol] = []
    private var unitTable: [Symbol: Literal] = [:]
    private var attributeTable: [Symbol: Int] = [:]
    private var attributeNotes: [Symbol: String] = [:]

    /// A signature with no AC operators and no attributes.
    public init() {}

    /// The AC operators, in the order they were declared.
    public var acOperators: [Symbol] { acList }

    /// Whether `op` is associative-commutative.
    @inlinable public func isAC(_ op: Symbol) -> Bool {
        let index = Int(op.rawValue)
        return index < acFlagsCount && acFlag(at: index)
    }

    @usableFromInline var acFlagsCount: Int { acFlags.count }
    @usableFromInline func acFlag(at index: Int) -> Bool { acFlags[index] }

    /// Declares `op` associative-commutative.
    public mutating func declareAC(_ op: Symbol) {
        let index = Int(op.rawValue)
        if index >= acFlags.count { acFlags += Array(repeating: false, count: index + 1 - acFlags.count) }
        if !acFlags[index] {
            acFlags[index] = true
            acList.append(op)
        }
    }

    /// Declares the unit of an AC operator: the value of its empty application.
    public mutating func declareUnit(_ unit: Literal, of op: Symbol) {
        unitTable[op] = unit
    }

    /// The unit of `op`, if declared.
    public func unit(of op: Symbol) -> Literal? { unitTable[op] }

    /// Declares that the last `count` arguments of `op` are literal attributes.
    /// - Parameters:
    ///   - count: how many trailing arguments are attributes.
    ///   - op: the operator.
    ///   - note: what the attributes are, in words a rule writer reads when a
    ///     rule gets them wrong (an operand where an axis belongs, say);
    ///     appended to those errors.
    public mutating func declareAttributes(_ count: Int, of op: Symbol, note: String? = nil) {
        attributeTable[op] = count
        attributeNotes[op] = note
    }

    /// The number of trailing literal attributes of `op` (0 or 1 today).
    public func attributeCount(of op: Symbol) -> Int { attributeTable[op] ?? 0 }

    /// What `op`'s attributes are, as declared, for error messages.
    public func attributeNote(of op: Symbol) -> String? { attributeNotes[op] }

    /// The union of two signatures; declarations in `other` win on conflict.
    public func merging(_ other: Signature) -> Signature {
        var merged = self
        for op in other.acList { merged.declareAC(op) }
        for (op, unit) in other.unitTable { merged.unitTable[op] = unit }
        for (op, count) in other.attributeTable { merged.attributeTable[op] = count }
        for (op, note) in other.attributeNotes { merged.attributeNotes[op] = note }
        return merged
    }
}
