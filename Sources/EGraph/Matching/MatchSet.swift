/// The matches of one pattern, stored flat: one root class per match and the
/// bindings in fixed-stride arrays, so a search producing thousands of matches
/// allocates a handful of arrays rather than one dictionary per match.
public struct MatchSet: Sendable {
    /// The variables each match binds, by kind, in slot order.
    public let classVariables: [PatternVariable]
    /// The rest variables, in slot order.
    public let restVariables: [PatternVariable]
    /// The payload variables, in slot order.
    public let payloadVariables: [PatternVariable]

    /// The class each match was found in.
    public private(set) var roots: [ClassID] = []
    private var classBindings: [ClassID] = []
    private var restBindings: [[ClassID]] = []
    private var payloadBindings: [Literal?] = []

    init(classVariables: [PatternVariable], restVariables: [PatternVariable], payloadVariables: [PatternVariable]) {
        self.classVariables = classVariables
        self.restVariables = restVariables
        self.payloadVariables = payloadVariables
    }

    /// Removes every match, keeping the buffers' capacity, so the runner can
    /// reuse a rule's match set the next iteration: growing fresh buffers to
    /// hundreds of thousands of matches cost page faults and copies each time
    /// (profiled: a twentieth of the AC workload's time).
    mutating func removeAll() {
        roots.removeAll(keepingCapacity: true)
        classBindings.removeAll(keepingCapacity: true)
        restBindings.removeAll(keepingCapacity: true)
        payloadBindings.removeAll(keepingCapacity: true)
    }

    /// The number of matches.
    public var count: Int { roots.count }

    /// Whether there are no matches.
    public var isEmpty: Bool { roots.isEmpty }

    /// The `index`-th match.
    public subscript(index: Int) -> Match { Match(matchSet: self, index: index) }

    /// Appends a match: its class bindings in slot order (gathered by the
    /// searcher, so they go in as one copy), its rests and its payloads.
    mutating func append(
        root: ClassID, bindings: UnsafeBufferPointer<ClassID>, rests: [[ClassID]], payloads: [Literal?]
    ) {
        roots.append(root)
        // One at a time: a match binds a few classes, for which
        // `append(contentsOf:)` costs more per call than the copies it saves
        // (ac_sum_10's median 296 → 281 ms, four interleaved runs).
        for binding in bindings { classBindings.append(binding) }
        if !rests.isEmpty { restBindings.append(contentsOf: rests) }
        if !payloads.isEmpty { payloadBindings.append(contentsOf: payloads) }
    }

    /// Replaces the rests of the last match, appended with placeholders so
    /// its conditions could be checked before its rests were gathered.
    mutating func replaceLastRests(with rests: [[ClassID]]) {
        restBindings.replaceSubrange((restBindings.count - rests.count)..., with: rests)
    }

    /// Appends a match that binds one multiset and nothing else.
    mutating func append(root: ClassID, multiset: [ClassID]) {
        precondition(classVariables.isEmpty && restVariables.count == 1 && payloadVariables.isEmpty)
        roots.append(root)
        restBindings.append(multiset)
    }

    /// The class bound to class variable `slot` in match `index`.
    func eclass(match index: Int, slot: Int) -> ClassID { classBindings[index * classVariables.count + slot] }

    /// The multiset bound to rest variable `slot` in match `index`.
    func multiset(match index: Int, slot: Int) -> [ClassID] { restBindings[index * restVariables.count + slot] }

    /// The literal bound to payload variable `slot` in match `index`.
    func literal(match index: Int, slot: Int) -> Literal? { payloadBindings[index * payloadVariables.count + slot] }

    mutating func removeLast() {
        roots.removeLast()
        classBindings.removeLast(classVariables.count)
        restBindings.removeLast(restVariables.count)
        payloadBindings.removeLast(payloadVariables.count)
    }

    /// One match: a root class and the bindings of every variable.
    public struct Match: Sendable {
        let matchSet: MatchSet
        let index: Int

        /// The class the pattern's root matched.
        public var root: ClassID { matchSet.roots[index] }

        /// The class bound to the class variable in `slot`.
        public func eclass(_ slot: Int) -> ClassID { matchSet.eclass(match: index, slot: slot) }

        /// The multiset bound to the rest variable in `slot`.
        public func multiset(_ slot: Int) -> [ClassID] { matchSet.multiset(match: index, slot: slot) }

        /// The literal bound to the payload variable in `slot`.
        public func literal(_ slot: Int) -> Literal? { matchSet.literal(match: index, slot: slot) }

        /// What `variable` is bound to, if the pattern has it.
        public func binding(of variable: PatternVariable) -> Binding? {
            if let slot = matchSet.classVariables.firstIndex(of: variable) { return .eclass(eclass(slot)) }
            if let slot = matchSet.restVariables.firstIndex(of: variable) { return .multiset(multiset(slot)) }
            if let slot = matchSet.payloadVariables.firstIndex(of: variable), let value = literal(slot) {
                return .literal(value)
            }
            return nil
        }
    }
}

/// What a pattern variable is bound to in a match; also the arguments a side
/// condition receives.
public enum Binding: Hashable, Sendable {
    /// An e-class.
    case eclass(ClassID)
    /// A sub-multiset of an AC node's children, sorted.
    case multiset([ClassID])
    /// A literal: a payload, or a number written in a condition.
    case literal(Literal)
}
