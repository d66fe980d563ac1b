import Synchronization

/// Writer-side bookkeeping of one stripe, guarded by the stripe's lock.
struct StripeCounts {
    var used = 0
    var removed = 0
}

/// The label-hash index of one family: label values → series cell.
///
/// The index is split into stripes by hash. Lookups take no lock: they run inside a ``ReadSections``
/// section and probe the stripe's published table. Inserts and removals lock one stripe.
///
/// - Invariant: `stripeCount` is a power of two; stripe `s` holds exactly the hashes with
///   `hash & stripeMask == s`. Probing starts at `(hash >> 16) & (capacity - 1)`.
/// - Invariant: every used slot of a stripe's current table owns one retain of its cell; removed slots
///   have their cell bits cleared (the retain moves to the remover, released after `synchronize()`).
///   A replaced table's slots own nothing: their retains moved to the new table.
///
/// Performance: a lookup hit costs one read section, one hash of the values and one compare of the
/// label bytes; a miss (new series) costs a stripe lock and, when a table fills, an O(n/stripes) rehash.
@usableFromInline
@safe
package final class LabelIndex: @unchecked Sendable {
    /// Per stripe, the current `LabelTable.base` bits: replaced under the stripe's lock, read lock-free
    /// inside a read section. Kept apart from `counts` so that writers updating the counts never touch
    /// the words readers load.
    @usableFromInline let tables: UnsafeMutablePointer<Atomic<UInt>>
    /// Per stripe, writer bookkeeping guarded by the stripe's lock.
    let counts: UnsafeMutablePointer<StripeCounts>
    @usableFromInline let stripeMask: Int
    @usableFromInline let sections = ReadSections()
    /// One lock per stripe, for writers.
    let locks: LockBlock

    /// Creates an index sized for about `capacityHint` series.
    ///
    /// - Parameter capacityHint: Expected series count; tables are preallocated for it.
    init(capacityHint: Int) {
        let stripeCount = LabelIndexConstants.stripeCount(forCapacity: capacityHint)
        let perStripe = LabelIndexConstants.tableCapacity(forCount: capacityHint / stripeCount)
        locks = LockBlock(count: stripeCount)
        let tables = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: stripeCount)
        let counts = UnsafeMutablePointer<StripeCounts>.allocate(capacity: stripeCount)
        for index in 0..<stripeCount {
            // Safe: index < stripeCount.
            let table = LabelTable.allocate(capacity: perStripe)
            unsafe (tables + index).initialize(to: Atomic(UInt(bitPattern: table.base)))
            unsafe (counts + index).initialize(to: StripeCounts())
        }
        unsafe self.tables = tables
        unsafe self.counts = counts
        self.stripeMask = stripeCount - 1
    }

    deinit {
        for index in 0...stripeMask {
            let table = self.table(of: index)
            table.releaseCells()
            table.deallocate()
        }
        unsafe tables.deinitialize(count: stripeMask + 1)
        unsafe tables.deallocate()
        unsafe counts.deinitialize(count: stripeMask + 1)
        unsafe counts.deallocate()
    }

    @inlinable @inline(__always)
    func table(of stripe: Int) -> LabelTable {
        // Ordering: .acquiring pairs with the .releasing store that published the table's initialised slots.
        // Safe: stripe <= stripeMask.
        let bits = unsafe tables[stripe].load(ordering: .acquiring)
        return unsafe LabelTable(base: UnsafeMutableRawPointer(bitPattern: bits).unsafelyUnwrapped)
    }

    /// Calls `body` with the cell whose label set `matches` accepts; lock-free.
    ///
    /// - Parameters:
    ///   - hash: The finalised label hash.
    ///   - matches: Compares a candidate cell's labels with the values looked up; gets whether the cell's
    ///     stored label set is raw.
    ///   - body: Gets the cell, valid only during the call (retain it to keep it); called once, or not at all
    ///     when no cell matches.
    /// - Returns: What `body` returns, or `nil` when no cell matches.
    @inlinable @inline(__always)
    func withCell<R>(hash: UInt64, matches: (SeriesCell, Bool) -> Bool, _ body: (SeriesCell) -> R) -> R? {
        let token = sections.enter()
        defer { sections.leave(token) }
        let table = self.table(of: Int(truncatingIfNeeded: hash) & stripeMask)
        let mask = table.capacity &- 1
        var position = Int(truncatingIfNeeded: hash >> 16) & mask
        var word: UInt64
        while true {
            // Ordering: .acquiring pairs with the .releasing store that published the slot's cell.
            // Safe: position is masked to capacity - 1.
            word = unsafe table.slots[position].load(ordering: .acquiring)
            if word == LabelTable.empty { return nil }
            if LabelTable.isCandidate(word, for: hash) {
                // Safe: a cell is released only after every read section that could see its slot has left.
                if unsafe LabelTable.cell(word)._withUnsafeGuaranteedRef({ matches($0, LabelTable.isRaw(word)) }) {
                    break
                }
            }
            position = (position &+ 1) & mask
        }
        // Safe: as above, the cell lives until this section is left.
        return unsafe LabelTable.cell(word)._withUnsafeGuaranteedRef { body($0) }
    }

    /// Finds the cell for a label set, creating it under the stripe lock when missing.
    ///
    /// - Parameters:
    ///   - hash: The finalised label hash.
    ///   - matches: Compares a candidate cell's labels with the values looked up.
    ///   - create: Makes the cell (called at most once, under the stripe lock); `nil` refuses creation.
    /// - Returns: The existing or new cell, or `nil` when `create` refused.
    @usableFromInline
    func findOrInsert(hash: UInt64, matches: (SeriesCell, Bool) -> Bool, create: () -> SeriesCell?) -> SeriesCell? {
        let stripe = Int(truncatingIfNeeded: hash) & stripeMask
        return locks.withLock(stripe) { () -> SeriesCell? in
            if let (_, existing) = findLocked(stripe: stripe, hash: hash, matches: matches) { return existing }
            guard let cell = create() else { return nil }
            precondition(cell.hashBits == UInt32(truncatingIfNeeded: hash >> 16), "a cell carries its hash's bits")
            unsafe growIfNeeded(stripe: stripe, counts: &counts[stripe])
            let address = unsafe Unmanaged.passRetained(cell).toOpaque()
            precondition(UInt64(UInt(bitPattern: address)) & ~LabelTable.addressMask == 0, "address above 2^48")
            precondition(UInt64(UInt(bitPattern: address)) & LabelTable.rawFlag == 0, "cell not 16-byte aligned")
            let raw = unsafe LabelSetEncoding.isRaw(cell.labelBytes)
            unsafe self.table(of: stripe).insert(LabelTable.word(tag: hash, cell: address, raw: raw), hash: hash)
            unsafe counts[stripe].used += 1
            return cell
        }
    }

    /// Unlinks the cell for a label set and hands the index's reference to the caller, who must call
    /// `sections.synchronize()` before dropping it.
    ///
    /// - Parameters:
    ///   - hash: The finalised label hash.
    ///   - matches: Compares a candidate cell's labels with the values looked up.
    /// - Returns: The removed cell, or `nil` when there was none.
    func remove(hash: UInt64, matches: (SeriesCell, Bool) -> Bool) -> SeriesCell? {
        let stripe = Int(truncatingIfNeeded: hash) & stripeMask
        return locks.withLock(stripe) { () -> SeriesCell? in
            guard let (position, cell) = findLocked(stripe: stripe, hash: hash, matches: matches) else { return nil }
            // Ordering: .releasing orders the unlink before the remover's synchronize().
            unsafe self.table(of: stripe).slots[position].store(LabelTable.removed, ordering: .releasing)
            unsafe counts[stripe].removed += 1
            // The index's retain moves to the caller.
            return unsafe Unmanaged.passUnretained(cell).takeRetainedValue()
        }
    }

    /// Removes every cell; waits for readers before releasing them.
    ///
    /// - Parameter whileLocked: Runs while every stripe is locked, so that the caller can clear state that
    ///   must stay consistent with the index (the creation-order log).
    func removeAll(whileLocked: () -> Void) {
        var retired: [LabelTable] = []
        withAllStripesLocked(from: 0) {
            for stripe in 0...stripeMask {
                let old = self.table(of: stripe)
                let fresh = LabelTable.allocate(capacity: LabelIndexConstants.minimumTableCapacity)
                // Ordering: .releasing publishes the empty table's initialised slots.
                unsafe tables[stripe].store(UInt(bitPattern: fresh.base), ordering: .releasing)
                retired.append(old)
            }
            whileLocked()
        }
        sections.synchronize()
        for table in retired {
            table.releaseCells()
            table.deallocate()
        }
    }

    /// The number of series in the index (used minus removed slots), summed over stripes.
    var liveCount: Int {
        var total = 0
        for stripe in 0...stripeMask {
            total += locks.withLock(stripe) { unsafe counts[stripe].used - counts[stripe].removed }
        }
        return total
    }

    private func withAllStripesLocked(from stripe: Int, _ body: () -> Void) {
        guard stripe <= stripeMask else { return body() }
        locks.withLock(stripe) {
            unsafe counts[stripe] = StripeCounts()
            withAllStripesLocked(from: stripe + 1, body)
        }
    }

    private func findLocked(stripe: Int, hash: UInt64, matches: (SeriesCell, Bool) -> Bool) -> (Int, SeriesCell)? {
        let table = self.table(of: stripe)
        let mask = table.capacity - 1
        var position = Int(truncatingIfNeeded: hash >> 16) & mask
        while true {
            let word = unsafe table.slots[position].load(ordering: .relaxed)
            if word == LabelTable.empty { return nil }
            if LabelTable.isCandidate(word, for: hash) {
                let cell = unsafe LabelTable.cell(word).takeUnretainedValue()
                if matches(cell, LabelTable.isRaw(word)) { return (position, cell) }
            }
            position = (position + 1) & mask
        }
    }

    /// Replaces the stripe's table with a larger (or cleaned) one when inserting would pass the load factor.
    @inline(never)
    private func growIfNeeded(stripe: Int, counts: inout StripeCounts) {
        let old = self.table(of: stripe)
        guard
            (counts.used + 1) * LabelIndexConstants.maxLoadDenominator > old.capacity
                * LabelIndexConstants.maxLoadNumerator
        else { return }
        let live = counts.used - counts.removed
        let fresh = LabelTable.allocate(capacity: LabelIndexConstants.tableCapacity(forCount: (live + 1) * 2))
        for slot in 0..<old.capacity {
            let word = unsafe old.slots[slot].load(ordering: .relaxed)
            guard word > LabelTable.removed else { continue }
            let bits = unsafe LabelTable.cell(word)._withUnsafeGuaranteedRef { $0.hashBits }
            fresh.insert(word, hash: LabelTable.probeHash(word, hashBits: bits))
        }
        // Ordering: .releasing publishes the filled table to readers' .acquiring load in table(of:).
        unsafe tables[stripe].store(UInt(bitPattern: fresh.base), ordering: .releasing)
        counts = StripeCounts(used: live, removed: 0)
        // The retains moved to the new table with the words; the old table is freed once no reader is in it.
        sections.synchronize()
        old.deallocate()
    }
}

/// Tunables of ``LabelIndex``, with the reasons for their values.
enum LabelIndexConstants {
    /// Tables are filled to at most 3/4: linear probing stays short (about 2.5 probes on a miss) while the
    /// table costs 11 to 21 bytes per series (8-byte slots).
    static let maxLoadNumerator = 3
    static let maxLoadDenominator = 4
    /// The smallest table: 8 slots (64 bytes), so that small families stay small.
    static let minimumTableCapacity = 8
    /// Enough stripes that writers creating series rarely meet on one lock, few enough that an empty
    /// family stays small: 4 for small families, up to 256 for a million series.
    static func stripeCount(forCapacity capacity: Int) -> Int {
        var count = 4
        while count < 256 && count * 4096 < capacity { count <<= 1 }
        return count
    }

    /// The power-of-two capacity that holds `count` slots below the load factor.
    static func tableCapacity(forCount count: Int) -> Int {
        var capacity = minimumTableCapacity
        while capacity * maxLoadNumerator < count * maxLoadDenominator { capacity <<= 1 }
        return capacity
    }
}
