/// Whether `bytes` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
///
/// - Complexity: O(n); ASCII runs are skipped eight bytes at a time.
@safe func _isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let count = bytes.count
    var index = 0
    while index < count {
        if index + 8 <= count {
            // Safe: index + 8 <= count.
            let word = unsafe bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
        }
        // Safe: index < count.
        let lead = unsafe bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return false
        }
        guard index + length <= count else { return false }
        // Safe: index + length <= count.
        let second = unsafe bytes[index + 1]
        guard second >= lower && second <= upper else { return false }
        for offset in 2..<length where unsafe bytes[index + offset] & 0xC0 != 0x80 {
            return false
        }
        index += length
    }
    return true
}

/// The number of Unicode code points in well-formed UTF-8 `bytes`.
@safe func _codePointCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    var count = 0
    for index in 0..<bytes.count {
        // Safe: index < bytes.count.
        let byte = unsafe bytes[index]
        if byte & 0xC0 != 0x80 { count += 1 }
    }
    return count
}
