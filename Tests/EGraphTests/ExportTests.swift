import EGraph
import Foundation
import XCTest

/// The DOT and egraph-serialize exports: their structure matches the e-graph,
/// extracted nodes are marked, strings are escaped, and the text depends only
/// on how the e-graph was built.
final class ExportTests: XCTestCase {
    /// `(+ x (* 2 y))` with `(* 2 y)` merged into `y`: a class that refers to
    /// itself, a class of two nodes, and a literal leaf.
    private func makeGraph() throws -> (graph: EGraph, root: ClassID, product: ClassID) {
        let graph = EGraph()
        let root = graph.add(try Term(parsing: "(+ x (* 2 y))"))
        let product = try XCTUnwrap(graph.lookup(try Term(parsing: "(* 2 y)")))
        let y = graph.add(try Term(parsing: "y"))
        graph.add(try Term(parsing: "(- x 0.5)"))
        graph.union(product, y)
        graph.rebuild()
        return (graph, graph.find(root), graph.find(product))
    }

    /// Every canonical node with its class, in class then node order.
    private func allNodes(of graph: EGraph) -> [(id: ClassID, position: Int, node: ENode)] {
        graph.classIDs.flatMap { id in
            graph.nodes(in: id).enumerated().map { (id, $0.offset, $0.element) }
        }
    }

    private func parseJSON(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(object as? [String: Any])
    }

    private func lines(of text: String, containing needle: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.contains(needle) }
    }

    // MARK: DOT

    func testDOTHasOneClusterPerClassAndOneEdgePerChild() throws {
        let (graph, _, _) = try makeGraph()
        let dot = graph.dotDescription()
        XCTAssertTrue(dot.hasPrefix("digraph egraph {\n"))
        XCTAssertTrue(dot.contains("compound=true"))
        XCTAssertTrue(dot.hasSuffix("}\n"))
        XCTAssertEqual(dot.filter { $0 == "{" }.count, dot.filter { $0 == "}" }.count)

        let clusters = lines(of: dot, containing: "subgraph cluster_")
        XCTAssertEqual(clusters.count, graph.classCount)
        for id in graph.classIDs {
            XCTAssertEqual(lines(of: dot, containing: "subgraph cluster_\(id.index) {").count, 1)
            XCTAssertTrue(dot.contains("label=\"\(id)\""), "cluster of \(id) is labelled with its id")
        }

        let nodes = allNodes(of: graph)
        let nodeLines = lines(of: dot, containing: "[label=").filter { !$0.contains(" -> ") }
        XCTAssertEqual(nodeLines.count, graph.nodeCount)
        let edges = lines(of: dot, containing: " -> ")
        XCTAssertEqual(edges.count, nodes.reduce(0) { $0 + $1.node.children.count })
        for (id, position, node) in nodes {
            XCTAssertTrue(dot.contains("\"\(id.index).\(position)\" [label=\"\(node.label)\""))
            let outgoing = edges.filter { $0.hasPrefix("    \"\(id.index).\(position)\" -> ") }
            XCTAssertEqual(outgoing.count, node.children.count)
            for child in node.children where child != id {
                let clipped = outgoing.contains {
                    $0.contains("-> \"\(child.index).0\"") && $0.contains("lhead=cluster_\(child.index)")
                }
                XCTAssertTrue(clipped, "an edge from \(node) clips to the cluster of \(child)")
            }
        }
    }

    func testDOTDrawsASelfReferenceAsALoopWithoutClipping() throws {
        let (graph, _, product) = try makeGraph()
        let position = try XCTUnwrap(graph.nodes(in: product).firstIndex { $0.op == "*" })
        let name = "\"\(product.index).\(position)\""
        let loop = lines(of: graph.dotDescription(), containing: "\(name) -> \(name)")
        XCTAssertEqual(loop.count, 1)
        XCTAssertFalse(loop[0].contains("lhead"))
    }

    func testDOTMarksExtractedNodesAndTheirEdges() throws {
        let (graph, root, product) = try makeGraph()
        XCTAssertFalse(graph.dotDescription().contains("filled"))
        let y = try XCTUnwrap(graph.nodes(in: product).first { $0.children.isEmpty })
        let sum = graph.nodes(in: root)[0]
        let x = graph.nodes(in: sum.children[0])[0]
        let dot = graph.dotDescription(marking: [root: sum, product: y, sum.children[0]: x])
        let marked = lines(of: dot, containing: "style=\"filled,bold\"")
        XCTAssertEqual(marked.count, 3)
        XCTAssertTrue(marked.contains { $0.contains("[label=\"+\"") })
        XCTAssertTrue(marked.contains { $0.contains("[label=\"y\"") })
        XCTAssertTrue(marked.contains { $0.contains("[label=\"x\"") })
        XCTAssertFalse(marked.contains { $0.contains("[label=\"*\"") })
        let boldEdges = lines(of: dot, containing: " -> ").filter { $0.contains("style=bold") }
        XCTAssertEqual(boldEdges.count, sum.children.count)
    }

    func testDOTDrawsTheRootClassesBoldAndTheOthersDotted() throws {
        let (graph, root, product) = try makeGraph()
        let other = graph.add(try Term(parsing: "(- x 0.5)"))
        graph.rebuild()
        XCTAssertFalse(graph.dotDescription().contains("style=bold\n"), "no roots, no bold boxes")
        // A stale id and a repeat name the same classes.
        let dot = graph.dotDescription(roots: [root, other, graph.find(root)])
        var styles: [Int: String] = [:]
        var current: Int?
        for line in dot.split(separator: "\n") {
            if let range = line.range(of: "subgraph cluster_") {
                current = Int(line[range.upperBound...].prefix { $0.isNumber })
            } else if let current, line.hasPrefix("        style=") {
                styles[current] = String(line.dropFirst("        style=".count))
            }
        }
        XCTAssertEqual(styles.count, graph.classCount, "every class box has a style")
        for id in graph.classIDs {
            let expected = id == root || id == graph.find(other) ? "bold" : "dotted"
            XCTAssertEqual(styles[id.index], expected, "the box of \(id)")
        }
        XCTAssertEqual(styles[product.index], "dotted")
    }

    // MARK: JSON

    func testJSONMatchesTheEGraph() throws {
        let (graph, root, product) = try makeGraph()
        let other = graph.add(try Term(parsing: "(- x 0.5)"))
        graph.rebuild()
        let object = try parseJSON(graph.serializedJSON(roots: [root, other]))
        XCTAssertEqual(Array(object.keys).sorted(), ["class_data", "nodes", "root_eclasses"])
        let nodes = try XCTUnwrap(object["nodes"] as? [String: [String: Any]])
        XCTAssertEqual(nodes.count, graph.nodeCount)
        XCTAssertEqual(object["root_eclasses"] as? [String], ["\(root.index)", "\(other.index)"])
        let classData = try XCTUnwrap(object["class_data"] as? [String: [String: Any]])
        XCTAssertEqual(Set(classData.keys), Set(graph.classIDs.map { "\($0.index)" }))

        for (id, position, node) in allNodes(of: graph) {
            let entry = try XCTUnwrap(nodes["\(id.index).\(position)"], "node \(node) of \(id) is exported")
            XCTAssertEqual(entry["op"] as? String, node.label)
            XCTAssertEqual(entry["eclass"] as? String, "\(id.index)")
            XCTAssertEqual(entry["cost"] as? Double, 1.0)
            XCTAssertNil(entry["extracted"])
            let children = try XCTUnwrap(entry["children"] as? [String])
            XCTAssertEqual(children, node.children.map { "\($0.index).0" })
        }
        for (name, entry) in nodes {
            let eclass = try XCTUnwrap(entry["eclass"] as? String)
            XCTAssertTrue(name.hasPrefix(eclass + "."), "\(name) is named after its class \(eclass)")
            for child in try XCTUnwrap(entry["children"] as? [String]) {
                XCTAssertNotNil(nodes[child], "child \(child) of \(name) is a node")
            }
        }
        // The merged product refers to its own class.
        let productNodes = graph.nodes(in: product)
        XCTAssertTrue(productNodes.contains { $0.children.contains(product) })
    }

    func testJSONRootsAreCanonicalAndListedOnce() throws {
        let graph = EGraph()
        let a = graph.add(try Term(parsing: "a"))
        let b = graph.add(try Term(parsing: "b"))
        let c = graph.add(try Term(parsing: "c"))
        graph.union(a, b)
        graph.rebuild()
        let object = try parseJSON(graph.serializedJSON(roots: [c, b, a]))
        XCTAssertEqual(object["root_eclasses"] as? [String], ["\(c.index)", "\(graph.find(b).index)"])
        let empty = try parseJSON(graph.serializedJSON())
        XCTAssertEqual(empty["root_eclasses"] as? [String], [])
    }

    func testJSONMarksExtractedNodesInNodesAndClassData() throws {
        let (graph, root, product) = try makeGraph()
        let yPosition = try XCTUnwrap(graph.nodes(in: product).firstIndex { $0.children.isEmpty })
        let y = graph.nodes(in: product)[yPosition]
        let object = try parseJSON(graph.serializedJSON(roots: [root], marking: [product: y]))
        let nodes = try XCTUnwrap(object["nodes"] as? [String: [String: Any]])
        let marked = nodes.filter { $0.value["extracted"] as? Bool == true }.map(\.key)
        XCTAssertEqual(marked, ["\(product.index).\(yPosition)"])
        let classData = try XCTUnwrap(object["class_data"] as? [String: [String: Any]])
        XCTAssertEqual(classData["\(product.index)"]?["extracted"] as? String, "\(product.index).\(yPosition)")
        XCTAssertEqual(classData.values.filter { !$0.isEmpty }.count, 1)
    }

    func testStaleExtractionIdsAreCanonicalized() throws {
        let graph = EGraph()
        let f = graph.add(try Term(parsing: "(f a)"))
        let a = try XCTUnwrap(graph.lookup(try Term(parsing: "a")))
        let b = graph.add(try Term(parsing: "b"))
        let stale = ENode("f", [a])
        graph.union(b, a)
        graph.rebuild()
        // Chosen before the union, keyed and childed by ids it may have absorbed.
        let marking: [ClassID: ENode] = [f: stale, a: ENode("b")]
        let dot = graph.dotDescription(marking: marking)
        XCTAssertEqual(lines(of: dot, containing: "style=\"filled,bold\"").count, 2)
        let object = try parseJSON(graph.serializedJSON(marking: marking))
        let nodes = try XCTUnwrap(object["nodes"] as? [String: [String: Any]])
        XCTAssertEqual(nodes.values.filter { $0["extracted"] as? Bool == true }.count, 2)
    }

    // MARK: Escaping

    func testSpecialCharactersAreEscaped() throws {
        let graph = EGraph()
        let names = ["q\"x\\y", "tab\there", "line\nbreak", "bell\u{7}end", "ünï∂ø", "\\l"]
        let leaves = names.map { graph.add(ENode(Symbol($0))) }
        let parent = graph.add(ENode(Symbol("a\"b"), leaves))
        graph.add(ENode.number(-0.0))
        graph.add(ENode.number(1e300))
        graph.add(ENode("sum", [parent], payload: .integer(2)))
        graph.rebuild()

        let object = try parseJSON(graph.serializedJSON(roots: [parent]))
        let nodes = try XCTUnwrap(object["nodes"] as? [String: [String: Any]])
        let ops = Set(nodes.values.compactMap { $0["op"] as? String })
        XCTAssertEqual(ops, Set(names + ["a\"b", "-0", Literal.format(1e300), "sum 2"]))
        let json = graph.serializedJSON(roots: [parent])
        XCTAssertTrue(json.contains(#""op": "q\"x\\y""#))
        XCTAssertTrue(json.contains(#""op": "bell\u0007end""#))
        XCTAssertFalse(json.contains("\t"), "control characters never appear raw")

        let dot = graph.dotDescription()
        XCTAssertTrue(dot.contains(#"[label="q\"x\\y"]"#))
        XCTAssertTrue(dot.contains(#"[label="a\"b"]"#))
        XCTAssertTrue(dot.contains(#"[label="line\nbreak"]"#))
        XCTAssertTrue(dot.contains(#"[label="\\l"]"#))
        XCTAssertFalse(dot.contains("\t") || dot.contains("\u{7}"), "control characters never appear raw")
        // Outside the labels every quote is balanced: each DOT line has an even
        // number of unescaped quotes.
        for line in dot.split(separator: "\n") {
            let unescaped = line.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\\"", with: "")
            XCTAssertEqual(unescaped.filter { $0 == "\"" }.count % 2, 0, "unbalanced quotes in \(line)")
        }
    }

    // MARK: Determinism

    func testExportsAreIdenticalAcrossCallsAndRebuilds() throws {
        let first = try makeGraph()
        let second = try makeGraph()
        let y = try XCTUnwrap(first.graph.nodes(in: first.product).first { $0.children.isEmpty })
        let sum = first.graph.nodes(in: first.root)[0]
        // The same marking built in different orders and capacities, so its
        // iteration order differs.
        var forward: [ClassID: ENode] = [:]
        forward[first.root] = sum
        forward[first.product] = y
        var backward: [ClassID: ENode] = [:]
        backward.reserveCapacity(64)
        backward[first.product] = y
        backward[first.root] = sum

        let dot = first.graph.dotDescription(marking: forward)
        XCTAssertEqual(dot, first.graph.dotDescription(marking: forward))
        XCTAssertEqual(dot, first.graph.dotDescription(marking: backward))
        XCTAssertEqual(dot, second.graph.dotDescription(marking: backward))

        let json = first.graph.serializedJSON(roots: [first.root], marking: forward)
        XCTAssertEqual(json, first.graph.serializedJSON(roots: [first.root], marking: forward))
        XCTAssertEqual(json, first.graph.serializedJSON(roots: [first.root], marking: backward))
        XCTAssertEqual(json, second.graph.serializedJSON(roots: [second.root], marking: backward))
    }

    func testExportsOfAnEmptyEGraphAreWellFormed() throws {
        let graph = EGraph()
        XCTAssertEqual(graph.dotDescription(), "digraph egraph {\n    compound=true\n    clusterrank=local\n}\n")
        let object = try parseJSON(graph.serializedJSON())
        XCTAssertEqual((object["nodes"] as? [String: Any])?.count, 0)
        XCTAssertEqual((object["class_data"] as? [String: Any])?.count, 0)
    }
}
