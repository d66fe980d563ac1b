/// The MetricPoint groups seen in the current OpenMetrics family: an exact set of 64-bit fingerprints whose inserts
/// are answered, in the common case, from a small filter instead of the big table.
///
/// A strict OpenMetrics parse asks once per MetricPoint whether its group is new (`metrics ... are interleaved`
/// otherwise). For a 100k-series family the exact table is 2 MB, and every insert is a random access into it: about a
/// quarter of a W1 parse went to those cache misses. Here an insert first asks a Bloom filter of 16 to 32 bits per key
/// (one 64-bit word per key, 3 bits in it; 256 KB at 100k keys, so it mostly stays in L2). When the filter says
/// "not seen" (exact: a filter has no false negatives), the fingerprint is appended to `pending`, a sequential write.
/// Only when the filter says "maybe" (about 1% of new keys, and every repeated one) are the pending fingerprints moved
/// into the exact table, in one batch whose independent probes overlap their cache misses, and the table answers.
///
/// - Invariant: every fingerprint inserted since the last `removeAll()` is in exactly one of `exact` and `pending`,
///   and its bits are set in `filter`; `filter.count` is a power of two (or 0), and more than `count / 4` words after
///   an insert.
///
/// Thread-safety: a plain value; one thread at a time.
struct _GroupSet {
    private var exact = _FingerprintSet()
    private var pending: [UInt64] = []
    private var filter: [UInt64] = []
    private(set) var count = 0

    /// Largest number of fingerprints kept pending before they are moved into the exact table anyway.
    private static let pendingLimit = 1 << 14

    /// Inserts `fingerprint`; returns whether it was new.
    ///
    /// - Complexity: amortised O(1): one filter word, plus, on a filter hit, the pending batch and one table probe.
    @inline(__always)
    mutating func insert(_ fingerprint: UInt64) -> Bool {
        // The exact table stores 0 as 1; so does the filter, so that both see the same key.
        let fingerprint = fingerprint == 0 ? 1 : fingerprint
        if count >= filter.count &* 4 { growFilter() }
        let word = _GroupSet.word(fingerprint, count: filter.count)
        let bits = _GroupSet.bits(fingerprint)
        let seen = unsafe filter.withUnsafeMutableBufferPointer { filter in
            // Safe: word < filter.count.
            let old = unsafe filter[word]
            unsafe filter[word] = old | bits
            return old & bits == bits
        }
        if seen {
            flushPending()
            guard exact.insert(fingerprint) else { return false }
        } else {
            pending.append(fingerprint)
            if pending.count >= _GroupSet.pendingLimit { flushPending() }
        }
        count &+= 1
        return true
    }

    /// Reads the filter word of `fingerprint`, so that its cache line is on its way before `insert`.
    @inline(__always) func touch(_ fingerprint: UInt64) -> UInt64 {
        let fingerprint = fingerprint == 0 ? 1 : fingerprint
        return unsafe filter.withUnsafeBufferPointer { filter in
            guard filter.count > 0 else { return 0 }
            // Safe: word < filter.count.
            return unsafe filter[_GroupSet.word(fingerprint, count: filter.count)]
        }
    }

    /// Empties the set; keeps storage in proportion to what it held (see ``_FingerprintSet/removeAll()``).
    mutating func removeAll() {
        guard count > 0 else { return }
        exact.removeAll()
        pending.removeAll(keepingCapacity: pending.capacity <= _GroupSet.pendingLimit)
        if filter.count > 64 && filter.count > count {
            filter = Array(repeating: 0, count: 16)
        } else {
            for index in filter.indices { filter[index] = 0 }
        }
        count = 0
    }

    /// The filter word of a fingerprint: its bits from 18 on (bits 0..<18 choose the bits in the word).
    @inline(__always)
    private static func word(_ fingerprint: UInt64, count: Int) -> Int {
        Int(truncatingIfNeeded: fingerprint >> 18) & (count &- 1)
    }

    /// Three bits of a 64-bit word, from three 6-bit fields of the fingerprint (they may coincide).
    @inline(__always)
    private static func bits(_ fingerprint: UInt64) -> UInt64 {
        (1 &<< (fingerprint & 63)) | (1 &<< ((fingerprint >> 6) & 63)) | (1 &<< ((fingerprint >> 12) & 63))
    }

    /// Moves the pending fingerprints into the exact table.
    @inline(never)
    private mutating func flushPending() {
        for fingerprint in pending { exact.insert(fingerprint) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Doubles the filter (at least 16 words) and sets the bits of every fingerprint again.
    @inline(never)
    private mutating func growFilter() {
        flushPending()
        var fresh = [UInt64](repeating: 0, count: max(16, filter.count * 2))
        let words = fresh.count
        exact.forEach { fingerprint in
            fresh[_GroupSet.word(fingerprint, count: words)] |= _GroupSet.bits(fingerprint)
        }
        filter = fresh
    }
}
