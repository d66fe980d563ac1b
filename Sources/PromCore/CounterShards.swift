import CPromCPU
import Synchronization

/// A per-CPU slot index: about 1 ns on Linux (an inline load from the thread's rseq area, see CPromCPU) and
/// stable while a thread stays on one CPU. Threads on different CPUs get different slots, so they do not share a
/// cache line.
@inlinable @inline(__always)
func currentCPUSlot() -> Int {
    Int(CPromCPU_current())
}

/// One cache line holding a counter's integer and floating-point parts for one CPU.
@usableFromInline
struct ShardCell: ~Copyable {
    @usableFromInline let integer = Atomic<UInt64>(0)
    @usableFromInline let floatBits = Atomic<UInt64>(0)
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
}

/// Cache-line padded counter cells, one per CPU slot, for a hot series that several threads increment.
///
/// A plain value (a pointer and a mask) read from the series cell (its shard count in the header, the address in
/// value word ``Counter/shardWord``), so that an increment reads it
/// without touching any reference count: retaining a shared object on every increment would bounce its
/// cache line between the very threads sharding is meant to separate.
///
/// - Invariant: `mask + 1` is a power of two; `cells` holds that many 64-byte aligned cells, allocated by
///   ``allocate(count:)`` and freed once, by the owning ``SeriesCell``'s `deinit`.
/// - Invariant: writers only add to their own slot's cell with `.relaxed` ordering; a scrape sums all
///   cells with `.relaxed` loads. Nothing else is published through a cell, so relaxed is enough: a scrape
///   may mix instants across cells but never sees a torn or decreasing per-cell value.
@frozen
@usableFromInline
@safe
struct CounterShards {
    @usableFromInline let cells: UnsafeMutablePointer<ShardCell>
    @usableFromInline let mask: Int

    @inlinable
    init(cells: UnsafeMutablePointer<ShardCell>, mask: Int) {
        unsafe self.cells = cells
        self.mask = mask
    }

    /// Allocates `count` zeroed cells.
    ///
    /// - Parameter count: Rounded up to a power of two, at least 1.
    static func allocate(count: Int) -> CounterShards {
        var size = 1
        while size < count { size <<= 1 }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 64 * size, alignment: 64)
        let cells = unsafe raw.bindMemory(to: ShardCell.self, capacity: size)
        for index in 0..<size {
            // Safe: index < size, the capacity just bound.
            unsafe (cells + index).initialize(to: ShardCell())
        }
        return unsafe CounterShards(cells: cells, mask: size - 1)
    }

    /// Frees the cells; called once, by the owning cell's `deinit`.
    func deallocate() {
        unsafe cells.deinitialize(count: mask + 1)
        unsafe UnsafeMutableRawPointer(cells).deallocate()
    }

    /// The cell of the calling thread's CPU.
    @inlinable @inline(__always)
    var local: UnsafeMutablePointer<ShardCell> {
        // Safe: the index is masked to count - 1.
        unsafe cells + (currentCPUSlot() & mask)
    }

    /// The summed integer and floating-point parts.
    var sums: (integer: UInt64, float: Double) {
        var integer: UInt64 = 0
        var float = 0.0
        for index in 0...mask {
            // Safe: index <= mask.
            integer &+= unsafe cells[index].integer.load(ordering: .relaxed)
            float += Double(bitPattern: unsafe cells[index].floatBits.load(ordering: .relaxed))
        }
        return (integer, float)
    }
}
