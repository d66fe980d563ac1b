#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The lookup of `String` label values by one contiguous byte compare.
///
/// While hashing the values (``LabelHasher``), the lookup also writes the label set as a series cell stores it,
/// `n1="v1",n2="v2"`, into a stack buffer: per label a *joiner* from the family (`"` closing the previous value, `,`,
/// the name, `="`), at most 16 bytes written with two word stores, then the value's bytes (a small string's two
/// words, or a native string's bytes in 16-byte blocks), and a closing quote. A candidate cell whose stored set is raw
/// then matches exactly when its bytes equal the buffer's: one length test and a word-at-a-time compare, instead of a
/// walk over the labels with a bounds, quote and shift test per value.
///
/// - Invariant (why equal bytes mean equal values): a raw stored set holds no backslash and no line feed (both are
///   escaped, and every escape starts with a backslash), and exactly two quotes per label, its delimiters (label
///   names are legacy names, without quotes). The buffer holds the looked-up values unescaped: when none holds a
///   quote, backslash or line feed, it *is* their encoded set, and the encoding is injective. When one does, the
///   buffer holds one of those bytes beyond the family's delimiters (a quote more than two per label, or a backslash
///   or line feed), so it differs from every raw set. A cell that is not raw takes the escape-aware compare of
///   ``matches(_:_:raw:)``.
///
/// The hash is the same as ``LabelHasher/hashing(_:seed:readsStrings:)``'s, value by value: a lookup here and one
/// through the general path (other value types, long label sets) find the same series.
///
/// Performance: the compare is the C library's `memcmp` (vectorised; about 40 instructions for a W1 set of 184 bytes,
/// where the label walk took about 350 and a Swift word loop about 145); writing the buffer adds about 16 instructions
/// per label to the hash pass. The joiners are ``LabelLayout``'s, built at registration: up to 16 bytes (label names
/// of up to 12 characters) they are two word stores, longer ones a block copy. The buffer is 512 bytes of stack; a
/// longer label set or a `String` not stored natively takes the general path.
extension FamilyCore {
    /// Bytes of the stack buffer a lookup writes its label set into.
    @usableFromInline static let lookupBytesCapacity = 512

    /// What ``lookUpByBytes(_:joiners:_:)`` found.
    @usableFromInline
    enum ByteLookup<R> {
        /// The series exists; what `body` returned for its cell.
        case found(R)
        /// No series has these values: create one with this hash.
        case missing(LabelHasher)
        /// The values cannot be looked up this way (a `String` without native storage, or a label set longer
        /// than the buffer): take the general path.
        case unsupported
    }

    /// Looks the values up by writing their label set and comparing it whole (see the extension's comment).
    ///
    /// - Parameters:
    ///   - values: `String` label values, one per label (the caller checked the count and ``lookupJoiners``).
    ///   - joiners: ``lookupJoiners``.
    ///   - body: Gets the cell when found, valid only during the call.
    @inlinable @inline(__always)
    func lookUpByBytes<Values: Collection, R>(
        _ values: Values, joiners: UnsafeMutablePointer<UInt64>, _ body: (SeriesCell) -> R
    ) -> ByteLookup<R> where Values.Element: LabelValue {
        unsafe withUnsafeTemporaryAllocation(byteCount: FamilyCore.lookupBytesCapacity, alignment: 16) { buffer in
            // Safe: a temporary allocation of a non-zero size has a base address.
            let base = unsafe buffer.baseAddress.unsafelyUnwrapped
            var hasher = LabelHasher(seed: hashSeed)
            // Two copies of the writer: the one for families whose joiners all fit two words has no length test.
            let written =
                labelLayout.joinersAreShort
                ? unsafe writeLabelSet(values, joiners: joiners, longJoiners: false, into: base, hasher: &hasher)
                : unsafe writeLabelSet(values, joiners: joiners, longJoiners: true, into: base, hasher: &hasher)
            guard let length = written else { return .unsupported }
            let found: R? = index.withCell(
                hash: hasher.finalized,
                matches: { unsafe matchesWritten($0, raw: $1, values, written: base, length: length) }, body)
            if let found { return .found(found) }
            return .missing(hasher)
        }
    }

    /// Whether a cell's label set is `values`, whose set ``writeLabelSet(_:joiners:longJoiners:into:hasher:)`` wrote: a raw
    /// stored set by its length and bytes (see the extension's comment), any other by the escape-aware label walk.
    @inlinable @inline(__always)
    func matchesWritten<Values: Collection>(
        _ cell: SeriesCell, raw: Bool, _ values: Values, written: UnsafeRawPointer, length: Int
    ) -> Bool where Values.Element: LabelValue {
        guard raw else { return matches(cell, values, raw: false) }
        let stored = unsafe cell.labelBytes(valueWordCount: valueWordCount)
        // Safe: the stored set has `length` bytes (a set always has a byte when a family has labels).
        return unsafe stored.count == length && memcmp(stored.baseAddress.unsafelyUnwrapped, written, length) == 0
    }

    /// Writes the label set of `values`, unescaped, into `base` while hashing them as
    /// ``LabelHasher/hashing(_:seed:readsStrings:)`` does.
    ///
    /// - Parameters:
    ///   - values: `String` label values, one per label.
    ///   - longJoiners: Whether a joiner may be over 16 bytes (``LabelLayout/joinersAreShort`` is false).
    ///   - base: ``lookupBytesCapacity`` writable bytes.
    ///   - hasher: Gets every value.
    /// - Returns: The length written, or `nil` when the set does not fit or a value is not stored natively.
    @inlinable @inline(__always)
    func writeLabelSet<Values: Collection>(
        _ values: Values, joiners: UnsafeMutablePointer<UInt64>, longJoiners: Bool, into base: UnsafeMutableRawPointer,
        hasher: inout LabelHasher
    ) -> Int? where Values.Element: LabelValue {
        var position = 0
        var joiner = unsafe UnsafePointer(joiners)
        var cursor = values.startIndex
        while cursor != values.endIndex {
            // Each step writes at most 32 bytes from `position` with a short joiner (a joiner and a small value, 16
            // each), `length` + 16 with a longer one; the last quote one more.
            guard position <= FamilyCore.lookupBytesCapacity &- 33 else { return nil }
            // Safe: `joiner` points at this label's words (one entry per label).
            let joinerLength = Int(truncatingIfNeeded: unsafe joiner[2])
            // Safe: position + 16 <= capacity. A short joiner is these two words; a longer one overwrites them.
            unsafe base.storeBytes(of: joiner[0], toByteOffset: position, as: UInt64.self)
            unsafe base.storeBytes(of: joiner[1], toByteOffset: position &+ 8, as: UInt64.self)
            if longJoiners && joinerLength > 16 {
                guard joinerLength <= FamilyCore.lookupBytesCapacity &- 17 &- position else { return nil }
                // Safe: the joiner's bytes lie at the offset in its first word, within the table's byte area;
                // position + length + 16 <= capacity.
                let source = unsafe UnsafeRawPointer(joiners) + Int(truncatingIfNeeded: joiner[0])
                unsafe FamilyCore.copyLongJoiner(
                    UnsafeRawBufferPointer(start: source, count: joinerLength), to: base + position)
            }
            position &+= joinerLength
            unsafe joiner = unsafe joiner + LabelLayout.wordsPerLabel
            let string = unsafe unsafeBitCast(values[cursor], to: String.self)
            let representation = StringRepresentation(string)
            if representation.isSmall {
                let count = representation.smallCount
                hasher.combine(first: representation.smallFirst, second: representation.smallSecond, count: count)
                // Safe: position + 16 <= capacity (checked above for the joiner that came before).
                unsafe base.storeBytes(of: representation.smallFirst, toByteOffset: position, as: UInt64.self)
                unsafe base.storeBytes(of: representation.smallSecond, toByteOffset: position &+ 8, as: UInt64.self)
                position &+= count
            } else if representation.isTailAllocated {
                let bytes = unsafe representation.tailBytes
                guard bytes.count <= FamilyCore.lookupBytesCapacity &- 17 &- position else { return nil }
                withExtendedLifetime(string) {
                    unsafe hasher.combine(bytes)
                    // Safe: position + count + 16 <= capacity.
                    unsafe FamilyCore.copyBytes(bytes, to: base + position)
                }
                position &+= bytes.count
            } else {
                return nil
            }
            values.formIndex(after: &cursor)
        }
        // Safe: position < capacity (checked above).
        unsafe base.storeBytes(of: UInt8(ascii: "\""), toByteOffset: position, as: UInt8.self)
        return position &+ 1
    }

    /// ``copyBytes(_:to:)`` out of line, for joiners over 16 bytes (label names over 12 characters), so that the loop
    /// stays out of the common path's registers.
    @usableFromInline @inline(never)
    static func copyLongJoiner(_ bytes: UnsafeRawBufferPointer, to target: UnsafeMutableRawPointer) {
        unsafe copyBytes(bytes, to: target)
    }

    /// Copies a value's or a long joiner's bytes: 16-byte blocks, the last one overlapping. Reads exactly
    /// `bytes.count` bytes and writes `max(bytes.count, 8)` (the caller's buffer has room).
    @inlinable @inline(__always)
    static func copyBytes(_ bytes: UnsafeRawBufferPointer, to target: UnsafeMutableRawPointer) {
        let count = bytes.count
        guard let source = bytes.baseAddress else { return }
        if count >= 16 {
            var offset = 0
            repeat {
                // Safe: offset + 16 <= count.
                let low = unsafe source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let high = unsafe source.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                unsafe target.storeBytes(of: low, toByteOffset: offset, as: UInt64.self)
                unsafe target.storeBytes(of: high, toByteOffset: offset &+ 8, as: UInt64.self)
                offset &+= 16
            } while offset &+ 16 <= count
            if offset < count {
                // Safe: count >= 16, so the last 16 bytes lie within [0, count).
                let low = unsafe source.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
                let high = unsafe source.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                unsafe target.storeBytes(of: low, toByteOffset: count &- 16, as: UInt64.self)
                unsafe target.storeBytes(of: high, toByteOffset: count &- 8, as: UInt64.self)
            }
        } else if count >= 8 {
            // Safe: both 8-byte loads lie within [0, count).
            let low = unsafe source.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            let high = unsafe source.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            unsafe target.storeBytes(of: low, toByteOffset: 0, as: UInt64.self)
            unsafe target.storeBytes(of: high, toByteOffset: count &- 8, as: UInt64.self)
        } else {
            // Safe: loadUpTo8 reads count bytes; the store writes 8, within the caller's room.
            unsafe target.storeBytes(of: LabelHasher.loadUpTo8(source, count: count), toByteOffset: 0, as: UInt64.self)
        }
    }
}
