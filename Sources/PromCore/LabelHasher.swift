/// A seeded, word-at-a-time hash over the label values of one lookup.
///
/// Each value is hashed on its own, with a seed that depends on its position, and the value hashes are
/// folded together by `xor`: the values of one lookup do not wait for one another, so the CPU overlaps
/// their multiplies. A value of up to 16 bytes costs one 64×64→128-bit multiply (two overlapping loads);
/// a longer one one multiply per 16 bytes, chained within the value (each product feeds the next block).
///
/// Performance: the six W1 label values (about 100 bytes, one of 64) take about 170 instructions when `String`s
/// are read in place (``StringRepresentation``; through `withUTF8`'s closure per value they took 35 ns).
/// The seed is random per family, so crafted label values cannot aim at one bucket across restarts.
@frozen
@usableFromInline
struct LabelHasher {
    /// The xor of the value hashes so far.
    @usableFromInline var state: UInt64
    /// The seed of the next value: the process seed advanced once per value.
    @usableFromInline var nextSeed: UInt64

    /// Starts a hash.
    ///
    /// - Parameter seed: The family's random seed (see ``FamilyCore/hashSeed``).
    @inlinable
    init(seed: UInt64) {
        self.state = 0
        self.nextSeed = seed
    }

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
        guard let base = bytes.baseAddress else { return combine(first: 0, second: 0, count: 0) }
        if count > 16 {
            // Safe: every load below lies within [0, count): offset + 16 <= count, and the last block
            // starts at count - 16 >= 1.
            // The blocks are chained (each product feeds the next block's input): a loop-carried dependency keeps
            // the loop scalar. Vectorised over independent blocks it shuffled words between vector and general
            // registers for every multiply, twice the instructions.
            var chain = nextSeed
            var offset = 0
            repeat {
                let a = unsafe base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let b = unsafe base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                chain = LabelHasher.fold(a ^ LabelHasher.secret1 ^ chain, b ^ LabelHasher.secret2)
                offset &+= 16
            } while offset &+ 16 < count
            state ^= chain
            let first = unsafe base.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
            let second = unsafe base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            combine(first: first, second: second, count: count)
        } else if count >= 8 {
            // Safe: 0 + 8 <= count, and the tail lies within [8, count).
            let first = unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            combine(first: first, second: unsafe LabelHasher.loadUpTo8(base + 8, count: count &- 8), count: count)
        } else {
            // Safe: count < 8 bytes from base.
            combine(first: unsafe LabelHasher.loadUpTo8(base, count: count), second: 0, count: count)
        }
    }

    /// Adds the next label value, or the last 16 bytes of a longer one, as two words.
    ///
    /// For a value of at most 16 bytes, `first` and `second` are its bytes 0..<8 and 8..<16 zero-extended
    /// (exactly what a small `String` holds); for a longer one, its last 16 bytes, after its blocks were
    /// folded into `state`.
    @inlinable @inline(__always)
    mutating func combine(first: UInt64, second: UInt64, count: Int) {
        let seed = nextSeed
        nextSeed = seed &+ LabelHasher.secret0
        state ^= LabelHasher.fold(first ^ LabelHasher.secret1 ^ seed, second ^ LabelHasher.secret2 ^ UInt64(count))
    }

    /// Adds the next label value, reading a native `String`'s bytes in place (see ``StringRepresentation``).
    ///
    /// Only call it when `StringRepresentation.isVerified`.
    @inlinable @inline(__always)
    mutating func combine(string value: String) {
        let representation = StringRepresentation(value)
        if representation.isSmall {
            combine(
                first: representation.smallFirst, second: representation.smallSecond, count: representation.smallCount)
        } else if representation.isTailAllocated {
            withExtendedLifetime(value) { unsafe combine(representation.tailBytes) }
        } else {
            unsafe value.withLabelValueBytes { unsafe combine($0) }
        }
    }

    /// The `count` bytes (0 to 8) at `base` in one word, zero-extended: exactly the little-endian word that
    /// the bytes followed by zeros would load as.
    ///
    /// Loads never cross the 8-byte boundaries of `base`: a small `String`'s bytes are handed over from two
    /// 8-byte stack stores, and a load spanning both would miss store-to-load forwarding.
    @inlinable @inline(__always)
    static func loadUpTo8(_ base: UnsafeRawPointer, count: Int) -> UInt64 {
        if count >= 8 {
            // Safe: 8 bytes are readable.
            return unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        }
        if count >= 4 {
            // Safe: both 4-byte loads lie within [0, count); the second is shifted to keep bytes 4..<count.
            let low = UInt64(unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(unsafe base.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            return low | ((high >> UInt64(8 &* (8 &- count))) << 32)
        }
        if count >= 2 {
            // Safe: bytes 0 and 1, and byte 2 when count is 3.
            let low = UInt64(unsafe base.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
            return count == 3 ? low | UInt64(unsafe base.load(fromByteOffset: 2, as: UInt8.self)) << 16 : low
        }
        // Safe: byte 0 when count is 1.
        return count == 1 ? UInt64(unsafe base.load(fromByteOffset: 0, as: UInt8.self)) : 0
    }

    /// The final hash. Values 0 and 1 are reserved by the label index (empty and removed slots).
    @inlinable
    var finalized: UInt64 {
        let value = LabelHasher.fold(state ^ LabelHasher.secret0, nextSeed ^ LabelHasher.secret1)
        return value < 2 ? value &+ 2 : value
    }
}

extension LabelHasher {
    /// Hashes every value of a lookup.
    ///
    /// - Parameters:
    ///   - values: The label values, in label order.
    ///   - seed: The family's seed.
    ///   - readsStrings: Whether `String` values may be read in place (``StringRepresentation/isVerified``).
    @inlinable @inline(__always)
    static func hashing<Values: Collection>(_ values: Values, seed: UInt64, readsStrings: Bool) -> LabelHasher
    where Values.Element: LabelValue {
        var hasher = LabelHasher(seed: seed)
        // Indexing (not `for in`) borrows each value: no retain and release per label. One loop per case, so
        // that the String test is made once, not per value.
        var index = values.startIndex
        if Values.Element.self == String.self && readsStrings {
            while index != values.endIndex {
                hasher.combine(string: unsafe unsafeBitCast(values[index], to: String.self))
                values.formIndex(after: &index)
            }
        } else {
            while index != values.endIndex {
                hasher.combine(value: values[index], readsStrings: false)
                values.formIndex(after: &index)
            }
        }
        return hasher
    }

    /// Adds one value; a `String` is read in place when `readsStrings` (the type test folds away once
    /// specialised).
    @inlinable @inline(__always)
    mutating func combine<Value: LabelValue>(value: Value, readsStrings: Bool) {
        if Value.self == String.self && readsStrings {
            combine(string: unsafe unsafeBitCast(value, to: String.self))
        } else {
            unsafe value.withLabelValueBytes { unsafe combine($0) }
        }
    }
}
