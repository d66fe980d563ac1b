extension LabelIndex {
    /// Checks every structural invariant of the index and traps on the first violation.
    ///
    /// Compiled to a no-op unless the package is built with `-DPROM_INTERNAL_CHECKS` (the test job does).
    /// - Complexity: O(capacity); takes each stripe's lock in turn.
    func _checkInvariants() {
        #if PROM_INTERNAL_CHECKS
        precondition(stripeMask >= 0 && (stripeMask + 1) & stripeMask == 0, "stripe count is not a power of two")
        for stripe in 0...stripeMask {
            locks.withLock(stripe) {
                let table = self.table(of: stripe)
                let capacity = table.capacity
                precondition(capacity >= LabelIndexConstants.minimumTableCapacity && capacity & (capacity - 1) == 0)
                var used = 0
                var removed = 0
                for slot in 0..<capacity {
                    let word = unsafe table.slots[slot].load(ordering: .relaxed)
                    if word == LabelTable.removed { removed += 1 }
                    guard word > LabelTable.removed else { continue }
                    used += 1
                    // Bits 16...63 of the cell's hash: all that probing uses (the stripe bits are not kept).
                    let bits = unsafe LabelTable.cell(word)._withUnsafeGuaranteedRef { $0.hashBits }
                    let hash = LabelTable.probeHash(word, hashBits: bits)
                    var position = Int(truncatingIfNeeded: hash >> 16) & (capacity - 1)
                    while position != slot {
                        let probed = unsafe table.slots[position].load(ordering: .relaxed)
                        precondition(probed != LabelTable.empty, "an empty slot breaks the probe sequence")
                        position = (position + 1) & (capacity - 1)
                    }
                }
                let counts = unsafe self.counts[stripe]
                precondition(used == counts.used - counts.removed, "used slots \(used) != counted \(counts)")
                precondition(removed == counts.removed, "removed slots \(removed) != counted \(counts)")
                precondition(
                    (counts.used) * LabelIndexConstants.maxLoadDenominator
                        <= capacity * LabelIndexConstants.maxLoadNumerator, "table over its load factor")
            }
        }
        #endif
    }
}
