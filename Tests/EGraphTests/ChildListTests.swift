import XCTest

@testable import EGraph

/// The children of an e-node: one list whatever its length and however it
/// was built, inline up to two children and in an array beyond.
final class ChildListTests: XCTestCase {
    /// Ids 0..<count, shuffled by a fixed seed.
    static func ids(_ count: Int, seed: UInt64) -> [ClassID] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in ClassID(UInt32(random.next() % 50)) }
    }

    func testEveryConstructionHoldsTheSameChildren() {
        for count in 0...6 {
            let ids = ChildListTests.ids(count, seed: UInt64(count))
            var appended = ChildList()
            for id in ids { appended.append(id) }
            var appendedAll = ChildList()
            appendedAll.append(contentsOf: ids)
            for list in [ChildList(ids), appended, appendedAll] {
                XCTAssertEqual(Array(list), ids, "\(count) children")
                XCTAssertEqual(list.count, count)
                XCTAssertEqual(list.withUnsafeBufferPointer { Array($0) }, ids)
                XCTAssertEqual(list, ChildList(ids))
                XCTAssertEqual(list.hashValue, ChildList(ids).hashValue)
            }
            if count == 1 { XCTAssertEqual(ChildList(ids[0]), ChildList(ids)) }
            if count == 2 { XCTAssertEqual(ChildList(ids[0], ids[1]), ChildList(ids)) }
        }
    }

    /// Lists differ when a child, the order or the length differs, inline
    /// or not; unused inline slots never count.
    func testListsDifferByChildrenOrderAndLength() {
        let (a, b, c) = (ClassID(1), ClassID(2), ClassID(3))
        XCTAssertNotEqual(ChildList([a, b]), ChildList([b, a]))
        XCTAssertNotEqual(ChildList([a]), ChildList([a, ClassID(0)]))
        XCTAssertNotEqual(ChildList([a, b]), ChildList([a, b, c]))
        XCTAssertNotEqual(ChildList([a, b, c]), ChildList([a, c, b]))
        var shortened = ChildList([a, b])
        shortened[1] = c
        XCTAssertEqual(shortened, ChildList([a, c]))
        XCTAssertEqual(ChildList(), [])
    }

    /// Sorting and writing in place, as canonicalization does, inline and
    /// in an array; a copy is not written through.
    func testWritesInPlaceLeaveCopiesAlone() {
        for count in [2, 5] {
            var list = ChildList(ChildListTests.ids(count, seed: 7 + UInt64(count)))
            let copy = list
            list.sort()
            XCTAssertEqual(Array(list), Array(copy).sorted())
            list[0] = ClassID(99)
            XCTAssertEqual(list[0], ClassID(99))
            XCTAssertEqual(Array(copy), ChildListTests.ids(count, seed: 7 + UInt64(count)))
        }
    }

    /// E-nodes built with the array and the list initializers are one node
    /// to the hash-cons.
    func testENodesFromArraysAndListsAreEqual() {
        let egraph = EGraph()
        let x = egraph.add(ENode("x"))
        let y = egraph.add(ENode("y"))
        let z = egraph.add(ENode("z"))
        let pair = egraph.add(ENode("f", [x, y]))
        XCTAssertEqual(egraph.add(ENode("f", ChildList(x, y))), pair)
        let triple = egraph.add(ENode("g", [x, y, z]))
        XCTAssertEqual(egraph.add(ENode("g", ChildList([x, y, z]))), triple)
        egraph.rebuild()
        XCTAssertEqual(egraph.nodeCount, 5)
    }
}
