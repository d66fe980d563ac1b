/// The label walk: label values against a series cell's stored, escaped label set, one label at a time.
///
/// Lookups of `String` values compare a raw set whole instead (``lookUpByBytes(_:joiners:_:)``); the walk serves the
/// other value types, label sets too long for that buffer, cells that are not raw, and creation under the stripe lock.
///
/// A cell is *raw* when its stored set holds no backslash, that is when none of its values needed escaping
/// (every escape starts with one); the index keeps that bit in the cell's slot word. Most label sets are raw,
/// and for them a block compare of each value is exact:
///
/// - Invariant (why the raw compare is exact): a raw set `n1="v1",n2="v2",…` holds exactly two quotes per
///   label, its delimiters (label names are legacy names, validated at registration, so they hold no quote or
///   backslash; allowing quoted UTF-8 label names would break this argument). The compare checks, for each looked-up value, a quote just before it (where its
///   label's prefix ends) and a quote just after it, and that the values and prefixes add up to the whole set:
///   2n distinct quote positions in increasing order, so they are the delimiters, each value lies exactly
///   between its two, and equals the stored value byte for byte. A looked-up value holding a quote, a backslash
///   or a line feed can therefore never match a raw set (which holds none inside its values), and a value cannot
///   swallow the next label's name (`a",y=`): its closing quote would not be a delimiter.
///
/// A cell that is not raw takes the exact escape-aware compare for every value.
extension FamilyCore {
    /// Compares a cell's encoded label set with `values`.
    ///
    /// - Parameters:
    ///   - cell: The candidate series.
    ///   - values: The looked-up values, one per label.
    ///   - raw: Whether the cell's stored set holds no backslash (``LabelSetEncoding/isRaw(_:)``).
    /// - Returns: Whether the cell's label set is `values`.
    @inlinable
    func matches<Values: Collection>(_ cell: SeriesCell, _ values: Values, raw: Bool) -> Bool
    where Values.Element: LabelValue {
        let stored = unsafe cell.labelBytes(valueWordCount: valueWordCount)
        guard let base = stored.baseAddress else { return labelCount == 0 }
        let end = stored.count
        do {
            var position = 0
            var label = 0
            // Indexing (not `for in`) borrows each value: no retain and release per label.
            var index = values.startIndex
            while index != values.endIndex {
                // Safe: label < labelCount because the caller checked values.count == labelCount.
                position &+= labelLayout.prefixLength(label)
                label &+= 1
                // Every prefix ends with `="`, so position >= 1; the quote before the value must be there.
                guard position <= end else { return false }
                // Safe: 0 <= position - 1 < end.
                guard unsafe base.load(fromByteOffset: position &- 1, as: UInt8.self) == UInt8(ascii: "\"") else {
                    return false
                }
                position = unsafe matchOne(values[index], stored: base, at: position, end: end, raw: raw)
                if position < 0 { return false }
                values.formIndex(after: &index)
            }
            return position == end
        }
    }

    /// Compares one value with its stored form at `position`; a `String` is read in place when the layout
    /// was verified (the test folds away once specialised).
    ///
    /// - Returns: The position after the value's closing quote, or -1 when the value differs.
    @inlinable @inline(__always)
    func matchOne<Value: LabelValue>(
        _ value: Value, stored base: UnsafeRawPointer, at position: Int, end: Int, raw: Bool
    ) -> Int {
        if Value.self == String.self && readsStringsInPlace {
            let string = unsafe unsafeBitCast(value, to: String.self)
            let representation = StringRepresentation(string)
            if representation.isSmall {
                return unsafe FamilyCore.matchSmallValue(representation, stored: base, at: position, end: end, raw: raw)
            }
            if representation.isTailAllocated {
                return withExtendedLifetime(string) {
                    unsafe FamilyCore.matchValue(
                        representation.tailBytes, stored: base, at: position, end: end, raw: raw)
                }
            }
        }
        return unsafe value.withLabelValueBytes {
            unsafe FamilyCore.matchValue($0, stored: base, at: position, end: end, raw: raw)
        }
    }

    /// Compares one value with its stored form at `position` (just after `name="`).
    ///
    /// Raw set: the bytes and a closing quote after them (see the type's invariant). Otherwise the exact
    /// escape-aware compare.
    ///
    /// - Returns: The position after the value's closing quote, or -1 when the value differs.
    @inlinable @inline(__always)
    static func matchValue(
        _ bytes: UnsafeRawBufferPointer, stored base: UnsafeRawPointer, at position: Int, end: Int, raw: Bool
    ) -> Int {
        let count = bytes.count
        if raw {
            guard position &+ count < end,
                unsafe base.load(fromByteOffset: position &+ count, as: UInt8.self) == UInt8(ascii: "\""),
                unsafe LabelSetEncoding.bytesEqual(bytes.baseAddress, base + position, count)
            else { return -1 }
            return position &+ count &+ 1
        }
        guard position < end else { return -1 }
        let rest = unsafe UnsafeRawBufferPointer(start: base + position, count: end &- position)
        guard let length = unsafe LabelSetEncoding.matchEscapedSlow(bytes, stored: rest) else { return -1 }
        return position &+ length &+ 1
    }

    /// ``matchValue(_:stored:at:end:raw:)`` for a small string, whose bytes are in two words.
    ///
    /// One 16-byte load from the stored label set covers the value and its closing quote (a small string has at
    /// most 15 bytes). Loaded so that it ends at the quote, shifted down to the value's start, it must equal the
    /// value's bytes, a quote and zeros (a small string's unused bytes are zero); loaded from the value's start
    /// (for the first label), it must equal them masked to the value's length plus one. A set that is not raw, or
    /// a value too close to both ends of the set, takes the byte compare.
    @inlinable @inline(__always)
    static func matchSmallValue(
        _ value: StringRepresentation, stored base: UnsafeRawPointer, at position: Int, end: Int, raw: Bool
    ) -> Int {
        let count = value.smallCount
        let quote = position &+ count
        if raw {
            guard quote < end else { return -1 }
            if count < 8, quote >= 7 {
                // The value and its quote fit one word: the 8 stored bytes ending at the quote, shifted down.
                // Safe: [quote - 7, quote] lies within [0, end).
                let stored = unsafe base.loadUnaligned(fromByteOffset: quote &- 7, as: UInt64.self)
                let expected = value.smallFirst | UInt64(UInt8(ascii: "\"")) &<< UInt64(8 &* count)
                return stored &>> UInt64(8 &* (7 &- count)) == expected ? quote &+ 1 : -1
            }
            if count >= 8 {
                // Bytes 0..<8 are the first word as stored; the rest and the quote (at most 8 bytes) are the 8
                // stored bytes ending at the quote, shifted down. No 128-bit shifts.
                // Safe: position + 8 <= quote < end, and quote - 7 >= position + 1 > 0.
                let head = unsafe base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                let tail = unsafe base.loadUnaligned(fromByteOffset: quote &- 7, as: UInt64.self)
                let expected = value.smallSecond | UInt64(UInt8(ascii: "\"")) &<< UInt64(8 &* (count &- 8))
                let equal = head == value.smallFirst && tail &>> UInt64(8 &* (15 &- count)) == expected
                return equal ? quote &+ 1 : -1
            }
            let expected = value.smallBytes | UInt128(UInt8(ascii: "\"")) &<< UInt128(8 &* count)
            if quote >= 15 {
                // Safe: [quote - 15, quote] lies within [0, end).
                let low = unsafe base.loadUnaligned(fromByteOffset: quote &- 15, as: UInt64.self)
                let high = unsafe base.loadUnaligned(fromByteOffset: quote &- 7, as: UInt64.self)
                let stored = (UInt128(high) << 64 | UInt128(low)) &>> UInt128(8 &* (15 &- count))
                return stored == expected ? quote &+ 1 : -1
            }
            if position &+ 16 <= end {
                // Safe: [position, position + 16) lies within [0, end).
                let low = unsafe base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                let high = unsafe base.loadUnaligned(fromByteOffset: position &+ 8, as: UInt64.self)
                let mask = UInt128.max &>> UInt128(8 &* (15 &- count))
                return (UInt128(high) << 64 | UInt128(low)) & mask == expected ? quote &+ 1 : -1
            }
        }
        return unsafe matchSpilled(value, stored: base, at: position, end: end, raw: raw)
    }

    /// The byte compare of a small value, spilled to the stack: for sets that are not raw or values near the set's
    /// start. Out of line, so that the common path needs no stack buffer (and no stack protector).
    @usableFromInline @inline(never)
    static func matchSpilled(
        _ value: StringRepresentation, stored base: UnsafeRawPointer, at position: Int, end: Int, raw: Bool
    ) -> Int {
        var words = (value.smallFirst, value.smallSecond)
        let count = value.smallCount
        return unsafe withUnsafeBytes(of: &words) { spilled in
            unsafe matchValue(
                UnsafeRawBufferPointer(rebasing: spilled.prefix(count)), stored: base, at: position, end: end, raw: raw)
        }
    }
}
