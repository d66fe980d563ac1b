import PromExposition
import Testing

@testable import PromHTTP

extension HTTPTests {
    @Suite struct ContentNegotiationTests {
        static let prometheus242Accept =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

        @Test func prometheus242AcceptHeaderGetsOpenMetrics() {
            #expect(ContentNegotiation.format(accept: Self.prometheus242Accept) == .openMetrics)
        }

        @Test func prometheus242AcceptHeaderGetsTextWhenOpenMetricsIsNotOffered() {
            #expect(
                ContentNegotiation.format(accept: Self.prometheus242Accept, offersOpenMetrics: false) == .prometheusText
            )
        }

        @Test(arguments: [
            ("text/plain;version=0.0.4", ExpositionWriterFormat.prometheusText),
            ("text/plain", .prometheusText),
            ("*/*", .prometheusText),
            ("application/openmetrics-text", .openMetrics),
            ("application/openmetrics-text; version=\"1.0.0\"; charset=utf-8", .openMetrics),
            ("APPLICATION/OpenMetrics-Text;Version=1.0.0", .openMetrics),
            ("application/*;q=0.9, text/plain;q=0.5", .openMetrics),
            ("application/openmetrics-text;version=0.0.1", .prometheusText),
            ("application/openmetrics-text;q=0.4, text/plain;q=0.5", .prometheusText),
            ("application/openmetrics-text;q=0.5, text/plain;q=0.5", .prometheusText),
            ("application/openmetrics-text;q=0, */*", .prometheusText),
            ("text/plain;q=0, application/openmetrics-text;q=0.1", .openMetrics),
            ("text/html", .prometheusText),
        ])
        func acceptHeaderChoosesTheHighestWeightedFormat(accept: String, expected: ExpositionWriterFormat) {
            #expect(ContentNegotiation.format(accept: accept) == expected)
        }

        @Test(arguments: [
            "", ",,,", ";;;", "application/openmetrics-text;q=abc", "application/openmetrics-text;q=2",
            "application/openmetrics-text;q=0.12345", "application/openmetrics-text;q=-1", "garbage", "/", "\u{0}\u{1}",
            "application/openmetrics-text;;;q", String(repeating: "a/b;", count: 1000),
        ])
        func malformedAcceptHeadersGetText(accept: String) {
            #expect(ContentNegotiation.format(accept: accept) == .prometheusText)
        }

        @Test func aMalformedElementIsIgnoredButTheOthersCount() {
            #expect(
                ContentNegotiation.format(accept: "text/plain;q=bad, application/openmetrics-text;q=0.2")
                    == .openMetrics)
        }

        @Test(arguments: [
            (String?.none, MetricsContentEncoding?.some(.identity)),
            ("gzip", .gzip),
            ("GZIP", .gzip),
            ("x-gzip", .gzip),
            ("deflate, gzip;q=1.0, *;q=0.5", .gzip),
            ("gzip;q=0", .identity),
            ("gzip;q=0.5, identity;q=0.9", .identity),
            ("gzip;q=0.9, identity;q=0.5", .gzip),
            ("*", .gzip),
            ("br", .identity),
            ("", .identity),
            ("identity;q=0, gzip", .gzip),
            ("identity;q=0", nil),
            ("*;q=0", nil),
            ("gzip;q=0, identity;q=0", nil),
            ("br, *;q=0", nil),
            ("gzip;q=nonsense", .identity),
        ])
        func acceptEncodingChoosesGzipIdentityOrNothing(header: String?, expected: MetricsContentEncoding?) {
            #expect(ContentNegotiation.encoding(acceptEncoding: header) == expected)
        }

        @Test func gzipIsNotChosenWhenNotOffered() {
            #expect(ContentNegotiation.encoding(acceptEncoding: "gzip", offersGzip: false) == .identity)
            #expect(ContentNegotiation.encoding(acceptEncoding: "gzip, identity;q=0", offersGzip: false) == nil)
        }
    }
}
