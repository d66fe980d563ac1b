import Synchronization

/// The fixed part of a ``SeriesCell``: 16 bytes.
///
/// Kept this small on purpose: a W1 cell (16-byte object header, this header, two counter words and a label set of
/// at most 184 bytes) is at most 232 bytes, a 240-byte malloc chunk; with the full label hash and the shard
/// address in the header it was 248 bytes, a 256-byte chunk.
@frozen
@usableFromInline
@safe
package struct SeriesHeader {
    /// Number of 8-byte atomic words at the start of the tail, before the label bytes (a sharded counter's shard
    /// address included); at most 65,535 (registration refuses histograms with more than 65,533 buckets).
    @usableFromInline let valueWordCount: UInt16
    /// The number of per-CPU counter cells of a sharded counter (a power of two, at most 1,024), 0 when not sharded.
    @usableFromInline let shardCount: UInt16
    /// Number of bytes of the encoded label set that follows the value words.
    @usableFromInline let labelByteCount: Int32
    /// Position in the family's creation-order log; written only under the log's lock.
    @usableFromInline var logPosition: Int32
    /// Bits 16...47 of the label hash the cell is indexed under. With the tag in its slot word (bits 48...63) they
    /// are every bit a table probe uses (`hash >> 16`), so a growing table re-places cells without rehashing labels.
    @usableFromInline let hashBits: UInt32
}

/// One series: its atomic values and the exposition bytes of its label set, in one allocation.
///
/// Layout of the tail (8-byte aligned):
///
///     +-----------------------+-----------------------+-----+---------------------------+
///     | value word 0 (atomic) | value word 1 (atomic) | ... | label set: a="1",b="2"    |
///     +-----------------------+-----------------------+-----+---------------------------+
///
/// What the value words hold depends on the family type: a counter has an integer count and a
/// floating-point remainder (its value is their sum), a gauge the bits of a `Double`, a histogram one
/// count per bucket (not cumulative) then the bits of the sum. A sharded counter has a third word, the address
/// of its per-CPU cells (``Counter/shardWord``), written before the cell is published and never changed.
///
/// - Invariant: the value words are bound to `Atomic<UInt64>` and only ever accessed atomically; the label
///   bytes are bound to `UInt8`, written once in `make` and immutable afterwards, so any thread that can
///   reach the cell may read them without synchronisation.
/// - Invariant: a cell never moves, so pointers into it stay valid while the cell is retained.
@usableFromInline
package final class SeriesCell: ManagedBuffer<SeriesHeader, UInt64> {
    /// Creates a cell with zeroed values and the label-set encoding written by `writeLabels`.
    ///
    /// - Parameters:
    ///   - valueWordCount: Number of atomic value words.
    ///   - labelByteCount: Size of the encoded label set.
    ///   - shards: Per-CPU counter cells, for sharded counters.
    ///   - hash: The label hash the cell is indexed under.
    ///   - writeLabels: Writes exactly `labelByteCount` bytes at the given address.
    /// - Returns: The new cell.
    @usableFromInline
    static func make(
        valueWordCount: Int, labelByteCount: Int, shards: CounterShards?, hash: UInt64,
        writeLabels: (UnsafeMutableRawPointer) -> Void
    ) -> SeriesCell {
        precondition(shards == nil || valueWordCount == Counter.shardWord + 1, "a sharded counter has 3 value words")
        precondition(valueWordCount <= Int(UInt16.max) && (shards?.mask ?? 0) < Int(UInt16.max))
        let words = valueWordCount + (labelByteCount + 7) / 8
        let header = SeriesHeader(
            valueWordCount: UInt16(valueWordCount), shardCount: UInt16(shards.map { $0.mask + 1 } ?? 0),
            labelByteCount: Int32(labelByteCount), logPosition: -1, hashBits: UInt32(truncatingIfNeeded: hash >> 16))
        let buffer = SeriesCell.create(minimumCapacity: max(words, 1)) { _ in header }
        let cell = unsafe unsafeDowncast(buffer, to: SeriesCell.self)
        unsafe cell.withUnsafeMutablePointerToElements { elements in
            let raw = UnsafeMutableRawPointer(elements)
            let atomics = unsafe raw.bindMemory(to: Atomic<UInt64>.self, capacity: valueWordCount)
            for index in 0..<valueWordCount {
                // Safe: index < valueWordCount, the capacity just bound.
                unsafe (atomics + index).initialize(to: Atomic(0))
            }
            if let shards {
                // Safe: valueWordCount == shardWord + 1; stored before the cell is published, never changed.
                unsafe atomics[Counter.shardWord].store(
                    UInt64(UInt(bitPattern: shards.cells)), ordering: .relaxed)
            }
            let labelStart = unsafe raw + valueWordCount * 8
            // Safe: the tail has (labelByteCount + 7) / 8 words after the value words.
            unsafe labelStart.bindMemory(to: UInt8.self, capacity: labelByteCount)
            unsafe writeLabels(labelStart)
        }
        return cell
    }

    /// The atomic value words.
    ///
    /// The pointer must not outlive the cell.
    @inlinable @inline(__always)
    package var values: UnsafeMutablePointer<Atomic<UInt64>> {
        unsafe self.withUnsafeMutablePointerToElements {
            // Safe: the value words were bound to Atomic<UInt64> in make.
            unsafe UnsafeMutableRawPointer($0).assumingMemoryBound(to: Atomic<UInt64>.self)
        }
    }

    /// The encoded label set (`a="1",b="2"`), empty for a series without labels.
    ///
    /// The buffer must not outlive the cell. Header fields are read one by one through the header pointer
    /// (never as a whole struct) because `logPosition` is written concurrently under the log lock.
    @inlinable @inline(__always)
    package var labelBytes: UnsafeRawBufferPointer {
        unsafe self.withUnsafeMutablePointers { header, elements in
            unsafe UnsafeRawBufferPointer(
                start: UnsafeRawPointer(elements + Int(header.pointee.valueWordCount)),
                count: Int(header.pointee.labelByteCount)
            )
        }
    }

    /// ``labelBytes`` for a cell of a family whose cells have `valueWordCount` value words: the start is computed
    /// from the cell's address, not loaded from its header, so loads of the label bytes need not wait for the
    /// header's cache line.
    @inlinable @inline(__always)
    package func labelBytes(valueWordCount: Int) -> UnsafeRawBufferPointer {
        unsafe self.withUnsafeMutablePointers { header, elements in
            assert(Int(unsafe header.pointee.valueWordCount) == valueWordCount, "cells share the family's word count")
            return unsafe UnsafeRawBufferPointer(
                start: UnsafeRawPointer(elements + valueWordCount), count: Int(header.pointee.labelByteCount))
        }
    }

    /// The per-CPU cells of a sharded counter, or `nil`.
    @inlinable
    var shards: CounterShards? {
        unsafe self.withUnsafeMutablePointers { header, elements in
            let count = Int(unsafe header.pointee.shardCount)
            guard count != 0 else { return nil }
            // Safe: a sharded cell's word `shardWord` holds the address of its `count` cells (see make).
            let bits = unsafe UnsafeMutableRawPointer(elements).assumingMemoryBound(to: Atomic<UInt64>.self)[
                Counter.shardWord
            ].load(ordering: .relaxed)
            return unsafe CounterShards(
                cells: UnsafeMutablePointer(bitPattern: UInt(bits)).unsafelyUnwrapped, mask: count &- 1)
        }
    }

    deinit {
        self.shards?.deallocate()
    }

    /// Bits 16...47 of the label hash the cell is indexed under (see ``SeriesHeader/hashBits``).
    var hashBits: UInt32 { unsafe self.withUnsafeMutablePointerToHeader { unsafe $0.pointee.hashBits } }

    /// The position in the family's creation-order log; read and written only under the log's lock.
    var logPosition: Int {
        get { unsafe self.withUnsafeMutablePointerToHeader { Int(unsafe $0.pointee.logPosition) } }
        set { unsafe self.withUnsafeMutablePointerToHeader { unsafe $0.pointee.logPosition = Int32(newValue) } }
    }
}
