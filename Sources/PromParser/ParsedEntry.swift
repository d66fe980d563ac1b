#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``ExpositionParser/next()`` found.
///
/// Thread-safety: a plain value; safe to use from any thread.
public enum PromEntry: Hashable, Sendable {
    /// A `# TYPE` line: read ``ExpositionParser/metricName`` and ``ExpositionParser/metricType``.
    case type
    /// A `# HELP` line: read ``ExpositionParser/metricName`` and ``ExpositionParser/helpText``.
    case help
    /// A `# UNIT` line (OpenMetrics): read ``ExpositionParser/metricName`` and ``ExpositionParser/unit``.
    case unit
    /// A sample line: name, labels, value, optional timestamp and (OpenMetrics) optional exemplar.
    case sample
    /// A comment line (Prometheus text format only): read ``ExpositionParser/comment``.
    case comment
    /// The end of a valid exposition: returned once, after ``ExpositionParser/finish()`` and the last entry, and
    /// after every end-of-input check passed (for OpenMetrics: `# EOF` was the last line).
    case eof
}

/// A range of bytes of the current entry: either in the current line, or (when it had to be unescaped) in the
/// entry's scratch buffer.
///
/// Stored in 8 bytes (offsets fit 31 bits: lines are at most `Int32.max` bytes, and so is the scratch text of one
/// line), so that a label is 20 bytes and the per-sample label array stays small.
@usableFromInline struct _ByteRef {
    /// `start`, with `inScratch` in bit 31.
    @usableFromInline var _start: UInt32 = 0
    @usableFromInline var _end: UInt32 = 0

    init() {}

    @inline(__always) init(start: Int, end: Int, inScratch: Bool) {
        assert(start >= 0 && start <= end && end <= Int(Int32.max))
        _start = UInt32(truncatingIfNeeded: start) | (inScratch ? 1 << 31 : 0)
        _end = UInt32(truncatingIfNeeded: end)
    }

    @inlinable var start: Int { Int(_start & 0x7FFF_FFFF) }
    @inlinable var end: Int { Int(_end) }
    @inlinable var inScratch: Bool { _start & (1 << 31) != 0 }
    @inline(__always) var count: Int { end - start }
}

/// One label of the current entry, as references into the line or the scratch buffer.
@usableFromInline struct _LabelRef {
    @usableFromInline var name: _ByteRef
    @usableFromInline var value: _ByteRef
    private var _column: Int32

    @inline(__always) init(name: _ByteRef, value: _ByteRef, column: Int) {
        self.name = name
        self.value = value
        self._column = Int32(truncatingIfNeeded: column)
    }

    /// 1-based column of the label name, for error messages.
    @inline(__always) var column: Int { Int(_column) }

    /// Moves a label that lies in the line (not in the scratch buffer) by `delta` bytes.
    @inline(__always) mutating func shift(by delta: Int) {
        assert(!name.inScratch && !value.inScratch)
        assert(name.start + delta >= 0 && value.end + delta <= Int(Int32.max))
        // Wrapping adds of the offsets: the moved label lies in a line too (offsets in 0 ... Int32.max, so the
        // `inScratch` bit stays clear).
        let offset = UInt32(truncatingIfNeeded: delta)
        name._start &+= offset
        name._end &+= offset
        value._start &+= offset
        value._end &+= offset
        _column &+= Int32(truncatingIfNeeded: delta)
    }
}

/// The parse result of the current line, kept as offsets so that nothing is copied per sample.
///
/// - Invariant: every `_ByteRef` with `inScratch == false` lies within the current line, and every one with
///   `inScratch == true` lies within `scratch`. Both stay valid until the next line is parsed.
/// - Invariant: the arrays are cleared with `keepingCapacity: true` (the label lists by resetting their count), so
///   after the first few lines parsing allocates nothing.
@usableFromInline struct _ParsedEntry {
    var kind: PromEntry = .eof
    @usableFromInline var name = _ByteRef()
    var hasName = false
    var nameColumn = 1
    @usableFromInline var text = _ByteRef()
    var type: PromMetricType? = nil
    @usableFromInline var labels = _LabelList()
    @usableFromInline var exemplarLabels = _LabelList()
    @usableFromInline var value: Double = 0
    var valueColumn = 1
    var hasTimestamp = false
    var timestampMilliseconds: Int64 = 0
    var timestampSeconds: Double = 0
    var hasExemplar = false
    var exemplarValue: Double = 0
    var exemplarHasTimestamp = false
    var exemplarTimestampMilliseconds: Int64 = 0
    var exemplarTimestampSeconds: Double = 0
    @usableFromInline var scratch: [UInt8] = []
    /// The metric name of the last sample line, kept across lines (`reset()` leaves it): a line with the same name
    /// (consecutive samples of one family) recognises it by comparing words instead of classifying every byte.
    var lastMetricName: [UInt8] = []
    /// Whether this sample's metric name was recognised as `lastMetricName`, i.e. equals the name of the previous
    /// sample line. A line that names its metric inside the braces clears `lastMetricName`, so that the line after
    /// it is not taken for a repeat of an older name.
    var nameRepeated = false
    /// The last sample line's label section (`_LabelMemory`), kept across lines.
    var labelMemory = _LabelMemory()
    /// Which labels of this sample were taken over from the last sample line (`_LabelMemory`): bit `i` for label
    /// `i` (labels from the 65th on are never marked).
    var reusedLabels: UInt64 = 0

    mutating func reset() {
        name = _ByteRef()
        text = _ByteRef()
        hasName = false
        nameRepeated = false
        reusedLabels = 0
        type = nil
        labels.removeAll()
        exemplarLabels.removeAll()
        hasTimestamp = false
        hasExemplar = false
        exemplarHasTimestamp = false
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
    }
}

/// Read access to the bytes of the current entry for the duration of one closure.
///
/// - Invariant: only created inside `withUnsafeBytes` scopes of the line and of the scratch buffer; it must not
///   escape them.
@safe
struct _EntryBytes {
    let line: UnsafeRawBufferPointer
    let scratch: UnsafeRawBufferPointer

    /// The bytes a reference points at.
    @inline(__always) @safe func bytes(_ ref: _ByteRef) -> UnsafeRawBufferPointer {
        // Safe: the _ParsedEntry invariant keeps ref within the buffer it names.
        if ref.inScratch { return unsafe UnsafeRawBufferPointer(rebasing: scratch[ref.start..<ref.end]) }
        return unsafe UnsafeRawBufferPointer(rebasing: line[ref.start..<ref.end])
    }

    /// Whether a reference's bytes equal `other`.
    @safe func equals(_ ref: _ByteRef, _ other: UnsafeRawBufferPointer) -> Bool {
        let mine = bytes(ref)
        guard mine.count == other.count else { return false }
        return _memEqual(mine, other)
    }
}

/// Whether two buffers of equal length hold the same bytes.
@safe func _memEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let count = a.count
    guard count == b.count else { return false }
    guard count > 0 else { return true }
    // Safe: both buffers hold count bytes.
    return unsafe _bytesEqual(a.baseAddress!, b.baseAddress!, count)
}

/// Appends `bytes` to `array` with one copy (`append(contentsOf:)` of a raw buffer goes byte by byte).
@inline(__always) @safe func _append(_ bytes: UnsafeRawBufferPointer, to array: inout [UInt8]) {
    unsafe bytes.withMemoryRebound(to: UInt8.self) { unsafe array.append(contentsOf: $0) }
}
