/// One dimension of a shape: a size, or a name bound when inputs are given.
///
/// Named dimensions are compared by name: `[n]` and `[m]` may hold different
/// sizes, so they do not broadcast against each other, and a named dimension
/// is never assumed to be 1. A program is thereby checked once for every
/// size its names may take.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    /// A known size.
    case size(Int)
    /// A size named in an `input` declaration.
    case named(String)

    /// The size or the name.
    public var description: String {
        switch self {
        case .size(let size): String(size)
        case .named(let name): name
        }
    }

    /// Whether this is the size 1.
    public var isOne: Bool { self == .size(1) }
}

/// The shape of a tensor: its dimensions, outermost first. A scalar has none.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The dimensions.
    public var dims: [Dim]

    /// A shape from its dimensions.
    public init(_ dims: [Dim]) { self.dims = dims }

    /// A shape from known sizes.
    public init(sizes: [Int]) { dims = sizes.map(Dim.size) }

    /// A shape written as an array literal of dimensions.
    public init(arrayLiteral elements: Dim...) { dims = elements }

    /// The shape of a scalar.
    public static let scalar = Shape([])

    /// The number of axes.
    public var rank: Int { dims.count }

    /// `[d1 d2 ...]`, as programs write it.
    public var description: String { "[" + dims.map(\.description).joined(separator: " ") + "]" }

    /// The numpy broadcast of two shapes, aligned on the right; `nil` when a
    /// pair of dimensions differs and neither is the size 1.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = Swift.max(a.rank, b.rank)
        var dims: [Dim] = []
        dims.reserveCapacity(rank)
        for position in 0..<rank {
            let left = position - (rank - a.rank)
            let right = position - (rank - b.rank)
            let x = left >= 0 ? a.dims[left] : .size(1)
            let y = right >= 0 ? b.dims[right] : .size(1)
            if x == y || y.isOne {
                dims.append(x)
            } else if x.isOne {
                dims.append(y)
            } else {
                return nil
            }
        }
        return Shape(dims)
    }

    /// The shape with axis `axis` set to size 1 (a kept reduction).
    public func reducing(axis: Int) -> Shape {
        var dims = self.dims
        dims[axis] = .size(1)
        return Shape(dims)
    }

    /// The shape without axis `axis`.
    public func removing(axis: Int) -> Shape {
        var dims = self.dims
        dims.remove(at: axis)
        return Shape(dims)
    }

    /// The axis `axis` counted from the end when negative, if in range.
    public func normalizedAxis(_ axis: Int) -> Int? {
        let normalized = axis < 0 ? axis + rank : axis
        return normalized >= 0 && normalized < rank ? normalized : nil
    }

    /// The concrete sizes, given the sizes of named dimensions; `nil` when a
    /// name is unbound.
    public func sizes(binding names: [String: Int]) -> [Int]? {
        var sizes: [Int] = []
        sizes.reserveCapacity(rank)
        for dim in dims {
            switch dim {
            case .size(let size): sizes.append(size)
            case .named(let name):
                guard let size = names[name] else { return nil }
                sizes.append(size)
            }
        }
        return sizes
    }
}
