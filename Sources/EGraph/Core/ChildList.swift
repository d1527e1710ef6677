/// The children of an e-node: up to two held inline, more in an array.
///
/// Nearly every e-node of an algebra has at most two children. As a
/// `[ClassID]` each node's list was a heap object of its own: an allocation
/// and a release for every node made, a retain for every copy, and a cache
/// miss for every node a rebuild canonicalized (on the AC workload, a tenth
/// of the run in the allocator and a fifth in reference counting and
/// uniqueness checks). Inline, a node is one value.
///
/// The representation is canonical (two or fewer children are always
/// inline), so equal lists have equal representations; equality and hashing
/// still go through the elements.
public struct ChildList: RandomAccessCollection, MutableCollection, Hashable, Sendable, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    @usableFromInline
    enum Storage: Sendable {
        /// `count` (0, 1 or 2) children, the absent ones 0.
        case inline(count: UInt32, first: ClassID, second: ClassID)
        /// Three or more children.
        case array([ClassID])
    }

    @usableFromInline var storage: Storage

    /// The storage of no children, also what a write moves the storage to
    /// while it holds the array, so the array stays uniquely referenced.
    @inlinable static var noChildren: Storage { .inline(count: 0, first: ClassID(0), second: ClassID(0)) }

    /// No children.
    @inlinable
    public init() { storage = ChildList.noChildren }

    /// The children `ids`, in order.
    @inlinable
    public init(_ ids: some Sequence<ClassID>) {
        var iterator = ids.makeIterator()
        guard let first = iterator.next() else {
            storage = ChildList.noChildren
            return
        }
        guard let second = iterator.next() else {
            storage = .inline(count: 1, first: first, second: ClassID(0))
            return
        }
        guard let third = iterator.next() else {
            storage = .inline(count: 2, first: first, second: second)
            return
        }
        var all = [first, second, third]
        while let next = iterator.next() { all.append(next) }
        storage = .array(all)
    }

    /// One child.
    @inlinable
    public init(_ only: ClassID) { storage = .inline(count: 1, first: only, second: ClassID(0)) }

    /// Two children.
    @inlinable
    public init(_ first: ClassID, _ second: ClassID) { storage = .inline(count: 2, first: first, second: second) }

    /// The children of an array literal.
    @inlinable
    public init(arrayLiteral elements: ClassID...) { self.init(elements) }

    /// 0.
    @inlinable public var startIndex: Int { 0 }

    /// The number of children, read off the storage (`Collection`'s default
    /// would measure the distance between the indices).
    @inlinable
    public var count: Int {
        switch storage {
        case .inline(let count, _, _): Int(count)
        case .array(let ids): ids.count
        }
    }

    /// Whether there are no children.
    @inlinable public var isEmpty: Bool { count == 0 }

    /// Walks the children in order.
    ///
    /// A concrete iterator rather than `IndexingIterator`: a debug build
    /// runs this module unoptimized, and every `for child in
    /// node.children` then went through the generic iterator's witness
    /// calls, which made engine-heavy tests three times slower.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let list: ChildList
        @usableFromInline var position = 0
        @usableFromInline let end: Int

        @inlinable
        init(_ list: ChildList) {
            self.list = list
            end = list.count
        }

        /// The next child, `nil` past the last.
        @inlinable
        public mutating func next() -> ClassID? {
            guard position < end else { return nil }
            defer { position += 1 }
            return list[position]
        }
    }

    /// An iterator over the children.
    @inlinable public func makeIterator() -> Iterator { Iterator(self) }

    /// Whether `id` is one of the children.
    @inlinable
    public func contains(_ id: ClassID) -> Bool {
        switch storage {
        case .inline(let count, let first, let second): (count > 0 && first == id) || (count > 1 && second == id)
        case .array(let ids): ids.contains(id)
        }
    }

    /// The number of children.
    @inlinable public var endIndex: Int { count }

    /// The child at `position`.
    @inlinable
    public subscript(position: Int) -> ClassID {
        get {
            switch storage {
            case .inline(let count, let first, let second):
                precondition(position >= 0 && position < Int(count), "child index out of range")
                return position == 0 ? first : second
            case .array(let ids):
                return ids[position]
            }
        }
        set {
            switch storage {
            case .inline(let count, let first, let second):
                precondition(position >= 0 && position < Int(count), "child index out of range")
                storage =
                    position == 0
                    ? .inline(count: count, first: newValue, second: second)
                    : .inline(count: count, first: first, second: newValue)
            case .array(var ids):
                // Drop the enum's reference first, so the array stays
                // uniquely referenced and is written in place.
                storage = ChildList.noChildren
                ids[position] = newValue
                storage = .array(ids)
            }
        }
    }

    /// Appends `id`, moving to an array past two children.
    @inlinable
    public mutating func append(_ id: ClassID) {
        switch storage {
        case .inline(let count, let first, let second):
            switch count {
            case 0: storage = .inline(count: 1, first: id, second: ClassID(0))
            case 1: storage = .inline(count: 2, first: first, second: id)
            default: storage = .array([first, second, id])
            }
        case .array(var ids):
            storage = ChildList.noChildren
            ids.append(id)
            storage = .array(ids)
        }
    }

    /// Appends every id of `ids`.
    @inlinable
    public mutating func append(contentsOf ids: some Sequence<ClassID>) {
        for id in ids { append(id) }
    }

    /// Removes every child.
    @inlinable
    public mutating func removeAll() { self = ChildList() }

    /// Calls `body` with the children as contiguous memory, valid only
    /// during the call.
    @inlinable
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<ClassID>) throws -> Result) rethrows
        -> Result
    {
        switch storage {
        case .inline(let count, let first, let second):
            var pair = (first, second)
            return try withUnsafePointer(to: &pair) { pointer in
                try pointer.withMemoryRebound(to: ClassID.self, capacity: 2) {
                    try body(UnsafeBufferPointer(start: $0, count: Int(count)))
                }
            }
        case .array(let ids):
            return try ids.withUnsafeBufferPointer(body)
        }
    }

    /// The same children in the same order.
    @inlinable
    public static func == (lhs: ChildList, rhs: ChildList) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.inline(let count, let a1, let a2), .inline(let other, let b1, let b2)):
            return count == other && (count < 1 || a1 == b1) && (count < 2 || a2 == b2)
        case (.array(let a), .array(let b)):
            return a == b
        default:
            return false
        }
    }

    /// Hashes the count and the children.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for id in self { hasher.combine(id.rawValue) }
    }

    /// The children as an array literal: `[c1, c2]`.
    public var description: String { "[" + map(\.description).joined(separator: ", ") + "]" }
}
