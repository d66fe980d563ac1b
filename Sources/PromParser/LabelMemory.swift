/// The label section of the last sample line, kept so that the next sample line can take over the labels it
/// writes the same way instead of scanning them again.
///
/// The grammar reads a label section from left to right, and what it makes of a label and the separator after it
/// depends only on the bytes it reads from the label's first byte on, never on what follows. So when the bytes at
/// the start of label `i` of the current line are those that label `i` of the last line and its separator were read
/// from, label `i` comes out the same, at the same offsets from its start: the parser takes over its record (moved
/// by the difference of the two starts), and the label pass reuses its key and fingerprint (`_LabelScreen`).
/// Consecutive samples of a family often share most of their labels: a histogram's buckets all but `le`, its `_sum`
/// and `_count` all of them, the two series of a W1 host all but `type`.
///
/// The labels themselves stay in `_ParsedEntry.labels`' storage (`_LabelList.removeAll()` keeps it, and label `i`
/// is only overwritten once the current line is past it); label `i`'s separator ends where label `i + 1` starts,
/// and the last one's at `sectionEnd`. Only lines whose metric name precedes the braces are recorded, and of those
/// only the labels before the first one that was unescaped into the scratch buffer (which each line reuses). Every
/// sample line either records its labels or calls `forget()`, so that the memory describes the sample line right
/// before the current one, as the label pass's memory does.
///
/// Thread-safety: a plain value; use one from one thread at a time.
///
/// - Invariant: while `total > 0`, `section` points at the `{` of the recorded line, which lies in
///   `_LineBuffer.chunk` and stays in place while `_LineBuffer.generation` equals `generation` (it is only read
///   then), and `_ParsedEntry.labels`' storage holds the line's `total` labels, of which the first `reusable` lie
///   in the line.
@safe struct _LabelMemory {
    private var section: UnsafeRawPointer? = nil
    /// The offset of the recorded line's `{` in that line.
    private(set) var brace = 0
    private var generation = 0
    /// The number of labels of the recorded line (0: nothing recorded).
    private(set) var total = 0
    /// How many leading labels of the recorded line lie in the line (not in the scratch buffer).
    private(set) var reusable = 0
    /// Where the recorded line's label section ends (after the `}`), as an offset from the brace.
    private(set) var sectionEnd = 0

    /// Drops the record: the next line reuses nothing.
    @inline(__always) mutating func forget() {
        total = 0
    }

    /// The recorded line's `{` when the record may be used by a line read in `generation`.
    @inline(__always) @unsafe func section(in generation: Int) -> UnsafeRawPointer? {
        guard total > 0, generation == self.generation else { return nil }
        return unsafe section
    }

    /// Records the current line's label section: its `{` is at `section` (offset `brace` in the line, read in
    /// `generation`), it has `total` labels of which the first `reusable` lie in the line, and it ends `sectionEnd`
    /// bytes after the brace.
    @inline(__always) @unsafe mutating func record(
        section: UnsafeRawPointer, brace: Int, generation: Int, total: Int, reusable: Int, sectionEnd: Int
    ) {
        unsafe self.section = section
        self.brace = brace
        self.generation = generation
        self.total = total
        self.reusable = reusable
        self.sectionEnd = sectionEnd
    }
}

/// The number of leading bytes, at most `count`, that `a` and `b` have in common.
///
/// - Complexity: O(result), sixteen bytes per step after the first eight.
@inline(__always) @unsafe func _commonPrefixLength(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int {
    var index = 0
    // The first eight bytes alone (sections often differ early), then sixteen per step while they agree (or share
    // long runs), then eight.
    if count >= 8 {
        // Safe: 8 <= count, and both hold count bytes.
        let x = unsafe a.loadUnaligned(as: UInt64.self)
        let y = unsafe b.loadUnaligned(as: UInt64.self)
        if x != y { return (x ^ y).trailingZeroBitCount >> 3 }
        index = 8
    }
    while index &+ 16 <= count {
        // Safe: index + 16 <= count, and both hold count bytes.
        let x0 = unsafe a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let y0 = unsafe b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let x1 = unsafe a.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self)
        let y1 = unsafe b.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self)
        if (x0 ^ y0) | (x1 ^ y1) != 0 { break }
        index &+= 16
    }
    while index &+ 8 <= count {
        // Safe: index + 8 <= count, and both hold count bytes.
        let x = unsafe a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let y = unsafe b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        // Little-endian loads: the lowest differing bit is in the first differing byte.
        if x != y { return index &+ ((x ^ y).trailingZeroBitCount >> 3) }
        index &+= 8
    }
    return unsafe _firstDifference(a, b, from: index, count)
}

/// The number of leading bytes that `a` and `b` have in common, out of `count`: `count` when all are equal,
/// otherwise the offset of the first difference (exact).
///
/// - Complexity: O(count), eight bytes per step; the last word overlaps the one before it instead of a byte loop.
@inline(__always) @unsafe func _matchLength(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int {
    if count >= 8 {
        var index = 0
        while index &+ 8 < count {
            // Safe: index + 8 < count, and both hold count bytes.
            let x = unsafe a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let y = unsafe b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // Little-endian loads: the lowest differing bit is in the first differing byte.
            if x != y { return index &+ ((x ^ y).trailingZeroBitCount >> 3) }
            index &+= 8
        }
        // Safe: count >= 8. The bytes before `index` are equal, so a difference in this overlapping word lies at or
        // after `index`.
        let x = unsafe a.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        let y = unsafe b.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        return x == y ? count : count &- 8 &+ ((x ^ y).trailingZeroBitCount >> 3)
    }
    if count >= 4 {
        // Safe: 4 <= count < 8; the two loads overlap.
        let x = unsafe a.loadUnaligned(as: UInt32.self)
        let y = unsafe b.loadUnaligned(as: UInt32.self)
        if x != y { return (x ^ y).trailingZeroBitCount >> 3 }
        let u = unsafe a.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
        let v = unsafe b.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
        return u == v ? count : count &- 4 &+ ((u ^ v).trailingZeroBitCount >> 3)
    }
    return unsafe _firstDifference(a, b, from: 0, count)
}

/// The offset of the first byte in `start..<count` where `a` and `b` differ, or `count`: the byte-at-a-time tail of
/// ``_commonPrefixLength(_:_:_:)`` and ``_matchLength(_:_:_:)``.
@inline(__always) @unsafe func _firstDifference(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, from start: Int, _ count: Int
) -> Int {
    var index = start
    while index < count {
        // Safe: index < count.
        let x = unsafe a.load(fromByteOffset: index, as: UInt8.self)
        let y = unsafe b.load(fromByteOffset: index, as: UInt8.self)
        if x != y { break }
        index &+= 1
    }
    return index
}
