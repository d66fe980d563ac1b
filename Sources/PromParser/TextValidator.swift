/// Checks of the Prometheus text format 0.0.4 that need memory across lines, as prometheus/common's parser does:
/// one HELP and one TYPE per metric name, TYPE before that name's samples, float `quantile`/`le` label values in
/// summaries and histograms, and no negative histogram counts.
///
/// Memory: one 8-byte fingerprint per metric name with HELP, one or two per name with TYPE (one for the name, and for
/// a summary or histogram one more that says so: a sample's role takes set probes rather than dictionary lookups),
/// one per distinct sample name, plus the last sample name. Nothing is allocated per sample while consecutive samples
/// share a name.
struct _TextValidator {
    private enum Role {
        case plain, summary, histogramBucket, histogramCount
    }

    private var helpNames = _FingerprintSet()
    /// The fingerprints of the names with a TYPE line, and for summaries and histograms also the fingerprint
    /// xor-ed with `summaryMark` or `histogramMark` (one set, so one allocation as the dictionary it replaces).
    private var types = _FingerprintSet()
    private static let summaryMark: UInt64 = 0x5A17_E6F3_0C1D_8B29
    private static let histogramMark: UInt64 = 0xC3A5_0F4E_91D2_6B87
    private var sampleNames = _FingerprintSet()
    private var lastSampleName = _ByteStash()
    private var hasLastSample = false
    private var lastRole = Role.plain
    /// The roles of the last few distinct sample names learned since the last TYPE line (`_RecentRoles`).
    private var recentRoles = _RecentRoles<Role>()

    mutating func metadata(_ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
        let name = bytes.bytes(entry.name)
        let hash = _hashBytes(name)
        if entry.kind == .help {
            // As in prometheus/common, a HELP line without text does not count.
            guard entry.text.count > 0 else { return }
            guard helpNames.insert(hash) else {
                throw semantic(line, entry.nameColumn, "second HELP line for metric name \(_goQuoted(_array(name)))")
            }
            return
        }
        guard !types.contains(hash) else {
            throw semantic(line, entry.nameColumn, "second TYPE line for metric name \(_goQuoted(_array(name)))")
        }
        guard !sampleNames.contains(hash) else {
            throw semantic(line, entry.nameColumn, "TYPE line for \(_goQuoted(_array(name))) after its samples")
        }
        types.insert(hash)
        // A role depends on the TYPE lines seen so far.
        recentRoles.removeAll()
        if entry.type == .summary {
            types.insert(hash ^ Self.summaryMark)
        } else if entry.type?._isHistogramLike == true {
            types.insert(hash ^ Self.histogramMark)
        }
        if lastSampleIs(name) {
            hasLastSample = false
        }
    }

    /// Checks a sample line.
    ///
    /// - Parameters:
    ///   - entry: the sample; `inout` only so that it is passed by address (it is not changed): a borrowed entry
    ///     taken from the parser's state is copied for the call (a 200-byte `memcpy` per sample).
    ///   - pass: where the `le` and `quantile` labels are (`_LabelScreen`).
    mutating func sample(
        _ entry: inout _ParsedEntry, _ bytes: _EntryBytes, pass: _LabelPass, line: Int
    ) throws(PromParseError) {
        // A name that repeats the last sample line's (`nameRepeated`) is `lastSampleName` unless a TYPE line for it
        // came between (which clears `hasLastSample`).
        if !(entry.nameRepeated && hasLastSample) {
            let name = bytes.bytes(entry.name)
            if !lastSampleIs(name) { learnSampleName(name) }
        }
        switch lastRole {
        case .plain:
            return
        case .summary:
            try floatLabel("quantile", at: pass.quantileIndex, entry, bytes, line: line)
        case .histogramBucket:
            try floatLabel("le", at: pass.leIndex, entry, bytes, line: line)
            if entry.value < 0 {
                throw semantic(line, entry.valueColumn, "negative bucket population for histogram")
            }
        case .histogramCount:
            if entry.value < 0 { throw semantic(line, entry.valueColumn, "negative count for histogram") }
        }
    }

    /// Drops the roles of the recent sample names (for `_ParserCore._usesLineMemory == false`: the tests compare
    /// the results with and without them).
    mutating func forgetRecentRoles() {
        recentRoles.removeAll()
    }

    @safe private func lastSampleIs(_ name: UnsafeRawBufferPointer) -> Bool {
        guard hasLastSample else { return false }
        return lastSampleName.withUnsafeBytes { _memEqual($0, name) }
    }

    @safe private mutating func learnSampleName(_ name: UnsafeRawBufferPointer) {
        lastSampleName.assign(name)
        hasLastSample = true
        let hash = _hashBytes(name)
        // A name learned since the last TYPE line is in `sampleNames`, and its role is still the one found then.
        if let role = recentRoles.role(of: hash) {
            lastRole = role
            return
        }
        sampleNames.insert(hash)
        if types.contains(hash ^ Self.summaryMark) {
            lastRole = .summary
        } else if let base = _baseName(name, "_bucket"), types.contains(_hashBytes(base) ^ Self.histogramMark) {
            lastRole = .histogramBucket
        } else if let base = _baseName(name, "_count"), types.contains(_hashBytes(base) ^ Self.histogramMark) {
            lastRole = .histogramCount
        } else {
            lastRole = .plain
        }
        recentRoles.add(hash, lastRole)
    }

    /// Checks that the label `name` at `index` (-1 when absent, which is allowed) holds a float.
    private func floatLabel(
        _ name: StaticString, at index: Int, _ entry: _ParsedEntry, _ bytes: _EntryBytes, line: Int
    )
        throws(PromParseError)
    {
        guard index >= 0 else { return }
        let label = entry.labels[index]
        let value = bytes.bytes(label.value)
        // Bucket bounds and quantiles are almost always plain decimals, valid without being parsed.
        guard !_Number.isPlainDecimal(value) && _Number.parseFloat(value) == nil else { return }
        throw semantic(
            line, label.column, "expected float as value for \"\(name)\" label, got \(_goQuoted(_array(value)))")
    }
}

/// The roles of the last four distinct sample names learned, by name fingerprint, most recent first.
///
/// A histogram's samples cycle through three names (`_bucket`, `_sum`, `_count`) and a summary's through three, so
/// each name change would otherwise pay for the set insertion and the role's suffix tests and set probes (about 400
/// instructions); a hit costs four compares. As elsewhere in the validators, names are identified by their 64-bit
/// fingerprints (`_hashBytes`).
///
/// Thread-safety: a plain value; use one from one thread at a time.
///
/// - Invariant: the owner empties it whenever a role could change (at every TYPE line), and adds only names already
///   in its set of sample names.
struct _RecentRoles<Role> {
    private var hashes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var roles: (Role?, Role?, Role?, Role?) = (nil, nil, nil, nil)

    /// The role recorded for `hash`, if any. O(1): four compares.
    @inline(__always) func role(of hash: UInt64) -> Role? {
        if hashes.0 == hash, let role = roles.0 { return role }
        if hashes.1 == hash, let role = roles.1 { return role }
        if hashes.2 == hash, let role = roles.2 { return role }
        if hashes.3 == hash, let role = roles.3 { return role }
        return nil
    }

    /// Records `role` for `hash` (not recorded yet), dropping the oldest entry.
    @inline(__always) mutating func add(_ hash: UInt64, _ role: Role) {
        hashes = (hash, hashes.0, hashes.1, hashes.2)
        roles = (role, roles.0, roles.1, roles.2)
    }

    /// Forgets every entry.
    mutating func removeAll() {
        roles = (nil, nil, nil, nil)
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
@safe func _checkLabelNames(_ labels: _LabelList, _ bytes: _EntryBytes, line: Int) throws(PromParseError) {
    let count = labels.count
    guard count > 0 else { return }
    // Compare cheap keys of the names pairwise, and the bytes only when two keys are equal; the error is the one the
    // plain pairwise loop reports (the first name, in order, that has a later duplicate).
    let failed: Bool = unsafe labels.withUnsafeSlots { refs in
        unsafe withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { keys in
            for index in 0..<count {
                // Safe: index < count == refs.count == keys.count; the name lies within its buffer.
                let ref = unsafe refs[index].ref.name
                let base = unsafe (ref.inScratch ? bytes.scratch.baseAddress : bytes.line.baseAddress)
                let key = unsafe _nameKey(base, ref.start, ref.count)
                if key == _reservedNameKey && _equalsStatic(bytes.bytes(ref), "__name__") { return true }
                unsafe keys[index] = key
                var earlier = 0
                while earlier < index {
                    if unsafe keys[earlier] == key { return true }
                    earlier += 1
                }
            }
            return false
        }
    }
    guard failed else { return }
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

/// The key of `__name__`.
let _reservedNameKey: UInt64 = 0x5F5F_656D_616E_5F5F ^ (8 << 56)

/// A cheap key of a name: equal names have equal keys; distinct names seldom share one (names of up to three
/// bytes, of eight bytes, and names of different lengths below 256 never do).
@inline(__always) @unsafe func _nameKey(_ base: UnsafeRawPointer?, _ start: Int, _ count: Int) -> UInt64 {
    let length = UInt64(truncatingIfNeeded: count) << 56
    guard count > 0, let base = unsafe base else { return length }
    let name = unsafe base + start
    if count >= 8 {
        // Safe: count >= 8; the loads may overlap.
        let first = unsafe name.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let last = unsafe name.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        return count == 8 ? first ^ length : first ^ (last &* 0x9E37_79B9_7F4A_7C15) ^ length
    }
    if count >= 4 {
        // Safe: 4 <= count < 8; the loads may overlap.
        let first = UInt64(unsafe name.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let last = UInt64(unsafe name.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        return (last << 24 ^ first) ^ length
    }
    // One to three bytes, little-endian, from three loads: the first, middle and last byte (for one byte all three
    // are it, for two the middle one is the last).
    // Safe: 0 < count < 4, so offsets 0, count / 2 and count - 1 are in range.
    let first = UInt64(unsafe name.load(fromByteOffset: 0, as: UInt8.self))
    let middle = UInt64(unsafe name.load(fromByteOffset: count >> 1, as: UInt8.self))
    let last = UInt64(unsafe name.load(fromByteOffset: count - 1, as: UInt8.self))
    return length | first | middle << UInt64(8 * (count >> 1)) | last << UInt64(8 * (count - 1))
}
