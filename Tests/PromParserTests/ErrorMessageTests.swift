import Testing

@testable import PromParser

/// Table of invalid inputs with the exact `LINE:COL: message` that `promkit parse` prints for them.
@Suite struct ErrorMessageTests {
    static let textCases: [(String, String)] = [
        ("foo{a=x} 1\n", #"1:7: expected label value, got "x" (INVALID) while parsing: "foo{a=x""#),
        ("a\n", #"1:2: expected value after metric, got "\n" (LINEBREAK) while parsing: "a\n""#),
        ("foo 1_2\n", #"1:5: expected a float, got "1_2" while parsing: "foo 1_2""#),
        ("a 1 2 3\n", #"1:7: expected next entry after timestamp, got "3" (INVALID) while parsing: "a 1 2 3""#),
        ("# TYPE a meh\n", #"1:10: invalid metric type "meh""#),
        ("a{a=\"1\",a=\"2\"} 1\n", #"1:9: duplicate label name "a""#),
        ("{a=\"ok\"} 1\n", #"1:1: metric name not set while parsing: "{a=\"ok\"} 1""#),
        ("a{b=\"\\t\"} 1\n", #"1:6: invalid escape sequence "\\t" in label value"#),
        ("# HELP a x\n# HELP a y\n", #"2:8: second HELP line for metric name "a""#),
        // The role of a sample name comes back from the validator's recent names (`_RecentRoles`), unless a TYPE
        // line came since.
        (
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_bucket{le=\"+Inf\"} 1\nh_count -1\n",
            "5:9: negative count for histogram"
        ),
        (
            "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\ns{quantile=\"x\"} 1\n",
            #"4:3: expected float as value for "quantile" label, got "x""#
        ),
        (
            "a_bucket{le=\"1\"} -1\nb 1\n# TYPE a histogram\na_bucket{le=\"1\"} -1\n",
            "4:18: negative bucket population for histogram"
        ),
    ]

    static let openMetricsCases: [(String, String)] = [
        ("a  1\n# EOF\n", #"1:3: expected value after metric, got " " (WHITESPACE) while parsing: "a  ""#),
        (
            "# TYPE a counter\na_total -1\n# EOF\n",
            #"2:9: counter _total value must not be NaN or negative (family "a")"#
        ),
        ("a 1\n\n# EOF\n", #"2:1: expected a valid start token, got "\n" (LINEBREAK) while parsing: "\n""#),
        (
            "# TYPE a histogram\na_bucket{le=\"1\"} 0\n# EOF\n",
            #"3:1: histogram MetricPoint of "a" lacks the le="+Inf" bucket"#
        ),
        ("a 1\n# EOF\nb", "3:1: unexpected data after # EOF"),
        // `le` is part of a gauge's label set (the label pass adds it back, see `_LabelPass.groupHash`).
        (
            "# TYPE a gauge\na{le=\"1\"} 1\na{le=\"2\"} 1\na{le=\"1\"} 1\n# EOF\n",
            #"4:1: metrics of family "a" are interleaved"#
        ),
        (
            "# TYPE a histogram\na_bucket{x=\"1\",le=\"+Inf\"} 1\na_bucket{x=\"2\",le=\"+Inf\"} 1\n"
                + "a_bucket{x=\"1\",le=\"+Inf\"} 1\n# EOF\n",
            #"4:1: metrics of family "a" are interleaved"#
        ),
        ("a 1\n", "1:1: data does not end with # EOF"),
        (
            "#a 1\n# EOF\n",
            ##"1:1: expected "# TYPE ", "# HELP ", "# UNIT " or "# EOF" (OpenMetrics has no comments), got "#a 1""##
        ),
        (
            "# TYPE a gauge\na 1 # {x=\"y\"} 1\n# EOF\n",
            #"2:1: exemplars are only allowed on counter _total and histogram _bucket samples, not in family "a""#
        ),
    ]

    @Test(arguments: textCases)
    func textErrorsReadLikePrometheus(_ input: String, _ expected: String) {
        #expect(message(input, .prometheusText) == expected)
    }

    @Test(arguments: openMetricsCases)
    func openMetricsErrorsNameTheRule(_ input: String, _ expected: String) {
        #expect(message(input, .openMetrics) == expected)
    }

    private func message(_ input: String, _ format: ExpositionFormat) -> String? {
        do {
            _ = try NormalizedDump.render(Array(input.utf8), format: format)
            return nil
        } catch {
            return error.description
        }
    }
}
