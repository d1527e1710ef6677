/// A fenced block of a Markdown page, as the documentation tests read them.
public struct FencedBlock: Sendable {
    /// The opening fence, such as ```` ```eqs ````.
    public var fence: String
    /// The line above the opening fence (a marker such as
    /// `<!-- guide: run NAME -->`), empty for a fence on the first line.
    public var lineAbove: String
    /// The lines between the fences, each ending in a newline.
    public var body: String
    /// The 1-based line of the opening fence, for failure messages.
    public var line: Int
}

/// The fenced blocks of `text` in order, and the 1-based line of a fence
/// left open at the end (`nil` when every fence closes): the documentation
/// tests of several targets read their pages with this one reader.
public func fencedBlocks(in text: String) -> (blocks: [FencedBlock], unclosedFence: Int?) {
    let lines = text.components(separatedBy: "\n")
    var blocks: [FencedBlock] = []
    var index = 0
    while index < lines.count {
        guard lines[index].hasPrefix("```") else {
            index += 1
            continue
        }
        let open = index
        var close = open + 1
        while close < lines.count, lines[close] != "```" { close += 1 }
        guard close < lines.count else { return (blocks, open + 1) }
        blocks.append(
            FencedBlock(
                fence: lines[open], lineAbove: open > 0 ? lines[open - 1] : "",
                body: lines[(open + 1)..<close].map { $0 + "\n" }.joined(), line: open + 1))
        index = close + 1
    }
    return (blocks, nil)
}
