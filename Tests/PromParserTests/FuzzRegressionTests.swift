import Testing

@testable import PromParser

/// Inputs that once crashed or misbehaved. Every crash the fuzzers find (`Fuzz/Regressions/<Target>/`) gets a test
/// here too; the first entries are bugs found by the unit tests while the parser was written.
@Suite struct FuzzRegressionTests {
    /// Calls every accessor after every entry, the way the fuzz targets do.
    private func exercise(_ input: [UInt8], _ format: ExpositionFormat, chunks: [Int] = []) -> [String] {
        trace(input, format: format, chunks: chunks)
    }

    @Test func accessorsAfterEOFOfAnInputWithoutFinalNewlineDoNotTrap() {
        // Reading the entry after .eof once indexed the released carry buffer.
        let lines = exercise(Array("null_byte_metric{a=\"abc\u{0}\"} 1".utf8), .prometheusText)
        #expect(lines.last == "EOF")
    }

    @Test func feedingAgainBeforeDrainingKeepsWholeLinesApart() {
        // Unread whole lines were once moved into the carry buffer, gluing two lines into one.
        var parser = ExpositionParser(format: .prometheusText)
        parser.feed(Array("a 1\nb".utf8))
        parser.feed(Array(" 2\n".utf8))
        parser.finish()
        var names: [String] = []
        do {
            while let entry = try parser.next() { if entry == .sample { names.append(parser.metricName) } }
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(names == ["a", "b"])
    }

    @Test(arguments: regressionInputs)
    func recordedFuzzInputsParseWithoutTrapping(_ input: [UInt8]) {
        for format in ExpositionFormat.allCases {
            let whole = exercise(input, format)
            #expect(exercise(input, format, chunks: Array(repeating: 1, count: input.count)) == whole)
        }
    }
}

/// Minimized fuzzer inputs (also in `Fuzz/Regressions/`), as byte arrays so the test needs no files.
let regressionInputs: [[UInt8]] = [
    Array("a{b=\"\\".utf8),
    Array("# TYPE a histogram\na_bucket{le=\"+Inf\"} 1 # {a=\"b\"} 1 1\n# EOF".utf8),
    [0x7B, 0x22, 0xFF, 0x22, 0x7D, 0x20, 0x31, 0x0A],
    Array("#\n#  \n# HELP\n# TYPE \"\n".utf8),
]
