import Synchronization

/// The type-independent store of one family: its label index, its creation-order log, its limit.
///
/// Public families (``CounterFamily``, ``GaugeFamily``, ``HistogramFamily``) are thin wrappers over it;
/// the exposition writer reads it through its `package` members.
///
/// Thread safety: every member is safe to call from any thread.
@usableFromInline
package final class FamilyCore: @unchecked Sendable {
    /// What the family is.
    package let descriptor: FamilyDescriptor
    /// How the family was sized.
    package let options: FamilyOptions
    /// Number of atomic words per series.
    @usableFromInline let valueWordCount: Int
    /// The label names, for encoding new series.
    @usableFromInline let labelNames: [String]
    /// `labelPrefixLengths[k]`: bytes before label k's value in an encoded set (`,` + `name="`).
    @usableFromInline let labelPrefixLengths: [Int]
    @usableFromInline let index: LabelIndex
    /// The seed of the family's label hashes: random per family, so crafted label values cannot aim at one
    /// bucket. Kept in the family (not a global) so that a lookup reads no lazily initialised global.
    @usableFromInline let hashSeed = UInt64.random(in: 1...UInt64.max)
    /// Whether lookups read `String` values in place (``StringRepresentation/isVerified``), for the same reason.
    @usableFromInline let readsStringsInPlace = StringRepresentation.isVerified
    @usableFromInline let log = SeriesLog()
    /// The series limit, or `Int.max`.
    @usableFromInline let seriesLimit: Int
    /// The cell handed out for a lookup with the wrong number of values: never exported. Each such lookup is
    /// counted in `prom_label_values_mismatch_total{family}` instead (see ``mismatched()``).
    @usableFromInline let detached: SeriesCell
    /// Reports one lookup with the wrong number of label values (set by the registry).
    let reportMismatch: @Sendable () -> Void
    private let overflow = Locked<SeriesCell?>(nil)
    /// Counts lookups folded into the overflow series (set by the registry for limited families).
    let overflowCounter: Counter?
    /// A slot for the exposition writer's per-family cache (pre-rendered names and headers).
    package let renderCache = Locked<AnyObject?>(nil)

    init(
        descriptor: FamilyDescriptor, options: FamilyOptions, overflowCounter: Counter?,
        reportMismatch: @escaping @Sendable () -> Void = {}
    ) {
        self.descriptor = descriptor
        self.options = options
        self.seriesLimit = options.seriesLimit ?? Int.max
        switch descriptor.type {
        case .counter: valueWordCount = 2
        case .gauge: valueWordCount = 1
        case .histogram: valueWordCount = descriptor.buckets.count + 2
        }
        labelNames = descriptor.labelNames
        labelPrefixLengths = descriptor.labelNames.enumerated().map { ($0 == 0 ? 0 : 1) + $1.utf8.count + 2 }
        index = LabelIndex(capacityHint: options.capacityHint)
        detached = unsafe SeriesCell.make(valueWordCount: valueWordCount, labelByteCount: 0, shards: nil, hash: 0) {
            _ in
        }
        self.overflowCounter = overflowCounter
        self.reportMismatch = reportMismatch
    }

    /// The detached cell, after counting the misuse: a wrong number of label values never crashes the service,
    /// and the increments it loses are visible as a self-metric rather than silently gone.
    @usableFromInline @inline(never)
    func mismatched() -> SeriesCell {
        reportMismatch()
        return detached
    }

    /// Number of label values a lookup takes.
    @inlinable
    package var labelCount: Int { labelPrefixLengths.count }

    /// Series in the family now (the overflow series excluded).
    package var seriesCount: Int { log.liveCount }

    /// The cell for a label set, created when missing. Lock-free when it exists.
    ///
    /// - Parameter values: One value per label name, in order.
    /// - Returns: The series cell (retained by the caller).
    @inlinable
    func cell<Values: Collection>(for values: Values) -> SeriesCell where Values.Element: LabelValue {
        guard values.count == labelCount else { return mismatched() }
        let hasher = LabelHasher.hashing(values, seed: hashSeed, readsStrings: readsStringsInPlace)
        let found = index.withCell(hash: hasher.finalized, matches: { self.matches($0, values, hasher.hasEscapable) }) {
            $0
        }
        if let found { return found }
        return createCell(for: values, hasher: hasher)
    }

    /// Calls `body` with the cell for a label set without retaining it; creates it when missing.
    @inlinable
    func withCell<Values: Collection, R>(for values: Values, _ body: (SeriesCell) -> R) -> R
    where Values.Element: LabelValue {
        guard values.count == labelCount else { return body(mismatched()) }
        let hasher = LabelHasher.hashing(values, seed: hashSeed, readsStrings: readsStringsInPlace)
        let result: R? = index.withCell(
            hash: hasher.finalized, matches: { self.matches($0, values, hasher.hasEscapable) }
        ) {
            cell in cell.map(body)
        }
        if let result { return result }
        return body(createCell(for: values, hasher: hasher))
    }

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
        var position = 0
        return unsafe labelPrefixLengths.withUnsafeBufferPointer { prefixes in
            var label = 0
            // Indexing (not `for in`) borrows each value: no retain and release per label.
            var index = values.startIndex
            // Folded away when specialised: `String` values are read without a closure.
            let readsStrings = Values.Element.self == String.self && readsStringsInPlace
            while index != values.endIndex {
                // Safe: label < labelCount because the caller checked values.count == labelCount.
                position &+= unsafe prefixes[label]
                label &+= 1
                let next: Int
                if readsStrings {
                    let value = unsafe unsafeBitCast(values[index], to: String.self)
                    let representation = StringRepresentation(value)
                    if representation.isSmall {
                        next = unsafe FamilyCore.matchSmallValue(
                            representation, stored: base, at: position, end: end, hasEscapable: hasEscapable)
                    } else if representation.isTailAllocated {
                        next = withExtendedLifetime(value) {
                            unsafe FamilyCore.matchValue(
                                representation.tailBytes, stored: base, at: position, end: end,
                                hasEscapable: hasEscapable)
                        }
                    } else {
                        next = unsafe value.withLabelValueBytes {
                            unsafe FamilyCore.matchValue(
                                $0, stored: base, at: position, end: end, hasEscapable: hasEscapable)
                        }
                    }
                } else {
                    next = unsafe values[index].withLabelValueBytes {
                        unsafe FamilyCore.matchValue(
                            $0, stored: base, at: position, end: end, hasEscapable: hasEscapable)
                    }
                }
                if next < 0 { return false }
                position = next
                values.formIndex(after: &index)
            }
            return position == end
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

    /// Creates (or finds, if another thread won) the cell for `values`; folds into the overflow series
    /// past the limit.
    @inlinable @inline(never)
    func createCell<Values: Collection>(for values: Values, hasher: LabelHasher) -> SeriesCell
    where Values.Element: LabelValue {
        let hash = hasher.finalized
        let hasEscapable = hasher.hasEscapable
        let cell = index.findOrInsert(hash: hash, matches: { self.matches($0, values, hasEscapable) }) {
            let cell = makeCell(for: values, hash: hash)
            return log.append(cell, limit: seriesLimit) ? cell : nil
        }
        if let cell { return cell }
        return overflowed()
    }

    /// A new cell holding the encoded label set of `values`, written straight into the cell.
    @inlinable
    func makeCell<Values: Collection>(for values: Values, hash: UInt64) -> SeriesCell
    where Values.Element: LabelValue {
        var length = labelPrefixLengths.reduce(0, +) + labelCount
        for value in values {
            unsafe length += value.withLabelValueBytes { unsafe LabelSetEncoding.escapedCount($0) }
        }
        return unsafe SeriesCell.make(
            valueWordCount: valueWordCount, labelByteCount: length, shards: makeShards(), hash: hash
        ) {
            target in
            var position = 0
            for (label, value) in zip(labelNames, values) {
                if position > 0 {
                    unsafe target.storeBytes(of: UInt8(ascii: ","), toByteOffset: position, as: UInt8.self)
                    position += 1
                }
                position += unsafe LabelSetEncoding.write(label, into: target + position)
                unsafe target.storeBytes(of: UInt8(ascii: "="), toByteOffset: position, as: UInt8.self)
                unsafe target.storeBytes(of: UInt8(ascii: "\""), toByteOffset: position + 1, as: UInt8.self)
                position += 2
                unsafe position += value.withLabelValueBytes {
                    unsafe LabelSetEncoding.writeEscaped($0, into: target + position)
                }
                unsafe target.storeBytes(of: UInt8(ascii: "\""), toByteOffset: position, as: UInt8.self)
                position += 1
            }
            assert(position == length)
        }
    }

    @usableFromInline
    func overflowed() -> SeriesCell {
        overflowCounter?.inc()
        return overflowCell()
    }

    @usableFromInline
    func makeShards() -> CounterShards? {
        descriptor.type == .counter && options.counterShards > 1
            ? CounterShards.allocate(count: options.counterShards) : nil
    }

    private func overflowCell() -> SeriesCell {
        overflow.withLock { overflow in
            if let overflow { return overflow }
            var encoded: [UInt8] = []
            for label in descriptor.labelNames {
                if !encoded.isEmpty { encoded.append(UInt8(ascii: ",")) }
                encoded.append(contentsOf: "\(label)=\"__overflow__\"".utf8)
            }
            let cell = unsafe SeriesCell.make(
                valueWordCount: valueWordCount, labelByteCount: encoded.count, shards: makeShards(), hash: 0
            ) {
                target in
                unsafe encoded.withUnsafeBytes { unsafe target.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            log.appendUnlimited(cell)
            overflow = cell
            return cell
        }
    }

    /// Removes the series with these label values.
    ///
    /// - Returns: Whether a series was removed.
    func remove<Values: Collection>(_ values: Values) -> Bool where Values.Element: LabelValue {
        guard values.count == labelCount else { return false }
        let hasher = LabelHasher.hashing(values, seed: hashSeed, readsStrings: readsStringsInPlace)
        guard
            let cell = index.remove(hash: hasher.finalized, matches: { self.matches($0, values, hasher.hasEscapable) })
        else { return false }
        // The log drops its reference first; renders that copied the cell from the log are inside a read
        // section, so the cell is freed (when `cell` goes out of scope) only after they left.
        log.remove(cell)
        index.sections.synchronize()
        return true
    }

    /// Removes every series (the overflow series too).
    func removeAll() {
        index.removeAll(whileLocked: { log.removeAll() })
        overflow.withLock { $0 = nil }
    }

    /// Walks the series in creation order, a chunk at a time, without retaining them and without holding
    /// a lock while rendering.
    ///
    /// - Parameters:
    ///   - chunk: Scratch storage, reused between calls; emptied at the end.
    ///   - render: Called for each chunk inside a read section; the cells are valid only during the call.
    ///     It must not block (no I/O): writers that free memory wait for it.
    ///   - between: Called after each chunk, outside the read section (flush output there).
    /// - Throws: What `between` throws.
    package func forEachChunk(
        _ chunk: inout ContiguousArray<Unmanaged<SeriesCell>>,
        render: (UnsafeBufferPointer<Unmanaged<SeriesCell>>) -> Void,
        between: () throws -> Void
    ) rethrows {
        let end = log.beginRender()
        defer {
            log.endRender()
            unsafe chunk.removeAll(keepingCapacity: true)
        }
        var position = 0
        while true {
            let token = index.sections.enter()
            position = unsafe log.copyChunk(from: position, to: end, into: &chunk, maxCount: 512)
            let isEmpty = unsafe chunk.isEmpty
            if !isEmpty { unsafe chunk.withUnsafeBufferPointer { unsafe render($0) } }
            index.sections.leave(token)
            if isEmpty { return }
            try between()
        }
    }
}

extension LabelHasher {
    /// Hashes every value of a lookup.
    ///
    /// - Parameters:
    ///   - values: The label values, in label order.
    ///   - seed: The family's seed.
    ///   - readsStrings: Whether `String` values may be read in place (``StringRepresentation/isVerified``).
    @inlinable
    static func hashing<Values: Collection>(_ values: Values, seed: UInt64, readsStrings: Bool) -> LabelHasher
    where Values.Element: LabelValue {
        var hasher = LabelHasher(seed: seed)
        // Indexing (not `for in`) borrows each value: no retain and release per label.
        var index = values.startIndex
        // Folded away when specialised: `String` values are read without a closure.
        if Values.Element.self == String.self && readsStrings {
            while index != values.endIndex {
                hasher.combine(string: unsafe unsafeBitCast(values[index], to: String.self))
                values.formIndex(after: &index)
            }
            return hasher
        }
        while index != values.endIndex {
            unsafe values[index].withLabelValueBytes { unsafe hasher.combine($0) }
            values.formIndex(after: &index)
        }
        return hasher
    }
}
