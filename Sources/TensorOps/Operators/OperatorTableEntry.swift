import EGraph

/// An entry of an operator table (``UnaryFunction``, ``BinaryFunction``): one
/// row per operator, so an entry is known by its e-graph symbol, which it
/// compares and hashes by, and prints as its name.
public protocol OperatorTableEntry: AnyObject, Hashable, Sendable, CustomStringConvertible {
    /// The operator as written in programs and rules.
    var name: String { get }
    /// The operator in the e-graph, unique to the entry.
    var symbol: Symbol { get }
}

extension OperatorTableEntry {
    /// Whether two entries are the same operator: one entry per name.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.symbol == rhs.symbol }

    /// Hashes the symbol, which is unique per entry.
    public func hash(into hasher: inout Hasher) { hasher.combine(symbol) }

    /// The operator as written.
    public var description: String { name }
}

/// The entries of an operator table by e-graph symbol: an array lookup, since
/// the analysis and the cost ask for every node they see.
struct SymbolIndex<Entry: OperatorTableEntry>: Sendable {
    private let entries: [Entry?]

    init(_ table: [Entry]) {
        var entries = [Entry?](repeating: nil, count: Int(table.map(\.symbol.rawValue).max() ?? 0) + 1)
        for entry in table { entries[Int(entry.symbol.rawValue)] = entry }
        self.entries = entries
    }

    /// The entry whose symbol is `symbol`, if any.
    subscript(_ symbol: Symbol) -> Entry? {
        let index = Int(symbol.rawValue)
        return index < entries.count ? entries[index] : nil
    }
}
