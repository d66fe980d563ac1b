/// Checks of the Prometheus text format 0.0.4 that need memory across lines, as prometheus/common's parser does:
/// one HELP and one TYPE per metric name, TYPE before that name's samples, float `quantile`/`le` label values in
/// summaries and histograms, and no negative histogram counts.
///
/// Memory: one 8-byte fingerprint per metric name with HELP or TYPE and per distinct sample name, plus the last
/// sample name. Nothing is allocated per sample while consecutive samples share a name.
struct _TextValidator {
    private enum Role {
        case plain, summary, histogramBucket, histogramCount
    }

    private var helpNames = Set<UInt64>()
    private var types: [UInt64: PromMetricType] = [:]
    private var sampleNames = Set<UInt64>()
    private var lastSampleName: [UInt8] = []
    private var hasLastSample = false
    private var lastRole = Role.plain

    mutating func metadata(_ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
        let name = bytes.bytes(entry.name)
        let hash = _hashBytes(name)
        if entry.kind == .help {
            // As in prometheus/common, a HELP line without text does not count.
            guard entry.text.count > 0 else { return }
            guard helpNames.insert(hash).inserted else {
                throw semantic(line, entry.nameColumn, "second HELP line for metric name \(_goQuoted(_array(name)))")
            }
            return
        }
        guard types[hash] == nil else {
            throw semantic(line, entry.nameColumn, "second TYPE line for metric name \(_goQuoted(_array(name)))")
        }
        guard !sampleNames.contains(hash) else {
            throw semantic(line, entry.nameColumn, "TYPE line for \(_goQuoted(_array(name))) after its samples")
        }
        types[hash] = entry.type
        if lastSampleIs(name) {
            hasLastSample = false
        }
    }

    mutating func sample(_ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
        let name = bytes.bytes(entry.name)
        if !lastSampleIs(name) {
            learnSampleName(name)
        }
        switch lastRole {
        case .plain:
            return
        case .summary:
            try floatLabel("quantile", entry, bytes, line: line)
        case .histogramBucket:
            try floatLabel("le", entry, bytes, line: line)
            if entry.value < 0 {
                throw semantic(line, entry.valueColumn, "negative bucket population for histogram")
            }
        case .histogramCount:
            if entry.value < 0 { throw semantic(line, entry.valueColumn, "negative count for histogram") }
        }
    }

    @safe private func lastSampleIs(_ name: UnsafeRawBufferPointer) -> Bool {
        guard hasLastSample else { return false }
        return unsafe lastSampleName.withUnsafeBytes { _memEqual($0, name) }
    }

    @safe private mutating func learnSampleName(_ name: UnsafeRawBufferPointer) {
        lastSampleName.removeAll(keepingCapacity: true)
        unsafe lastSampleName.append(contentsOf: name)
        hasLastSample = true
        sampleNames.insert(_hashBytes(name))
        if types[_hashBytes(name)] == .summary {
            lastRole = .summary
        } else if let base = _baseName(name, "_bucket"), types[_hashBytes(base)]?._isHistogramLike == true {
            lastRole = .histogramBucket
        } else if let base = _baseName(name, "_count"), types[_hashBytes(base)]?._isHistogramLike == true {
            lastRole = .histogramCount
        } else {
            lastRole = .plain
        }
    }

    private func floatLabel(_ name: StaticString, _ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int)
        throws(PromParseError)
    {
        guard let label = entry.labels.first(where: { _equalsStatic(bytes.bytes($0.name), name) }) else { return }
        let value = bytes.bytes(label.value)
        guard _Number.parseFloat(value) == nil else { return }
        throw semantic(
            line, label.column, "expected float as value for \"\(name)\" label, got \(_goQuoted(_array(value)))")
    }
}

/// `name` without `suffix`, or `nil` when it does not end with it.
@safe func _baseName(_ name: UnsafeRawBufferPointer, _ suffix: StaticString) -> UnsafeRawBufferPointer? {
    let count = suffix.utf8CodeUnitCount
    guard name.count > count else { return nil }
    let split = name.count - count
    guard _equalsStatic(unsafe UnsafeRawBufferPointer(rebasing: name[split...]), suffix) else { return nil }
    return unsafe UnsafeRawBufferPointer(rebasing: name[..<split])
}

/// Label rules common to both formats: no two labels with one name, and no `__name__` label.
func _checkLabelNames(_ labels: [_LabelRef], _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
    let count = labels.count
    guard count > 0 else { return }
    for first in 0..<count {
        let name = bytes.bytes(labels[first].name)
        if _equalsStatic(name, "__name__") {
            throw semantic(line, labels[first].column, "label name \"__name__\" is reserved")
        }
        for second in (first + 1)..<count where bytes.equals(labels[second].name, name) {
            throw semantic(line, labels[second].column, "duplicate label name \(_goQuoted(_array(name)))")
        }
    }
}
