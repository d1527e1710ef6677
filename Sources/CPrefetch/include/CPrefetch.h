// A prefetch hint for the e-graph's lookups. Swift's standard library has no
// prefetch, and a plain load used as a hint cannot retire until its cache
// line arrives; the compiler builtin becomes the target's prefetch
// instruction (prefetcht0 on x86-64, prfm on arm64), inlined into the Swift
// that calls it.
#ifndef SATURATE_CPREFETCH_H
#define SATURATE_CPREFETCH_H

/// Asks the processor to bring the cache line at `address` into every cache
/// level for reading, without waiting for it; `address` is not dereferenced.
static inline __attribute__((always_inline)) void saturate_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
