import Testing

@testable import PromParser

/// Cases where our verdict differs from the source's, with the reason; `docs/CONFORMANCE.md` has the same table.
/// The test asserts this exact list, so any change of behaviour on the corpus is noticed.
let knownDifferences: [String: String] = [
    "client_python-cp-om-complex_name_counter": "whitespace inside OpenMetrics braces (client_python extension)",
    "client_python-cp-om-escaping": "whitespace inside OpenMetrics braces (client_python extension)",
    "client_python-cp-om-native_histogram": "native-histogram {count:...} syntax is not OpenMetrics 1.0",
    "client_python-cp-om-native_histogram_three_pos_spans_no_neg_spans_or_deltas":
        "native-histogram {count:...} syntax is not OpenMetrics 1.0",
    "client_python-cp-om-native_histogram_utf8": "native-histogram {count:...} syntax is not OpenMetrics 1.0",
    "client_python-cp-om-native_histogram_utf8_stress":
        "native-histogram syntax and whitespace inside OpenMetrics braces",
    "client_python-cp-om-native_histogram_with_classic_histogram":
        "native-histogram {count:...} syntax is not OpenMetrics 1.0",
    "client_python-cp-om-native_plus_classic_histogram_two_labelsets":
        "native-histogram {count:...} syntax is not OpenMetrics 1.0",
    "client_python-cp-prom-escaping": "text 0.0.4 label value with an unescaped backslash (\\z)",
    "common-err-00": "last line without line feed accepted (as Prometheus does)",
    "common-err-41": "quoted UTF-8 metric names accepted (Prometheus 3.x extension)",
    "common-err-42": "quoted UTF-8 label names accepted (Prometheus 3.x extension)",
    "prometheus-omparse-st-01": "OpenMetrics family interleaving (foo_total / foo_created without TYPE)",
    "prometheus-omparse-utf8": "OpenMetrics family interleaving (go.gc_duration_seconds_sum after another family)",
    "prometheus-testdata-alltypes.5mfs.om": "negative histogram _sum (OpenMetrics: sum must not be negative)",
]

@Suite struct ConformanceTests {
    @Test func corpusIsPresent() {
        #expect(CorpusCase.all.count == 313)
    }

    @Test(arguments: CorpusCase.names)
    func caseGivesTheExpectedVerdictAndSamples(_ name: String) throws {
        let testCase = CorpusCase.named(name)
        let result = Result { () throws(PromParseError) in
            try NormalizedDump.render(testCase.input, format: testCase.format)
        }
        let valid = (try? result.get()) != nil
        if let reason = knownDifferences[name] {
            #expect(valid != testCase.expectValid, "known difference no longer differs: \(reason)")
            return
        }
        #expect(valid == testCase.expectValid, "\(name): \(result)")
        if valid, let samples = testCase.samples {
            let output = try result.get()
            #expect(String(decoding: output, as: UTF8.self) == String(decoding: samples, as: UTF8.self))
            #expect(output == samples)
        }
    }

    @Test func everyOpenMetricsSuiteCaseMatches() {
        for testCase in CorpusCase.all where testCase.name.hasPrefix("openmetrics-") {
            #expect(knownDifferences[testCase.name] == nil)
        }
    }

    @Test func knownDifferencesAreExactlyTheDocumentedList() {
        var differing: [String] = []
        for testCase in CorpusCase.all {
            let valid = (try? NormalizedDump.render(testCase.input, format: testCase.format)) != nil
            if valid != testCase.expectValid { differing.append(testCase.name) }
        }
        #expect(differing.sorted() == knownDifferences.keys.sorted())
    }

    @Test func lenientModeReproducesSourceStatedSamplesOfRejectedCases() throws {
        let testCase = CorpusCase.named("prometheus-omparse-utf8")
        let output = try NormalizedDump.render(
            testCase.input, format: .openMetrics, options: ParserOptions(validation: .syntaxOnly))
        #expect(output == testCase.samples)
    }
}
