import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the real `saturate` executable, built next to the test bundle, as a
/// subprocess: the command line is part of what the tests check (exit
/// statuses, messages on stderr, what stdout holds), and only a real process
/// shows a crash as a crash rather than as the test runner dying.
enum SaturateProcess {
    /// One finished run.
    struct Run: Sendable {
        /// The arguments after `saturate`.
        var arguments: [String]
        /// The exit status (or the signal number, when killed).
        var status: Int32
        /// Whether it died of a signal: a crash, or the kill after a timeout.
        var crashed: Bool
        /// Whether it ran past its timeout and was killed.
        var timedOut: Bool
        /// Everything it wrote to stdout.
        var stdout: String
        /// Everything it wrote to stderr; empty when stderr went elsewhere.
        var stderr: String
        /// Wall-clock seconds from start to exit.
        var seconds: Double

        /// The command, its status and the start of stderr, for failure
        /// messages.
        var summary: String {
            "saturate \(arguments.joined(separator: " ")): status \(status)\(crashed ? " (signal)" : "")"
                + (timedOut ? " (timed out)" : "") + "\nstderr: \(stderr.prefix(600))"
        }
    }

    /// The repository's root, where the README's commands run.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable, found by walking up from the test bundle (SwiftPM puts
    /// both in the same build directory); `nil` if it was not built.
    static let executable: URL? = {
        var starts = [Bundle.main.bundleURL]
        if let first = CommandLine.arguments.first { starts.append(URL(fileURLWithPath: first)) }
        for start in starts {
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("saturate")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// The executable, or a skip that says how to build it.
    static func require() throws -> URL {
        guard let executable else {
            throw XCTSkip("the saturate executable is not next to the test bundle; build it (swift build) first")
        }
        return executable
    }

    /// Runs `saturate arguments` from `directory` (the repository's root by
    /// default), with `stdin` as its standard input (empty by default),
    /// stdout and stderr captured, or with `stderr` as its standard error
    /// when given; a run past `timeout` seconds is killed and marked timed
    /// out.
    static func run(
        _ arguments: [String], in directory: URL = packageRoot, environment: [String: String]? = nil,
        stdin: Data? = nil, stderr: FileHandle? = nil, timeout: TimeInterval = 300
    ) throws -> Run {
        try run(
            executable: require(), arguments, in: directory, environment: environment, stdin: stdin,
            stderr: stderr, timeout: timeout)
    }

    /// Runs any executable as ``run(_:in:environment:stdin:stderr:timeout:)``
    /// runs `saturate`: a shell, say, for a page's commands, or a copy of
    /// `saturate` elsewhere.
    static func run(
        executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil,
        stdin: Data? = nil, stderr: FileHandle? = nil, timeout: TimeInterval = 300
    ) throws -> Run {
        let temporary = FileManager.default.temporaryDirectory
        let outURL = temporary.appendingPathComponent("saturate-\(UUID().uuidString).out")
        let errURL = temporary.appendingPathComponent("saturate-\(UUID().uuidString).err")
        let inURL = temporary.appendingPathComponent("saturate-\(UUID().uuidString).in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
        defer {
            for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        // Files, not pipes: a run that prints a lot cannot block on a full pipe.
        process.standardOutput = outHandle
        process.standardError = stderr ?? errHandle
        let inHandle = try FileHandle(forReadingFrom: inURL)
        defer { try? inHandle.close() }
        process.standardInput = inHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let start = Date()
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        let seconds = Date().timeIntervalSince(start)
        try outHandle.close()
        try errHandle.close()
        let status = process.terminationStatus
        return Run(
            arguments: arguments, status: status,
            crashed: process.terminationReason == .uncaughtSignal || status > 128, timedOut: timedOut,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self), seconds: seconds)
    }

    /// Runs the jobs `width` at a time (CI has two cores); results in the
    /// order given, the first error thrown once all have finished.
    static func inParallel<T: Sendable>(_ jobs: [@Sendable () throws -> T], width: Int = 2) throws -> [T] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [Result<T, any Error>?](repeating: nil, count: jobs.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: min(width, jobs.count)) { _ in
            while let index = next.take(below: jobs.count) {
                let result = Result { try jobs[index]() }
                lock.withLock { results[index] = result }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Runs every argument list, two at a time, in order of the list.
    static func runAll(
        _ argumentLists: [[String]], timeout: TimeInterval = 20, environment: [String: String]? = nil
    ) throws -> [Run] {
        _ = try require()
        return try inParallel(
            argumentLists.map { arguments in
                { try run(arguments, environment: environment, timeout: timeout) }
            })
    }
}

extension SaturateProcess {
    /// Whether some line of `stderr` is a `file:line:col: message` located in `file`.
    static func hasLocatedMessage(_ stderr: String, file: String) -> Bool {
        stderr.split(separator: "\n").contains { line in
            guard line.hasPrefix(file + ":") else { return false }
            let parts = line.dropFirst(file.count + 1).split(separator: ":", maxSplits: 2)
            return parts.count == 3 && Int(parts[0]) != nil && Int(parts[1]) != nil && parts[2].hasPrefix(" ")
        }
    }

    /// A fresh directory under the temporary directory, which `body` gets
    /// and which is removed after it.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saturate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }
}

/// A shared index handed out under a lock.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
