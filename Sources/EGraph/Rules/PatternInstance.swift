/// One way of building a pattern's instance: what a variable stands for, and
/// how an application is made where the instance lives (a class of an
/// e-graph, a step of a compiled right side, a proof term, a sample
/// expression).
///
/// The walk over the pattern is ``Pattern/instance(building:signature:)``'s
/// alone, so what the rule syntax means on a right side (aliases, `:group`,
/// splicing a nested application of the same AC operator, payload variables,
/// rest variables) is written once: the engine's compiled plans, the
/// explanations' proof terms and the rule checker's samples all build through
/// it. The explanation checker keeps an instantiation of its own
/// (`ExplainedTree`), so that a fault here shows up as a proof it rejects
/// rather than being repeated where the proof is checked.
public protocol PatternInstanceBuilder {
    /// An instance, or a part of one.
    associatedtype Instance
    /// A payload as the builder carries it.
    associatedtype Payload

    /// The instance a class variable stands for; `nil` when it stands for
    /// none.
    mutating func instance(of variable: PatternVariable) -> Instance?
    /// A payload the pattern writes as a literal; `nil` when it cannot be
    /// built.
    mutating func payload(_ literal: Literal) -> Payload?
    /// The payload a variable stands for; `nil` when it stands for none.
    mutating func payload(of variable: PatternVariable) -> Payload?
    /// An application of `op`: `operands` in the pattern's order, then the
    /// operands the rest variables `rests` stand for (the pattern's own, and
    /// those of the applications of the same AC operator spliced into it).
    /// As the e-graph stores it, an AC application without a payload of one
    /// operand is that operand, of none its operator's unit; `nil` when the
    /// application cannot be built (an empty one with no unit, say).
    mutating func application(_ op: Symbol, payload: Payload?, operands: [Instance], rests: [PatternVariable])
        -> Instance?
}

extension Pattern {
    /// This pattern's instance, built by `builder`; `nil` when the builder
    /// has no value for a variable or cannot make an application.
    ///
    /// - An alias `?e:P` is `P`'s instance: naming a class changes nothing
    ///   on a right side.
    /// - `(:group P)` is `P`'s instance, kept as an operand of its own where
    ///   it sits under an AC application of `P`'s operator rather than
    ///   spliced in; a group of other than one pattern has none.
    /// - An application of an AC operator directly under another of the same
    ///   operator and payload is spliced into it, as e-nodes store AC
    ///   operands flat; its rest variable joins the outer one's.
    public func instance<Builder: PatternInstanceBuilder>(
        building builder: inout Builder, signature: Signature
    ) -> Builder.Instance? {
        switch self {
        case .variable(let variable):
            return builder.instance(of: variable)
        case .alias(_, let inner):
            return inner.instance(building: &builder, signature: signature)
        case .node(Pattern.groupOperator, nil, let grouped, nil):
            return grouped.count == 1 ? grouped[0].instance(building: &builder, signature: signature) : nil
        case .node(let op, let payloadPattern, let children, let rest):
            let payload: Builder.Payload?
            switch payloadPattern {
            case nil: payload = nil
            case .literal(let literal)?:
                guard let built = builder.payload(literal) else { return nil }
                payload = built
            case .variable(let variable)?:
                guard let built = builder.payload(of: variable) else { return nil }
                payload = built
            }
            let isAC = signature.isAC(op)
            var operands: [Builder.Instance] = []
            var rests: [PatternVariable] = rest.map { [$0] } ?? []
            var pending = Array(children.reversed())
            while let child = pending.popLast() {
                if isAC, case .node(op, payloadPattern, let inner, let innerRest) = child {
                    pending.append(contentsOf: inner.reversed())
                    if let innerRest { rests.append(innerRest) }
                } else {
                    guard let operand = child.instance(building: &builder, signature: signature) else { return nil }
                    operands.append(operand)
                }
            }
            return builder.application(op, payload: payload, operands: operands, rests: rests)
        }
    }
}

extension Signature {
    /// An application as the e-graph stores it, for a builder whose operands
    /// are all known: an AC application of `op` without a payload and with
    /// one operand is that operand, and with none it is `unit(u)` of the
    /// operator's unit `u` (or `nil`, with no unit); otherwise `make()`.
    public func storedApplication<Instance>(
        _ op: Symbol, hasPayload: Bool, operands: [Instance], unit: (Literal) -> Instance?,
        make: () -> Instance?
    ) -> Instance? {
        if isAC(op) && !hasPayload {
            if operands.count == 1 { return operands[0] }
            if operands.isEmpty { return self.unit(of: op).flatMap(unit) }
        }
        return make()
    }
}
