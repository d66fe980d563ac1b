/// What one pass over a sample's labels found, for the strict rules: the duplicate-name / `__name__` screen of
/// `_checkLabelNames`, where the `le` and `quantile` labels are and, for OpenMetrics, the label fingerprints that
/// `_OpenMetricsValidator` sums into the MetricPoint group hash.
///
/// `suspicious` means two name keys (`_nameKey`) matched or a key was that of `__name__`; the caller then runs
/// `_checkLabelNames`, which decides (and reports the error) on the bytes. `leIndex` and `quantileIndex` are exact
/// (the key of a two- or eight-byte name is that name, see `_leNameKey`) and, as duplicate names are an error, name
/// the only such label.
struct _LabelPass {
    /// The sum of the fingerprints (`_labelFingerprint`) of the labels other than `le` and `quantile`; 0 when not
    /// asked for. Those two are left out because a histogram bucket or summary quantile excludes them from its
    /// MetricPoint group (so the sum is the group hash of such a sample as it is); a sample that keeps them adds
    /// their fingerprints itself.
    var fingerprintSum: UInt64 = 0
    /// Whether `_checkLabelNames` must look at the names.
    var suspicious = false
    /// The index of the first label named `le`, or -1.
    var leIndex = -1
    /// The index of the first label named `quantile`, or -1.
    var quantileIndex = -1
}

extension _LabelPass {
    /// The MetricPoint group hash of the sample whose labels this pass went over: the sum of the fingerprints of
    /// its labels but the one at `excluded` (an order-independent fingerprint of the label set). `fingerprintSum`
    /// leaves out `le` and `quantile`; those the sample keeps are hashed here.
    ///
    /// - Complexity: O(1) for a histogram bucket or summary quantile without a second special label; otherwise one
    ///   `_labelFingerprint` per special label kept and for an excluded label that is not special.
    @inline(__always) func groupHash(excluding excluded: Int?, _ labels: _LabelList, _ bytes: _EntryBytes) -> UInt64 {
        var hash = fingerprintSum
        let excludedIndex = excluded ?? -1
        if leIndex >= 0 && leIndex != excludedIndex { hash &+= _labelFingerprint(labels[leIndex], bytes) }
        if quantileIndex >= 0 && quantileIndex != excludedIndex {
            hash &+= _labelFingerprint(labels[quantileIndex], bytes)
        }
        if excludedIndex >= 0 && excludedIndex != leIndex && excludedIndex != quantileIndex {
            hash &-= _labelFingerprint(labels[excludedIndex], bytes)
        }
        return hash
    }
}

/// Runs `_LabelPass`es, remembering the name keys of the last sample: a sample whose keys equal, position by
/// position, those of the last one, which were pairwise distinct and not `__name__`'s, has distinct keys too, so the
/// pairwise comparison is skipped (consecutive samples of a family usually have the same label names).
///
/// The keys and fingerprints are kept in the label records (`_LabelList.Slot`). The labels marked in `reused` were
/// taken over from the last sample line (`_LabelMemory`): each is byte for byte the last sample's label at the same
/// index, whose record still holds its key and fingerprint. The records of `le` and `quantile` labels hold no
/// fingerprint (it is not computed: see `_LabelPass.fingerprintSum`); a reused one is such a label again.
///
/// Thread-safety: a plain value; use one from one thread at a time.
///
/// - Invariant: the records `0..<lastCount` of the label list hold the last sample's keys (and, for OpenMetrics,
///   fingerprints), and `lastClean` says the keys were pairwise distinct and none was `_reservedNameKey`.
struct _LabelScreen {
    private var lastCount = 0
    private var lastClean = false

    /// Runs the pass over `labels`, of which those marked in `reused` (bit `i` for label `i`) are the last sample's,
    /// storing each label's key (and fingerprint) in its record; `fingerprints` selects whether the label
    /// fingerprints are summed.
    ///
    /// - Complexity: O(labels) when the keys are the last sample's, else O(labels²) key comparisons; plus the
    ///   fingerprints' O(bytes) of the labels not reused. Allocates nothing.
    @inline(__always) @safe mutating func run(
        _ labels: inout _LabelList, _ bytes: _EntryBytes, fingerprints: Bool, reused: UInt64
    ) -> _LabelPass {
        let count = labels.count
        guard count > 0 else {
            lastCount = 0
            lastClean = true
            return _LabelPass()
        }
        let sameNames = count == lastCount && lastClean
        let pass = unsafe labels.withUnsafeMutableSlots { slots in
            unsafe _LabelScreen.pass(slots, bytes, fingerprints: fingerprints, reused: reused, sameNames: sameNames)
        }
        lastCount = count
        lastClean = !pass.suspicious
        return pass
    }

    /// Whether the labels of a sample are the last sample's (the last one `run` went over) but for the value of
    /// its `le` label, which the last sample's pass found at index `le`; found without going over the labels.
    ///
    /// True when the last pass found no suspicious names (`lastClean`), this sample has as many labels, every label
    /// but the one at `le` was taken over (`reused`, see `_LabelMemory`: byte for byte the last sample's label at
    /// the same index) and that one is named `le`. Then the names, and so the keys, are the last sample's, and so is
    /// the fingerprint sum (`le` is not in it): `run` would find the last pass again. The records keep their keys
    /// (the record at `le` holds `le`'s key, as the last sample's did), so the invariant holds without `run`.
    ///
    /// - Complexity: O(1), a few compares; allocates nothing.
    @inline(__always) func labelsRepeat(
        but le: Int, _ labels: _LabelList, _ bytes: _EntryBytes, reused: UInt64
    ) -> Bool {
        let count = labels.count
        guard le >= 0 && le < count && lastClean && count == lastCount && count < 64 else { return false }
        let all: UInt64 = (1 << UInt64(count)) &- 1
        return (reused | 1 << UInt64(le)) & all == all && _equalsStatic(bytes.bytes(labels[le].name), "le")
    }

    /// The pass over `slots`, whose keys and fingerprints are the last sample's until updated here.
    @inline(__always) @unsafe private static func pass(
        _ slots: UnsafeMutableBufferPointer<_LabelList.Slot>, _ bytes: _EntryBytes, fingerprints hashes: Bool,
        reused: UInt64, sameNames: Bool
    ) -> _LabelPass {
        var pass = _LabelPass()
        let line = unsafe bytes.line.baseAddress
        let scratch = unsafe bytes.scratch.baseAddress
        var changed = !sameNames
        for index in 0..<slots.count {
            // Safe: index < slots.count.
            var slot = unsafe slots[index]
            let isNew = index >= 64 || reused & (1 << UInt64(index)) == 0
            if isNew {
                let name = slot.ref.name
                let key = unsafe _nameKey(name.inScratch ? scratch : line, name.start, name.count)
                if key != slot.key {
                    changed = true
                    slot.key = key
                }
            }
            // The keys of two- and eight-byte names are the names (see `_leNameKey`): with the length, exact.
            if slot.key == _leNameKey && slot.ref.name.count == 2 {
                if pass.leIndex < 0 { pass.leIndex = index }
            } else if slot.key == _quantileNameKey && slot.ref.name.count == 8 {
                if pass.quantileIndex < 0 { pass.quantileIndex = index }
            } else if hashes {
                if isNew { slot.fingerprint = unsafe _labelFingerprint(slot.ref, line: line, bytes) }
                pass.fingerprintSum &+= slot.fingerprint
            }
            if isNew { unsafe slots[index] = slot }
        }
        if changed { pass.suspicious = _LabelScreen._keysSuspicious(UnsafeBufferPointer(slots)) }
        return pass
    }
}

extension _LabelScreen {
    /// Whether two of the keys are equal or one is `__name__`'s.
    @safe fileprivate static func _keysSuspicious(_ slots: UnsafeBufferPointer<_LabelList.Slot>) -> Bool {
        for index in 0..<slots.count {
            // Safe: earlier < index < slots.count.
            let key = unsafe slots[index].key
            if key == _reservedNameKey { return true }
            var earlier = 0
            while earlier < index {
                if unsafe slots[earlier].key == key { return true }
                earlier += 1
            }
        }
        return false
    }
}

/// The key of `le` (`_nameKey` of a name of at most three bytes is the name and its length: of the names of two
/// bytes, only `le` has it; a longer name might).
let _leNameKey: UInt64 = 0x65_6C ^ (2 << 56)

/// The key of `quantile` (`_nameKey` of an eight-byte name is the name, read little-endian, and its length: of the
/// names of eight bytes, only `quantile` has it; a longer name might).
let _quantileNameKey: UInt64 = 0x656C_6974_6E61_7571 ^ (8 << 56)

/// The fingerprint of one label: the hash of `name="value` (unescaped) seeded with the name's length, so that the
/// split between name and value is part of it. Usually the line holds exactly those bytes, and they are hashed in
/// place in one pass.
@inline(__always) @safe func _labelFingerprint(_ label: _LabelRef, _ bytes: _EntryBytes) -> UInt64 {
    unsafe _labelFingerprint(label, line: bytes.line.baseAddress, bytes)
}

/// `_labelFingerprint` with the line's base address already at hand.
@inline(__always) @unsafe func _labelFingerprint(
    _ label: _LabelRef, line: UnsafeRawPointer?, _ bytes: _EntryBytes
) -> UInt64 {
    let name = label.name
    let value = label.value
    let seed = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: name.count)
    // The common case: `name="value` as written in the line (no escapes, legacy name). A gap of two bytes between a
    // name and its value in the line can only be `="` (whitespace or a quoted name would make it longer).
    if !name.inScratch && !value.inScratch && value.start == name.end + 2, let line = unsafe line {
        // Safe: the _ParsedEntry invariant keeps name.start ..< value.end within the line.
        return unsafe _hashRaw(line + name.start, value.end - name.start, seed: seed)
    }
    return _labelFingerprintCopying(label, bytes, seed: seed)
}

/// `_labelFingerprint` of a label whose name or value was unescaped: hashes a copy of `name="value`.
@safe private func _labelFingerprintCopying(_ label: _LabelRef, _ bytes: _EntryBytes, seed: UInt64) -> UInt64 {
    let nameBytes = bytes.bytes(label.name)
    let valueBytes = bytes.bytes(label.value)
    let total = nameBytes.count + 2 + valueBytes.count
    return unsafe withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer in
        // Safe: buffer holds name, `="` and value.
        let base = buffer.baseAddress!
        if nameBytes.count > 0 { unsafe base.copyMemory(from: nameBytes.baseAddress!, byteCount: nameBytes.count) }
        unsafe base.storeBytes(of: UInt8(ascii: "="), toByteOffset: nameBytes.count, as: UInt8.self)
        unsafe base.storeBytes(of: UInt8(ascii: "\""), toByteOffset: nameBytes.count + 1, as: UInt8.self)
        if valueBytes.count > 0 {
            unsafe (base + nameBytes.count + 2).copyMemory(from: valueBytes.baseAddress!, byteCount: valueBytes.count)
        }
        return _hashBytes(UnsafeRawBufferPointer(buffer), seed: seed)
    }
}
