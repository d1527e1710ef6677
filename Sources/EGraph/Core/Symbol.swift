import Foundation

/// An interned operator or leaf name.
///
/// Symbols compare and hash as 32-bit integers, so e-nodes stay small and the
/// hash-cons never hashes strings. The table is process-wide: the same name is
/// the same symbol in every e-graph, pattern and rule file.
///
/// Raw values depend on the order in which names were first interned, so no
/// result may depend on them: the engine never sorts by a symbol's raw value
/// where the order could reach a result.
public struct Symbol: Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The dense index of the symbol in the process-wide table.
    public let rawValue: UInt32

    /// Interns `name`, returning the existing symbol when it is already known.
    public init(_ name: String) {
        rawValue = SymbolTable.shared.intern(name)
    }

    /// Interns a string literal, so call sites can write `"+"` for a symbol.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The name the symbol was interned from.
    public var name: String { SymbolTable.shared.name(of: rawValue) }

    /// The symbol's name.
    public var description: String { name }

    /// The symbol with raw value `raw`, which must have been interned.
    init(raw: UInt32) { rawValue = raw }

    /// The name of the symbol with raw value `raw`.
    static func name(ofRaw raw: UInt32) -> String { SymbolTable.shared.name(of: raw) }

    /// The operator of literal leaves: numbers and integer constants. Its name
    /// holds characters no rule file or program can spell as a symbol.
    public static let literal = Symbol("<literal>")

    /// The number of symbols interned so far in this process.
    ///
    /// Indexes keyed by raw value (such as the e-graph's classes-by-operator
    /// table) size themselves from it.
    public static var count: Int { SymbolTable.shared.count }
}

/// The process-wide symbol table. Interning happens while reading programs and
/// rules, never in the saturation loop, so a lock is cheap enough.
final class SymbolTable: @unchecked Sendable {
    static let shared = SymbolTable()

    private let lock = NSLock()
    private var names: [String] = []
    private var indices: [String: UInt32] = [:]

    func intern(_ name: String) -> UInt32 {
        lock.lock()
        defer { lock.unlock() }
        if let index = indices[name] { return index }
        let index = UInt32(names.count)
        names.append(name)
        indices[name] = index
        return index
    }

    func name(of index: UInt32) -> String {
        lock.lock()
        defer { lock.unlock() }
        return names[Int(index)]
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return names.count
    }
}
