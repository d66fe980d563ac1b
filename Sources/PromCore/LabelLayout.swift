/// What lookups need of a family's label names, in one allocation made at registration.
///
/// Per label, four words: the label's *joiner* zero-padded to 16 bytes (`",` + name + `="`, or name + `="` for the
/// first label: what ``FamilyCore/lookUpByBytes(_:joiners:_:)`` writes before the value; only its first 16 bytes when
/// it is longer), the joiner's length, and the label's prefix length in a stored set (`,` + name + `="`, or name +
/// `="`: what the label walk of ``FamilyCore/matches(_:_:raw:)`` skips before the value).
///
/// Thread safety: immutable once built; owned by one ``FamilyCore``, which frees it in its `deinit`.
@frozen
@usableFromInline
@safe
struct LabelLayout {
    /// Words per label: two of joiner bytes, the joiner's length, the prefix length.
    @usableFromInline static let wordsPerLabel = 4
    /// The table, or `nil` for a family without labels.
    @usableFromInline let words: UnsafeMutablePointer<UInt64>?
    /// Number of labels.
    @usableFromInline let count: Int
    /// Whether every joiner fits the 16 bytes that a lookup writes with two word stores.
    @usableFromInline let joinersFit: Bool
    /// The sum of the prefix lengths: the bytes of a stored set that are not values or closing quotes.
    @usableFromInline let prefixTotal: Int

    /// Builds the table; one allocation when there are labels, none otherwise.
    init(labelNames: [String]) {
        count = labelNames.count
        guard count > 0 else {
            unsafe (words, joinersFit, prefixTotal) = (nil, true, 0)
            return
        }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: LabelLayout.wordsPerLabel * count)
        unsafe words.initialize(repeating: 0, count: LabelLayout.wordsPerLabel * count)
        var fit = true
        var total = 0
        for (label, name) in labelNames.enumerated() {
            // Safe: the label's four words lie within the allocation.
            let entry = unsafe words + LabelLayout.wordsPerLabel * label
            let joiner = UnsafeMutableRawPointer(entry)
            var length = 0
            func append(_ byte: UInt8) {
                // Safe: only the first 16 bytes are written, the two joiner words.
                if length < 16 { unsafe joiner.storeBytes(of: byte, toByteOffset: length, as: UInt8.self) }
                length += 1
            }
            if label > 0 {
                append(UInt8(ascii: "\""))
                append(UInt8(ascii: ","))
            }
            for byte in name.utf8 { append(byte) }
            append(UInt8(ascii: "="))
            append(UInt8(ascii: "\""))
            fit = fit && length <= 16
            let prefix = label > 0 ? length - 1 : length
            unsafe entry[2] = UInt64(length)
            unsafe entry[3] = UInt64(prefix)
            total += prefix
        }
        unsafe self.words = words
        self.joinersFit = fit
        self.prefixTotal = total
    }

    /// Frees the table (called once, by the owning family's `deinit`).
    func deallocate() {
        if let words = unsafe words { unsafe words.deallocate() }
    }

    /// Bytes of a stored set before label `label`'s value, counted from the end of the previous value's closing
    /// quote (from the start for label 0).
    ///
    /// - Parameter label: Less than ``count``.
    @inlinable @inline(__always)
    func prefixLength(_ label: Int) -> Int {
        // Safe: label < count, so its word lies within the table (which exists when count > 0).
        Int(truncatingIfNeeded: unsafe words.unsafelyUnwrapped[LabelLayout.wordsPerLabel &* label &+ 3])
    }
}
