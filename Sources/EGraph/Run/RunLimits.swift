/// When a run stops, whatever stops first. Defaults follow egg's.
public struct RunLimits: Sendable, Equatable {
    /// The most iterations to run (default 30).
    public var iterations: Int
    /// The most e-nodes; a run stops as soon as the e-graph has more
    /// (default 10,000).
    public var nodes: Int
    /// The most seconds of saturation (default 5). A run stops within a
    /// tenth of it, the final rebuild included: searches give up at the
    /// limit, and applying stops early enough to leave room for the rebuild.
    public var seconds: Double
    /// The most e-nodes at any moment within an iteration (default the node
    /// limit plus a tenth, following ``nodes`` until set). The node limit
    /// proper is compared after each iteration, as egg does; this bounds the
    /// transient growth within one, so a run stops within 10% of its node
    /// limit. The benchmark's workloads use egg's semantics, where only the
    /// size after an iteration counts, and set this to twice the limit.
    public var peakNodes: Int {
        get {
            if let explicitPeakNodes { return explicitPeakNodes }
            let (peak, overflow) = nodes.addingReportingOverflow(nodes / 10)
            return overflow ? .max : peak
        }
        set { explicitPeakNodes = newValue }
    }

    /// The peak limit when set, rather than derived from the node limit: a
    /// stored default went stale when a caller (the command line's
    /// `--node-limit`) set the node limit after initializing, and a run
    /// limited to 3,000 nodes could peak at 22,000.
    private var explicitPeakNodes: Int?

    /// Limits with egg's defaults unless given.
    public init(iterations: Int = 30, nodes: Int = 10_000, seconds: Double = 5, peakNodes: Int? = nil) {
        self.iterations = iterations
        self.nodes = nodes
        self.seconds = seconds
        explicitPeakNodes = peakNodes
    }

    /// Whether two limits stop runs alike: a peak limit set to the default
    /// equals one left to follow the node limit.
    public static func == (lhs: RunLimits, rhs: RunLimits) -> Bool {
        lhs.iterations == rhs.iterations && lhs.nodes == rhs.nodes && lhs.seconds == rhs.seconds
            && lhs.peakNodes == rhs.peakNodes
    }
}
