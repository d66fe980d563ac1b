/// The normalized, line-per-entry rendering of a parse used by the conformance corpus and `promkit parse`:
/// `# TYPE name type`, `# HELP name text`, `# UNIT name unit`, and `name{labels sorted} value [timestamp-ms]
/// [# {exemplar labels} value [timestamp-ms]]`; comments and `# EOF` are not represented.
///
/// Thread-safety: stateless; safe to call from any thread.
public enum NormalizedDump {
    /// Parses a whole exposition and renders every entry.
    ///
    /// - Parameters:
    ///   - input: the exposition bytes.
    ///   - format: the format, or `nil` to detect it with ``ExpositionFormat/detect(body:)``.
    ///   - options: parser options.
    ///   - chunkSize: feed the input in chunks of this many bytes (for tests); `nil` feeds it whole.
    /// - Returns: the rendering, each line ended by a line feed.
    /// - Throws: the first ``PromParseError``.
    public static func render(
        _ input: [UInt8], format: ExpositionFormat? = nil, options: ParserOptions = ParserOptions(),
        chunkSize: Int? = nil
    ) throws(PromParseError) -> [UInt8] {
        var parser = ExpositionParser(format: format ?? ExpositionFormat.detect(body: input), options: options)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 4)
        let size = max(chunkSize ?? input.count, 1)
        var start = 0
        repeat {
            let end = min(start + size, input.count)
            parser.feed(start == 0 && end == input.count ? input : Array(input[start..<end]))
            while let entry = try parser.next() { append(entry, of: parser, to: &output) }
            start = end
        } while start < input.count
        parser.finish()
        while let entry = try parser.next() { append(entry, of: parser, to: &output) }
        return output
    }

    /// Appends the rendering of the parser's current entry (nothing for comments and ``PromEntry/eof``).
    ///
    /// - Parameters:
    ///   - entry: what ``ExpositionParser/next()`` returned.
    ///   - parser: the parser, positioned on that entry.
    ///   - output: receives one line, ended by a line feed.
    public static func append(_ entry: PromEntry, of parser: ExpositionParser, to output: inout [UInt8]) {
        parser._withBytes { bytes in
            let e = parser._entry
            switch entry {
            case .type:
                output += Array("# TYPE ".utf8)
                _appendName(bytes.bytes(e.name), metric: true, to: &output)
                output.append(UInt8(ascii: " "))
                output += Array((e.type?.rawValue ?? "").utf8)
            case .help, .unit:
                output += Array((entry == .help ? "# HELP " : "# UNIT ").utf8)
                _appendName(bytes.bytes(e.name), metric: true, to: &output)
                output.append(UInt8(ascii: " "))
                _appendEscaped(bytes.bytes(e.text), quotes: false, to: &output)
            case .sample:
                _appendName(bytes.bytes(e.name), metric: true, to: &output)
                if !e.labels.isEmpty { _appendLabels(e.labels, bytes, to: &output) }
                output += Array(" \(goFormatFloat(e.value))".utf8)
                if e.hasTimestamp { output += Array(" \(e.timestampMilliseconds)".utf8) }
                if e.hasExemplar {
                    output += Array(" # ".utf8)
                    _appendLabels(e.exemplarLabels, bytes, to: &output)
                    output += Array(" \(goFormatFloat(e.exemplarValue))".utf8)
                    if e.exemplarHasTimestamp { output += Array(" \(e.exemplarTimestampMilliseconds)".utf8) }
                }
            case .comment, .eof:
                return
            }
            output.append(UInt8(ascii: "\n"))
        }
    }

    private static func _appendLabels(_ labels: _LabelList, _ bytes: _EntryBytes, to output: inout [UInt8]) {
        let sorted = labels.sorted { unsafe bytes.bytes($0.name).lexicographicallyPrecedes(bytes.bytes($1.name)) }
        output.append(UInt8(ascii: "{"))
        for (index, label) in sorted.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            _appendName(bytes.bytes(label.name), metric: false, to: &output)
            output += Array("=\"".utf8)
            _appendEscaped(bytes.bytes(label.value), quotes: true, to: &output)
            output.append(UInt8(ascii: "\""))
        }
        output.append(UInt8(ascii: "}"))
    }

    @safe private static func _appendName(_ name: UnsafeRawBufferPointer, metric: Bool, to output: inout [UInt8]) {
        if _isLegacyName(name, metric: metric) {
            unsafe output.append(contentsOf: name)
            return
        }
        output.append(UInt8(ascii: "\""))
        _appendEscaped(name, quotes: true, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    @safe private static func _appendEscaped(_ text: UnsafeRawBufferPointer, quotes: Bool, to output: inout [UInt8]) {
        for index in 0..<text.count {
            // Safe: index < text.count.
            let byte = unsafe text[index]
            switch byte {
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\"") where quotes: output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            default: output.append(byte)
            }
        }
    }
}

/// Whether `name` is a legacy metric name `[a-zA-Z_:][a-zA-Z0-9_:]*` (or, for labels, `[a-zA-Z_][a-zA-Z0-9_]*`).
@safe func _isLegacyName(_ name: UnsafeRawBufferPointer, metric: Bool) -> Bool {
    guard name.count > 0 else { return false }
    for index in 0..<name.count {
        // Safe: index < name.count.
        let byte = unsafe name[index]
        let valid = metric ? _isMetricNameChar(byte) : _isLabelNameChar(byte)
        if !valid || (index == 0 && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) { return false }
    }
    return true
}
