import PromTestSupport
import Testing

@testable import PromParser

/// What a line takes over from the line before it (the labels of `_LabelMemory`, the repeated metric name, the
/// label keys of `_LabelScreen`) against a parser that remembers nothing across lines, on random expositions whose
/// lines share label prefixes, escapes, quoted names, duplicates and errors.
@Suite struct LineMemoryTests {
    static let labelNames = [
        "a", "job", "le", "quantile", "instance_name", "__name__", "\"q.name\"", "\"e\\\"n\"", "x",
    ]
    static let labelValues = [
        "x", "1", "0.5", "+Inf", "10", "2.5", "a\\\"b", "\u{e9}t\u{e9}", "v\\\\w", "", "NaN", "-1", "0.005", "1e3",
    ]
    static let suffixes = ["", "_total", "_bucket", "_sum", "_count", "_created", "_info", "_gcount"]
    static let types = ["counter", "gauge", "histogram", "summary", "info", "stateset", "gaugehistogram", "unknown"]
    static let values = ["1", "0", "2.5", "-1", "NaN", "3", "5", "+Inf"]

    static func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T {
        items[Int(random.next() % UInt64(items.count))]
    }

    /// A label section: mostly a variation of `base` (the previous line's labels), so that lines share prefixes.
    static func labels(_ base: inout [(String, String)], text: Bool, _ random: inout SplitMix64) -> String {
        switch random.next() % 6 {
        case 0: base = (0..<Int(random.next() % 5)).map { _ in (pick(labelNames, &random), pick(labelValues, &random)) }
        case 1: if !base.isEmpty { base[Int(random.next() % UInt64(base.count))].1 = pick(labelValues, &random) }
        case 2: if !base.isEmpty { base.removeLast() }
        case 3: base.append((pick(labelNames, &random), pick(labelValues, &random)))
        default: break
        }
        let pairs = base.map { name, value -> String in
            let equal = text && random.next() % 8 == 0 ? " = " : "="
            return "\(name)\(equal)\"\(value)\""
        }
        var separator = ","
        if text && random.next() % 6 == 0 { separator = random.next() % 2 == 0 ? ", " : " " }
        let trailing = text && random.next() % 8 == 0 ? "," : ""
        return "{" + pairs.joined(separator: separator) + trailing + "}"
    }

    /// Mostly valid histograms: children with shared labels (some escaped or quoted), increasing `le`, `_sum` and
    /// `_count`; now and then a duplicate label name or a stray byte.
    static func histograms(openMetrics: Bool, _ random: inout SplitMix64) -> [UInt8] {
        var lines = ["# TYPE hist histogram"]
        let names = ["a", "job", "\"q.name\"", "instance_name", "x"]
        let values = ["x", "1", "a\\\"b", "\u{e9}t\u{e9}", "v\\\\w", "", "0.5", "long_value_of_many_bytes"]
        for _ in 0..<Int(1 + random.next() % 8) {
            var pairs: [String] = []
            for name in names where random.next() % 3 != 0 { pairs.append("\(name)=\"\(pick(values, &random))\"") }
            if random.next() % 30 == 0 && !pairs.isEmpty { pairs.append(pairs[0]) }
            let separator = !openMetrics && random.next() % 4 == 0 ? " , " : ","
            let common = pairs.joined(separator: separator)
            let joiner = common.isEmpty ? "" : separator
            var count = 0
            for le in ["0.5", "1", "2.5", "+Inf"] where le == "+Inf" || random.next() % 3 != 0 {
                count += Int(random.next() % 2)
                lines.append("hist_bucket{\(common)\(joiner)le=\"\(le)\"} \(count)")
            }
            lines.append("hist_sum{\(common)} 1.5")
            lines.append("hist_count{\(common)} \(count)")
            if random.next() % 40 == 0 {
                let line = lines.removeLast()
                lines.append(String(line.prefix(line.count / 2)) + "\u{7}" + String(line.dropFirst(line.count / 2)))
            }
        }
        if openMetrics { lines.append("# EOF") }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func exposition(openMetrics: Bool, _ random: inout SplitMix64) -> [UInt8] {
        if random.next() % 2 == 0 { return histograms(openMetrics: openMetrics, &random) }
        var lines: [String] = []
        var base: [(String, String)] = []
        for family in 0..<Int(1 + random.next() % 4) {
            let name = "fam_\(family % 3)"
            if random.next() % 2 == 0 { lines.append("# TYPE \(name) \(pick(types, &random))") }
            if random.next() % 4 == 0 { lines.append("# HELP \(name) help text") }
            for _ in 0..<Int(random.next() % 12) {
                let suffix = random.next() % 3 == 0 ? pick(suffixes, &random) : "_bucket"
                var line = name + suffix
                if random.next() % 8 != 0 { line += labels(&base, text: !openMetrics, &random) }
                line += " " + pick(values, &random)
                if random.next() % 10 == 0 { line += openMetrics ? " 1.5" : " 1500" }
                if random.next() % 40 == 0 { line.insert("\u{7}", at: line.index(line.startIndex, offsetBy: 5)) }
                lines.append(line)
            }
        }
        if openMetrics { lines.append("# EOF") }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Every entry with its labels in order, and the error (with line and column) if any.
    static func detailedTrace(_ input: [UInt8], format: ExpositionFormat, memory: Bool, lineByLine: Bool) -> [String] {
        var parser = ExpositionParser(format: format)
        parser._storage.core._usesLineMemory = memory
        var lines: [String] = []
        func drain() throws(PromParseError) {
            while let entry = try parser.next() {
                var text = "\(entry) \(parser.lineNumber)"
                if entry == .sample {
                    text += " \(parser.metricName) \(parser.value.bitPattern) \(parser.timestamp ?? -1)"
                    for index in 0..<parser.labelCount {
                        text += parser.withLabel(at: index) { name, value in
                            " [\(String(decoding: name, as: UTF8.self))=\(String(decoding: value, as: UTF8.self))]"
                        }
                    }
                }
                lines.append(text)
            }
        }
        do throws(PromParseError) {
            if lineByLine {
                var start = 0
                for index in input.indices where input[index] == UInt8(ascii: "\n") {
                    parser.feed(Array(input[start...index]))
                    try drain()
                    start = index + 1
                }
            } else {
                parser.feed(input)
                try drain()
            }
            parser.finish()
            try drain()
        } catch {
            lines.append("ERROR \(error)")
        }
        return lines
    }

    @Test func linesThatShareLabelsParseAsWithoutMemory() {
        var random = SplitMix64(state: 0x11ae_0001)
        for round in 0..<1500 {
            let openMetrics = round % 2 == 0
            let format: ExpositionFormat = openMetrics ? .openMetrics : .prometheusText
            let input = Self.exposition(openMetrics: openMetrics, &random)
            let remembered = Self.detailedTrace(input, format: format, memory: true, lineByLine: false)
            let forgotten = Self.detailedTrace(input, format: format, memory: false, lineByLine: false)
            let separate = Self.detailedTrace(input, format: format, memory: true, lineByLine: true)
            #expect(remembered == forgotten, "\(String(decoding: input, as: UTF8.self))")
            #expect(remembered == separate, "\(String(decoding: input, as: UTF8.self))")
            if remembered != forgotten || remembered != separate { return }
        }
    }

    @Test func histogramLinesTakeOverTheirSharedLabels() throws {
        let input = """
            # TYPE h histogram
            h_bucket{a="1",b="2",le="1"} 1
            h_bucket{a="1",b="2",le="+Inf"} 2
            h_sum{a="1",b="2"} 3
            h_count{a="1",b="2"} 2
            h_bucket{a="1",b="3",le="+Inf"} 2
            h_count{a="1",b="3"} 2
            h_sum{a="1",b="3"} 3
            # EOF

            """
        let reused = try probeSamples(input) { $0._entry.reusedLabels }
        #expect(reused == [0, 0b011, 0b001, 0b011, 0b001, 0b001, 0b011])
    }

    /// A label that is not taken over may still have its name from the last line's label at the same index
    /// (`knownNameLength`: the bytes in common cover the name and `="`). Lines whose labels' names extend, shorten
    /// or quote the last line's, or whose bytes differ right after the name, parse as without memory.
    @Test func labelNamesFromTheLastLineParseAsWithoutMemory() {
        let pairs: [(String, String)] = [
            ("m{abcd=\"1\"} 1", "m{abcde=\"1\"} 1"),
            ("m{abcde=\"1\"} 1", "m{abcd=\"1\"} 1"),
            ("m{a=\"1\",abcd=\"1\"} 1", "m{a=\"2\",abcde=\"1\"} 1"),
            ("m{a=\"1\",abcde=\"1\"} 1", "m{a=\"2\",abcd=\"1\"} 1"),
            ("m{\"abcd\"=\"1\"} 1", "m{\"abcd\"=\"2\"} 1"),
            ("m{a=\"1\",\"abcd\"=\"1\"} 1", "m{a=\"2\",\"abcd\"=\"2\"} 1"),
            ("m{abcd=\"1\",b=\"1\"} 1", "m{abcd=\"2\",b=\"1\"} 1"),
            ("m{abcd=\"1\",b=\"1\"} 1", "m{abcd=1\",b=\"1\"} 1"),
            ("m{abcd=\"1\",b=\"1\"} 1", "m{abcd=\"\\\"\",b=\"1\"} 1"),
            ("m{abcd=\"1\",b=\"1\"} 1", "m{abcd=\"\u{e9}\",b=\"1\"} 1"),
            ("m{a=\"1\",longer_name=\"1\",c=\"1\"} 1", "m{a=\"2\",longer_name=\"2\",c=\"2\"} 1"),
            ("m{a=\"1\",le=\"0.5\"} 1", "m{a=\"1\",le=\"1\"} 1"),
            ("m{a=\"1\",lex=\"0.5\"} 1", "m{a=\"1\",le=\"1\"} 1"),
            ("m{a=\"1\",le=\"0.5\"} 1", "m{a=\"1\",lex=\"1\"} 1"),
        ]
        for (first, second) in pairs {
            for openMetrics in [true, false] {
                let format: ExpositionFormat = openMetrics ? .openMetrics : .prometheusText
                let input = Array((first + "\n" + second + "\n" + (openMetrics ? "# EOF\n" : "")).utf8)
                let remembered = Self.detailedTrace(input, format: format, memory: true, lineByLine: false)
                let forgotten = Self.detailedTrace(input, format: format, memory: false, lineByLine: false)
                #expect(remembered == forgotten, "\(first) / \(second)")
            }
        }
    }

    /// A copy of a label list shares its storage until written: stores through the pointer of `makeWritable()`
    /// must not reach the other copy, also when the copy was taken while the pointer was valid (`removeAll()`
    /// drops it).
    @Test func labelListCopiesStayApart() {
        func label(_ offset: Int) -> _LabelRef {
            _LabelRef(
                name: _ByteRef(start: offset, end: offset + 1, inScratch: false),
                value: _ByteRef(start: offset + 3, end: offset + 4, inScratch: false), column: offset + 1)
        }
        var list = _LabelList()
        list.makeWritable()
        for offset in [0, 10, 20] { list.append(label(offset)) }
        list.removeAll()
        list.makeWritable()
        list.append(label(30))
        list.append(label(40))
        var copy = list
        copy.removeAll()
        copy.append(label(50))
        copy.reuseNext(shiftedBy: 5)
        #expect(list.map(\.name.start) == [30, 40])
        #expect(copy.map(\.name.start) == [50, 45])
        list.removeAll()
        list.reuse(2, shiftedBy: 1)
        #expect(list.map(\.name.start) == [31, 41])
        #expect(copy.map(\.name.start) == [50, 45])
    }

    /// After the first differing label, the rest of the section is compared at once (`takeOverRest`): taken over
    /// only when every byte up to the closing brace is the last line's, otherwise label by label.
    @Test func restOfSectionIsTakenOverOnlyWhenAllOfItRepeats() throws {
        let first = "m{type=\"download\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\"} 1"
        let seconds = [
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.1\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.00\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\",x=\"1\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaX\",ip=\"10.0.0.0\"} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\",} 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\" } 1",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\"}",
            "m{type=\"upload\",task=\"standard\",host=\"e220a8397b1dcdaf\",ip=\"10.0.0.0\"",
        ]
        for second in seconds {
            for openMetrics in [true, false] {
                let format: ExpositionFormat = openMetrics ? .openMetrics : .prometheusText
                let input = Array((first + "\n" + second + "\n" + (openMetrics ? "# EOF\n" : "")).utf8)
                let remembered = Self.detailedTrace(input, format: format, memory: true, lineByLine: false)
                let forgotten = Self.detailedTrace(input, format: format, memory: false, lineByLine: false)
                #expect(remembered == forgotten, "\(second)")
            }
        }
        // The two series of a W1 host: all but the first label taken over.
        let reused = try probeSamples("# TYPE m gauge\n\(first)\n\(seconds[0])\n# EOF\n") { $0._entry.reusedLabels }
        #expect(reused == [0, 0b1110])
    }

    /// `_matchLength` (words, an overlapping last word, or two overlapping halves, or bytes) against a byte loop.
    @Test func matchLengthIsTheFirstDifference() {
        var random = SplitMix64(state: 0x11ae_0004)
        for _ in 0..<50_000 {
            let count = Int(random.next() % 40)
            let a = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next() % 3) }
            var b = a
            // Mostly one difference somewhere, at times none.
            if count > 0 && random.next() % 4 != 0 { b[Int(random.next() % UInt64(count))] ^= 1 << (random.next() % 8) }
            var expected = 0
            while expected < count && a[expected] == b[expected] { expected += 1 }
            let matched = unsafe a.withUnsafeBytes { a in
                unsafe b.withUnsafeBytes { b in
                    unsafe _matchLength(
                        a.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!,
                        b.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count)
                }
            }
            #expect(matched == expected, "\(a) \(b)")
        }
    }

    /// `_commonPrefixLength` (a first word, then two words per step, then one, then bytes) against a byte loop.
    @Test func commonPrefixIsTheFirstDifference() {
        var random = SplitMix64(state: 0x11ae_0003)
        for _ in 0..<50_000 {
            let count = Int(random.next() % 48)
            let a = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next() % 3) }
            var b = a
            // Mostly one difference somewhere, at times none.
            if count > 0 && random.next() % 4 != 0 { b[Int(random.next() % UInt64(count))] ^= 1 << (random.next() % 8) }
            let limit = count == 0 ? 0 : Int(random.next() % UInt64(count + 1))
            var expected = 0
            while expected < limit && a[expected] == b[expected] { expected += 1 }
            let common = unsafe a.withUnsafeBytes { a in
                unsafe b.withUnsafeBytes { b in unsafe _commonPrefixLength(a.baseAddress!, b.baseAddress!, limit) }
            }
            #expect(common == expected, "\(a) \(b) \(limit)")
        }
    }

    @Test func specialLabelKeysAreTheKeysOfTheirNames() {
        for (name, key) in [("le", _leNameKey), ("quantile", _quantileNameKey), ("__name__", _reservedNameKey)] {
            let bytes = Array(name.utf8)
            let computed = unsafe bytes.withUnsafeBytes { unsafe _nameKey($0.baseAddress, 0, $0.count) }
            #expect(computed == key, "\(name)")
        }
    }

    @Test func shortDecimalsParseAsTheStandardLibraryDoes() {
        var random = SplitMix64(state: 0x11ae_0002)
        for _ in 0..<100_000 {
            let digits = Int(1 + random.next() % 20)
            var text = String((0..<digits).map { _ in Character(String(random.next() % 10)) })
            if random.next() % 4 != 0 {
                let point = Int(random.next() % UInt64(digits + 1))
                text.insert(".", at: text.index(text.startIndex, offsetBy: point))
            }
            let parsed = Array(text.utf8).withUnsafeBytes { _Number.parseFloat($0) }
            #expect(parsed?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }
}
