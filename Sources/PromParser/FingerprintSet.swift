/// A set of 64-bit fingerprints (open addressing, linear probing). Fingerprints are already well mixed, so they
/// are used as their own hash; 0 marks an empty slot, so a fingerprint of 0 is stored as 1 (one more collision
/// pair in 2^64).
///
/// Performance: `insert` and `contains` are inlined probes over the slot buffer; growing is outlined and re-places
/// the old keys directly, without `insert`'s capacity test per key. The slots grow fourfold, not twofold: a set
/// filled from empty (one per label set of a 100k-series family) then re-places about a third as many keys and
/// zeroes two thirds as much fresh memory on its way up, for at most twice the slots of doubling (between 3/16 and
/// 3/4 full instead of between 3/8 and 3/4).
///
/// Thread-safety: a plain value; use one set from one thread at a time.
///
/// - Invariant: `slots.count` is 0 or a power of two, and at most 3/4 full.
struct _FingerprintSet {
    private var slots: [UInt64] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Inserts `fingerprint`; returns whether it was new.
    ///
    /// - Complexity: amortised O(1); one probe sequence, plus an outlined growth when 3/4 full.
    @inline(__always) @discardableResult
    mutating func insert(_ fingerprint: UInt64) -> Bool {
        if (count &+ 1) &* 4 > slots.count &* 3 { grow() }
        let key = fingerprint == 0 ? 1 : fingerprint
        let inserted = unsafe slots.withUnsafeMutableBufferPointer { unsafe _FingerprintSet.place(key, in: $0) }
        if inserted { count &+= 1 }
        return inserted
    }

    /// Reads the slot where a lookup of `fingerprint` starts, so that its cache line is on its way while the caller
    /// does other work before `insert`; returns the slot (store it somewhere, or the read is dropped).
    @inline(__always) func touch(_ fingerprint: UInt64) -> UInt64 {
        let key = fingerprint == 0 ? 1 : fingerprint
        return unsafe slots.withUnsafeBufferPointer { slots in
            guard slots.count > 0 else { return 0 }
            // Safe: the index is masked to slots.count - 1 (a power of two).
            return unsafe slots[Int(truncatingIfNeeded: key) & (slots.count - 1)]
        }
    }

    /// Whether `fingerprint` is in the set.
    ///
    /// - Complexity: O(1) expected; one probe sequence.
    func contains(_ fingerprint: UInt64) -> Bool {
        guard count > 0 else { return false }
        let key = fingerprint == 0 ? 1 : fingerprint
        return unsafe slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: key) & mask
            while true {
                // Safe: index <= mask < slots.count.
                let slot = unsafe slots[index]
                if slot == key { return true }
                if slot == 0 { return false }
                index = (index &+ 1) & mask
            }
        }
    }

    /// Empties the set. Keeps the storage when it is small relative to what was stored, so that clearing costs
    /// O(elements inserted since the last clear) amortised.
    mutating func removeAll() {
        guard count > 0 else { return }
        if slots.count > 64 && slots.count > count * 8 {
            slots = Array(repeating: 0, count: max(16, (count * 2).nextPowerOfTwo))
        } else {
            for index in slots.indices { slots[index] = 0 }
        }
        count = 0
    }

    /// Stores `key` (not 0) in `slots` (a power of two, with a free slot) unless it is there; returns whether it
    /// was new.
    @inline(__always) private static func place(_ key: UInt64, in slots: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        let mask = slots.count &- 1
        var index = Int(truncatingIfNeeded: key) & mask
        while true {
            // Safe: index <= mask < slots.count.
            let slot = unsafe slots[index]
            if slot == key { return false }
            if slot == 0 {
                unsafe slots[index] = key
                return true
            }
            index = (index &+ 1) & mask
        }
    }

    /// Quadruples the slots (at least 16) and re-places every key.
    @inline(never) private mutating func grow() {
        var fresh = [UInt64](repeating: 0, count: max(16, slots.count * 4))
        unsafe fresh.withUnsafeMutableBufferPointer { fresh in
            unsafe slots.withUnsafeBufferPointer { old in
                for index in 0..<old.count {
                    // Safe: index < old.count; fresh has a free slot for every old key.
                    let key = unsafe old[index]
                    if key != 0 { _ = unsafe _FingerprintSet.place(key, in: fresh) }
                }
            }
        }
        slots = fresh
    }
}

extension Int {
    /// The smallest power of two >= self (self > 0).
    fileprivate var nextPowerOfTwo: Int {
        1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
