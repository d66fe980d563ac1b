import Synchronization

/// One stripe's open-addressing hash table (linear probing), one allocation: a capacity then the slots.
///
/// Each slot is one atomic word:
///
///     63          48 47                                  1   0
///     +-------------+-------------------------------------+---+
///     | hash tag 16 | SeriesCell address (48 bits)        |raw|     0 = empty, 1 = removed
///     +-------------+-------------------------------------+---+
///
/// The tag (the top 16 bits of the label hash) rejects almost every non-matching slot without touching
/// the cell; the cell keeps bits 16...47, so tag and cell together give every bit a probe uses, for rehashing. Cells are 16-byte aligned, so bit 0 of the
/// address is free: it says whether the cell's stored label set is raw (holds no backslash), which picks the
/// compare (see ``FamilyCore/matches(_:_:raw:)``) without a load from the cell.
///
/// - Invariant: `capacity` is a power of two. A slot goes empty → used → removed, never back; a table is
///   replaced (not resized in place) when it fills, and the old one is freed only after
///   ``ReadSections/synchronize()``.
/// - Invariant: a writer publishes a used slot with one `.releasing` store after the cell is fully
///   initialised; a reader's `.acquiring` load of the slot then sees the cell's contents.
/// - Invariant: user-space addresses fit in 48 bits (x86-64 and arm64 Linux and macOS); `init` of
///   ``LabelIndex`` checks a cell address once.
@safe
@usableFromInline
struct LabelTable {
    @usableFromInline let base: UnsafeMutableRawPointer

    @usableFromInline static let empty: UInt64 = 0
    @usableFromInline static let removed: UInt64 = 1
    @usableFromInline static let addressMask: UInt64 = (1 << 48) - 1
    @usableFromInline static let rawFlag: UInt64 = 1

    @inlinable @inline(__always)
    init(base: UnsafeMutableRawPointer) { unsafe self.base = base }

    static func allocate(capacity: Int) -> LabelTable {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 16 + 8 * capacity, alignment: 16)
        unsafe raw.storeBytes(of: capacity, as: Int.self)
        let slots = unsafe (raw + 16).bindMemory(to: Atomic<UInt64>.self, capacity: capacity)
        for index in 0..<capacity {
            // Safe: index < capacity, the count just bound.
            unsafe (slots + index).initialize(to: Atomic(LabelTable.empty))
        }
        return unsafe LabelTable(base: raw)
    }

    func deallocate() {
        unsafe slots.deinitialize(count: capacity)
        unsafe base.deallocate()
    }

    @inlinable @inline(__always)
    var capacity: Int { unsafe base.load(as: Int.self) }

    @inlinable @inline(__always)
    var slots: UnsafeMutablePointer<Atomic<UInt64>> {
        // Safe: bound in allocate.
        unsafe (base + 16).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The slot word for a cell (16-byte aligned) whose stored label set is `raw` or not.
    @inlinable @inline(__always)
    static func word(tag hash: UInt64, cell: UnsafeRawPointer, raw: Bool) -> UInt64 {
        (hash & ~addressMask) | UInt64(UInt(bitPattern: cell)) | (raw ? rawFlag : 0)
    }

    /// Bits 16...63 of the label hash of a used slot word's cell, from the word's tag and the cell's `hashBits`
    /// (bits 16...47), bits 0...15 zero: enough for ``insert(_:hash:)`` and ``isCandidate(_:for:)``, which read
    /// only `hash >> 16` and the tag.
    @inlinable @inline(__always)
    static func probeHash(_ word: UInt64, hashBits: UInt32) -> UInt64 {
        (word & ~addressMask) | UInt64(hashBits) << 16
    }

    /// Whether a used slot word's cell has a raw stored label set.
    @inlinable @inline(__always)
    static func isRaw(_ word: UInt64) -> Bool { word & rawFlag != 0 }

    /// The cell a used slot word points to.
    @inlinable @inline(__always)
    static func cell(_ word: UInt64) -> Unmanaged<SeriesCell> {
        // Safe: used slot words hold the address of a cell the table retains.
        unsafe Unmanaged<SeriesCell>.fromOpaque(
            UnsafeRawPointer(bitPattern: UInt(word & addressMask & ~rawFlag)).unsafelyUnwrapped)
    }

    /// Whether a slot word is used and carries the tag of `hash`.
    @inlinable @inline(__always)
    static func isCandidate(_ word: UInt64, for hash: UInt64) -> Bool {
        word > removed && (word ^ hash) & ~addressMask == 0
    }

    /// Gives up the retains of the cells in used slots (removed slots own none).
    func releaseCells() {
        for slot in 0..<capacity {
            let word = unsafe slots[slot].load(ordering: .relaxed)
            if word > LabelTable.removed { unsafe LabelTable.cell(word).release() }
        }
    }

    /// Stores `word` in the first empty slot of the probe sequence of `hash`; the caller holds the lock
    /// and made sure the table has room.
    func insert(_ word: UInt64, hash: UInt64) {
        let mask = capacity - 1
        var position = Int(truncatingIfNeeded: hash >> 16) & mask
        while unsafe slots[position].load(ordering: .relaxed) != LabelTable.empty { position = (position + 1) & mask }
        // Ordering: .releasing publishes the initialised cell (and, for a new table, nothing else is needed:
        // the table itself is published with .releasing too).
        unsafe slots[position].store(word, ordering: .releasing)
    }
}
