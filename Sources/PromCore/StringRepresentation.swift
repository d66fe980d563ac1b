/// The UTF-8 bytes of a native `String` read straight from its two-word representation, without the closure
/// through which `withUTF8` and `withContiguousStorageIfAvailable` hand them out.
///
/// A label lookup reads six values twice (hash, then compare); through the public API each read is a closure
/// call that first spills a small string to the stack, about half of a lookup's time. Here a small string's
/// bytes are already in two registers, and a native string's are at a fixed offset from its storage.
///
/// The layout read (the standard library's `StringObject.swift`, 64-bit, unchanged since Swift 5):
/// - word 1 (`_object`) bit 61 set: a small string. Its bytes are word 0, then the low 7 bytes of word 1
///   (little-endian); bits 56...59 of word 1 are its count.
/// - otherwise, word 0 (`_countAndFlags`) bit 60 set ("tail-allocated"): a native or literal string whose
///   bytes start 32 bytes past the address in the low 60 bits of word 1; the low 48 bits of word 0 are its count.
/// - anything else (shared, foreign or bridged storage) is read through the public API.
///
/// That layout is not a public contract on Linux, so ``isVerified`` checks it once per process against the
/// public API (small strings, a literal and one native string), without dereferencing any address it decodes. When the check fails
/// (another layout, a 32-bit or big-endian platform), every read takes the public API.
///
/// Thread safety: a value type read from a `String` the caller keeps alive; the bytes of a tail-allocated
/// string are valid only while that `String` lives (callers wrap their use in `withExtendedLifetime`).
@frozen
@usableFromInline
struct StringRepresentation {
    /// `_countAndFlags`: a small string's first 8 bytes, or a large string's count and flags.
    @usableFromInline let word0: UInt64
    /// `_object`: the discriminator in the top byte; a small string's bytes 8...14, or a storage address.
    @usableFromInline let word1: UInt64

    @inlinable @inline(__always)
    init(_ string: String) {
        #if _pointerBitWidth(_64) && _endian(little)
        (word0, word1) = unsafe unsafeBitCast(string, to: (UInt64, UInt64).self)
        #else
        (word0, word1) = (0, 0)
        #endif
    }

    /// Whether the string is small (its bytes are in the two words).
    @inlinable @inline(__always)
    var isSmall: Bool { word1 & (1 << 61) != 0 }

    /// A small string's byte count (0 to 15).
    @inlinable @inline(__always)
    var smallCount: Int { Int(truncatingIfNeeded: (word1 >> 56) & 0xF) }

    /// A small string's bytes 0..<8, zero past its count (the standard library keeps the unused bytes of a
    /// small string zero; ``verify()`` checks it).
    @inlinable @inline(__always)
    var smallFirst: UInt64 { word0 }

    /// A small string's bytes 8..<16 (byte 15 is always zero), zero past its count.
    @inlinable @inline(__always)
    var smallSecond: UInt64 { word1 & 0x00FF_FFFF_FFFF_FFFF }

    /// A small string's 16 bytes, zero past its count, as one little-endian integer.
    @inlinable @inline(__always)
    var smallBytes: UInt128 { UInt128(smallSecond) << 64 | UInt128(smallFirst) }

    /// Whether a large string's bytes are tail-allocated (native storage or a literal).
    @inlinable @inline(__always)
    var isTailAllocated: Bool { word1 & (1 << 61) == 0 && word0 & (1 << 60) != 0 }

    /// A tail-allocated string's bytes; valid while the string lives.
    @inlinable @inline(__always)
    var tailBytes: UnsafeRawBufferPointer {
        let address = UInt(truncatingIfNeeded: word1 & 0x0FFF_FFFF_FFFF_FFFF) &+ 32
        return unsafe UnsafeRawBufferPointer(
            start: UnsafeRawPointer(bitPattern: address),
            count: Int(truncatingIfNeeded: word0 & 0x0000_FFFF_FFFF_FFFF))
    }

    /// Whether this process's `String` layout is the one read above; checked once.
    @usableFromInline
    static let isVerified: Bool = verify()

    /// Compares the decoded form of strings of each kind it reads with the public API: small ones (ASCII, non-ASCII,
    /// empty, full), a literal and one native string. Decoded addresses are compared, never dereferenced, so a
    /// foreign layout cannot crash the check. It allocates once (the native string), once per process.
    static func verify() -> Bool {
        #if _pointerBitWidth(_64) && _endian(little)
        // Literals: no allocation (small strings are values, a long literal is immortal storage).
        guard check("") == .small, check("a") == .small, check("download") == .small,
            check("123456789012345") == .small, check("éééééééa") == .small, check("10.1.2.3") == .small,
            check("a literal string that is longer than fifteen bytes") == .tailAllocated
        else { return false }
        return check(String(repeating: "x", count: 40)) == .tailAllocated
        #else
        return false
        #endif
    }

    /// The outcome of checking one string's decoded form.
    enum Check { case small, tailAllocated, other, mismatch }

    /// Decodes `string` and compares the result with what the public API hands out, without allocating.
    static func check(_ string: String) -> Check {
        let representation = StringRepresentation(string)
        var copy = string
        return copy.withUTF8 { expected -> Check in
            if representation.isSmall {
                guard expected.count <= 15, representation.smallCount == expected.count else { return .mismatch }
                var words = (representation.smallFirst, representation.smallSecond)
                return unsafe withUnsafeBytes(of: &words) { decoded -> Check in
                    for index in 0..<16 where unsafe decoded[index] != (index < expected.count ? expected[index] : 0) {
                        return .mismatch
                    }
                    return .small
                }
            }
            if representation.isTailAllocated {
                let tail = unsafe representation.tailBytes
                let same =
                    unsafe UnsafeRawPointer(expected.baseAddress) == tail.baseAddress && expected.count == tail.count
                return same ? .tailAllocated : .mismatch
            }
            return .other
        }
    }
}
