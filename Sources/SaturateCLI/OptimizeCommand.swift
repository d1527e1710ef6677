// saturate optimize: the main job. See `optimizeUsage`.

import EGraph
import Foundation
import Optimizer
import TensorOps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let optimizeUsage = """
    saturate optimize FILE [--rules FILE]... [--no-default-rules] [--iter-limit N] [--node-limit N]
                           [--time-limit SECONDS] [--report] [--dump-egraph OUT.dot|OUT.json]... [--no-progress]
      prints the numerically stable program (same inputs and outputs, no grad) to stdout;
      --report prints what the optimizer did to stderr;
      --dump-egraph writes the final e-graph, extracted nodes marked, as Graphviz DOT (.dot)
        or egraph-serialize JSON (.json), by the extension; give it twice for both;
      --no-progress hides the progress line a run over a second shows when stderr is a terminal
    """

/// The formats `--dump-egraph` writes, chosen by the file's extension.
private enum EGraphDumpFormat {
    case dot
    case json

    /// The format the extension of `path` names, or `nil` for any other.
    init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "dot": self = .dot
        case "json": self = .json
        default: return nil
        }
    }
}

/// Runs `saturate optimize`.
func runOptimize(_ arguments: [String]) throws {
    var options = OptimizeOptions()
    var file: String?
    var wantsReport = false
    var showsProgress = true
    var dumps: [(path: String, format: EGraphDumpFormat)] = []
    var reader = ArgumentReader(arguments, usage: optimizeUsage)
    while let argument = reader.next() {
        if try readOptimizationOption(argument, &reader, into: &options) { continue }
        switch argument {
        case "--report": wantsReport = true
        case "--no-progress": showsProgress = false
        case "--dump-egraph":
            let path = try reader.value(of: argument)
            guard let format = EGraphDumpFormat(path: path) else {
                throw CommandFailure(
                    message: "--dump-egraph writes .dot or .json, found '\(path)'\nusage: " + optimizeUsage, status: 2)
            }
            dumps.append((path, format))
        default:
            guard !argument.hasPrefix("-"), file == nil else { throw reader.unexpected(argument) }
            file = argument
        }
    }
    guard let file else { throw CommandFailure(message: "usage: " + optimizeUsage, status: 2) }
    // Before the run, which can take seconds: a mistyped directory should not
    // cost the wait.
    for dump in dumps { try checkWritable(dump.path) }
    let program = try readProgram(file)
    options.keepsEGraph = !dumps.isEmpty
    let progressLine = showsProgress && isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    if let progressLine { options.progress = { progressLine.show($0) } }
    let result: OptimizationResult
    do {
        // Cleared before anything else reaches stderr: an error, the report.
        defer { progressLine?.clear() }
        result = try optimize(program, options: options)
    } catch {
        throw CommandFailure(message: error.description, status: 1)
    }
    // Written before the program is printed, so a run whose dump failed
    // prints nothing a pipeline could mistake for its whole result.
    if let saturated = result.saturated {
        for dump in dumps {
            let text =
                switch dump.format {
                case .dot: saturated.egraph.dotDescription(roots: saturated.roots, marking: saturated.extractedNodes)
                case .json: saturated.egraph.serializedJSON(roots: saturated.roots, marking: saturated.extractedNodes)
                }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: dump.path))
            } catch {
                throw CommandFailure(
                    message: "\(dump.path): cannot write the e-graph (\(error.localizedDescription))", status: 1)
            }
        }
    }
    print(result.program.program(), terminator: "")
    if wantsReport { FileHandle.standardError.write(Data(result.report.text.utf8)) }
}

/// Fails unless `path` names a file that can be created or overwritten: its
/// directory exists and is writable, and it is not itself a directory.
private func checkWritable(_ path: String) throws {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    let problem: String?
    if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
        problem =
            isDirectory.boolValue
            ? "it is a directory" : manager.isWritableFile(atPath: path) ? nil : "permission denied"
    } else {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !manager.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            problem = "no directory \(directory)"
        } else {
            problem = manager.isWritableFile(atPath: directory) ? nil : "permission denied in \(directory)"
        }
    }
    if let problem {
        throw CommandFailure(message: "\(path): cannot write the e-graph (\(problem))", status: 1)
    }
}

/// The progress of a long run on a terminal's stderr: one line, rewritten in
/// place, shown only once the run has taken a second so quick runs never
/// flicker, and erased when the run ends.
///
/// ``OptimizeOptions/progress`` reports only between iterations, and one
/// iteration of a gradient can take seconds; a timer redraws the line with the
/// time between reports, so a slow run never looks like a hung one. Hence a
/// class behind a lock: the reports and the timer come from different threads.
private final class ProgressLine: @unchecked Sendable {
    /// How long a run goes quiet before the line appears.
    private static let delaySeconds = 1.0
    private let lock = NSLock()
    private let timer = DispatchSource.makeTimerSource(queue: .global())
    /// The latest report, and when ``optimize(_:options:)`` started by its
    /// clock, so the time shown never runs backwards between reports.
    private var latest: (progress: OptimizationProgress, start: Date)?
    /// The widest text written on the line so far, so a shorter update or the
    /// final erasure can blank what earlier ones left.
    private var shownWidth = 0
    private var isFinished = false

    init() {
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in self?.lock.withLock { self?.draw() } }
        timer.resume()
    }

    func show(_ progress: OptimizationProgress) {
        lock.withLock {
            let start = latest?.start ?? Date(timeIntervalSinceNow: -progress.elapsedSeconds)
            latest = (progress, start)
            draw()
        }
    }

    /// Stops the timer and erases the line, if one was shown, leaving the
    /// cursor at its start.
    func clear() {
        lock.withLock {
            isFinished = true
            timer.cancel()
            guard shownWidth > 0 else { return }
            write("\r" + String(repeating: " ", count: shownWidth) + "\r")
            shownWidth = 0
        }
    }

    /// Redraws the line from the latest report. Called under the lock.
    private func draw() {
        guard !isFinished, let (progress, start) = latest else { return }
        let seconds = Date().timeIntervalSince(start)
        guard seconds >= Self.delaySeconds else { return }
        let text =
            "iteration \(progress.iteration), \(progress.nodes) e-nodes, \(progress.classes) e-classes, "
            + String(format: "%.1f s", seconds)
        shownWidth = max(shownWidth, text.count)
        write("\r" + text + String(repeating: " ", count: shownWidth - text.count))
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
