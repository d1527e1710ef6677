// The progress line of a long `saturate optimize` on a terminal.

import Foundation
import Optimizer

/// The progress of a long run on a terminal's stderr: one line, rewritten in
/// place, shown only once the run has taken a second so quick runs never
/// flicker, and erased when the run ends.
///
/// ``OptimizeOptions/progress`` reports only between iterations, and one
/// iteration of a gradient can take seconds; a timer redraws the line with the
/// time between reports, so a slow run never looks like a hung one. Hence a
/// class behind a lock: the reports and the timer come from different threads.
final class ProgressLine: @unchecked Sendable {
    /// How long a run goes quiet before the line appears: a second, or the
    /// seconds `SATURATE_PROGRESS_DELAY` gives (the tests shorten it, since
    /// the runs they can show it on finish within a second or two).
    private static let delaySeconds =
        ProcessInfo.processInfo.environment["SATURATE_PROGRESS_DELAY"].flatMap(Double.init) ?? 1.0
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
