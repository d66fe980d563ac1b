/// The compare behind lookups: label values against a series cell's stored, escaped label set.
extension FamilyCore {
    /// Compares a cell's encoded label set with `values`.
    ///
    /// Without bytes that need escaping in the values, each value is one block compare against the stored
    /// bytes followed by a check of the closing quote.
    @inlinable
    func matches<Values: Collection>(_ cell: SeriesCell, _ values: Values, _ hasEscapable: Bool) -> Bool
    where Values.Element: LabelValue {
        let stored = unsafe cell.labelBytes
        guard let base = stored.baseAddress else { return labelCount == 0 }
        let end = stored.count
        return unsafe labelPrefixLengths.withUnsafeBufferPointer { prefixes in
            var position = 0
            var label = 0
            // Indexing (not `for in`) borrows each value: no retain and release per label.
            var index = values.startIndex
            while index != values.endIndex {
                // Safe: label < labelCount because the caller checked values.count == labelCount.
                position &+= unsafe prefixes[label]
                label &+= 1
                position = unsafe matchOne(
                    values[index], stored: base, at: position, end: end, hasEscapable: hasEscapable)
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
        _ value: Value, stored base: UnsafeRawPointer, at position: Int, end: Int, hasEscapable: Bool
    ) -> Int {
        if Value.self == String.self && readsStringsInPlace {
            let string = unsafe unsafeBitCast(value, to: String.self)
            let representation = StringRepresentation(string)
            if representation.isSmall {
                return unsafe FamilyCore.matchSmallValue(
                    representation, stored: base, at: position, end: end, hasEscapable: hasEscapable)
            }
            if representation.isTailAllocated {
                return withExtendedLifetime(string) {
                    unsafe FamilyCore.matchValue(
                        representation.tailBytes, stored: base, at: position, end: end, hasEscapable: hasEscapable)
                }
            }
        }
        return unsafe value.withLabelValueBytes {
            unsafe FamilyCore.matchValue($0, stored: base, at: position, end: end, hasEscapable: hasEscapable)
        }
    }

    /// Compares one raw value with its stored, escaped form at `position` (just after `name="`).
    ///
    /// - Returns: The position after the value's closing quote, or -1 when the value differs.
    @inlinable @inline(__always)
    static func matchValue(
        _ bytes: UnsafeRawBufferPointer, stored base: UnsafeRawPointer, at position: Int, end: Int,
        hasEscapable: Bool
    ) -> Int {
        let count = bytes.count
        // Without a backslash or quote in any value, equal bytes followed by a quote prove equality: the
        // compared stored bytes hold no escape sequence and no quote, so the quote after them closes this
        // value. (A raw quote could otherwise span the closing quote and the next label's name, `a",b=`, and a
        // raw backslash could equal half of an escape.) A value with a line feed never compares equal this way
        // and takes the escaped compare.
        if !hasEscapable, position &+ count < end,
            unsafe base.load(fromByteOffset: position &+ count, as: UInt8.self) == UInt8(ascii: "\""),
            unsafe LabelSetEncoding.bytesEqual(bytes.baseAddress, base + position, count)
        {
            return position &+ count &+ 1
        }
        guard unsafe hasEscapable || LabelSetEncoding.containsEscapedByte(bytes) else { return -1 }
        guard position < end else { return -1 }
        let rest = unsafe UnsafeRawBufferPointer(start: base + position, count: end &- position)
        guard let length = unsafe LabelSetEncoding.matchEscapedSlow(bytes, stored: rest) else { return -1 }
        return position &+ length &+ 1
    }

    /// ``matchValue(_:stored:at:end:hasEscapable:)`` for a small string, whose bytes are in two words.
    ///
    /// One 16-byte load from the stored label set covers the value and its closing quote (a small string has at
    /// most 15 bytes). Loaded so that it ends at the quote, shifted down to the value's start, it must equal the
    /// value's bytes, a quote and zeros (a small string's unused bytes are zero); loaded from the value's start
    /// (for the first label), it must equal them masked to the value's length plus one. A value with bytes to
    /// escape, or too close to both ends of the label set, takes the byte compare.
    @inlinable @inline(__always)
    static func matchSmallValue(
        _ value: StringRepresentation, stored base: UnsafeRawPointer, at position: Int, end: Int,
        hasEscapable: Bool
    ) -> Int {
        let count = value.smallCount
        let quote = position &+ count
        if !hasEscapable, quote < end {
            let expected = value.smallBytes | UInt128(UInt8(ascii: "\"")) &<< UInt128(8 &* count)
            var equal: Bool?
            if quote >= 15 {
                // Safe: [quote - 15, quote] lies within [0, end).
                let low = unsafe base.loadUnaligned(fromByteOffset: quote &- 15, as: UInt64.self)
                let high = unsafe base.loadUnaligned(fromByteOffset: quote &- 7, as: UInt64.self)
                equal = (UInt128(high) << 64 | UInt128(low)) &>> UInt128(8 &* (15 &- count)) == expected
            } else if position &+ 16 <= end {
                // Safe: [position, position + 16) lies within [0, end).
                let low = unsafe base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                let high = unsafe base.loadUnaligned(fromByteOffset: position &+ 8, as: UInt64.self)
                let mask = UInt128.max &>> UInt128(8 &* (15 &- count))
                equal = (UInt128(high) << 64 | UInt128(low)) & mask == expected
            }
            if let equal {
                if equal { return quote &+ 1 }
                // Unequal bytes prove inequality unless the value holds a line feed (stored as `\n`).
                let lineFeeds =
                    LabelHasher.matchBits(value.smallFirst, UInt8(ascii: "\n"))
                    | LabelHasher.matchBits(value.smallSecond, UInt8(ascii: "\n"))
                if lineFeeds == 0 { return -1 }
            }
        }
        var words = (value.smallFirst, value.smallSecond)
        return unsafe withUnsafeBytes(of: &words) { spilled in
            unsafe matchValue(
                UnsafeRawBufferPointer(rebasing: spilled.prefix(count)), stored: base, at: position, end: end,
                hasEscapable: hasEscapable)
        }
    }
}
