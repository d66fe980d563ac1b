extension _LineParser {
    /// Parses a Prometheus text 0.0.4 line; returns `false` for a blank line (no entry).
    mutating func parseTextLine(into entry: inout _ParsedEntry) throws(PromParseError) -> Bool {
        skipBlanks()
        let first = current
        if first == UInt8(ascii: "\n") { return false }
        if first == UInt8(ascii: "#") {
            try parseTextHashLine(into: &entry)
            return true
        }
        guard _isMetricNameStart(first) || (first == UInt8(ascii: "{") && allowsQuotedNames) else {
            throw expected("a valid start token", at: position)
        }
        try parseSample(into: &entry)
        return true
    }

    /// `# HELP name text`, `# TYPE name type`, or any other comment.
    private mutating func parseTextHashLine(into entry: inout _ParsedEntry) throws(PromParseError) {
        let hash = position
        position += 1
        // As in Prometheus' lexer: only `#` followed by blanks can start HELP/TYPE, and the keyword must be
        // followed by a blank; a bare `# HELP` is a comment.
        let hasBlank = _isBlank(current)
        skipBlanks()
        let isHelp = matches("HELP", at: position)
        let isType = !isHelp && matches("TYPE", at: position)
        guard hasBlank, isHelp || isType, _isBlank(byte(position + 4)) else {
            entry.kind = .comment
            entry.text = _ByteRef(start: hash, end: length, inScratch: false)
            return
        }
        position += 4
        skipBlanks()
        try scanMetadataName(into: &entry, keyword: isHelp ? "HELP" : "TYPE")
        if isHelp {
            entry.kind = .help
            guard !atEnd else {
                entry.text = _ByteRef(start: position, end: position, inScratch: false)
                return
            }
            guard _isBlank(current) else { throw expected("text after metric name", at: position) }
            skipBlanks()
            try takeHelpText(into: &entry, quotesToo: false)
            return
        }
        entry.kind = .type
        guard _isBlank(current) else { throw expected("metric type after metric name", at: position) }
        skipBlanks()
        let start = position
        let end = tokenEnd(from: start, stopAtTab: true)
        position = end
        skipBlanks()
        guard atEnd else { throw expected("end of line after metric type", at: position) }
        guard let type = PromMetricType._parse(slice(start, end)), type.isValid(in: .prometheusText) else {
            throw failure(at: start, "invalid metric type \(_goQuoted(_array(slice(start, end))))")
        }
        entry.type = type
    }

    /// The rest of the line as HELP text, validated as UTF-8 and unescaped if it holds a backslash.
    private mutating func takeHelpText(into entry: inout _ParsedEntry, quotesToo: Bool) throws(PromParseError) {
        let start = position
        var hasBackslash = false
        var hasHighBit = false
        while !atEnd {
            let value = current
            if value == UInt8(ascii: "\\") { hasBackslash = true }
            if value >= 0x80 { hasHighBit = true }
            position += 1
        }
        let text = _ByteRef(start: start, end: length, inScratch: false)
        if hasHighBit && !_isValidUTF8(slice(start, length)) {
            throw failure(at: start, "help text \(_goQuoted(_array(slice(start, length)))) is not valid UTF-8")
        }
        entry.text = hasBackslash ? unescape(text, into: &entry, quotesToo: quotesToo) : text
    }

    /// Parses an OpenMetrics line; returns `true` when it is the `# EOF` line. Inlined into the parser's loop (it
    /// only dispatches).
    @inline(__always)
    mutating func parseOpenMetricsLine(into entry: inout _ParsedEntry) throws(PromParseError) -> Bool {
        let first = current
        if first == UInt8(ascii: "#") {
            if length == 5 && matches("# EOF", at: 0) { return true }
            try parseOpenMetricsMetadata(into: &entry)
            return false
        }
        guard _isMetricNameStart(first) || (first == UInt8(ascii: "{") && allowsQuotedNames) else {
            throw expected("a valid start token", at: position)
        }
        try parseSample(into: &entry)
        return false
    }

    /// `# TYPE name type`, `# HELP name text` or `# UNIT name unit`, each with single spaces.
    private mutating func parseOpenMetricsMetadata(into entry: inout _ParsedEntry) throws(PromParseError) {
        let keyword: StaticString
        if matches("# TYPE ", at: 0) {
            keyword = "TYPE"
            entry.kind = .type
        } else if matches("# HELP ", at: 0) {
            keyword = "HELP"
            entry.kind = .help
        } else if matches("# UNIT ", at: 0) {
            keyword = "UNIT"
            entry.kind = .unit
        } else {
            throw failure(
                at: 0,
                "expected \"# TYPE \", \"# HELP \", \"# UNIT \" or \"# EOF\" (OpenMetrics has no comments), got "
                    + _goQuoted(_array(slice(0, min(length, 8)))))
        }
        position = 7
        try scanMetadataName(into: &entry, keyword: keyword)
        guard current == UInt8(ascii: " ") else { throw expected("space after metric name", at: position) }
        position += 1
        let start = position
        switch entry.kind {
        case .type:
            guard let type = PromMetricType._parse(slice(start, length)), type.isValid(in: .openMetrics) else {
                throw failure(at: start, "invalid metric type \(_goQuoted(_array(slice(start, length))))")
            }
            entry.type = type
        case .help:
            try takeHelpText(into: &entry, quotesToo: true)
        default:
            while _isMetricNameChar(current) { position += 1 }
            guard atEnd else { throw expected("unit (metric name characters)", at: position) }
            entry.text = _ByteRef(start: start, end: length, inScratch: false)
        }
    }
}
