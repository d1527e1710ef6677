/// LLVM's prefetch intrinsic, reached through its symbol name: the compiler
/// lowers a call to it to the target's prefetch instruction (`prefetcht0`
/// on x86-64, `prfm` on arm64), in debug builds as in release ones. The
/// standard library offers no prefetch, and the package takes no C target.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

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
    llvmPrefetch(address, 0, 3, 1)
}
