/// A seeded, word-at-a-time hash over the label values of one lookup.
///
/// Each value is hashed on its own, with a seed that depends on its position, and the value hashes are
/// folded together by `xor`: the values of one lookup do not wait for one another, so the CPU overlaps
/// their multiplies. A value of up to 16 bytes costs one 64×64→128-bit multiply (two overlapping loads);
/// a longer one one multiply per 16 bytes, all independent.
///
/// It also notes whether any value holds a backslash or a double quote. Without them, a block compare of a raw
/// value with the stored, escaped bytes that ends on the closing quote proves equality (see
/// ``FamilyCore/matches``): the compared bytes cannot start an escape sequence or pass a closing quote.
///
/// Performance: the six W1 label values (about 100 bytes) hash in about 10 ns. The seed is random per
/// process, so crafted label values cannot aim at one bucket across restarts.
@frozen
@usableFromInline
struct LabelHasher {
    /// The xor of the value hashes so far.
    @usableFromInline var state: UInt64
    /// The seed of the next value: the process seed advanced once per value.
    @usableFromInline var nextSeed: UInt64
    /// Whether a value holds a backslash or a double quote (bytes that the stored encoding escapes).
    @usableFromInline var hasEscapable: Bool

    @inlinable
    init() {
        self.state = 0
        self.nextSeed = LabelHasher.seed
        self.hasEscapable = false
    }

    @usableFromInline
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    @usableFromInline static let secret0: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let secret1: UInt64 = 0xE703_7ED1_A0B4_28DB
    @usableFromInline static let secret2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

    /// Folds the 128-bit product of `a` and `b` into 64 bits.
    @inlinable @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @usableFromInline static let lowBits: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte lane of `word` that may equal `byte` (exact for "is there any").
    @inlinable @inline(__always)
    static func matchBits(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let pattern = word ^ (lowBits &* UInt64(byte))
        return (pattern &- lowBits) & ~pattern & highBits
    }

    /// Non-zero when `word` holds a backslash or a double quote; branch-free.
    @inlinable @inline(__always)
    static func escapeBits(_ word: UInt64) -> UInt64 {
        matchBits(word, UInt8(ascii: "\\")) | matchBits(word, UInt8(ascii: "\""))
    }

    /// Adds the next label value.
    ///
    /// - Parameter bytes: The UTF-8 bytes of the value.
    @inlinable @inline(__always)
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        let seed = nextSeed
        nextSeed = seed &+ LabelHasher.secret0
        var first: UInt64 = 0
        var second: UInt64 = 0
        var escape: UInt64 = 0
        var hash: UInt64 = 0
        if let base = bytes.baseAddress {
            if count > 16 {
                // Safe: every load below lies within [0, count): offset + 16 <= count, and the last block
                // starts at count - 16 >= 1.
                var offset = 0
                while offset &+ 16 < count {
                    let a = unsafe base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    let b = unsafe base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                    escape |= LabelHasher.escapeBits(a) | LabelHasher.escapeBits(b)
                    // Independent products: the block's offset enters through the seed.
                    hash ^= LabelHasher.fold(a ^ LabelHasher.secret1 ^ seed, b ^ LabelHasher.secret2 ^ UInt64(offset))
                    offset &+= 16
                }
                first = unsafe base.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
                second = unsafe base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            } else if count >= 8 {
                // Safe: 0 + 8 <= count and count - 8 >= 0; the two loads overlap when count < 16.
                first = unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
                second = unsafe base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            } else if count >= 4 {
                // Safe: both 4-byte loads lie within [0, count); together they cover every byte.
                first = UInt64(unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                second = UInt64(unsafe base.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            } else if count > 0 {
                // Safe: 0, count / 2 and count - 1 are below count (1 to 3).
                first =
                    UInt64(unsafe base.load(fromByteOffset: 0, as: UInt8.self))
                    | UInt64(unsafe base.load(fromByteOffset: count >> 1, as: UInt8.self)) << 8
                    | UInt64(unsafe base.load(fromByteOffset: count &- 1, as: UInt8.self)) << 16
            }
        }
        // Zero bytes never read as backslashes or quotes.
        escape |= LabelHasher.escapeBits(first) | LabelHasher.escapeBits(second)
        hash ^= LabelHasher.fold(first ^ LabelHasher.secret1 ^ seed, second ^ LabelHasher.secret2 ^ UInt64(count))
        state ^= hash
        hasEscapable = hasEscapable || escape != 0
    }

    /// The final hash. Values 0 and 1 are reserved by the label index (empty and removed slots).
    @inlinable
    var finalized: UInt64 {
        let value = LabelHasher.fold(state ^ LabelHasher.secret0, nextSeed ^ LabelHasher.secret1)
        return value < 2 ? value &+ 2 : value
    }
}
