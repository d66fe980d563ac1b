import PromCore
import PromTestSupport

/// A registry with every metric type, labelled and not, units, escaping, custom buckets and special values,
/// plus the samples it must expose in each format.
enum EveryTypeRegistry {
    static let counterWithoutTotal = "app_events"
    static let awkwardHelp = "Events \"seen\" by the app \\ per\nline, ünïcödé ✓"
    static let histogramBounds: [Double] = [0.1, 0.5, 1, 2.5]
    static let payloadBounds = Buckets.exponential(start: 100, factor: 10, count: 3)
    static let specialValues: [(String, Double)] = [
        ("nan", .nan), ("pos_inf", .infinity), ("neg_inf", -.infinity), ("neg_zero", -0.0), ("zero", 0),
        ("max", .greatestFiniteMagnitude), ("min_normal", .leastNormalMagnitude),
        ("min_subnormal", .leastNonzeroMagnitude),
        ("tiny", 1e-300), ("third", 1.0 / 3.0), ("negative", -2.5), ("two_pow_53", 9_007_199_254_740_992),
        ("below_two_pow_53", 9_007_199_254_740_991), ("big", 1e21), ("decimal", 123_456_789.125), ("tenth", 0.1),
        ("small_decimal", 0.000_123), ("negative_big", -1.5e300), ("pi", Double.pi),
    ]
    static let escapedLabelValues: [(String, String)] = [
        ("C:\\dir\\file", "say \"hi\"\nbye"), ("plain", "ünïcödé ✓"), ("", "a\\\"b"),
    ]
    static let requestObservations: [Double] = [0.05, 0.3, 0.3, 2, 7, 0.1, 0.5]

    /// Builds the registry; its content is deterministic.
    static func make() throws -> Registry {
        let registry = Registry()
        try registry.counter("app_requests_total", help: "Requests served.").inc(by: 42)
        try registry.counter("app_events", help: awkwardHelp).inc(by: 7)
        let responses = try registry.counterFamily(
            "http_responses_total", help: "Responses by method and code.", labelNames: ["method", "code"])
        responses.labels(["get", "200"]).inc(by: 3)
        responses.labels(["post", "500"]).inc(by: 2.5)
        _ = responses.labels(["put", "404"])
        responses.labels(["get", ""]).inc()
        try registry.counter("data_sent_bytes_total", help: "Bytes sent.", unit: "bytes").inc(by: UInt64.max)
        try registry.counter("saturated_total", help: "A counter that reached +Inf.").inc(by: Double.infinity)
        try registry.gauge("temperature_celsius", help: "Temperature.", unit: "celsius").set(-0.0)
        let special = try registry.gaugeFamily(
            "special_values", help: "Values that are hard to format.", labelNames: ["case"])
        for (name, value) in specialValues { special.labels([name]).set(value) }
        let escaping = try registry.gaugeFamily(
            "label_escaping", help: "Label values that need escaping.", labelNames: ["path", "quote"])
        for (index, pair) in escapedLabelValues.enumerated() { escaping.labels([pair.0, pair.1]).set(Double(index)) }
        let durations = try registry.histogramFamily(
            "request_duration_seconds", help: "Request duration.", labelNames: ["route"], buckets: histogramBounds,
            unit: "seconds")
        for value in requestObservations { durations.labels(["/a"]).observe(value) }
        _ = durations.labels(["/b"])
        let payload = try registry.histogram(
            "payload_size_bytes", help: "Payload sizes.", buckets: payloadBounds, unit: "bytes")
        payload.observe(1e6)
        payload.observe(100)
        payload.observe(150.5)
        let defaults = try registry.histogram("default_buckets", help: "Default buckets, one observation per bucket.")
        for bound in Buckets.defaults { defaults.observe(bound) }
        defaults.observe(11)
        return registry
    }

    /// The samples, in exposition order, for `openMetrics` or text 0.0.4.
    static func expectedSamples(openMetrics: Bool) -> [ExpectedSample] {
        var samples: [ExpectedSample] = []
        samples.append(ExpectedSample(openMetrics ? "app_events_total" : "app_events", [], integer: 7))
        samples.append(ExpectedSample("app_requests_total", [], integer: 42))
        samples.append(ExpectedSample("data_sent_bytes_total", [], integer: UInt64.max))
        samples += histogram("default_buckets", [], bounds: Buckets.defaults, observations: Buckets.defaults + [11])
        let responses: [(String, String, ExpectedSample.Value)] = [
            ("get", "200", .integer(3)), ("post", "500", .double(2.5)), ("put", "404", .integer(0)),
            ("get", "", .integer(1)),
        ]
        for (method, code, value) in responses {
            samples.append(
                ExpectedSample("http_responses_total", [LabelPair("method", method), LabelPair("code", code)], value))
        }
        for (index, pair) in escapedLabelValues.enumerated() {
            samples.append(ExpectedSample("label_escaping", [("path", pair.0), ("quote", pair.1)], Double(index)))
        }
        samples += histogram("payload_size_bytes", [], bounds: payloadBounds, observations: [1e6, 100, 150.5])
        samples += histogram(
            "request_duration_seconds", [("route", "/a")], bounds: histogramBounds, observations: requestObservations)
        samples += histogram("request_duration_seconds", [("route", "/b")], bounds: histogramBounds, observations: [])
        samples.append(ExpectedSample("saturated_total", [], .infinity))
        for (name, value) in specialValues { samples.append(ExpectedSample("special_values", [("case", name)], value)) }
        samples.append(ExpectedSample("temperature_celsius", [], -0.0))
        return samples
    }

    /// The samples of one histogram series: cumulative buckets with canonical `le`, `_sum`, `_count`.
    static func histogram(
        _ name: String, _ labels: [(String, String)], bounds: [Double], observations: [Double]
    ) -> [ExpectedSample] {
        var samples: [ExpectedSample] = []
        for bound in bounds + [.infinity] {
            let count = observations.filter { $0 <= bound }.count
            samples.append(
                ExpectedSample(name + "_bucket", labels + [("le", CanonicalLe.text(bound))], integer: UInt64(count)))
        }
        let sum = observations.reduce(0, +)
        samples.append(ExpectedSample(name + "_sum", labels, sum))
        samples.append(ExpectedSample(name + "_count", labels, integer: UInt64(observations.count)))
        return samples
    }
}

/// The `le` texts the tests expect, written out by hand so that they do not depend on `CanonicalNumber`.
enum CanonicalLe {
    static let table: [Double: String] = [
        0.005: "0.005", 0.01: "0.01", 0.025: "0.025", 0.05: "0.05", 0.1: "0.1", 0.25: "0.25", 0.5: "0.5", 1: "1.0",
        2.5: "2.5", 5: "5.0", 10: "10.0", 100: "100.0", 1000: "1000.0", 10000: "10000.0", .infinity: "+Inf",
    ]

    static func text(_ bound: Double) -> String { table[bound] ?? "unexpected bound \(bound)" }
}
