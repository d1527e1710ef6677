/// What a merge of analysis data changed: egg's `DidMerge`.
///
/// `merge(&a, b)` joins `b` into `a`; `changedLeft` says `a` is now different
/// from what it was, `changedRight` says the result differs from `b`. The
/// e-graph re-examines the parents of each side that changed.
public struct DidMerge: Equatable, Sendable {
    /// The joined value differs from the left operand.
    public var changedLeft: Bool
    /// The joined value differs from the right operand.
    public var changedRight: Bool

    /// A merge result.
    public init(changedLeft: Bool, changedRight: Bool) {
        self.changedLeft = changedLeft
        self.changedRight = changedRight
    }

    /// Merges two equal values: nothing changed.
    public static let unchanged = DidMerge(changedLeft: false, changedRight: false)
}

/// An e-class analysis (Willsey et al., "egg: Fast and Extensible Equality
/// Saturation", POPL 2021, §4): a semilattice of facts per e-class.
///
/// Laws the e-graph relies on, tested for the analyses this package ships:
/// - `merge` is a join: commutative, associative and idempotent on the values
///   `make` can produce, and it reports exactly what changed;
/// - `make` is monotone in its children's data;
/// - `modify` only adds nodes and merges classes that are equal.
///
/// An e-graph holds several analyses side by side; each is an object that the
/// e-graph calls and whose data the e-graph stores in a column per class.
/// Register an analysis before adding nodes; read its data with
/// ``EGraph/data(of:for:)``.
public protocol Analysis: AnyObject {
    /// The fact stored per e-class.
    associatedtype Data: Equatable

    /// The fact for a new e-node, reading its children's facts from `egraph`.
    func make(_ node: ENode, in egraph: EGraph) -> Data

    /// Joins `b` into `a`.
    func merge(_ a: inout Data, _ b: Data) -> DidMerge

    /// Reacts to a class's fact, for example by adding the constant it proves.
    func modify(_ id: ClassID, in egraph: EGraph)

    /// The fact with every class id it mentions made canonical, so facts
    /// that relate classes compare equal after merges renamed them (the
    /// invariant checker compares stored facts with freshly made ones).
    func canonical(_ data: Data, in egraph: EGraph) -> Data
}

extension Analysis {
    /// No reaction by default.
    public func modify(_ id: ClassID, in egraph: EGraph) {}

    /// Facts mention no class ids by default.
    public func canonical(_ data: Data, in egraph: EGraph) -> Data { data }
}

/// The type-erased face of an analysis column, as the e-graph drives it.
@usableFromInline
protocol AnalysisColumnProtocol: AnyObject {
    var analysisIdentity: ObjectIdentifier { get }
    var analysisName: String { get }
    func makeData(for id: ClassID, node: ENode, in egraph: EGraph)
    func mergeData(into root: ClassID, from absorbed: ClassID) -> DidMerge
    func remake(_ id: ClassID, node: ENode, in egraph: EGraph) -> Bool
    func modify(_ id: ClassID, in egraph: EGraph)
    /// `nil` when the stored data is the join of `make` over `nodes`, else the join.
    func joinMismatch(_ id: ClassID, nodes: [ENode], in egraph: EGraph) -> String?
    func dataDescription(of id: ClassID) -> String
}

/// One analysis and its data, indexed by class id (valid at canonical ids).
/// Visible to inlined code so that a client's reads of its analysis's data
/// (``EGraph/data(of:for:)``, on every node extraction costs) are
/// specialized to its analysis: unspecialized, each read instantiated this
/// generic class's metadata and cast to it, a fifth of a gradient's run.
@usableFromInline
final class AnalysisColumn<A: Analysis>: AnalysisColumnProtocol {
    let analysis: A
    @usableFromInline
    var values: [A.Data?] = []

    init(_ analysis: A) { self.analysis = analysis }

    @usableFromInline
    var analysisIdentity: ObjectIdentifier { ObjectIdentifier(analysis) }
    @usableFromInline
    var analysisName: String { String(describing: A.self) }

    @usableFromInline
    func makeData(for id: ClassID, node: ENode, in egraph: EGraph) {
        let value = analysis.make(node, in: egraph)
        if id.index == values.count {
            values.append(value)
        } else {
            values[id.index] = value
        }
    }

    @usableFromInline
    func mergeData(into root: ClassID, from absorbed: ClassID) -> DidMerge {
        guard let other = values[absorbed.index] else { return .unchanged }
        values[absorbed.index] = nil
        return analysis.merge(&values[root.index]!, other)
    }

    @usableFromInline
    func remake(_ id: ClassID, node: ENode, in egraph: EGraph) -> Bool {
        let fresh = analysis.make(node, in: egraph)
        return analysis.merge(&values[id.index]!, fresh).changedLeft
    }

    @usableFromInline
    func modify(_ id: ClassID, in egraph: EGraph) { analysis.modify(id, in: egraph) }

    @usableFromInline
    func joinMismatch(_ id: ClassID, nodes: [ENode], in egraph: EGraph) -> String? {
        guard var joined = nodes.first.map({ analysis.make($0, in: egraph) }) else { return "no nodes" }
        for node in nodes.dropFirst() { _ = analysis.merge(&joined, analysis.make(node, in: egraph)) }
        guard let stored = values[id.index] else { return "no data" }
        let canonical = analysis.canonical(joined, in: egraph)
        return canonical == analysis.canonical(stored, in: egraph) ? nil : String(describing: canonical)
    }

    @usableFromInline
    func dataDescription(of id: ClassID) -> String {
        values[id.index].map { String(describing: $0) } ?? "nil"
    }

    @inlinable
    func value(at id: ClassID) -> A.Data { values[id.index]! }
}
