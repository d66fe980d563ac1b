/// A fast 64-bit hash of a byte string, for remembering names and label sets as 8-byte fingerprints.
///
/// Not cryptographic and not seeded: the validators only compare fingerprints of one exposition, where a false match
/// needs a 64-bit collision (about 2^-64 per pair of distinct strings).
///
/// - Complexity: O(n), eight bytes per step.
@inline(__always) @safe func _hashBytes(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> UInt64
{
    // Safe: bytes.baseAddress holds bytes.count bytes.
    unsafe _hashRaw(bytes.baseAddress, bytes.count, seed: seed)
}

/// `_hashBytes` of the `count` bytes at `base` (which may be `nil` when `count` is 0).
@inline(__always) @unsafe func _hashRaw(_ base: UnsafeRawPointer?, _ count: Int, seed: UInt64) -> UInt64 {
    var hash = seed ^ (UInt64(truncatingIfNeeded: count) &* 0xFF51_AFD7_ED55_8CCD)
    // Every byte is covered by some load and the length is mixed in, so equal hashes need equal lengths and a
    // collision of the multiply-fold steps. Short strings take overlapping loads instead of a byte loop.
    if count >= 8 {
        let bytes = unsafe base.unsafelyUnwrapped
        var index = 0
        while index + 8 < count {
            // Safe: index + 8 < count.
            let word = unsafe bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = _fold(hash ^ word)
            index += 8
        }
        // Safe: count >= 8; the last word may overlap the previous one.
        let last = unsafe bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        hash = _fold(hash ^ last ^ 0x100)
    } else if count >= 4 {
        let bytes = unsafe base.unsafelyUnwrapped
        // Safe: 4 <= count < 8; the two loads overlap.
        let first = UInt64(unsafe bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let last = UInt64(unsafe bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        hash = _fold(hash ^ (first << 32 | last) ^ 0x200)
    } else if count > 0 {
        let bytes = unsafe base.unsafelyUnwrapped
        // Safe: 0 < count < 4, so offsets 0, count / 2 and count - 1 are in range.
        let word =
            UInt64(unsafe bytes.load(fromByteOffset: 0, as: UInt8.self)) << 16
            | UInt64(unsafe bytes.load(fromByteOffset: count >> 1, as: UInt8.self)) << 8
            | UInt64(unsafe bytes.load(fromByteOffset: count - 1, as: UInt8.self))
        hash = _fold(hash ^ word ^ 0x300)
    }
    return _mix(hash)
}

/// One multiply-fold step (the 128-bit product's halves xor-ed, as in wyhash).
@inline(__always) func _fold(_ value: UInt64) -> UInt64 {
    let product = value.multipliedFullWidth(by: 0x9FB2_1C65_1E98_DF25)
    return product.high ^ product.low
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
