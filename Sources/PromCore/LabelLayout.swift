/// What lookups need of a family's label names, in one allocation made at registration.
///
/// Per label, four words: the label's *joiner* (`",` + name + `="`, or name + `="` for the first label: what
/// ``FamilyCore/lookUpByBytes(_:joiners:_:)`` writes before the value), the joiner's length, and the label's prefix
/// length in a stored set (`,` + name + `="`, or name + `="`: what the label walk of ``FamilyCore/matches(_:_:raw:)``
/// skips before the value). A joiner of up to 16 bytes is its two words, zero-padded; a longer one is kept in a byte
/// area after the words, and its first word holds its byte offset from the table's start.
///
/// Thread safety: immutable once built; owned by one ``FamilyCore``, which frees it in its `deinit`.
@frozen
@usableFromInline
@safe
struct LabelLayout {
    /// Words per label: two of joiner (its bytes, or the offset of a longer one), the joiner's length, the prefix
    /// length.
    @usableFromInline static let wordsPerLabel = 4
    /// The table, or `nil` for a family without labels.
    @usableFromInline let words: UnsafeMutablePointer<UInt64>?
    /// Number of labels.
    @usableFromInline let count: Int
    /// The sum of the prefix lengths: the bytes of a stored set that are not values or closing quotes.
    @usableFromInline let prefixTotal: Int
    /// Whether every joiner fits its two words (label names of up to 12 characters): lookups then write joiners
    /// without a length test (see ``FamilyCore/writeLabelSet(_:joiners:longJoiners:into:hasher:)``).
    @usableFromInline let joinersAreShort: Bool

    /// Builds the table; one allocation when there are labels, none otherwise.
    init(labelNames: [String]) {
        count = labelNames.count
        guard count > 0 else {
            unsafe (words, prefixTotal, joinersAreShort) = (nil, 0, true)
            return
        }
        let wordBytes = 8 * LabelLayout.wordsPerLabel * count
        var longBytes = 0
        for (label, name) in labelNames.enumerated() {
            let length = LabelLayout.joinerLength(label: label, name: name)
            if length > 16 { longBytes += length }
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: wordBytes + longBytes, alignment: 8)
        unsafe raw.initializeMemory(as: UInt8.self, repeating: 0, count: wordBytes + longBytes)
        let words = unsafe raw.bindMemory(to: UInt64.self, capacity: LabelLayout.wordsPerLabel * count)
        var longOffset = wordBytes
        var total = 0
        for (label, name) in labelNames.enumerated() {
            // Safe: the label's four words lie within the word area.
            let entry = unsafe words + LabelLayout.wordsPerLabel * label
            let length = LabelLayout.joinerLength(label: label, name: name)
            // Where the joiner's bytes go: its own two words, or its place in the byte area.
            let target = length <= 16 ? UnsafeMutableRawPointer(entry) : unsafe raw + longOffset
            var written = 0
            func append(_ byte: UInt8) {
                // Safe: `length` bytes fit the target (16 in the words, `length` reserved in the byte area).
                unsafe target.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
                written += 1
            }
            if label > 0 {
                append(UInt8(ascii: "\""))
                append(UInt8(ascii: ","))
            }
            for byte in name.utf8 { append(byte) }
            append(UInt8(ascii: "="))
            append(UInt8(ascii: "\""))
            if length > 16 {
                unsafe entry[0] = UInt64(longOffset)
                longOffset += length
            }
            let prefix = label > 0 ? length - 1 : length
            unsafe entry[2] = UInt64(length)
            unsafe entry[3] = UInt64(prefix)
            total += prefix
        }
        unsafe self.words = words
        self.prefixTotal = total
        self.joinersAreShort = longBytes == 0
    }

    /// The length of label `label`'s joiner: `",` (after the first label), the name, `="`.
    static func joinerLength(label: Int, name: String) -> Int {
        (label > 0 ? 2 : 0) + name.utf8.count + 2
    }

    /// Frees the table (called once, by the owning family's `deinit`).
    func deallocate() {
        if let words = unsafe words { unsafe UnsafeMutableRawPointer(words).deallocate() }
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
