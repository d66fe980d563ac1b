/// One pass over a sample's labels for the strict rules: the duplicate-name / `__name__` screen of
/// `_checkLabelNames` and, for OpenMetrics, the label fingerprints that `_OpenMetricsValidator` sums into the
/// MetricPoint group hash.
///
/// The screen compares cheap name keys (`_nameKey`) pairwise; `suspicious` means two keys matched or a key was that
/// of `__name__`, and the caller then runs `_checkLabelNames`, which decides (and reports the error) on the bytes.
struct _LabelPass {
    /// The sum of every label's fingerprint (`_labelFingerprint`); 0 when not asked for.
    var fingerprintSum: UInt64 = 0
    /// Whether `_checkLabelNames` must look at the names.
    var suspicious = false

    /// Runs the pass over `labels`; `fingerprints` selects whether the label fingerprints are summed.
    @inline(__always) @safe init(_ labels: [_LabelRef], _ bytes: _EntryBytes, fingerprints: Bool) {
        let count = labels.count
        guard count > 0 else { return }
        let line = unsafe bytes.line.baseAddress
        let scratch = unsafe bytes.scratch.baseAddress
        var sum: UInt64 = 0
        var suspicious = false
        unsafe labels.withUnsafeBufferPointer { refs in
            unsafe withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { keys in
                for index in 0..<count {
                    // Safe: index < count == refs.count == keys.count.
                    let label = unsafe refs[index]
                    let name = label.name
                    let key = unsafe _nameKey(name.inScratch ? scratch : line, name.start, name.count)
                    if key == _reservedNameKey { suspicious = true }
                    var earlier = 0
                    while earlier < index {
                        if unsafe keys[earlier] == key { suspicious = true }
                        earlier += 1
                    }
                    unsafe keys[index] = key
                    if fingerprints { sum &+= unsafe _labelFingerprint(label, line: line, bytes) }
                }
            }
        }
        self.fingerprintSum = sum
        self.suspicious = suspicious
    }
}

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
