// saturate: the command line of Saturate. `Tool` holds the commands; each
// command's file holds its interface (operands, options, help) and its run.
// Errors go to stderr, as file:line:col: message where they have a place;
// `ExitStatus` lists the statuses.

import Foundation

do {
    try Tool.run(Array(CommandLine.arguments.dropFirst()))
} catch let failure as CommandFailure {
    if !failure.message.isEmpty { FileHandle.standardError.write(Data((failure.message + "\n").utf8)) }
    exit(failure.status.rawValue)
} catch {
    FileHandle.standardError.write(Data("saturate: \(error)\n".utf8))
    exit(ExitStatus.input.rawValue)
}
