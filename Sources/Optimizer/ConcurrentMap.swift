import Dispatch
import Synchronization

/// `transform` of every element of `items`, in order, computed on every core
/// the machine has. The error of the first failing element (in order) is
/// thrown, so the outcome does not depend on the schedule.
///
/// For independent work that dominates a call, as the accuracy probe's
/// reference evaluations do: each element should take far longer than the
/// lock that records its result.
func concurrentMap<Item: Sendable, Result: Sendable, Failure: Error>(
    _ items: [Item], _ transform: @Sendable (Item) throws(Failure) -> Result
) throws(Failure) -> [Result] {
    if items.count < 2 {
        var results: [Result] = []
        for item in items { results.append(try transform(item)) }
        return results
    }
    let outcomes = Mutex<[Swift.Result<Result, Failure>?]>(Array(repeating: nil, count: items.count))
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        let outcome: Swift.Result<Result, Failure>
        do throws(Failure) {
            outcome = .success(try transform(items[index]))
        } catch {
            outcome = .failure(error)
        }
        outcomes.withLock { $0[index] = outcome }
    }
    return try outcomes.withLock { outcomes throws(Failure) in
        try outcomes.map { outcome throws(Failure) in try outcome!.get() }
    }
}
