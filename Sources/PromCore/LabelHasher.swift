/// A seeded, word-at-a-time hash over the label values of one lookup.
///
/// It also notes whether any value holds a backslash. Without one, a block compare of a raw value with the
/// stored, escaped bytes that ends on the closing quote proves equality (see ``FamilyCore/matches``).
///
/// Performance: about one multiply per 8 bytes; the W1 label values (about 100 bytes) hash in roughly
/// 15 ns. The seed is random per process, so crafted label values cannot aim at one bucket across restarts.
@frozen
@usableFromInline
struct LabelHasher {
    @usableFromInline var state: UInt64
    @usableFromInline var hasBackslash: Bool

    @inlinable
    init() {
        self.state = LabelHasher.seed
        self.hasBackslash = false
    }

    @usableFromInline
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
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

    /// Non-zero when `word` holds a backslash; branch-free.
    @inlinable @inline(__always)
    static func escapeBits(_ word: UInt64) -> UInt64 {
        matchBits(word, UInt8(ascii: "\\"))
    }

    /// Adds one label value.
    ///
    /// Two independent multiply lanes keep the dependency chain short; the last partial word is read
    /// with one overlapping load instead of byte by byte.
    ///
    /// - Parameter bytes: The UTF-8 bytes of the value.
    @inlinable @inline(__always)
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var laneA = state ^ (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15)
        var laneB = state &+ 0xA076_1D64_78BD_642F
        var escape: UInt64 = 0
        if let base = bytes.baseAddress, count > 0 {
            var offset = 0
            while offset &+ 16 <= count {
                // Safe: offset + 16 <= count.
                let first = unsafe base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let second = unsafe base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                escape |= LabelHasher.escapeBits(first) | LabelHasher.escapeBits(second)
                laneA = (laneA ^ first) &* 0xBF58_476D_1CE4_E5B9
                laneB = (laneB ^ second) &* 0x94D0_49BB_1331_11EB
                offset &+= 16
            }
            if offset &+ 8 <= count {
                // Safe: offset + 8 <= count.
                let word = unsafe base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                escape |= LabelHasher.escapeBits(word)
                laneA = (laneA ^ word) &* 0xBF58_476D_1CE4_E5B9
                offset &+= 8
            }
            if offset < count {
                let word = unsafe LabelHasher.loadTail(base, count: count, from: offset)
                // Zero bytes shifted in never read as escaped bytes.
                escape |= LabelHasher.escapeBits(word)
                laneB = (laneB ^ word) &* 0x94D0_49BB_1331_11EB
            }
        }
        self.state = LabelHasher.mix(laneA ^ ((laneB << 29) | (laneB >> 35)))
        self.hasBackslash = self.hasBackslash || escape != 0
    }

    /// The bytes from `offset` to `count` (1 to 7 of them) in one word, zero-extended.
    @inlinable @inline(__always)
    static func loadTail(_ base: UnsafeRawPointer, count: Int, from offset: Int) -> UInt64 {
        let remaining = count &- offset
        if count >= 8 {
            // Safe: count >= 8, so the last 8 bytes are in bounds; the already hashed ones are shifted out.
            return unsafe base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                >> UInt64(8 &* (8 &- remaining))
        }
        if count >= 4 {
            // Safe: both 4-byte loads lie within [0, count); together they cover every byte.
            let low = UInt64(unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(unsafe base.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            return low | (high << 32)
        }
        // Safe: 0, count / 2 and count - 1 are below count (1 to 3).
        let first = UInt64(unsafe base.load(fromByteOffset: 0, as: UInt8.self))
        let middle = UInt64(unsafe base.load(fromByteOffset: count >> 1, as: UInt8.self))
        let last = UInt64(unsafe base.load(fromByteOffset: count &- 1, as: UInt8.self))
        return first | (middle << 8) | (last << 16)
    }

    /// The final hash. Values 0 and 1 are reserved by the label index (empty and removed slots).
    @inlinable
    var finalized: UInt64 {
        let value = state ^ (state >> 29)
        return value < 2 ? value &+ 2 : value
    }
}
