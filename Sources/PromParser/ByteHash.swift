/// A fast 64-bit hash of a byte string, for remembering names and label sets as 8-byte fingerprints.
///
/// Not cryptographic and not seeded: the validators only compare fingerprints of one exposition, where a false match
/// needs a 64-bit collision (about 2^-64 per pair of distinct strings).
///
/// - Complexity: O(n), eight bytes per step.
@safe func _hashBytes(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> UInt64 {
    var hash = seed ^ (UInt64(bytes.count) &* 0xFF51_AFD7_ED55_8CCD)
    var index = 0
    let count = bytes.count
    while index + 8 <= count {
        // Safe: index + 8 <= count.
        let word = unsafe bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        hash = _mix(hash ^ word)
        index += 8
    }
    if index < count {
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            // Safe: index < count.
            tail |= UInt64(unsafe bytes[index]) << shift
            shift += 8
            index += 1
        }
        hash = _mix(hash ^ tail ^ 0x100)
    }
    return _mix(hash)
}

/// The hash of `bytes` followed by the UTF-8 of `suffix`, without concatenating.
@safe func _hashBytes(_ bytes: UnsafeRawBufferPointer, suffix: StaticString) -> UInt64 {
    let total = bytes.count + suffix.utf8CodeUnitCount
    return unsafe withUnsafeTemporaryAllocation(byteCount: max(total, 1), alignment: 8) { buffer in
        if bytes.count > 0 {
            // Safe: buffer holds total >= bytes.count bytes.
            unsafe buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        if suffix.utf8CodeUnitCount > 0 {
            // Safe: the suffix fits behind the name; StaticString storage is immortal.
            unsafe (buffer.baseAddress! + bytes.count).copyMemory(
                from: suffix.utf8Start, byteCount: suffix.utf8CodeUnitCount)
        }
        return unsafe _hashBytes(UnsafeRawBufferPointer(rebasing: buffer[0..<total]))
    }
}

@inline(__always) func _mix(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 32
    x &*= 0xD6E8_FEB8_6659_FD93
    x ^= x >> 32
    x &*= 0xD6E8_FEB8_6659_FD93
    x ^= x >> 32
    return x
}
