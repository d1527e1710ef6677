// Exports of a clean e-graph for people and outside tools: Graphviz DOT to
// look at, and the egraph-serialize JSON that extraction-gym and the e-graph
// visualizer read.
//
// Both walk the class table by index and each class's nodes in stored order,
// never a Dictionary or Set, so the text depends only on the sequence of
// additions and unions: byte-identical across processes, whose hash seeds
// (and symbol raw values) differ, and fit to diff or check in.

extension EGraph {
    /// The e-graph as a Graphviz DOT digraph, with the nodes of an extraction
    /// drawn distinctly.
    ///
    /// Each canonical e-class is a `subgraph cluster_N` labelled with the
    /// class id (`c3`), holding one DOT node per e-node labelled with
    /// ``ENode/label``. DOT node ids are `"N.P"`: the class index and the
    /// node's position in ``nodes(in:)``. Each (node, child) pair is one edge,
    /// repeats included; as in egg's export, the edge points at the child
    /// class's first node and is clipped to the class's box with
    /// `lhead=cluster_N` (hence `compound=true`), since DOT has no edges to
    /// clusters. An edge into the node's own class points at the node itself,
    /// because Graphviz cannot clip an edge to the cluster it starts in. Edges
    /// of nodes with several children are labelled with the argument index,
    /// since the drawing does not otherwise keep their order.
    ///
    /// Nodes that `extracted` chooses are filled and bold, and so are their
    /// edges, so an extracted term reads as a highlighted tree. The boxes of
    /// the `roots` classes are drawn solid and bold instead of dotted, since
    /// in a drawing of thousands of nodes nothing else says where a term
    /// starts.
    ///
    /// - Parameters:
    ///   - roots: the classes to draw as roots, such as a program's outputs;
    ///     stale ids are canonicalized.
    ///   - extracted: the chosen node of each class, as an extractor returns
    ///     it. Keys and nodes may be stale ids of this e-graph; they are
    ///     canonicalized before matching.
    /// - Precondition: the e-graph is clean; every chosen node is in its
    ///   class, and no two keys of one class choose different nodes.
    /// - Complexity: O(ids ever made + nodes + children + roots), plus
    ///   O(class size) per entry of `extracted`.
    public func dotDescription(roots: [ClassID] = [], marking extracted: [ClassID: ENode] = [:]) -> String {
        requireClean("exporting")
        let chosen = chosenPositions(extracted)
        var isRoot = [Bool](repeating: false, count: classStorage.count)
        for root in roots { isRoot[find(root).index] = true }
        var text = "digraph egraph {\n    compound=true\n    clusterrank=local\n"
        var edges = ""
        for index in classStorage.indices {
            guard let storage = classStorage[index] else { continue }
            text += "    subgraph cluster_\(index) {\n"
            text += isRoot[index] ? "        style=bold\n" : "        style=dotted\n"
            text += "        label=\"\(ClassID(UInt32(index)))\"\n"
            for (position, node) in storage.nodes.enumerated() {
                let isChosen = chosen[index] == position
                let style = isChosen ? ", style=\"filled,bold\", fillcolor=lightblue" : ""
                text += "        \"\(index).\(position)\" [label=\"\(Self.dotEscaped(node.label))\"\(style)]\n"
                for (argument, child) in node.children.enumerated() {
                    var attributes: [String] = []
                    let target: String
                    if child.index == index {
                        target = "\(index).\(position)"
                    } else {
                        target = "\(child.index).0"
                        attributes.append("lhead=cluster_\(child.index)")
                    }
                    if node.children.count > 1 { attributes.append("label=\"\(argument)\"") }
                    if isChosen { attributes.append("style=bold") }
                    let list = attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]"
                    edges += "    \"\(index).\(position)\" -> \"\(target)\"\(list)\n"
                }
            }
            text += "    }\n"
        }
        return text + edges + "}\n"
    }

    /// The e-graph in the egraph-serialize JSON format, which extraction-gym
    /// and the e-graph visualizer read.
    ///
    /// The object has three keys, in this order:
    /// - `nodes`: every canonical e-node, keyed `"N.P"` (class index, position
    ///   in ``nodes(in:)``), as `{"op", "children", "eclass", "cost"}`. `op` is
    ///   ``ENode/label``; each child is the id of the child class's first node,
    ///   which is how egraph-serialize names a class as a child; `eclass` is
    ///   the class index as a string (`"3"`); `cost` is what `cost` gives
    ///   the node (`1.0` for every node without it, since costs belong to
    ///   whoever extracts), a non-finite cost written as the greatest finite
    ///   double, which JSON can hold. Nodes that `extracted` chooses also
    ///   carry `"extracted": true`.
    /// - `root_eclasses`: the classes of `roots`, canonical, without repeats,
    ///   in the order given.
    /// - `class_data`: one object per class; `{"extracted": "N.P"}` names the
    ///   chosen node of a class that has one, and the others are `{}`. Readers
    ///   of the format ignore fields they do not know, so the marks cost them
    ///   nothing.
    ///
    /// Classes ascend by id and nodes follow their stored order, so the text
    /// depends only on how the e-graph was built. Strings are escaped per
    /// RFC 8259, control characters included.
    ///
    /// - Parameters:
    ///   - roots: the classes an extractor should start from.
    ///   - extracted: the chosen node of each class, as an extractor returns
    ///     it; keys and nodes are canonicalized before matching.
    ///   - cost: the cost of a canonical node, as the extractor saw it.
    /// - Precondition: the e-graph is clean; every chosen node is in its
    ///   class, and no two keys of one class choose different nodes.
    /// - Complexity: O(ids ever made + nodes + children + roots), plus
    ///   O(class size) per entry of `extracted`, plus a call of `cost` per
    ///   node.
    public func serializedJSON(
        roots: [ClassID] = [], marking extracted: [ClassID: ENode] = [:], cost: ((ENode) -> Double)? = nil
    ) -> String {
        requireClean("exporting")
        let chosen = chosenPositions(extracted)
        var text = "{\n  \"nodes\": {"
        var separator = "\n"
        for index in classStorage.indices {
            guard let storage = classStorage[index] else { continue }
            for (position, node) in storage.nodes.enumerated() {
                let children = node.children.map { "\"\($0.index).0\"" }.joined(separator: ", ")
                text += separator
                text += "    \"\(index).\(position)\": {\"op\": \(JSONText.quoted(node.label)), "
                let nodeCost = cost?(node) ?? 1
                let written = nodeCost.isFinite ? nodeCost : .greatestFiniteMagnitude
                text += "\"children\": [\(children)], \"eclass\": \"\(index)\", \"cost\": \(written)"
                text += chosen[index] == position ? ", \"extracted\": true}" : "}"
                separator = ",\n"
            }
        }
        text += "\n  },\n  \"root_eclasses\": ["
        var listed: [ClassID] = []
        for root in roots.map(find) where !listed.contains(root) { listed.append(root) }
        text += listed.map { "\"\($0.index)\"" }.joined(separator: ", ")
        text += "],\n  \"class_data\": {"
        separator = "\n"
        for index in classStorage.indices where classStorage[index] != nil {
            let data = chosen[index].map { "{\"extracted\": \"\(index).\($0)\"}" } ?? "{}"
            text += separator + "    \"\(index)\": \(data)"
            separator = ",\n"
        }
        return text + "\n  }\n}\n"
    }

    /// For each class index, the position among its nodes of the node
    /// `extracted` chooses for it.
    ///
    /// Iterating the dictionary is safe here: each entry writes only its own
    /// class's slot, and entries that would disagree trap, so the result does
    /// not depend on the iteration order.
    private func chosenPositions(_ extracted: [ClassID: ENode]) -> [Int?] {
        var positions = [Int?](repeating: nil, count: classStorage.count)
        for (id, node) in extracted {
            let root = find(id)
            var node = node
            canonicalize(&node)
            guard let position = classStorage[root.index]!.nodes.firstIndex(of: node) else {
                preconditionFailure("exporting: extracted node \(node) is not in class \(root)")
            }
            if let other = positions[root.index], other != position {
                preconditionFailure("exporting: class \(root) has two extracted nodes")
            }
            positions[root.index] = position
        }
        return positions
    }

    /// `text` escaped for a double-quoted DOT string: quotes and backslashes
    /// (which DOT labels treat as escapes such as `\l`) are backslashed, a
    /// newline becomes a line break, and other control characters are shown
    /// as `\u{XX}` rather than reaching Graphviz raw.
    static func dotEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                escaped += "\\\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
