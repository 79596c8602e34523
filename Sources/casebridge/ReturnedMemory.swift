#if canImport(Glibc)
import Glibc
#endif

/// Has the C library give memory back to the system when a large block is freed.
///
/// glibc serves a block of 128 KiB or more with a mapping of its own and unmaps it when freed, but it
/// raises that threshold to the size of the largest such block freed so far (up to 32 MiB). SQLite's
/// sorters (an index build, a rule's `GROUP BY`) allocate and free blocks of several MiB, so after the
/// first the next come from the heap and stay in the process when freed: a large export's run ended
/// with tens of MiB more resident than it used. Fixing the threshold keeps the peak to what is in use.
/// Elsewhere than glibc, nothing is done.
enum ReturnedMemory {
    static func fixMappingThreshold() {
        #if canImport(Glibc)
        // mallopt(3) is not in Swift's Glibc module; it is looked up by name (M_MMAP_THRESHOLD is -3).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 128 * 1024)
        #endif
    }
}
