/// Why classes were merged, for explanations (work in progress).
final class ProofForest {}
