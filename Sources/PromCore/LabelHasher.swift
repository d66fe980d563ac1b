/// A seeded, word-at-a-time hash over the label values of one lookup.
///
/// It also notes whether any value holds a byte that the exposition formats escape (`\`, `"` or a line
/// feed), so that an equality check can compare raw bytes with the stored, escaped label set in one
/// `memcmp`-like pass when none does.
///
/// Performance: about one multiply per 8 bytes; the W1 label values (about 100 bytes) hash in roughly
/// 15 ns. The seed is random per process, so crafted label values cannot aim at one bucket across restarts.
@frozen
@usableFromInline
struct LabelHasher {
    @usableFromInline var state: UInt64
    @usableFromInline var needsEscaping: Bool

    @inlinable
    init() {
        self.state = LabelHasher.seed
        self.needsEscaping = false
    }

    @usableFromInline
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        return product.high ^ product.low
    }

    @inlinable @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let pattern = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (pattern &- 0x0101_0101_0101_0101) & ~pattern & 0x8080_8080_8080_8080 != 0
    }

    @inlinable @inline(__always)
    static func needsEscaping(_ word: UInt64) -> Bool {
        hasByte(word, UInt8(ascii: "\\")) || hasByte(word, UInt8(ascii: "\"")) || hasByte(word, UInt8(ascii: "\n"))
    }

    /// Adds one label value.
    ///
    /// - Parameter bytes: The UTF-8 bytes of the value.
    @inlinable
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var state = self.state ^ UInt64(truncatingIfNeeded: bytes.count)
        var escape = false
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            // Safe: offset + 8 <= count.
            let word = unsafe bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            escape = escape || LabelHasher.needsEscaping(word)
            state = LabelHasher.mix(state ^ word)
            offset += 8
        }
        if offset < count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                // Safe: offset < count.
                word |= UInt64(unsafe bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            // Zero padding never reads as an escaped byte.
            escape = escape || LabelHasher.needsEscaping(word)
            state = LabelHasher.mix(state ^ word)
        }
        self.state = LabelHasher.mix(state ^ 0xA076_1D64_78BD_642F)
        self.needsEscaping = self.needsEscaping || escape
    }

    /// The final hash. Values 0 and 1 are reserved by the label index (empty and removed slots).
    @inlinable
    var finalized: UInt64 {
        let value = state ^ (state >> 29)
        return value < 2 ? value &+ 2 : value
    }
}
