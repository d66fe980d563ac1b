import Testing

@testable import PromParser

@Suite struct ParserAPITests {
    private func parseAll(
        _ text: String, _ format: ExpositionFormat, _ options: ParserOptions = ParserOptions()
    )
        throws(PromParseError) -> String
    {
        String(decoding: try NormalizedDump.render(Array(text.utf8), format: format, options: options), as: UTF8.self)
    }

    @Test func pullLoopReportsEntriesThenNeedsMoreInputThenEOF() throws {
        var parser = ExpositionParser(format: .prometheusText)
        parser.feed(Array("# HELP a Some help.\n# TYPE a counter\na{x=\"1\"} 2 1000\na 3\n# comment\npar".utf8))
        #expect(try parser.next() == .help)
        #expect(parser.metricName == "a")
        #expect(parser.helpText == "Some help.")
        #expect(try parser.next() == .type)
        #expect(parser.metricType == .counter)
        #expect(try parser.next() == .sample)
        #expect(parser.labels == [PromLabel(name: "x", value: "1")])
        #expect(parser.value == 2)
        #expect(parser.timestamp == 1000)
        #expect(try parser.next() == .sample)
        #expect(parser.timestamp == nil)
        #expect(try parser.next() == .comment)
        #expect(parser.comment == "# comment")
        #expect(try parser.next() == nil)
        parser.feed(Array("tial 4\n".utf8))
        #expect(try parser.next() == .sample)
        #expect(parser.metricName == "partial")
        #expect(parser.lineNumber == 6)
        #expect(try parser.next() == nil)
        parser.finish()
        #expect(try parser.next() == .eof)
        #expect(try parser.next() == nil)
    }

    @Test func labelValuesAreUnescapedOnlyWhenTheyHoldABackslash() throws {
        var parser = ExpositionParser(format: .openMetrics)
        parser.feed(
            Array("# TYPE a counter\na_total{p=\"plain\",e=\"x\\\\y\\\"z\\n\"} 1 # {t=\"q\"} 0.5 12.5\n# EOF\n".utf8))
        parser.finish()
        #expect(try parser.next() == .type)
        #expect(try parser.next() == .sample)
        #expect(parser.labels == [PromLabel(name: "p", value: "plain"), PromLabel(name: "e", value: "x\\y\"z\n")])
        #expect(parser._entry.labels[0].value.inScratch == false)
        #expect(parser._entry.labels[1].value.inScratch == true)
        #expect(parser.hasExemplar)
        #expect(parser.exemplarLabels == [PromLabel(name: "t", value: "q")])
        #expect(parser.exemplarValue == 0.5)
        #expect(parser.exemplarTimestamp == 12500)
        #expect(try parser.next() == .eof)
    }

    @Test func copyingFeedAcceptsAReusedBuffer() throws {
        var parser = ExpositionParser(format: .prometheusText)
        var buffer = Array("a 1\nb".utf8)
        buffer.withUnsafeBytes { parser.feed($0) }
        buffer = Array(" 2\n".utf8)
        buffer.withUnsafeBytes { parser.feed($0) }
        parser.finish()
        var names: [String] = []
        while let entry = try parser.next() { if entry == .sample { names.append(parser.metricName) } }
        #expect(names == ["a", "b"])
    }

    @Test func anOutOfRangeLineLimitIsClampedNotATrap() throws {
        #expect(ParserOptions(maxLineLength: 0).maxLineLength == 16)
        #expect(ParserOptions(maxLineLength: -1).maxLineLength == 16)
        #expect(ParserOptions(maxLineLength: .max).maxLineLength == Int(Int32.max) - 1)
        // The public `var` can be set past the range after init: the parser clamps it too.
        var options = ParserOptions()
        options.maxLineLength = -7
        var parser = ExpositionParser(format: .prometheusText, options: options)
        parser.feed(Array("this_line_is_much_too_long 1\n".utf8))
        #expect(throws: PromParseError.self) { while try parser.next() != nil {} }
        options.maxLineLength = .max
        parser = ExpositionParser(format: .prometheusText, options: options)
        parser.feed(Array("this_line_is_much_too_long 1\n".utf8))
        parser.finish()
        var samples = 0
        while let entry = try parser.next() { if entry == .sample { samples += 1 } }
        #expect(samples == 1)
    }

    @Test func aLineLongerThanTheLimitIsAClearErrorWhateverTheChunking() {
        let options = ParserOptions(maxLineLength: 16)
        let input = Array("short 1\nthis_line_is_much_too_long 1\n".utf8)
        for chunk in [1, 5, input.count] {
            var parser = ExpositionParser(format: .prometheusText, options: options)
            var caught: PromParseError? = nil
            var start = 0
            outer: while start < input.count {
                parser.feed(Array(input[start..<min(start + chunk, input.count)]))
                start += chunk
                do { while try parser.next() != nil {} } catch { caught = error; break outer }
            }
            #expect(caught?.kind == .lineTooLong)
            #expect(caught?.description == "2:17: line is longer than the maximum of 16 bytes")
            #expect(parser._input.carry.capacity < 64)
        }
    }

    @Test func errorsAreStickyAndCarryLineAndColumn() throws {
        var parser = ExpositionParser(format: .prometheusText)
        parser.feed(Array("ok 1\nfoo{a=x} 1\n".utf8))
        #expect(try parser.next() == .sample)
        #expect(throws: PromParseError.self) { try parser.next() }
        do {
            _ = try parser.next()
        } catch {
            #expect(error.description == "2:7: expected label value, got \"x\" (INVALID) while parsing: \"foo{a=x\"")
        }
    }

    @Test func openMetricsWithoutEOFIsAnError() {
        #expect(
            throws: PromParseError(kind: .unexpectedEnd, line: 1, column: 1, message: "data does not end with # EOF")
        ) {
            try parseAll("a 1\n", .openMetrics)
        }
    }

    @Test func syntaxOnlyModeSkipsCrossLineRules() throws {
        let interleaved = "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n"
        #expect(throws: PromParseError.self) { try parseAll(interleaved, .openMetrics) }
        #expect(try parseAll(interleaved, .openMetrics, ParserOptions(validation: .syntaxOnly)).hasSuffix("a 2\n"))
    }

    @Test func quotedNamesCanBeTurnedOff() {
        let input = "{\"a.b\"} 1\n"
        #expect((try? parseAll(input, .prometheusText)) == "\"a.b\" 1\n")
        #expect(throws: PromParseError.self) {
            try parseAll(input, .prometheusText, ParserOptions(allowsQuotedNames: false))
        }
    }

    @Test func familyCollectorGroupsSamplesBySuffix() throws {
        let text = """
            # HELP h Latency.
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            other 5

            """
        let families = try PromFamilyCollector.parse(Array(text.utf8), format: .prometheusText)
        #expect(families.map(\.name) == ["h", "other"])
        #expect(families[0].type == .histogram)
        #expect(families[0].help == "Latency.")
        #expect(families[0].samples.count == 4)
        #expect(families[1].type == nil)
    }
}

@Suite struct FormatDetectionTests {
    @Test func contentTypeSelectsTheFormat() {
        #expect(
            ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: " Application/OpenMetrics-Text ") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4") == .prometheusText)
        #expect(ExpositionFormat(contentType: "TEXT/PLAIN") == .prometheusText)
        #expect(
            ExpositionFormat(contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily")
                == nil)
        #expect(ExpositionFormat(contentType: "") == nil)
    }

    @Test func bodyEndingWithEOFIsOpenMetrics() {
        #expect(ExpositionFormat.detect(body: Array("a 1\n# EOF\n".utf8)) == .openMetrics)
        #expect(ExpositionFormat.detect(body: Array("# EOF".utf8)) == .openMetrics)
        #expect(ExpositionFormat.detect(body: Array("a 1\n".utf8)) == .prometheusText)
        #expect(ExpositionFormat.detect(body: Array("a 1\n## EOF\n".utf8)) == .prometheusText)
        #expect(ExpositionFormat.detect(body: Array("# EOF\n\n".utf8)) == .prometheusText)
        #expect(ExpositionFormat.detect(body: [UInt8]()) == .prometheusText)
    }
}

@Suite struct NumberTests {
    @Test(arguments: [
        (1.0, "1"), (1423.0, "1423"), (324789.3, "324789.3"), (1e6, "1e+06"), (4.9351e-05, "4.9351e-05"),
        (1520872607.123, "1.520872607123e+09"), (0.0001, "0.0001"), (1e-5, "1e-05"), (-0.0, "-0"), (0.0, "0"),
        (123456.0, "123456"), (1234567.0, "1.234567e+06"), (1e100, "1e+100"), (Double.leastNonzeroMagnitude, "5e-324"),
        (.infinity, "+Inf"), (-.infinity, "-Inf"), (0.013300656000000001, "0.013300656000000001"),
        (9223372036854775808.0, "9.223372036854776e+18"), (-3000.0, "-3000"),
    ])
    func floatsAreFormattedLikeGo(_ value: Double, _ expected: String) {
        #expect(goFormatFloat(value) == expected)
    }

    @Test func nanIsFormattedLikeGo() {
        #expect(goFormatFloat(.nan) == "NaN")
    }

    @Test(arguments: [
        ("1", 1.0), ("-1.5e3", -1500.0), (".5", 0.5), ("5.", 5.0), ("+Inf", Double.infinity),
        ("-inf", -Double.infinity),
        ("Infinity", Double.infinity), ("0000001.2e-1", 0.12), ("7.424100000000001e-05", 7.424100000000001e-05),
        ("0.013300656000000001", 0.013300656000000001), ("123456789012345678901234567890", 1.2345678901234568e+29),
        ("1e-400", 0.0), ("2.2250738585072014e-308", Double.leastNormalMagnitude),
    ])
    func floatLiteralsParseExactly(_ text: String, _ expected: Double) {
        let parsed = Array(text.utf8).withUnsafeBytes { _Number.parseFloat($0) }
        #expect(parsed == expected)
    }

    @Test(arguments: [
        "", "+", "-", "e5", "1e", "1e+", "0x1p-3", "1_2", "nan1", "+nan", "1.1.1", " 1", "1 ", "infinit", "1e400", ".",
        "true",
    ])
    func invalidFloatLiteralsAreRejected(_ text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes { _Number.parseFloat($0) }
        #expect(parsed == nil)
    }

    @Test func nanLiteralIsAccepted() {
        let parsed = Array("NaN".utf8).withUnsafeBytes { _Number.parseFloat($0) }
        #expect(parsed?.isNaN == true)
    }

    @Test func integerTimestampsFollowGoParseInt() {
        func parse(_ text: String) -> Int64? { Array(text.utf8).withUnsafeBytes { _Number.parseInt64($0) } }
        #expect(parse("-9223372036854775808") == .min)
        #expect(parse("9223372036854775807") == .max)
        #expect(parse("9223372036854775808") == nil)
        #expect(parse("+12") == 12)
        #expect(parse("1.0") == nil)
    }

    @Test func suffixLookupMatchesTheSuffixTexts() {
        let all: [_Suffix] = [.none, .total, .created, .count, .sum, .bucket, .gcount, .gsum, .info]
        for suffix in all {
            let text = "\(suffix.text)"
            let found = Array(text.utf8).withUnsafeBytes { _Suffix(text: $0) }
            #expect(found == suffix, "\(text)")
        }
        for text in ["_tota", "_totals", "_Total", "_sums", "_infx", "_gsux", "_buckex", "_gcounx", "_createx", "x"] {
            #expect(Array(text.utf8).withUnsafeBytes { _Suffix(text: $0) } == nil, "\(text)")
        }
        for type in PromMetricType.allCases {
            var mask: UInt16 = 0
            for suffix in _Suffix.allowed(for: type) { mask |= suffix.bit }
            #expect(mask == _Suffix.allowedMask(for: type), "\(type)")
        }
    }

    @Test func copyingFeedReusesItsBufferAndKeepsAnUnfinishedLine() throws {
        var parser = ExpositionParser(format: .prometheusText)
        var names: [String] = []
        // Chunks that split lines anywhere, fed through one reused caller buffer.
        let input = Array("alpha 1\nbeta{x=\"y\"} 2\ngamma 3\n".utf8)
        var buffer = [UInt8](repeating: 0, count: 5)
        var start = 0
        while start < input.count {
            let end = min(start + 5, input.count)
            buffer.replaceSubrange(0..<buffer.count, with: input[start..<end])
            buffer.withUnsafeBytes { parser.feed($0) }
            // Pull only one entry per chunk, so that whole unread lines stay in the chunk buffer.
            if let entry = try parser.next(), entry == .sample { names.append(parser.metricName) }
            start = end
        }
        parser.finish()
        while let entry = try parser.next() { if entry == .sample { names.append(parser.metricName) } }
        #expect(names == ["alpha", "beta", "gamma"])
    }

    @Test func aCopiedParserContinuesIndependently() throws {
        var parser = ExpositionParser(format: .openMetrics)
        parser.feed(Array("# TYPE a counter\na_total 1\na_total 2\n# EOF\n".utf8))
        parser.finish()
        #expect(try parser.next() == .type)
        #expect(try parser.next() == .sample)
        var copy = parser
        #expect(try copy.next() == .sample)
        #expect(copy.value == 2)
        // The original did not move on with the copy.
        #expect(parser.value == 1)
        #expect(try parser.next() == .sample)
        #expect(parser.value == 2)
        #expect(try parser.next() == .eof)
        #expect(try copy.next() == .eof)
    }

    /// The label records are written through a pointer made unique once per line (`_LabelList.makeWritable()`): a
    /// copy of the parser that parses other labels (at other offsets) must leave the original's labels as they were,
    /// and the other way round.
    @Test func aCopiedParserKeepsItsOwnLabels() throws {
        func labels(_ parser: ExpositionParser) -> [String] {
            (0..<parser.labelCount).map { index in
                parser.withLabel(at: index) {
                    String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self)
                }
            }
        }
        let input =
            "# TYPE a counter\na_total{x=\"1\",y=\"2\"} 1\na_total{xyz=\"3\",z=\"4\"} 2\na_total{w=\"5\"} 3\n# EOF\n"
        var parser = ExpositionParser(format: .openMetrics)
        parser.feed(Array(input.utf8))
        parser.finish()
        #expect(try parser.next() == .type)
        #expect(try parser.next() == .sample)
        var copy = parser
        #expect(try copy.next() == .sample)
        #expect(labels(copy) == ["xyz=3", "z=4"])
        #expect(labels(parser) == ["x=1", "y=2"])
        #expect(try parser.next() == .sample)
        #expect(try parser.next() == .sample)
        #expect(labels(parser) == ["w=5"])
        #expect(labels(copy) == ["xyz=3", "z=4"])
        #expect(try copy.next() == .sample)
        #expect(labels(copy) == ["w=5"])
    }
}
