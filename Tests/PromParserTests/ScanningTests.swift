import PromTestSupport
import Testing

@testable import PromParser

/// The word-at-a-time scanners and the one-pass label screen against their byte-by-byte definitions.
@Suite struct ScanningTests {
    /// Bytes that matter to the scanners, plus random ones.
    static let interesting: [UInt8] =
        Array("\"\\\n\t ,={}:_azAZ09@[`{~".utf8) + [0x00, 0x1F, 0x2F, 0x3B, 0x5E, 0x7F, 0x80, 0xC3, 0xFF]

    static func randomWord(_ random: inout SplitMix64) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<8 {
            let byte =
                random.next() % 2 == 0
                ? interesting[Int(random.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: random.next())
            word |= UInt64(byte) << (8 * UInt64(index))
        }
        return word
    }

    /// The index of the first byte of `word` for which `matches` holds, or 8.
    static func firstByte(_ word: UInt64, _ matches: (UInt8) -> Bool) -> Int {
        for index in 0..<8 where matches(UInt8(truncatingIfNeeded: word >> (8 * UInt64(index)))) { return index }
        return 8
    }

    @Test func specialBytesFindTheFirstQuoteBackslashOrNonASCIIByte() {
        var random = SplitMix64(state: 0x5eed_0001)
        for _ in 0..<200_000 {
            let word = Self.randomWord(&random)
            let expected = Self.firstByte(word) { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 >= 0x80 }
            let found = _specialBytes(word)
            #expect((found == 0 ? 8 : found.trailingZeroBitCount >> 3) == expected, "\(String(word, radix: 16))")
        }
    }

    @Test func nonNameBytesAreExact() {
        var random = SplitMix64(state: 0x5eed_0002)
        for _ in 0..<200_000 {
            let word = Self.randomWord(&random)
            for metric in [false, true] {
                var expected: UInt64 = 0
                for index in 0..<8 {
                    let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index)))
                    let isName = metric ? _isMetricNameChar(byte) : _isLabelNameChar(byte)
                    if !isName { expected |= 0x80 << (8 * UInt64(index)) }
                }
                #expect(_nonNameBytes(word, metric: metric) == expected, "\(String(word, radix: 16)) \(metric)")
            }
        }
    }

    @Test(arguments: [
        // Duplicates and __name__ among few and many labels, with names that share their first eight bytes.
        ("a{x=\"1\",y=\"2\",x=\"3\"} 1\n", #"1:15: duplicate label name "x""#),
        ("a{__name__=\"b\"} 1\n", #"1:3: label name "__name__" is reserved"#),
        ("a{long_name_a=\"1\",long_name_b=\"2\",long_name_a=\"3\"} 1\n", #"1:35: duplicate label name "long_name_a""#),
        (
            "a{" + (0..<20).map { "l\($0)=\"v\"" }.joined(separator: ",") + ",l7=\"w\"} 1\n",
            #"1:153: duplicate label name "l7""#
        ),
    ])
    func duplicateLabelNamesAreFound(_ input: String, _ message: String) {
        for format in [ExpositionFormat.prometheusText, .openMetrics] {
            var parser = ExpositionParser(format: format)
            parser.feed(Array(input.utf8))
            #expect(throws: PromParseError.self) { _ = try parser.next() }
            do {
                _ = try parser.next()
            } catch {
                #expect(error.description == message)
            }
        }
    }

    @Test func similarButDistinctLabelNamesAreAccepted() throws {
        // Equal lengths and equal first (and last) eight bytes, more than 16 labels, and names in scratch.
        let labels = (0..<20).map { "label_name_\($0)_x=\"v\"" } + ["\"la\\\"bel\"=\"v\"", "\"la\\\\bel\"=\"v\""]
        let input = "a{" + labels.joined(separator: ",") + ",long_aaaa_b=\"1\",long_aaaa_c=\"2\"} 1\n# EOF\n"
        for format in [ExpositionFormat.prometheusText, .openMetrics] {
            var parser = ExpositionParser(format: format)
            parser.feed(Array(input.utf8))
            parser.finish()
            #expect(try parser.next() == .sample)
            #expect(parser.labelCount == 24)
        }
    }

    @Test func metricNamesThatExtendOrShortenThePreviousOneAreScannedWhole() throws {
        let names = ["abc_def", "abc_def", "abc_def:x", "abc_de", "abc_def", "abc_defg", "a", "abc_def"]
        let input = names.map { "\($0){l=\"v\"} 1\n" }.joined() + "abc_def 2\n"
        var parser = ExpositionParser(format: .prometheusText)
        parser.feed(Array(input.utf8))
        parser.finish()
        var seen: [String] = []
        while let entry = try parser.next() { if entry == .sample { seen.append(parser.metricName) } }
        #expect(seen == names + ["abc_def"])
    }

    @Test func plainDecimalsAreExactlyDigitsWithAtMostOneInnerPointAndAlwaysParse() {
        // The text format accepts an `le`/`quantile` value that `isPlainDecimal` accepts without parsing it, so it
        // must accept only literals `parseFloat` accepts, and exactly the `digits[.digits]` of at most 20 bytes.
        let alphabet = Array("0123456789.+-eEinfaINFAx_ ".utf8)
        var random = SplitMix64(state: 0x5eed_0003)
        for _ in 0..<200_000 {
            let count = Int(random.next() % 24)
            let bytes = (0..<count).map { _ in
                random.next() % 3 == 0
                    ? alphabet[Int(random.next() % UInt64(alphabet.count))]
                    : UInt8(ascii: "0") + UInt8(random.next() % 10)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let isDigits = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
            let expected = count <= 20 && parts.count <= 2 && parts.allSatisfy(isDigits)
            bytes.withUnsafeBytes { token in
                let plain = _Number.isPlainDecimal(token)
                #expect(plain == expected, "\(text)")
                if plain { #expect(_Number.parseFloat(token) != nil, "\(text)") }
            }
        }
    }

    @Test(
        arguments: [
            ("a_bucket{le=\"0.25\"} 1\n", nil),
            ("a_bucket{le=\"12345678901234567890\"} 1\n", nil),
            ("a_bucket{le=\"1.\"} 1\n", nil),
            ("a_bucket{le=\"+Inf\"} 1\n", nil),
            ("a_bucket{le=\"1.2.3\"} 1\n", #"2:10: expected float as value for "le" label, got "1.2.3""#),
            ("a_bucket{le=\"\"} 1\n", #"2:10: expected float as value for "le" label, got """#),
            ("a{quantile=\"0.5x\"} 1\n", #"2:3: expected float as value for "quantile" label, got "0.5x""#),
        ] as [(String, String?)])
    func textBoundLabelsAreCheckedWithAndWithoutTheFastPath(_ sample: String, _ message: String?) {
        let type = sample.hasPrefix("a_bucket") ? "histogram" : "summary"
        var parser = ExpositionParser(format: .prometheusText)
        parser.feed(Array("# TYPE a \(type)\n\(sample)".utf8))
        parser.finish()
        do {
            while let entry = try parser.next(), entry != .eof {}
            #expect(message == nil)
        } catch {
            #expect(error.description == message)
        }
    }
}
