import Synchronization

/// The type-independent store of one family: its label index, its creation-order log, its limit.
///
/// Public families (``CounterFamily``, ``GaugeFamily``, ``HistogramFamily``) are thin wrappers over it;
/// the exposition writer reads it through its `package` members.
///
/// Thread safety: every member is safe to call from any thread.
@usableFromInline
@safe
package final class FamilyCore: @unchecked Sendable {
    /// What the family is.
    package let descriptor: FamilyDescriptor
    /// How the family was sized.
    package let options: FamilyOptions
    /// Number of atomic words per series.
    @usableFromInline let valueWordCount: Int
    /// The label names, for encoding new series.
    @usableFromInline let labelNames: [String]
    /// Per label, its prefix length in a stored set and its joiner for byte lookups.
    @usableFromInline let labelLayout: LabelLayout
    @usableFromInline let index: LabelIndex
    /// The seed of the family's label hashes: random per family, so crafted label values cannot aim at one
    /// bucket. Kept in the family (not a global) so that a lookup reads no lazily initialised global.
    @usableFromInline let hashSeed = UInt64.random(in: 1...UInt64.max)
    /// Whether lookups read `String` values in place (``StringRepresentation/isVerified``), for the same reason.
    @usableFromInline let readsStringsInPlace = StringRepresentation.isVerified
    @usableFromInline let log = SeriesLog()
    /// The joiners of ``lookUpByBytes(_:joiners:_:)`` (``labelLayout``'s table), or `nil` when `String` lookups take
    /// the label walk (no labels, or `String`s not read in place).
    @usableFromInline let lookupJoiners: UnsafeMutablePointer<UInt64>?
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
        case .counter: valueWordCount = options.counterShards > 1 ? Counter.shardWord + 1 : 2
        case .gauge: valueWordCount = 1
        case .histogram: valueWordCount = descriptor.buckets.count + 2
        }
        labelNames = descriptor.labelNames
        labelLayout = LabelLayout(labelNames: descriptor.labelNames)
        index = LabelIndex(capacityHint: options.capacityHint)
        unsafe lookupJoiners = unsafe StringRepresentation.isVerified ? labelLayout.words : nil
        detached = unsafe SeriesCell.make(valueWordCount: valueWordCount, labelByteCount: 0, shards: nil, hash: 0) {
            _ in
        }
        self.overflowCounter = overflowCounter
        self.reportMismatch = reportMismatch
    }

    deinit {
        labelLayout.deallocate()
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
    package var labelCount: Int { labelLayout.count }

    /// Series in the family now (the overflow series excluded).
    package var seriesCount: Int { log.liveCount }

    /// The cell for a label set, created when missing. Lock-free when it exists.
    ///
    /// - Parameter values: One value per label name, in order.
    /// - Returns: The series cell (retained by the caller).
    @inlinable
    func cell<Values: Collection>(for values: Values) -> SeriesCell where Values.Element: LabelValue {
        // An array's values are read through one buffer pointer: no bounds check or buffer reload per value.
        if let found = values.withContiguousStorageIfAvailable({ buffer in unsafe lookUp(buffer) }) {
            return found
        }
        return lookUp(values)
    }

    /// ``cell(for:)`` without the contiguity test.
    @inlinable
    func lookUp<Values: Collection>(_ values: Values) -> SeriesCell where Values.Element: LabelValue {
        guard values.count == labelCount else { return mismatched() }
        if Values.Element.self == String.self, let joiners = unsafe lookupJoiners {
            switch unsafe lookUpByBytes(values, joiners: joiners, { $0 }) {
            case .found(let cell): return cell
            case .missing(let hasher): return createCell(for: values, hasher: hasher)
            case .unsupported: break
            }
        }
        let hasher = LabelHasher.hashing(values, seed: hashSeed, readsStrings: readsStringsInPlace)
        let found = index.withCell(hash: hasher.finalized, matches: { self.matches($0, values, raw: $1) }) {
            $0
        }
        if let found { return found }
        return createCell(for: values, hasher: hasher)
    }

    /// Calls `body` with the cell for a label set without retaining it; creates it when missing.
    @inlinable
    func withCell<Values: Collection, R>(for values: Values, _ body: (SeriesCell) -> R) -> R
    where Values.Element: LabelValue {
        // An array's values are read through one buffer pointer, as in ``cell(for:)``.
        if let result = values.withContiguousStorageIfAvailable({ buffer in unsafe withLookedUpCell(buffer, body) }) {
            return result
        }
        return withLookedUpCell(values, body)
    }

    /// ``withCell(for:_:)`` without the contiguity test.
    @inlinable
    func withLookedUpCell<Values: Collection, R>(_ values: Values, _ body: (SeriesCell) -> R) -> R
    where Values.Element: LabelValue {
        guard values.count == labelCount else { return body(mismatched()) }
        if Values.Element.self == String.self, let joiners = unsafe lookupJoiners {
            switch unsafe lookUpByBytes(values, joiners: joiners, body) {
            case .found(let result): return result
            case .missing(let hasher): return body(createCell(for: values, hasher: hasher))
            case .unsupported: break
            }
        }
        let hasher = LabelHasher.hashing(values, seed: hashSeed, readsStrings: readsStringsInPlace)
        let result: R? = index.withCell(hash: hasher.finalized, matches: { self.matches($0, values, raw: $1) }, body)
        if let result { return result }
        return body(createCell(for: values, hasher: hasher))
    }

    /// Creates (or finds, if another thread won) the cell for `values`; folds into the overflow series
    /// past the limit.
    @inlinable @inline(never)
    func createCell<Values: Collection>(for values: Values, hasher: LabelHasher) -> SeriesCell
    where Values.Element: LabelValue {
        let hash = hasher.finalized
        let cell = index.findOrInsert(hash: hash, matches: { self.matches($0, values, raw: $1) }) {
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
        var length = labelLayout.prefixTotal + labelCount
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
            ? CounterShards.allocate(count: min(options.counterShards, FamilyOptions.maximumCounterShards)) : nil
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
            let cell = index.remove(hash: hasher.finalized, matches: { self.matches($0, values, raw: $1) })
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
