// saturate rules: the default rules the command carries, as text to copy into
// a file of one's own and change, or as a list of groups.

import DefaultRules
import EGraph
import Foundation
import Optimizer
import TensorOps

private let listOption = CommandOption.flag(
    "--list", help: "list the groups, each with its number of rules and its file, instead of the text")

let rulesInterface = CommandInterface(
    name: "rules", operands: "[GROUP...]", operandCount: 0...Int.max, operandsReadFiles: false,
    summary: "print the default rules, to copy and change",
    description: """
        Prints the default rule files the command carries, each under a comment naming its file
        (rules/NAME.rules in the source package), or, given GROUPs, the part of the files under
        each group's header. Copy what you want to change into a file of your own: load a copied
        group with (disable GROUP) and --rules FILE, or every rule with --no-default-rules.
        """,
    options: [listOption])

/// Runs `saturate rules`.
func runRules(_ arguments: ParsedArguments) throws {
    let files = DefaultRules.files
    let rules: RuleSet
    do {
        rules = try loadRules(OptimizeOptions(), conditions: TensorAnalysis(inputShapes: [:]).conditions())
    } catch {
        throw CommandFailure.input(error.description)
    }
    let groups = rules.headers.map(\.name)
    for name in arguments.operands where !groups.contains(name) {
        throw rulesInterface.usageError("unknown group '\(name)' (known: \(groups.joined(separator: ", ")))")
    }
    if arguments.flag(listOption) { return print(groupList(rules), terminator: "") }
    guard !arguments.operands.isEmpty else {
        let texts = files.map { file in "; ---- \(file.path) ----\n" + file.text }
        return print(texts.joined(separator: "\n"), terminator: "")
    }
    var sections: [String] = []
    for file in files {
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
        // A group's text runs from its header to the next header of the
        // file, less the blank lines before that one.
        let starts = rules.headers.filter { $0.location.file == file.path }.map { ($0.name, $0.location.line - 1) }
        for (index, (name, start)) in starts.enumerated() where arguments.operands.contains(name) {
            let end = index + 1 < starts.count ? starts[index + 1].1 : lines.count
            var section = lines[start..<end]
            while section.last?.allSatisfy(\.isWhitespace) == true { section.removeLast() }
            sections.append("; ---- \(file.path) ----\n" + section.joined(separator: "\n") + "\n")
        }
    }
    print(sections.joined(separator: "\n"), terminator: "")
}

/// One line per group, in load order: its name, how many rules it holds
/// (a `<=>` rule counts as its two directions) and its file.
private func groupList(_ rules: RuleSet) -> String {
    let rows = rules.headers.map { header in
        let count = rules.entries.filter { $0.group == header.name && $0.location.file == header.location.file }.count
        return (header.name, "\(count) rule\(count == 1 ? "" : "s")", header.location.file)
    }
    let nameWidth = rows.map(\.0.count).max() ?? 0
    let countWidth = rows.map(\.1.count).max() ?? 0
    return rows.map { name, count, file in
        name + String(repeating: " ", count: nameWidth - name.count + 2) + count
            + String(repeating: " ", count: countWidth - count.count + 2) + file + "\n"
    }
    .joined()
}
