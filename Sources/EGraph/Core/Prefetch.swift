internal import CPrefetch

/// Asks the processor to bring the cache line at `address` into its caches,
/// without waiting for it.
///
/// A plain load used as a hint cannot retire until
/// its line arrives, so a few of them fill the reorder buffer and the misses
/// behind them wait: measured, reading a chunk's hash-cons slots that way
/// kept the AC workload's warm pass as slow as probing them one by one. A
/// prefetch retires at once, so a whole chunk's misses are in flight
/// together. `address` is never dereferenced here, and a prefetch of any
/// address is harmless, but callers pass addresses inside their buffers.
@inline(__always)
func prefetchLine(_ address: UnsafeRawPointer) {
    saturate_prefetch(address)
}
