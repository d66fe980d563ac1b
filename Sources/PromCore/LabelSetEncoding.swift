/// The exposition encoding of a label set, shared by both text formats: `a="1",b="x\"y"` (no braces).
///
/// Label values are escaped once, when a series is created (`\` → `\\`, `"` → `\"`, line feed → `\n`), so
/// a render only copies bytes.
@usableFromInline
enum LabelSetEncoding {
    /// Appends the escaped form of `value` to `bytes`.
    ///
    /// - Parameters:
    ///   - value: Raw UTF-8 bytes.
    ///   - bytes: Where the escaped bytes go.
    @usableFromInline
    static func appendEscaped(_ value: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        for index in 0..<value.count {
            let byte = unsafe value[index]
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            default: bytes.append(byte)
            }
        }
    }

    /// The size of the escaped form of `value`.
    @inlinable
    static func escapedCount(_ value: UnsafeRawBufferPointer) -> Int {
        var count = value.count
        guard unsafe containsEscapedByte(value) else { return count }
        for index in 0..<value.count {
            let byte = unsafe value[index]
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") { count += 1 }
        }
        return count
    }

    /// Writes the escaped form of `value` at `target`.
    ///
    /// - Returns: The number of bytes written (``escapedCount(_:)``).
    @inlinable
    static func writeEscaped(_ value: UnsafeRawBufferPointer, into target: UnsafeMutableRawPointer) -> Int {
        guard let base = value.baseAddress else { return 0 }
        if unsafe !containsEscapedByte(value) {
            unsafe target.copyMemory(from: base, byteCount: value.count)
            return value.count
        }
        var position = 0
        for index in 0..<value.count {
            let byte = unsafe value[index]
            let escaped: UInt8?
            switch byte {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\""): escaped = UInt8(ascii: "\"")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            default: escaped = nil
            }
            if let escaped {
                unsafe target.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: position, as: UInt8.self)
                unsafe target.storeBytes(of: escaped, toByteOffset: position + 1, as: UInt8.self)
                position += 2
            } else {
                unsafe target.storeBytes(of: byte, toByteOffset: position, as: UInt8.self)
                position += 1
            }
        }
        return position
    }

    /// Whether `value` holds a byte the exposition formats escape (`\\`, `"` or a line feed).
    @inlinable
    static func containsEscapedByte(_ value: UnsafeRawBufferPointer) -> Bool {
        unsafe anyWord(of: value, hasBits: escapedBits)
    }

    /// Whether a stored label set is raw: it holds no backslash, so none of its values needed escaping (every
    /// escape starts with one). Lookups compare raw sets with block compares (see ``FamilyCore``'s matching).
    @inlinable
    static func isRaw(_ stored: UnsafeRawBufferPointer) -> Bool {
        unsafe !anyWord(of: stored) { LabelHasher.matchBits($0, UInt8(ascii: "\\")) }
    }

    /// Whether `bits` is non-zero for any 8-byte word of `bytes`, the last one zero-extended (so `bits` must give
    /// zero for zero bytes).
    @inlinable @inline(__always)
    static func anyWord(of bytes: UnsafeRawBufferPointer, hasBits bits: (UInt64) -> UInt64) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        var found: UInt64 = 0
        var offset = 0
        while offset &+ 8 <= count {
            // Safe: offset + 8 <= count.
            found |= bits(unsafe base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset &+= 8
        }
        if offset < count { found |= unsafe bits(LabelHasher.loadUpTo8(base + offset, count: count &- offset)) }
        return found != 0
    }

    /// Non-zero when `word` holds a backslash, a double quote or a line feed.
    @inlinable @inline(__always)
    static func escapedBits(_ word: UInt64) -> UInt64 {
        LabelHasher.escapeBits(word) | LabelHasher.matchBits(word, UInt8(ascii: "\n"))
    }

    /// Writes the UTF-8 bytes of a label name at `target`.
    ///
    /// - Returns: The number of bytes written.
    @inlinable
    static func write(_ name: String, into target: UnsafeMutableRawPointer) -> Int {
        unsafe name.withLabelValueBytes { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            unsafe target.copyMemory(from: base, byteCount: bytes.count)
            return bytes.count
        }
    }

    /// Compares a raw label value with its escaped form at the start of `stored`, byte by byte.
    ///
    /// - Parameters:
    ///   - value: The raw UTF-8 bytes of the value looked up.
    ///   - stored: The stored encoding, from the first byte of the escaped value to the end of the label set.
    /// - Returns: The number of stored bytes the escaped value took, or `nil` when the values differ.
    @usableFromInline
    static func matchEscapedSlow(_ value: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) -> Int? {
        var position = 0
        for index in 0..<value.count {
            let byte = unsafe value[index]
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\""): escaped = UInt8(ascii: "\"")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            default:
                guard position < stored.count, unsafe stored[position] == byte else { return nil }
                position += 1
                continue
            }
            guard position + 1 < stored.count, unsafe stored[position] == UInt8(ascii: "\\"),
                unsafe stored[position + 1] == escaped
            else { return nil }
            position += 2
        }
        guard position < stored.count, unsafe stored[position] == UInt8(ascii: "\"") else { return nil }
        return position
    }

    /// Word-at-a-time byte equality: 16 bytes per step, the last partial step as one overlapping 8-byte load,
    /// and no byte loop.
    @inlinable @inline(__always)
    static func bytesEqual(_ lhs: UnsafeRawPointer?, _ rhs: UnsafeRawPointer?, _ count: Int) -> Bool {
        guard count > 0, let lhs = unsafe lhs, let rhs = unsafe rhs else { return true }
        if count < 8 {
            // Safe: each reads count bytes.
            return unsafe LabelHasher.loadUpTo8(lhs, count: count) == LabelHasher.loadUpTo8(rhs, count: count)
        }
        var offset = 0
        while offset &+ 16 <= count {
            // Safe: offset + 16 <= count for both buffers.
            let difference =
                unsafe (lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                | (lhs.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                    ^ rhs.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self))
            if difference != 0 { return false }
            offset &+= 16
        }
        if offset &+ 8 <= count {
            // Safe: offset + 8 <= count.
            if unsafe lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset &+= 8
        }
        if offset < count {
            // The last 8 bytes, overlapping bytes already compared. Safe: count >= 8.
            return unsafe lhs.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                == rhs.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }
        return true
    }
}
