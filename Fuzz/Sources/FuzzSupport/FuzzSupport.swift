import PromParser

/// Inputs above this size are cut: the parser is line-oriented, so longer inputs only slow the fuzzer down.
public let fuzzInputLimit = 10 * 1024

/// Copies the fuzzer's input into an array of at most ``fuzzInputLimit`` bytes.
public func fuzzInput(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: start, count: min(count, fuzzInputLimit)))
}

/// Parses `input` fed in chunks of the given sizes (the rest in one final chunk), touching every accessor, and
/// returns a trace of the entries and the final error: the invariant checked is "no trap, bounded memory", and for
/// the split target "same trace whatever the chunking".
public func fuzzTrace(
    _ input: [UInt8], format: ExpositionFormat, options: ParserOptions = ParserOptions(), chunks: [Int]
) -> [String] {
    var parser = ExpositionParser(format: format, options: options)
    var trace: [String] = []
    func drain() throws(PromParseError) {
        while let entry = try parser.next() {
            var line: [UInt8] = []
            NormalizedDump.append(entry, of: parser, to: &line)
            var text = "\(entry) \(parser.lineNumber) " + String(decoding: line, as: UTF8.self)
            switch entry {
            case .sample:
                text +=
                    " \(parser.labels.count) \(parser.exemplarLabels.count) \(String(describing: parser.timestampSeconds))"
                for index in 0..<parser.labelCount {
                    parser.withLabel(at: index) { name, value in precondition(name.count >= 0 && value.count >= 0) }
                }
            case .comment: text += parser.comment
            case .type: text += "\(String(describing: parser.metricType)) \(parser.metricName)"
            case .help, .unit: text += parser.helpText + parser.metricName
            case .eof: break
            }
            trace.append(text)
        }
    }
    do throws(PromParseError) {
        var start = 0
        for size in chunks where start + size <= input.count {
            parser.feed(Array(input[start..<start + size]))
            start += size
            try drain()
        }
        parser.feed(Array(input[start...]))
        try drain()
        parser.finish()
        try drain()
    } catch {
        precondition(error.line >= 1 && error.column >= 1, "bad error position \(error)")
        trace.append("error \(error)")
    }
    return trace
}
