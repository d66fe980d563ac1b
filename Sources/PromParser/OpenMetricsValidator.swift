/// The sample-name suffixes of the OpenMetrics text format.
enum _Suffix: Equatable {
    case none, total, created, count, sum, bucket, gcount, gsum, info

    var text: StaticString {
        switch self {
        case .none: return ""
        case .total: return "_total"
        case .created: return "_created"
        case .count: return "_count"
        case .sum: return "_sum"
        case .bucket: return "_bucket"
        case .gcount: return "_gcount"
        case .gsum: return "_gsum"
        case .info: return "_info"
        }
    }

    /// The suffix whose text is `text`, if any.
    @safe init?(text: UnsafeRawBufferPointer) {
        let candidate: _Suffix
        switch text.count {
        case 0: candidate = .none
        case 4: candidate = .sum
        case 5:
            // Safe: text holds 5 bytes; "_info" and "_gsum" differ in their second byte.
            candidate = unsafe text[1] == UInt8(ascii: "g") ? .gsum : .info
        case 6:
            // Safe: text holds 6 bytes; "_total" and "_count" differ in their second byte.
            candidate = unsafe text[1] == UInt8(ascii: "t") ? .total : .count
        case 7:
            // Safe: text holds 7 bytes; "_bucket" and "_gcount" differ in their second byte.
            candidate = unsafe text[1] == UInt8(ascii: "b") ? .bucket : .gcount
        case 8: candidate = .created
        default: return nil
        }
        guard _equalsStatic(text, candidate.text) else { return nil }
        self = candidate
    }

    /// This suffix's bit in `allowedMask(for:)`.
    var bit: UInt16 {
        switch self {
        case .none: return 1 << 0
        case .total: return 1 << 1
        case .created: return 1 << 2
        case .count: return 1 << 3
        case .sum: return 1 << 4
        case .bucket: return 1 << 5
        case .gcount: return 1 << 6
        case .gsum: return 1 << 7
        case .info: return 1 << 8
        }
    }

    /// The bits of `allowed(for:)`.
    static func allowedMask(for type: PromMetricType) -> UInt16 {
        switch type {
        case .counter: return _Suffix.total.bit | _Suffix.created.bit
        case .summary: return _Suffix.none.bit | _Suffix.count.bit | _Suffix.sum.bit | _Suffix.created.bit
        case .histogram: return _Suffix.count.bit | _Suffix.sum.bit | _Suffix.bucket.bit | _Suffix.created.bit
        case .gaugeHistogram, .gaugeHistogramUnderscore:
            return _Suffix.gcount.bit | _Suffix.gsum.bit | _Suffix.bucket.bit
        case .info: return _Suffix.info.bit
        default: return _Suffix.none.bit
        }
    }

    /// The suffixes a family of `type` may use on its samples (OpenMetrics 1.0, "Suffixes").
    static func allowed(for type: PromMetricType) -> [_Suffix] {
        switch type {
        case .counter: return [.total, .created]
        case .summary: return [.none, .count, .sum, .created]
        case .histogram: return [.count, .sum, .bucket, .created]
        case .gaugeHistogram, .gaugeHistogramUnderscore: return [.gcount, .gsum, .bucket]
        case .info: return [.info]
        default: return [.none]
        }
    }
}

/// OpenMetrics 1.0 data-model checks across lines: family grouping and name clashes, metadata placement, suffixes
/// per type, value rules, label rules of histograms/summaries/statesets, timestamp order, exemplar placement and
/// size, and the histogram MetricPoint rules.
///
/// Memory: the current family's name, one 8-byte fingerprint per sample name any earlier family could produce, and
/// one 8-byte fingerprint per label set (MetricPoint group) of the current family; all independent of the number of
/// samples in other families. Nothing is allocated per sample once the sets have grown.
struct _OpenMetricsValidator {
    var familyName: [UInt8] = []
    var hasFamily = false
    var type: PromMetricType = .unknown
    var sawType = false
    var sawHelp = false
    var sawUnit = false
    var hasUnit = false
    var hasSamples = false
    var claimedNames = _FingerprintSet()
    var seenGroups = _FingerprintSet()
    /// The slot `touchGroup(_:)` read (kept so that the read is not dropped).
    var touchedSlot: UInt64 = 0
    var hasGroup = false
    var group: UInt64 = 0
    var groupHasTimestamp = false
    var groupTimestamp: Double = 0
    var point = _HistogramPoint()
    /// The suffix of the last sample's name, valid while `hasLastSuffix` (cleared by metadata lines and whenever a
    /// family opens or closes).
    var lastSuffix = _Suffix.none
    var hasLastSuffix = false
    /// Whether the last sample was a histogram or gauge histogram `_bucket` sample that passed `sample` or
    /// `nextBucket`, with no metadata line since (comments do not count). While it is set, `hasLastSuffix` is set
    /// with `lastSuffix == .bucket`, `hasGroup` is set with `group` that sample's group hash, and `point` is active
    /// with that group. Cleared by metadata lines and whenever a family opens or closes.
    var inBucketRun = false
    /// While `inBucketRun`, the index of that sample's `le` label.
    var bucketLeIndex = -1

    /// Checks a `# TYPE`, `# HELP` or `# UNIT` line.
    mutating func metadata(_ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
        hasLastSuffix = false
        inBucketRun = false
        let name = bytes.bytes(entry.name)
        if !hasFamily || !familyEquals(name) {
            try closeFamily(line: line)
            try openFamily(name, line: line)
        } else if hasSamples {
            throw semantic(line, entry.nameColumn, "metadata for metric family \(quotedFamily) after its samples")
        }
        switch entry.kind {
        case .type:
            guard !sawType else { throw semantic(line, 1, "second TYPE line for metric family \(quotedFamily)") }
            sawType = true
            type = entry.type ?? .unknown
            for suffix in _Suffix.allowed(for: type) where claimedNames.contains(_hashBytes(name, suffix: suffix.text))
            {
                throw semantic(
                    line, entry.nameColumn,
                    "metric family \(quotedFamily) of type \(type.rawValue) clashes with an earlier family's samples")
            }
            try checkUnitAllowed(line: line)
        case .help:
            guard !sawHelp else { throw semantic(line, 1, "second HELP line for metric family \(quotedFamily)") }
            sawHelp = true
        default:
            guard !sawUnit else { throw semantic(line, 1, "second UNIT line for metric family \(quotedFamily)") }
            sawUnit = true
            let unit = bytes.bytes(entry.text)
            hasUnit = unit.count > 0
            if hasUnit && !_hasUnitSuffix(name, unit) {
                throw semantic(
                    line, 1, "unit \(_goQuoted(_array(unit))) is not a suffix of metric family \(quotedFamily)")
            }
            try checkUnitAllowed(line: line)
        }
    }

    /// Starts loading the group set's slot for a sample whose group hash is likely `groupHash` (the hash of all its
    /// labels), so that the cache miss overlaps the other checks.
    @inline(__always) mutating func touchGroup(_ groupHash: UInt64) {
        touchedSlot = seenGroups.touch(groupHash)
    }

    /// Checks a sample line.
    ///
    /// - Parameters:
    ///   - entry: the sample; `inout` only so that it is passed by address (it is not changed). A borrowed entry
    ///     taken from the parser's state is copied for the call (a 200-byte `memcpy`), and so is one passed on from
    ///     an `inout` parameter: the helpers below take the parts they need instead.
    ///   - pass: the sum of the fingerprints of all the sample's labels, and where `le` and `quantile` are
    ///     (`_LabelScreen`).
    mutating func sample(
        _ entry: inout _ParsedEntry, _ bytes: _EntryBytes, pass: _LabelPass, line: Int
    ) throws(PromParseError) {
        let suffix = try sampleSuffix(entry, bytes, line: line)
        hasSamples = true
        let rules = _SampleRules(type: type, suffix: suffix, line: line, valueColumn: entry.valueColumn)
        let stateIndex = type == .stateSet ? labelIndexNamedAfterFamily(entry.labels, bytes) : nil
        let excluded = try rules.check(
            value: entry.value, labels: entry.labels, bytes, stateLabelIndex: stateIndex, pass: pass
        ) { quotedFamily }
        if entry.hasExemplar { try checkPresentExemplar(entry, bytes, rules: rules) }
        // The labels minus the one that varies within a MetricPoint (`le`, `quantile`, or a stateset's state label).
        let groupHash = type == .info ? 0 : pass.groupHash(excluding: excluded.index, entry.labels, bytes)
        let hasTimestamp = entry.hasTimestamp
        let seconds = entry.timestampSeconds
        try checkGroup(groupHash, hasTimestamp: hasTimestamp, seconds: seconds, line: line)
        if type._isHistogramLike && rules.suffix != .none {
            try updatePoint(
                groupHash, hasTimestamp: hasTimestamp, seconds: seconds, value: entry.value,
                threshold: excluded.threshold, suffix: rules.suffix, line: line)
            inBucketRun = rules.suffix == .bucket
            bucketLeIndex = excluded.index ?? -1
        } else {
            inBucketRun = false
        }
    }

    /// Checks a sample line as `sample` does, for a sample that follows a histogram bucket (`inBucketRun`) with the
    /// same name, has no exemplar, and whose labels are that bucket's but for the value of `le` (at `bucketLeIndex`,
    /// see `_LabelScreen.labelsRepeat(but:_:_:reused:)`): its suffix is `.bucket`, its group hash is `group` and `point` is that
    /// group's, so only the value and `le` (the same rules, in the same order, as `sample`), the timestamp against
    /// the group's and the bucket against the MetricPoint are checked.
    ///
    /// - Complexity: O(1) but for parsing `le`'s value; no set probe, no hashing, no suffix test.
    mutating func nextBucket(
        _ entry: inout _ParsedEntry, _ bytes: _EntryBytes, line: Int
    ) throws(PromParseError) {
        assert(inBucketRun && hasLastSuffix && lastSuffix == .bucket && hasGroup && point.active)
        let rules = _SampleRules(type: type, suffix: .bucket, line: line, valueColumn: entry.valueColumn)
        let excluded = try rules.checkBucket(value: entry.value, labels: entry.labels, bytes, le: bucketLeIndex) {
            quotedFamily
        }
        assert(point.group == group)
        let hasTimestamp = entry.hasTimestamp
        let seconds = entry.timestampSeconds
        try checkSameGroup(hasTimestamp: hasTimestamp, seconds: seconds, line: line)
        try updatePoint(
            group, hasTimestamp: hasTimestamp, seconds: seconds, value: entry.value, threshold: excluded.threshold,
            suffix: .bucket, line: line)
    }

    /// The suffix by which the sample's name belongs to the current family, after closing it and opening the
    /// sample's own family when it does not. A name that repeats the last sample's (`_ParsedEntry.nameRepeated`)
    /// has the last sample's suffix, unless a metadata line came between (`hasLastSuffix`).
    @inline(__always) private mutating func sampleSuffix(
        _ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int
    ) throws(PromParseError) -> _Suffix {
        if entry.nameRepeated && hasLastSuffix { return lastSuffix }
        let name = bytes.bytes(entry.name)
        var suffix = hasFamily ? _suffix(of: name) : nil
        if suffix == nil {
            try closeFamily(line: line)
            try openFamily(name, line: line)
            suffix = _Suffix.none
        }
        lastSuffix = suffix ?? .none
        hasLastSuffix = true
        return lastSuffix
    }

    /// Closes the last family at `# EOF`. Its MetricPoint groups are not forgotten: no sample can follow, and
    /// emptying the set would zero its table (2 MB after a family of 100k series).
    mutating func finish(line: Int) throws(PromParseError) {
        try closeFamily(line: line, last: true)
    }

    @safe private func familyEquals(_ name: UnsafeRawBufferPointer) -> Bool {
        unsafe familyName.withUnsafeBytes { family in _memEqual(name, family) }
    }

    private func labelIndexNamedAfterFamily(_ labels: _LabelList, _ bytes: _EntryBytes) -> Int? {
        unsafe familyName.withUnsafeBytes { family in labels.firstIndex { bytes.equals($0.name, family) } }
    }

    private var quotedFamily: String { _goQuoted(familyName) }

    @safe private mutating func openFamily(_ name: UnsafeRawBufferPointer, line: Int) throws(PromParseError) {
        hasLastSuffix = false
        inBucketRun = false
        familyName.removeAll(keepingCapacity: true)
        _append(name, to: &familyName)
        guard !claimedNames.contains(_hashBytes(name)) else {
            throw semantic(
                line, 1,
                "metric family \(quotedFamily) clashes with an earlier family, or its samples are not contiguous")
        }
        hasFamily = true
        type = .unknown
        sawType = false
        sawHelp = false
        sawUnit = false
        hasUnit = false
        hasSamples = false
    }

    /// Closes the current family, if any; `last` (at `# EOF`) keeps the set of its groups as it is.
    private mutating func closeFamily(line: Int, last: Bool = false) throws(PromParseError) {
        hasLastSuffix = false
        inBucketRun = false
        guard hasFamily else { return }
        if point.active { try point.finish(family: familyName, line: line) }
        point = _HistogramPoint()
        let type = self.type
        let hashes: [UInt64] = unsafe familyName.withUnsafeBytes { name in
            [_hashBytes(name)] + _Suffix.allowed(for: type).map { _hashBytes(name, suffix: $0.text) }
        }
        for hash in hashes { claimedNames.insert(hash) }
        if !last { seenGroups.removeAll() }
        hasGroup = false
        hasFamily = false
    }

    private func checkUnitAllowed(line: Int) throws(PromParseError) {
        if hasUnit && (type == .info || type == .stateSet) {
            throw semantic(line, 1, "metric family \(quotedFamily) of type \(type.rawValue) must not have a unit")
        }
    }

    /// The suffix by which `name` belongs to the current family, or `nil` when it starts a new family.
    @safe private func _suffix(of name: UnsafeRawBufferPointer) -> _Suffix? {
        let type = self.type
        return unsafe familyName.withUnsafeBytes { family -> _Suffix? in
            let familyCount = family.count
            guard name.count >= familyCount else { return nil }
            // Safe: both buffers hold at least familyCount bytes.
            guard unsafe familyCount == 0 || _bytesEqual(name.baseAddress!, family.baseAddress!, familyCount) else {
                return nil
            }
            let rest = unsafe UnsafeRawBufferPointer(rebasing: name[familyCount...])
            guard let suffix = _Suffix(text: rest), _Suffix.allowedMask(for: type) & suffix.bit != 0 else {
                return nil
            }
            return suffix
        }
    }

    /// Checks the exemplar of a sample that has one (out of line: most samples have none).
    @inline(never) private func checkPresentExemplar(
        _ entry: _ParsedEntry, _ bytes: _EntryBytes, rules: _SampleRules
    )
        throws(PromParseError)
    {
        let allowed =
            (type == .counter && rules.suffix == .total) || (type._isHistogramLike && rules.suffix == .bucket)
        guard allowed else {
            throw semantic(
                rules.line, 1,
                "exemplars are only allowed on counter _total and histogram _bucket samples, not in family "
                    + quotedFamily)
        }
        var codePoints = 0
        for label in entry.exemplarLabels {
            codePoints += _codePointCount(bytes.bytes(label.name)) + _codePointCount(bytes.bytes(label.value))
        }
        if codePoints > 128 {
            throw semantic(
                rules.line, 1, "exemplar labels have \(codePoints) code points, more than the 128 allowed")
        }
    }

    /// Checks the MetricPoint group of a sample (`seconds`: its timestamp, meaningful only when `hasTimestamp`).
    private mutating func checkGroup(
        _ groupHash: UInt64, hasTimestamp: Bool, seconds: Double, line: Int
    ) throws(PromParseError) {
        if hasGroup && groupHash == group {
            try checkSameGroup(hasTimestamp: hasTimestamp, seconds: seconds, line: line)
        } else {
            guard seenGroups.insert(groupHash) else {
                throw semantic(line, 1, "metrics of family \(quotedFamily) are interleaved")
            }
            hasGroup = true
            group = groupHash
            groupHasTimestamp = hasTimestamp
            groupTimestamp = seconds
        }
    }

    /// `checkGroup` for a sample of the current group (`hasGroup`, and its group hash is `group`): its timestamp
    /// against the group's. Inlined (into `nextBucket`, where the group is known); the errors are built out of line.
    @inline(__always) private mutating func checkSameGroup(
        hasTimestamp: Bool, seconds: Double, line: Int
    ) throws(PromParseError) {
        if hasTimestamp != groupHasTimestamp { throw timestampError(line, mixed: true) }
        if hasTimestamp && seconds < groupTimestamp && type != .info { throw timestampError(line, mixed: false) }
        groupHasTimestamp = hasTimestamp
        groupTimestamp = seconds
    }

    @inline(never) private func timestampError(_ line: Int, mixed: Bool) -> PromParseError {
        mixed
            ? semantic(line, 1, "samples of one metric in \(quotedFamily) mix having and lacking timestamps")
            : semantic(line, 1, "timestamps of a metric in \(quotedFamily) go backwards")
    }

    private mutating func updatePoint(
        _ groupHash: UInt64, hasTimestamp: Bool, seconds: Double, value: Double, threshold: Double, suffix: _Suffix,
        line: Int
    ) throws(PromParseError) {
        let timestampBits = hasTimestamp ? seconds.bitPattern : 0
        if !point.active || point.group != groupHash || point.hasTimestamp != hasTimestamp
            || point.timestampBits != timestampBits
        {
            if point.active { try point.finish(family: familyName, line: line) }
            point = _HistogramPoint(group: groupHash, hasTimestamp: hasTimestamp, timestampBits: timestampBits)
        }
        try point.add(suffix: suffix, value: value, threshold: threshold, family: familyName, line: line)
    }
}

/// Whether `name` ends with `_` followed by `unit`.
@safe func _hasUnitSuffix(_ name: UnsafeRawBufferPointer, _ unit: UnsafeRawBufferPointer) -> Bool {
    guard name.count > unit.count else { return false }
    let underscore = name.count - unit.count - 1
    // Safe: underscore >= 0 as name.count > unit.count.
    guard unsafe name[underscore] == UInt8(ascii: "_") else { return false }
    return _memEqual(unsafe UnsafeRawBufferPointer(rebasing: name[(underscore + 1)...]), unit)
}

/// Whether the `count` bytes at `a` and at `b` are equal; inline, eight bytes at a time.
///
/// The same walk as ``_matchLength(_:_:_:)`` without locating the difference. Written as `_matchLength(a, b, count) ==
/// count` it cost 3 to 7 more instructions per sample (callgrind: W2 OpenMetrics strict +0.44%, W1 text +0.1%), so the
/// two stay apart.
@inline(__always) @unsafe func _bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    if count >= 8 {
        var index = 0
        while index &+ 8 < count {
            let x = unsafe a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let y = unsafe b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if x != y { return false }
            index &+= 8
        }
        // The last word may overlap the previous one.
        return unsafe a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return unsafe a.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
            == b.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    for index in 0..<count
    where unsafe a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) {
        return false
    }
    return true
}

/// Whether `bytes` equals the UTF-8 of `text`.
@inline(__always) @safe func _equalsStatic(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
    guard bytes.count == text.utf8CodeUnitCount else { return false }
    guard bytes.count > 0 else { return true }
    // Safe: a StaticString's storage lives for the whole program; both hold bytes.count > 0 bytes.
    return unsafe _bytesEqual(bytes.baseAddress!, text.utf8Start, bytes.count)
}

func semantic(_ line: Int, _ column: Int, _ message: String) -> PromParseError {
    PromParseError(kind: .semantic, line: line, column: column, message: message)
}
