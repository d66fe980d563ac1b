/// A label as owned strings (the allocating convenience form).
public struct PromLabel: Hashable, Sendable {
    /// The label name.
    public var name: String
    /// The unescaped label value.
    public var value: String

    /// Creates a label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension ExpositionParser {
    /// Calls `body` with the bytes of the current entry; the buffers must not escape.
    @safe func _withBytes<R>(_ body: (_EntryBytes) -> R) -> R {
        unsafe body(_entryBytes())
    }

    /// Views of the current line and scratch buffer.
    ///
    /// The views point into arrays owned by `self` (`_input.chunk` or `_input.carry`, and `_entry.scratch`), which
    /// are not mutated while `self` is borrowed; they are valid until the caller's borrow of `self` ends (the next
    /// `next()`/`feed`), and must not be used after it.
    @unsafe func _entryBytes() -> _EntryBytes {
        let scratch = unsafe _entry.scratch.withUnsafeBytes { unsafe $0 }
        return unsafe _EntryBytes(line: _input.lineBytes(), scratch: scratch)
    }

    /// Which text of the current entry `_bytes(of:)` returns.
    @usableFromInline enum _Part {
        case name, text
    }

    // The zero-allocation accessors below (and `labelCount`, `value`) are inlinable down to the loads: the state they
    // read (`_storage.core._entry`, the label records, `_LineBuffer.lineBase`) is `@usableFromInline`, so that a
    // caller's loop reads a label with a few loads and a bounds test instead of a call (about 30 instructions a
    // label before). Inlinable code sees only what is `@usableFromInline`; keep that to the fields read here.

    /// The metric name or text of the current entry (see `_entryBytes()` for the lifetime of the view).
    @inlinable @unsafe func _bytes(of part: _Part) -> UnsafeRawBufferPointer {
        let ref = part == .name ? _storage.core._entry.name : _storage.core._entry.text
        return unsafe _view(ref)
    }

    /// The name and value of a label of the current sample or exemplar (see `_entryBytes()` for the lifetime).
    @inlinable @unsafe func _labelBytes(
        at index: Int, exemplar: Bool
    )
        -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    {
        let label = exemplar ? _storage.core._entry.exemplarLabels[index] : _storage.core._entry.labels[index]
        return unsafe (_view(label.name), _view(label.value))
    }

    /// The bytes `ref` names, in the current line or the scratch buffer.
    @inlinable @unsafe func _view(_ ref: _ByteRef) -> UnsafeRawBufferPointer {
        if ref.inScratch {
            return unsafe _storage.core._entry.scratch.withUnsafeBytes {
                unsafe UnsafeRawBufferPointer(rebasing: $0[ref.start..<ref.end])
            }
        }
        return unsafe _storage.core._input.lineView(ref.start, ref.end)
    }

    /// Calls `body` with the unescaped metric name of the current sample or metadata entry.
    ///
    /// - Parameter body: receives the name's UTF-8 bytes, valid only during the call; must not escape.
    /// - Returns: what `body` returns.
    /// - Complexity: O(1); no allocation.
    @inlinable
    public func withMetricName<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        // Inlinable so that the caller's closure is specialized; the buffer is found by non-generic code.
        unsafe body(_bytes(of: .name))
    }

    /// The metric name of the current sample or metadata entry. Allocates a `String`.
    public var metricName: String { unsafe withMetricName { unsafe String(decoding: $0, as: UTF8.self) } }

    /// The type of the current ``PromEntry/type`` entry.
    public var metricType: PromMetricType? { _entry.type }

    /// Calls `body` with the unescaped text of the current HELP entry, the unit of a UNIT entry, or the whole line of
    /// a comment entry.
    ///
    /// - Parameter body: receives the UTF-8 bytes, valid only during the call; must not escape.
    /// - Returns: what `body` returns.
    @inlinable
    public func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        unsafe body(_bytes(of: .text))
    }

    /// The unescaped HELP text of the current ``PromEntry/help`` entry. Allocates.
    public var helpText: String { unsafe withText { unsafe String(decoding: $0, as: UTF8.self) } }

    /// The unit of the current ``PromEntry/unit`` entry (possibly empty). Allocates.
    public var unit: String { unsafe withText { unsafe String(decoding: $0, as: UTF8.self) } }

    /// The text of the current ``PromEntry/comment`` entry, starting at `#`. Allocates.
    public var comment: String { unsafe withText { unsafe String(decoding: $0, as: UTF8.self) } }

    /// The number of labels of the current sample (not counting the metric name).
    @inlinable public var labelCount: Int { _storage.core._entry.labels.count }

    /// Calls `body` with the name and unescaped value of the label at `index`, in input order.
    ///
    /// - Parameters:
    ///   - index: `0..<labelCount`.
    ///   - body: receives the name and value bytes, valid only during the call; must not escape.
    /// - Returns: what `body` returns.
    /// - Complexity: O(1); no allocation.
    @inlinable
    public func withLabel<R>(
        at index: Int, _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> R
    )
        -> R
    {
        let (name, value) = unsafe _labelBytes(at: index, exemplar: false)
        return unsafe body(name, value)
    }

    /// The labels of the current sample in input order. Allocates.
    public var labels: [PromLabel] { _labels(_entry.labels) }

    /// The value of the current sample.
    @inlinable public var value: Double { _storage.core._entry.value }

    /// The timestamp of the current sample in milliseconds (OpenMetrics seconds × 1000, truncated toward zero and
    /// saturated to the `Int64` range), or `nil` when absent.
    public var timestamp: Int64? { _entry.hasTimestamp ? _entry.timestampMilliseconds : nil }

    /// The timestamp of the current sample in seconds (exact for OpenMetrics), or `nil` when absent.
    public var timestampSeconds: Double? { _entry.hasTimestamp ? _entry.timestampSeconds : nil }

    /// Whether the current sample has an exemplar (OpenMetrics only).
    public var hasExemplar: Bool { _entry.hasExemplar }

    /// The number of labels of the current exemplar.
    public var exemplarLabelCount: Int { _entry.exemplarLabels.count }

    /// Calls `body` with the name and unescaped value of the exemplar label at `index`.
    ///
    /// - Parameters:
    ///   - index: `0..<exemplarLabelCount`.
    ///   - body: receives the name and value bytes, valid only during the call; must not escape.
    /// - Returns: what `body` returns.
    @inlinable
    public func withExemplarLabel<R>(
        at index: Int, _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> R
    ) -> R {
        let (name, value) = unsafe _labelBytes(at: index, exemplar: true)
        return unsafe body(name, value)
    }

    /// The labels of the current exemplar. Allocates.
    public var exemplarLabels: [PromLabel] { _labels(_entry.exemplarLabels) }

    /// The value of the current exemplar.
    public var exemplarValue: Double { _entry.exemplarValue }

    /// The exemplar's timestamp in milliseconds (truncated toward zero, saturated), or `nil` when absent.
    public var exemplarTimestamp: Int64? {
        _entry.exemplarHasTimestamp ? _entry.exemplarTimestampMilliseconds : nil
    }

    /// The exemplar's timestamp in seconds, or `nil` when absent.
    public var exemplarTimestampSeconds: Double? {
        _entry.exemplarHasTimestamp ? _entry.exemplarTimestampSeconds : nil
    }

    private func _labels(_ refs: _LabelList) -> [PromLabel] {
        _withBytes { bytes in
            refs.map { ref in
                PromLabel(
                    name: unsafe String(decoding: bytes.bytes(ref.name), as: UTF8.self),
                    value: unsafe String(decoding: bytes.bytes(ref.value), as: UTF8.self))
            }
        }
    }
}
