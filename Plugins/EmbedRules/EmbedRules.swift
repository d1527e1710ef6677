// The build-tool plugin that compiles the default rule files into the
// DefaultRules module: `rules/*.rules` stay the files users read and edit,
// and the command that ships carries them, with nothing to install beside it.

import Foundation
import PackagePlugin

/// Writes the texts of a target's `.rules` files into a Swift file of that
/// target, by running `EmbedRulesTool`.
///
/// The rule files are the command's inputs, so editing one reruns it and
/// rebuilds the module; adding or removing one changes the target's files,
/// which replans the build.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        // Sorted, so the generated file is the same whatever order the file
        // system lists the directory in.
        let files = module.sourceFiles(withSuffix: "rules").map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedRules.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) rule files in \(target.name)",
                executable: try context.tool(named: "EmbedRulesTool").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
