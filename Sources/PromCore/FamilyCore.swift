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
    let log = SeriesLog()
    /// Cells handed out for a lookup with the wrong number of values: counted nowhere, exported never.
    @usableFromInline let detached: SeriesCell
    private let overflow = Locked<SeriesCell?>(nil)
    /// Counts lookups folded into the overflow series (set by the registry for limited families).
    let overflowCounter: Counter?
    /// A slot for the exposition writer's per-family cache (pre-rendered names and headers).
    package let renderCache = Locked<AnyObject?>(nil)

    init(descriptor: FamilyDescriptor, options: FamilyOptions, overflowCounter: Counter?) {
        self.descriptor = descriptor
        self.options = options
        switch descriptor.type {
        case .counter: valueWordCount = 2
        case .gauge: valueWordCount = 1
        case .histogram: valueWordCount = descriptor.buckets.count + 2
        }
        labelNames = descriptor.labelNames
        labelPrefixLengths = descriptor.labelNames.enumerated().map { ($0 == 0 ? 0 : 1) + $1.utf8.count + 2 }
        index = LabelIndex(capacityHint: options.capacityHint)
        detached = unsafe SeriesCell.make(valueWordCount: valueWordCount, labels: UnsafeRawBufferPointer(start: nil, count: 0), shards: nil)
        self.overflowCounter = overflowCounter
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
        guard values.count == labelCount else { return detached }
        let hasher = LabelHasher.hashing(values)
        let found = index.withCell(hash: hasher.finalized, matches: { self.matches($0, values, hasher.needsEscaping) }) { $0 }
        if let found { return found }
        return createCell(for: values, hash: hasher.finalized)
    }

    /// Calls `body` with the cell for a label set without retaining it; creates it when missing.
    @inlinable
    func withCell<Values: Collection, R>(for values: Values, _ body: (SeriesCell) -> R) -> R
    where Values.Element: LabelValue {
        guard values.count == labelCount else { return body(detached) }
        let hasher = LabelHasher.hashing(values)
        let result: R? = index.withCell(hash: hasher.finalized, matches: { self.matches($0, values, hasher.needsEscaping) }) {
            cell in cell.map(body)
        }
        if let result { return result }
        return body(createCell(for: values, hash: hasher.finalized))
    }

    /// Compares a cell's encoded label set with `values`.
    @inlinable
    func matches<Values: Collection>(_ cell: SeriesCell, _ values: Values, _ needsEscaping: Bool) -> Bool
    where Values.Element: LabelValue {
        let stored = unsafe cell.labelBytes
        var position = 0
        var label = 0
        for value in values {
            // Safe: label < labelCount because values.count == labelCount was checked by the caller.
            unsafe position &+= labelPrefixLengths.withUnsafeBufferPointer { unsafe $0[label] }
            label &+= 1
            guard position < stored.count else { return false }
            let rest = unsafe UnsafeRawBufferPointer(rebasing: stored[position...])
            guard let length = unsafe value.withLabelValueBytes({ unsafe LabelSetEncoding.matchEscaped($0, stored: rest, needsEscaping: needsEscaping) })
            else { return false }
            position &+= length &+ 1
        }
        return position == stored.count
    }

    /// Creates (or finds, if another thread won) the cell for `values`; folds into the overflow series
    /// past the limit.
    @inlinable @inline(never)
    func createCell<Values: Collection>(for values: Values, hash: UInt64) -> SeriesCell where Values.Element: LabelValue {
        var encoded: [UInt8] = []
        for (label, value) in zip(labelNames, values) {
            if !encoded.isEmpty { encoded.append(UInt8(ascii: ",")) }
            encoded.append(contentsOf: label.utf8)
            encoded.append(contentsOf: "=\"".utf8)
            unsafe value.withLabelValueBytes { unsafe LabelSetEncoding.appendEscaped($0, to: &encoded) }
            encoded.append(UInt8(ascii: "\""))
        }
        let matchAny: (SeriesCell) -> Bool = { cell in
            unsafe cell.labelBytes.elementsEqual(encoded)
        }
        return insert(encoded: encoded, hash: hash, matches: matchAny)
    }

    @usableFromInline
    func insert(encoded: [UInt8], hash: UInt64, matches: (SeriesCell) -> Bool) -> SeriesCell {
        let limit = options.seriesLimit ?? Int.max
        let cell = index.findOrInsert(hash: hash, matches: matches) {
            log.append(limit: limit) {
                unsafe encoded.withUnsafeBytes { unsafe SeriesCell.make(valueWordCount: valueWordCount, labels: $0, shards: makeShards()) }
            }
        }
        if let cell { return cell }
        overflowCounter?.inc()
        return overflowCell()
    }

    private func makeShards() -> CounterShards? {
        descriptor.type == .counter && options.counterShards > 1 ? CounterShards(count: options.counterShards) : nil
    }

    private func overflowCell() -> SeriesCell {
        overflow.withLock { overflow in
            if let overflow { return overflow }
            var encoded: [UInt8] = []
            for label in descriptor.labelNames {
                if !encoded.isEmpty { encoded.append(UInt8(ascii: ",")) }
                encoded.append(contentsOf: "\(label)=\"__overflow__\"".utf8)
            }
            let cell = unsafe encoded.withUnsafeBytes { unsafe SeriesCell.make(valueWordCount: valueWordCount, labels: $0, shards: makeShards()) }
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
        let hasher = LabelHasher.hashing(values)
        guard let cell = index.remove(hash: hasher.finalized, matches: { self.matches($0, values, hasher.needsEscaping) })
        else { return false }
        log.remove(cell)
        return true
    }

    /// Removes every series (the overflow series too).
    func removeAll() {
        index.removeAll(whileLocked: { log.removeAll() })
        overflow.withLock { $0 = nil }
    }

    /// Walks the series in creation order, a chunk at a time, without holding a lock during `body`.
    ///
    /// - Parameters:
    ///   - chunk: Scratch storage, reused between calls; emptied at the end.
    ///   - body: Called for each chunk of series.
    package func forEachChunk(_ chunk: inout ContiguousArray<SeriesCell>, _ body: (ContiguousArray<SeriesCell>) throws -> Void) rethrows {
        log.beginRender()
        defer {
            log.endRender()
            chunk.removeAll(keepingCapacity: true)
        }
        var position = 0
        while true {
            position = log.copyChunk(from: position, into: &chunk, maxCount: 512)
            if chunk.isEmpty { return }
            try body(chunk)
        }
    }
}

extension LabelHasher {
    /// Hashes every value of a lookup.
    @inlinable
    static func hashing<Values: Collection>(_ values: Values) -> LabelHasher where Values.Element: LabelValue {
        var hasher = LabelHasher()
        for value in values { unsafe value.withLabelValueBytes { unsafe hasher.combine($0) } }
        return hasher
    }
}
