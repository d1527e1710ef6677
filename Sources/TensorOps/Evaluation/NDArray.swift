/// An n-dimensional array: its elements in row-major (C) order and its shape.
///
/// The value type the evaluator computes with. A rank-0 array (`shape == []`) is a scalar holding one element; an
/// array with a zero-sized axis holds none. The shape and the element count always agree: every initializer that
/// takes both checks them, and the stored properties cannot be set apart.
public struct NDArray<Scalar> {
    /// The size of each axis, outermost first; `[]` for a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order: the last axis varies fastest.
    public private(set) var elements: [Scalar]

    /// An array of `shape` holding `elements` in row-major order.
    /// - Throws: ``NDArrayError`` when a size is negative, the element count overflows, or `elements.count` is
    ///   not the product of the sizes.
    public init(shape: [Int], elements: [Scalar]) throws(NDArrayError) {
        let count = try NDArray.elementCount(of: shape)
        guard count == elements.count else {
            throw NDArrayError(
                "shape \(NDArray.describe(shape)) holds \(count) element(s), but \(elements.count) were given")
        }
        self.shape = shape
        self.elements = elements
    }

    /// Trusted construction for callers that computed the count themselves.
    init(unchecked shape: [Int], _ elements: [Scalar]) {
        self.shape = shape
        self.elements = elements
    }

    /// A rank-0 array holding `value`.
    public init(scalar value: Scalar) {
        shape = []
        elements = [value]
    }

    /// A rank-1 array holding `values`, of shape `[values.count]`.
    public init(vector values: [Scalar]) {
        shape = [values.count]
        elements = values
    }

    /// An array of `shape` with every element `value`.
    /// - Throws: ``NDArrayError`` for a negative size or an element count that overflows `Int`.
    /// - Complexity: O(product of the sizes).
    public init(shape: [Int], repeating value: Scalar) throws(NDArrayError) {
        let count = try NDArray.elementCount(of: shape)
        self.shape = shape
        elements = [Scalar](repeating: value, count: count)
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements: the product of the sizes (1 for a scalar).
    public var count: Int { elements.count }

    /// The only element of a rank-0 array (or of any array holding exactly one element); `nil` otherwise.
    public var scalarValue: Scalar? { elements.count == 1 ? elements[0] : nil }

    /// The element at a multi-index, one index per axis.
    ///
    /// Like `Array`'s subscript, a wrong number of indices or an index out of range is a programming error and
    /// traps; use ``element(at:)`` for indices that come from data.
    public subscript(index: [Int]) -> Scalar {
        get {
            guard let offset = flatOffset(of: index) else { preconditionFailure("index \(index) out of range") }
            return elements[offset]
        }
        set {
            guard let offset = flatOffset(of: index) else { preconditionFailure("index \(index) out of range") }
            elements[offset] = newValue
        }
    }

    /// The element at a multi-index, or `nil` when the index has the wrong length or is out of range.
    public func element(at index: [Int]) -> Scalar? {
        flatOffset(of: index).map { elements[$0] }
    }

    /// The row-major position of a multi-index, or `nil` when it does not address an element.
    /// - Complexity: O(rank).
    public func flatOffset(of index: [Int]) -> Int? {
        guard index.count == shape.count else { return nil }
        var offset = 0
        for (position, size) in zip(index, shape) {
            guard position >= 0, position < size else { return nil }
            offset = offset * size + position
        }
        return offset
    }

    /// The same elements under another shape with the same element count (numpy's `reshape` of a C-ordered
    /// array), or `nil` when the counts differ.
    public func reshaped(_ newShape: [Int]) -> NDArray? {
        guard let count = try? NDArray.elementCount(of: newShape), count == elements.count else { return nil }
        return NDArray(unchecked: newShape, elements)
    }

    /// The array with `transform` applied to every element, same shape.
    /// - Complexity: O(count).
    public func map<Result>(_ transform: (Scalar) throws -> Result) rethrows -> NDArray<Result> {
        NDArray<Result>(unchecked: shape, try elements.map(transform))
    }

    /// The product of `shape`'s sizes.
    /// - Throws: ``NDArrayError`` for a negative size or a product that overflows `Int`.
    public static func elementCount(of shape: [Int]) throws(NDArrayError) -> Int {
        var count = 1
        for size in shape {
            guard size >= 0 else { throw NDArrayError("shape \(describe(shape)) has a negative size") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw NDArrayError("shape \(describe(shape)) has too many elements") }
            count = product
        }
        return count
    }

    /// `[2, 3]`, the way numpy and the judge print shapes.
    static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

extension NDArray: Equatable where Scalar: Equatable {}
extension NDArray: Hashable where Scalar: Hashable {}
extension NDArray: Sendable where Scalar: Sendable {}

extension NDArray: CustomStringConvertible {
    /// Nested brackets in row-major order, such as `[[1.0, 2.0], [3.0, 4.0]]`; a scalar prints bare.
    public var description: String {
        nestedText { "\($0)" }
    }

    /// The elements as nested brackets, each printed by `format`; a scalar prints bare.
    /// - Complexity: O(count) calls of `format`.
    public func nestedText(separator: String = ", ", _ format: (Scalar) -> String) -> String {
        var text = ""
        var next = 0
        func emit(axis: Int) {
            if axis == shape.count {
                text += format(elements[next])
                next += 1
                return
            }
            text += "["
            for position in 0..<shape[axis] {
                if position > 0 { text += separator }
                emit(axis: axis + 1)
            }
            text += "]"
        }
        emit(axis: 0)
        return text
    }
}

/// A malformed array: sizes that do not match the elements, ragged nesting, or a value that is not a number.
public struct NDArrayError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong, in words.
    public var message: String

    /// An error with a message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

extension NDArray where Scalar == Double {
    /// An array read from nested arrays of numbers, the shape JSON gives them.
    ///
    /// Leaves may be `Double`, `Float`, `Int` (and the other standard integer types) or ``JSONValue`` numbers, and
    /// the strings `"inf"`, `"-inf"`, `"nan"` that the judge's JSON uses for the specials (also `"+inf"`,
    /// `"infinity"`, `"-infinity"`, any case). Arrays may be Swift arrays (`[Any]`, `[Double]`, ...) or
    /// ``JSONValue/array(_:)``. A bare number gives a rank-0 array; `[]` gives shape `[0]`.
    /// - Throws: ``NDArrayError`` for ragged nesting (rows of different lengths, or a number beside a list), booleans,
    ///   other strings, objects, or `null`, with the path of the offending element.
    /// - Complexity: O(number of leaves and lists).
    public init(nested value: Any) throws(NDArrayError) {
        var shape: [Int]? = nil
        var elements: [Double] = []
        try NDArray.collect(value, depth: 0, path: "", shape: &shape, prefix: [], elements: &elements)
        self.init(unchecked: shape ?? [], elements)
    }

    /// Walks one nested value: fixes the shape on the first path to a leaf and checks every other path against it.
    private static func collect(
        _ value: Any, depth: Int, path: String, shape: inout [Int]?, prefix: [Int], elements: inout [Double]
    ) throws(NDArrayError) {
        let location = path.isEmpty ? "the value" : "element \(path)"
        if let items = listItems(value) {
            var current = prefix
            current.append(items.count)
            if let known = shape {
                guard depth < known.count else {
                    throw NDArrayError("\(location) is a list where a number was expected (ragged nesting)")
                }
                guard known[depth] == items.count else {
                    throw NDArrayError(
                        "\(location) has \(items.count) item(s) but the rows before it have \(known[depth]) "
                            + "(ragged nesting)")
                }
            } else if items.isEmpty {
                // An empty list ends the shape: nothing below it can fix deeper sizes.
                shape = current
            }
            for (position, item) in items.enumerated() {
                try collect(
                    item, depth: depth + 1, path: path + "[\(position)]", shape: &shape, prefix: current,
                    elements: &elements)
            }
            return
        }
        guard let number = try leafNumber(value, location: location) else {
            throw NDArrayError("\(location) is neither a number, \"inf\", \"-inf\", \"nan\" nor a list")
        }
        if let known = shape {
            guard depth == known.count else {
                throw NDArrayError("\(location) is a number where a list was expected (ragged nesting)")
            }
        } else {
            shape = prefix
        }
        elements.append(number)
    }

    /// The items of a list-like value, or `nil` for anything else.
    private static func listItems(_ value: Any) -> [Any]? {
        if let json = value as? JSONValue {
            if case .array(let items) = json { return items }
            return nil
        }
        if let items = value as? [Double] { return items }
        if let items = value as? [Any] { return items }
        return nil
    }

    /// The number a leaf holds, `nil` when it is not a number at all.
    private static func leafNumber(_ value: Any, location: String) throws(NDArrayError) -> Double? {
        switch value {
        case let json as JSONValue:
            switch json {
            case .number(let number): return number
            case .string(let text): return try special(text, location: location)
            case .bool: throw NDArrayError("\(location) is a boolean, not a number")
            case .null: throw NDArrayError("\(location) is null, not a number")
            case .object: throw NDArrayError("\(location) is an object, not a number")
            case .array: return nil
            }
        case is Bool: throw NDArrayError("\(location) is a boolean, not a number")
        case let number as Double: return number
        case let number as Float: return Double(number)
        case let number as Int: return Double(number)
        case let number as any BinaryInteger: return Double(number)
        case let text as String: return try special(text, location: location)
        default: return nil
        }
    }

    /// The value of one of the strings that stand for specials.
    private static func special(_ text: String, location: String) throws(NDArrayError) -> Double {
        switch text.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default:
            throw NDArrayError(
                "\(location) is the string \"\(text)\"; only \"inf\", \"-inf\" and \"nan\" stand for numbers")
        }
    }
}

extension NDArray where Scalar == Double {
    /// The array as JSON: nested arrays in row-major order (a rank-0 array is a bare number), each number printed
    /// by ``jsonNumber(_:)``.
    /// - Complexity: O(count).
    public var jsonText: String { nestedText(NDArray.jsonNumber) }

    /// One number as JSON text that reads back to the same binary64 value: Swift's shortest round-trip form
    /// (`0.1`, `1e-18`, `100.0`, `-0.0`; integral values are exact), and for the specials, which JSON lacks, the
    /// strings `"inf"`, `"-inf"` and `"nan"` that the judge's JSON uses.
    public static func jsonNumber(_ value: Double) -> String {
        if value.isNaN { return "\"nan\"" }
        if value.isInfinite { return value < 0 ? "\"-inf\"" : "\"inf\"" }
        return value.description
    }
}
