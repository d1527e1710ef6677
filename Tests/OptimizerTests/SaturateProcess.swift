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
    /// default), with stdout and stderr captured, or with `stderr` as its
    /// standard error when given; a run past `timeout` seconds is killed and
    /// marked timed out.
    static func run(
        _ arguments: [String], in directory: URL = packageRoot, environment: [String: String]? = nil,
        stderr: FileHandle? = nil, timeout: TimeInterval = 300
    ) throws -> Run {
        try run(
            executable: require(), arguments, in: directory, environment: environment, stderr: stderr,
            timeout: timeout)
    }

    /// Runs any executable as ``run(_:in:environment:stderr:timeout:)`` runs
    /// `saturate`: a shell, say, for a page's commands.
    static func run(
        executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil,
        stderr: FileHandle? = nil, timeout: TimeInterval = 300
    ) throws -> Run {
        let temporary = FileManager.default.temporaryDirectory
        let outURL = temporary.appendingPathComponent("saturate-\(UUID().uuidString).out")
        let errURL = temporary.appendingPathComponent("saturate-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
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
        process.standardInput = FileHandle.nullDevice
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

    /// Runs each job on its own thread; results in the order given.
    static func runConcurrently(_ jobs: [@Sendable () throws -> Run]) throws -> [Run] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [Result<Run, any Error>?](repeating: nil, count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let result = Result { try jobs[index]() }
            lock.withLock { results[index] = result }
        }
        return try results.map { try $0!.get() }
    }
}

extension SaturateProcess {
    /// Runs every argument list, two at a time (CI has two cores), in order of the list.
    static func runAll(
        _ argumentLists: [[String]], timeout: TimeInterval = 20, environment: [String: String]? = nil
    ) throws -> [Run] {
        _ = try require()
        let lock = NSLock()
        nonisolated(unsafe) var results = [Run?](repeating: nil, count: argumentLists.count)
        nonisolated(unsafe) var failure: Error?
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while let index = next.take(below: argumentLists.count) {
                do {
                    let run = try run(argumentLists[index], environment: environment, timeout: timeout)
                    lock.withLock { results[index] = run }
                } catch {
                    lock.withLock { failure = error }
                }
            }
        }
        if let failure { throw failure }
        return results.map { $0! }
    }

    /// Whether some line of `stderr` is a `file:line:col: message` located in `file`.
    static func hasLocatedMessage(_ stderr: String, file: String) -> Bool {
        stderr.split(separator: "\n").contains { line in
            guard line.hasPrefix(file + ":") else { return false }
            let parts = line.dropFirst(file.count + 1).split(separator: ":", maxSplits: 2)
            return parts.count == 3 && Int(parts[0]) != nil && Int(parts[1]) != nil && parts[2].hasPrefix(" ")
        }
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
