/// Byte classes of the grammar.
@inline(__always) func _isBlank(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}

/// `[a-zA-Z_]`: the first byte of a label name.
@inline(__always) func _isLabelNameStart(_ byte: UInt8) -> Bool {
    _inClass(byte, low: 0, high: 0x07FF_FFFE_87FF_FFFE)
}

/// `[a-zA-Z0-9_]`.
@inline(__always) func _isLabelNameChar(_ byte: UInt8) -> Bool {
    _inClass(byte, low: 0x03FF_0000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE)
}

/// `[a-zA-Z_:]`: the first byte of a metric name.
@inline(__always) func _isMetricNameStart(_ byte: UInt8) -> Bool {
    _inClass(byte, low: 0x0400_0000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE)
}

/// `[a-zA-Z0-9_:]`.
@inline(__always) func _isMetricNameChar(_ byte: UInt8) -> Bool {
    _inClass(byte, low: 0x07FF_0000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE)
}

/// Whether an ASCII byte is in the class given as a 128-bit set: bit `b` of `low` for bytes 0–63, bit `b - 64` of
/// `high` for bytes 64–127. Non-ASCII bytes are in no class.
@inline(__always) func _inClass(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
    let set = byte < 64 ? low : high
    return byte < 128 && (set >> UInt64(byte & 63)) & 1 != 0
}

/// Parses one line into a `_ParsedEntry`, for either format.
///
/// `line` holds the line followed by its `\n` sentinel (`line[length] == '\n'`, and no other `\n` occurs), so a scan
/// for any class that excludes `\n` stops at the end of the line without a bounds test.
///
/// - Invariant: `0 <= position <= length`; only created inside `_LineBuffer.withLine`, never escapes it.
@safe
struct _LineParser {
    let line: UnsafeRawBufferPointer
    let length: Int
    let lineNumber: Int
    let hadNewline: Bool
    let isText: Bool
    let allowsQuotedNames: Bool
    let strictEscapes: Bool
    /// `_LineBuffer.generation` while this line is current (for `_LabelMemory`).
    let generation: Int
    var position = 0

    @safe init(
        line: UnsafeRawBufferPointer, lineNumber: Int, hadNewline: Bool, format: ExpositionFormat,
        allowsQuotedNames: Bool, generation: Int = 0
    ) {
        unsafe self.line = line
        self.generation = generation
        self.length = line.count - 1
        self.lineNumber = lineNumber
        self.hadNewline = hadNewline
        self.isText = format == .prometheusText
        self.allowsQuotedNames = allowsQuotedNames
        // Text 0.0.4 demands that a backslash be escaped, so only \\, \" and \n are escapes there; OpenMetrics'
        // ABNF also allows a backslash before any other character.
        self.strictEscapes = format == .prometheusText
    }

    /// The byte at `index`, which must be `<= length` (the sentinel is readable).
    @inline(__always) func byte(_ index: Int) -> UInt8 {
        assert(index >= 0 && index <= length)
        // Safe: index <= length and line.count == length + 1.
        return unsafe line.load(fromByteOffset: index, as: UInt8.self)
    }

    @inline(__always) var current: UInt8 { byte(position) }

    @inline(__always) var atEnd: Bool { position == length }

    @inline(__always) mutating func skipBlanks() {
        // Stops at the '\n' sentinel at the latest.
        while _isBlank(byte(position)) { position &+= 1 }
    }

    /// The end of the run of bytes from `start` that are not blanks and not the end of the line.
    @inline(__always) func tokenEnd(from start: Int, stopAtTab: Bool) -> Int {
        var index = start
        while true {
            let value = byte(index)
            // Stops at the '\n' sentinel at the latest.
            if value == UInt8(ascii: "\n") || value == UInt8(ascii: " ") || (stopAtTab && value == UInt8(ascii: "\t")) {
                return index
            }
            index += 1
        }
    }

    /// Whether the bytes at `index` spell `word` (which holds no `\n`).
    func matches(_ word: StaticString, at index: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= length else { return false }
        // Safe: a StaticString's storage lives for the whole program; index + count <= length.
        let expected = unsafe UnsafeRawBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where unsafe expected[offset] != byte(index + offset) {
            return false
        }
        return true
    }

    /// The bytes `start..<end` of the line.
    @safe func slice(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        // Safe: callers pass 0 <= start <= end <= length.
        unsafe UnsafeRawBufferPointer(rebasing: line[start..<end])
    }

    /// Scans a legacy name (`[a-zA-Z_:][a-zA-Z0-9_:]*` or, for labels, without `:`) starting at `position`.
    @inline(__always) mutating func scanName(metric: Bool) -> _ByteRef {
        let start = position
        var index = position
        // Eight bytes at a time while the reads stay within the line and its sentinel, then byte by byte (the
        // '\n' sentinel is no name byte, so the byte loop stops at the end of the line at the latest).
        while index &+ 8 <= length &+ 1 {
            // Safe: index + 8 <= line.count.
            let word = unsafe line.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let others = _nonNameBytes(word, metric: metric)
            if others != 0 {
                position = index &+ (others.trailingZeroBitCount >> 3)
                return _ByteRef(start: start, end: position, inScratch: false)
            }
            index &+= 8
        }
        if metric {
            while _isMetricNameChar(byte(index)) { index &+= 1 }
        } else {
            while _isLabelNameChar(byte(index)) { index &+= 1 }
        }
        position = index
        return _ByteRef(start: start, end: index, inScratch: false)
    }

    /// `scanName(metric: true)` for the metric name of a sample line, first tried against `lastName` (the previous
    /// sample's name, updated here): the line holding the same bytes followed by a byte outside the name class is
    /// exactly the run the byte-classifying scan would find. `repeated` tells whether that was the case.
    @inline(__always) mutating func scanMetricName(lastName: inout [UInt8], repeated: inout Bool) -> _ByteRef {
        let start = position
        let cachedCount = lastName.count
        if cachedCount > 0 && start + cachedCount < length {
            let same = unsafe lastName.withUnsafeBytes { cached in
                // Safe: start + cachedCount < length, so the compared bytes lie in the line.
                unsafe _bytesEqual(line.baseAddress! + start, cached.baseAddress!, cachedCount)
            }
            if same && !_isMetricNameChar(byte(start + cachedCount)) {
                repeated = true
                position = start + cachedCount
                return _ByteRef(start: start, end: position, inScratch: false)
            }
        }
        let name = scanName(metric: true)
        lastName.removeAll(keepingCapacity: true)
        _append(slice(name.start, name.end), to: &lastName)
        return name
    }

    /// Scans a double-quoted string at `position` (which holds `"`), validating escapes and UTF-8, and unescaping
    /// into `scratch` only when a backslash is present.
    @inline(__always)
    mutating func scanQuoted(into entry: inout _ParsedEntry, what: StaticString) throws(PromParseError) -> _ByteRef {
        let open = position
        // The common case: no escape and no non-ASCII byte before the closing quote.
        let index = skipPlainBytes(from: open &+ 1)
        if byte(index) == UInt8(ascii: "\"") {
            position = index &+ 1
            return _ByteRef(start: open &+ 1, end: index, inScratch: false)
        }
        return try scanQuotedSlow(from: index, into: &entry, what: what)
    }

    /// `scanQuoted` from the first byte at `index` that is a backslash, a non-ASCII byte or the end of the line.
    mutating func scanQuotedSlow(
        from start: Int, into entry: inout _ParsedEntry, what: StaticString
    )
        throws(PromParseError) -> _ByteRef
    {
        let open = position
        var index = start
        var hasEscape = false
        var hasHighBit = false
        while true {
            index = skipPlainBytes(from: index)
            let value = byte(index)
            if value == UInt8(ascii: "\"") { break }
            if value == UInt8(ascii: "\\") {
                let escaped = byte(index + 1)
                if index + 1 == length { throw expected(what, at: open) }
                if strictEscapes && escaped != UInt8(ascii: "\\") && escaped != UInt8(ascii: "\"")
                    && escaped != UInt8(ascii: "n")
                {
                    throw failure(
                        at: index, "invalid escape sequence \(_goQuoted(_array(slice(index, index + 2)))) in \(what)")
                }
                hasEscape = true
                index += 2
                continue
            }
            // The '\n' sentinel ends an unterminated string.
            if value == UInt8(ascii: "\n") { throw expected(what, at: open) }
            if value >= 0x80 { hasHighBit = true }
            index += 1
        }
        position = index + 1
        let content = _ByteRef(start: open + 1, end: index, inScratch: false)
        if hasHighBit && !_isValidUTF8(slice(content.start, content.end)) {
            throw failure(at: open, "invalid UTF-8 in \(what): \(_goQuoted(_array(slice(open, position))))")
        }
        guard hasEscape else { return content }
        return unescape(content, into: &entry, quotesToo: true)
    }

    /// Skips, eight bytes at a time, bytes that are none of `"`, `\\`, `\n` or non-ASCII; returns the index of the
    /// first byte that is one of them. The `\n` sentinel bounds the scan.
    @inline(__always) func skipPlainBytes(from start: Int) -> Int {
        var index = start
        // Reads stay within the line and its sentinel: index + 8 <= length + 1. The words are not searched for
        // `\n`: the only one they can hold is the sentinel, as their last byte.
        while index &+ 8 <= length &+ 1 {
            // Safe: index + 8 <= line.count.
            let word = unsafe line.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let found = _specialBytes(word)
            if found != 0 { return index &+ (found.trailingZeroBitCount >> 3) }
            index &+= 8
        }
        // The last word ended with the sentinel: every byte of the line was plain.
        if index > length { return length }
        // Fewer than eight bytes before the end of the line: a byte loop that stops at the sentinel at the latest.
        while true {
            let value = byte(index)
            if value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") || value == UInt8(ascii: "\n")
                || value >= 0x80
            {
                return index
            }
            index += 1
        }
    }

    /// Copies `ref` into the scratch buffer, replacing `\\`, `\n` and (when `quotesToo`) `\"`; any other backslash
    /// sequence is kept as written.
    func unescape(_ ref: _ByteRef, into entry: inout _ParsedEntry, quotesToo: Bool) -> _ByteRef {
        let start = entry.scratch.count
        var index = ref.start
        while index < ref.end {
            let value = byte(index)
            if value == UInt8(ascii: "\\") && index + 1 < ref.end {
                let escaped = byte(index + 1)
                if escaped == UInt8(ascii: "\\") || escaped == UInt8(ascii: "n")
                    || (quotesToo && escaped == UInt8(ascii: "\""))
                {
                    entry.scratch.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
                    index += 2
                    continue
                }
            }
            entry.scratch.append(value)
            index += 1
        }
        return _ByteRef(start: start, end: entry.scratch.count, inScratch: true)
    }

    /// A metric name after `# TYPE`/`# HELP`/`# UNIT`: legacy or (when allowed) quoted.
    mutating func scanMetadataName(into entry: inout _ParsedEntry, keyword: StaticString) throws(PromParseError) {
        let start = position
        let first = current
        if _isMetricNameStart(first) {
            entry.name = scanName(metric: true)
        } else if first == UInt8(ascii: "\"") && allowsQuotedNames {
            entry.name = try scanQuoted(into: &entry, what: "metric name")
        } else {
            throw expected("metric name after \(keyword)", at: start)
        }
        entry.hasName = true
        entry.nameColumn = start + 1
    }
}

extension _LineParser {
    /// A syntax error in the form `expected X, got "tok" (KIND) while parsing: "…"`.
    func expected(_ what: String, at index: Int) -> PromParseError {
        let (tokenEnd, kind) = describeToken(at: index)
        let token = index < length ? _goQuoted(_array(slice(index, tokenEnd))) : (hadNewline ? "\"\\n\"" : "\"\"")
        let contextEnd = index < length ? index + 1 : length
        var context = _goQuoted(
            _array(slice(max(0, contextEnd - 120), contextEnd)) + (index >= length && hadNewline ? [10] : []))
        if contextEnd > 120 { context = "…" + context }
        return PromParseError(
            kind: .syntax, line: lineNumber, column: index + 1,
            message: "expected \(what), got \(token) (\(kind)) while parsing: \(context)")
    }

    func expected(_ what: StaticString, at index: Int) -> PromParseError {
        expected("\(what)", at: index)
    }

    /// An error at `index` with a free-form message.
    func failure(at index: Int, _ message: String, kind: PromParseError.Kind = .syntax) -> PromParseError {
        PromParseError(kind: kind, line: lineNumber, column: index + 1, message: message)
    }

    /// The extent and kind of the token that starts at `index`, for error messages.
    private func describeToken(at index: Int) -> (end: Int, kind: String) {
        guard index < length else { return (index, hadNewline ? "LINEBREAK" : "EOF") }
        switch byte(index) {
        case UInt8(ascii: "{"): return (index + 1, "BOPEN")
        case UInt8(ascii: "}"): return (index + 1, "BCLOSE")
        case UInt8(ascii: ","): return (index + 1, "COMMA")
        case UInt8(ascii: "="): return (index + 1, "EQUAL")
        case UInt8(ascii: "#"): return (index + 1, "HASH")
        case UInt8(ascii: " "), UInt8(ascii: "\t"):
            var end = index
            while _isBlank(byte(end)) { end += 1 }
            return (end, "WHITESPACE")
        case UInt8(ascii: "\""):
            var end = index + 1
            while end < length && byte(end) != UInt8(ascii: "\"") {
                end += byte(end) == UInt8(ascii: "\\") && end + 1 < length ? 2 : 1
            }
            return end < length ? (end + 1, "QSTRING") : (end, "INVALID")
        default:
            var end = index + 1
            while end < length && !_isDelimiter(byte(end)) { end += 1 }
            return (end, "INVALID")
        }
    }
}

/// A word whose lowest set bit is the high bit of its first byte that is `"`, `\\` or non-ASCII (0 when there is
/// none). Only the lowest set bit is exact: the zero-byte test may also flag a byte above a matching one.
@inline(__always) func _specialBytes(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let quote = word ^ 0x2222_2222_2222_2222
    let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
    // (x - 1) & ~x has its high bit set for a zero byte x; a borrow only reaches the bytes above a zero byte.
    let isQuote = (quote &- ones) & ~quote
    let isBackslash = (backslash &- ones) & ~backslash
    return (isQuote | isBackslash | word) & 0x8080_8080_8080_8080
}

/// A word with the high bit set in each byte that is not in `[a-zA-Z0-9_]` (plus `:` when `metric`), and no other
/// bit (exact, so the lowest set bit locates the first such byte).
@inline(__always) func _nonNameBytes(_ word: UInt64, metric: Bool) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let ascii = word & 0x7F7F_7F7F_7F7F_7F7F
    // For 7-bit bytes x and constants c <= 0x80, x + c does not carry into the next byte: x + (0x80 - lo) has its
    // high bit set iff x >= lo, and x + (0x7F - hi) iff x > hi.
    @inline(__always) func inRange(_ x: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
        (x &+ (0x80 - lo) &* ones) & ~(x &+ (0x7F - hi) &* ones)
    }
    let letters = inRange(ascii | 0x2020_2020_2020_2020, 0x61, 0x7A)
    let digits = inRange(ascii, 0x30, metric ? 0x3A : 0x39)
    // (x ^ 0x5F) + 0x7F has its high bit set iff x != 0x5F.
    let underscores = ~((ascii ^ 0x5F5F_5F5F_5F5F_5F5F) &+ 0x7F7F_7F7F_7F7F_7F7F)
    return ~((letters | digits | underscores) & ~word) & high
}

private func _isDelimiter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","),
        UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "\n"):
        return true
    default:
        return false
    }
}

/// Copies bytes into an array (for error messages and other cold paths).
@safe func _array(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    unsafe Array(bytes)
}
