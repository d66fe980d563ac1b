/// How a family's store is sized and bounded.
public struct FamilyOptions: Sendable, Hashable {
    /// The expected number of series; the label index is preallocated for it.
    public var capacityHint: Int
    /// The most series the family creates; past it, new label sets fold into one overflow series whose
    /// label values are all `__overflow__`, and `prom_series_overflow_total{family}` counts them.
    /// `nil` means no limit.
    public var seriesLimit: Int?
    /// For counters: the number of cache-line padded cells per series (rounded up to a power of two),
    /// summed at export. Use it for a few hot series that many threads increment at once; each sharded
    /// series costs `64 * shards` bytes. 0 (the default) keeps one cell per series; at most
    /// ``maximumCounterShards`` cells are used.
    public var counterShards: Int

    /// The most per-CPU cells a sharded counter series gets (a larger `counterShards` is clamped to it).
    public static let maximumCounterShards = 1_024

    /// Creates options.
    ///
    /// - Parameters:
    ///   - capacityHint: Expected series count.
    ///   - seriesLimit: The series limit, or `nil`.
    ///   - counterShards: Per-series counter cells; 0 for none.
    public init(capacityHint: Int = 0, seriesLimit: Int? = nil, counterShards: Int = 0) {
        self.capacityHint = capacityHint
        self.seriesLimit = seriesLimit
        self.counterShards = counterShards
    }

    /// Shards a counter family's series across one cell per CPU (at most 64 cells).
    public static var shardedPerCPU: FamilyOptions {
        FamilyOptions(counterShards: min(64, max(2, FamilyOptions.processorCount)))
    }

    static var processorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 8
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
