import PromCore
import PromTestSupport
import Testing

/// Name validation, re-registration and every ``RegistrationError`` with its exact message.
@Suite struct RegistrationTests {
    /// A registration attempt and the exact `description` of the error it must throw.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var label: String
        var kind: RegistrationError.Kind
        var message: String
        var register: @Sendable (Registry) throws -> Void
        var testDescription: String { label }
    }

    static let invalidDescriptors: [Refusal] = [
        Refusal(
            label: "empty name", kind: .invalidMetricName,
            message: #"cannot register "": a metric name must not be empty"#
        ) {
            _ = try $0.counterFamily("", help: "h", labelNames: [])
        },
        Refusal(
            label: "leading digit", kind: .invalidMetricName,
            message:
                #"cannot register "1abc": a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*; character 1 is not allowed"#
        ) { _ = try $0.gaugeFamily("1abc", help: "h", labelNames: []) },
        Refusal(
            label: "dash in name", kind: .invalidMetricName,
            message:
                #"cannot register "a-b": a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*; character 2 is not allowed"#
        ) { _ = try $0.histogramFamily("a-b", help: "h", labelNames: []) },
        Refusal(
            label: "dot in name", kind: .invalidMetricName,
            message:
                #"cannot register "http.requests": a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*; character 5 is not allowed"#
        ) { _ = try $0.counter("http.requests", help: "h") },
        Refusal(
            label: "non-ASCII name", kind: .invalidMetricName,
            message:
                #"cannot register "café": a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*; character 4 is not allowed"#
        ) { _ = try $0.gauge("café", help: "h") },
        Refusal(
            label: "reserved label prefix", kind: .invalidLabelName,
            message: #"cannot register "m": label "__name": label names starting with "__" are reserved for Prometheus"#
        ) { _ = try $0.counterFamily("m", help: "h", labelNames: ["__name"]) },
        Refusal(
            label: "empty label", kind: .invalidLabelName,
            message: #"cannot register "m": label "": a label name must not be empty"#
        ) { _ = try $0.counterFamily("m", help: "h", labelNames: [""]) },
        // The lookup's raw-set compare relies on label names holding no quote or backslash (LabelMatching.swift).
        Refusal(
            label: "quote in label", kind: .invalidLabelName,
            message:
                #"cannot register "m": label "a"b": a label name must match [a-zA-Z_][a-zA-Z0-9_]*; character 2 is not allowed"#
        ) { _ = try $0.counterFamily("m", help: "h", labelNames: [#"a"b"#]) },
        Refusal(
            label: "backslash in label", kind: .invalidLabelName,
            message:
                #"cannot register "m": label "a\b": a label name must match [a-zA-Z_][a-zA-Z0-9_]*; character 2 is not allowed"#
        ) { _ = try $0.counterFamily("m", help: "h", labelNames: [#"a\b"#]) },
        Refusal(
            label: "colon in label", kind: .invalidLabelName,
            message:
                #"cannot register "m": label "a:b": a label name must match [a-zA-Z_][a-zA-Z0-9_]*; character 2 is not allowed"#
        ) { _ = try $0.gaugeFamily("m", help: "h", labelNames: ["a:b"]) },
        Refusal(
            label: "label with leading digit", kind: .invalidLabelName,
            message:
                #"cannot register "m": label "0a": a label name must match [a-zA-Z_][a-zA-Z0-9_]*; character 1 is not allowed"#
        ) { _ = try $0.gaugeFamily("m", help: "h", labelNames: ["0a"]) },
        Refusal(
            label: "repeated label", kind: .invalidLabelName, message: #"cannot register "m": label "a" is given twice"#
        ) { _ = try $0.counterFamily("m", help: "h", labelNames: ["a", "b", "a"]) },
        Refusal(
            label: "le on a histogram", kind: .invalidLabelName,
            message: #"cannot register "m": label "le" is reserved for histogram buckets"#
        ) { _ = try $0.histogramFamily("m", help: "h", labelNames: ["le"]) },
        Refusal(
            label: "quantile on a gauge", kind: .invalidLabelName,
            message: #"cannot register "m": label "quantile" is reserved for summaries"#
        ) { _ = try $0.gaugeFamily("m", help: "h", labelNames: ["quantile"]) },
        Refusal(
            label: "empty unit", kind: .invalidUnit, message: #"cannot register "m": unit "" must match [a-zA-Z0-9_]+"#
        ) { _ = try $0.gaugeFamily("m", help: "h", labelNames: [], unit: "") },
        Refusal(
            label: "unit with a space", kind: .invalidUnit,
            message: #"cannot register "size_kb": unit "k b" must match [a-zA-Z0-9_]+"#
        ) { _ = try $0.gaugeFamily("size_kb", help: "h", labelNames: [], unit: "k b") },
        Refusal(
            label: "name without the unit suffix", kind: .invalidUnit,
            message: #"cannot register "latency": the family name must end with "_seconds" (OpenMetrics unit rule)"#
        ) { _ = try $0.histogramFamily("latency", help: "h", labelNames: [], unit: "seconds") },
        Refusal(
            label: "counter unit checked before _total", kind: .invalidUnit,
            message: #"cannot register "sent_total": the family name must end with "_bytes" (OpenMetrics unit rule)"#
        ) { _ = try $0.counterFamily("sent_total", help: "h", labelNames: [], unit: "bytes") },
        Refusal(
            label: "no buckets", kind: .invalidBuckets,
            message: #"cannot register "m": a histogram needs at least one finite bucket"#
        ) { _ = try $0.histogramFamily("m", help: "h", labelNames: [], buckets: []) },
        Refusal(
            label: "explicit +Inf bucket", kind: .invalidBuckets,
            message: #"cannot register "m": bucket +Inf is not finite (+Inf is implicit)"#
        ) { _ = try $0.histogramFamily("m", help: "h", labelNames: [], buckets: [1, .infinity]) },
        Refusal(
            label: "NaN bucket", kind: .invalidBuckets,
            message: #"cannot register "m": bucket NaN is not finite (+Inf is implicit)"#
        ) { _ = try $0.histogramFamily("m", help: "h", labelNames: [], buckets: [.nan]) },
        Refusal(
            label: "equal buckets", kind: .invalidBuckets,
            message: #"cannot register "m": buckets must be strictly increasing"#
        ) { _ = try $0.histogramFamily("m", help: "h", labelNames: [], buckets: [1, 2, 2]) },
        Refusal(
            label: "decreasing buckets", kind: .invalidBuckets,
            message: #"cannot register "m": buckets must be strictly increasing"#
        ) { _ = try $0.histogram("m", help: "h", buckets: [2, 1]) },
        Refusal(
            label: "too many buckets", kind: .invalidBuckets,
            message: #"cannot register "m": 65534 buckets: a histogram has at most 65533"#
        ) { _ = try $0.histogram("m", help: "h", buckets: Buckets.linear(start: 0, width: 1, count: 65_534)) },
        Refusal(
            label: "invalid linear helper arguments", kind: .invalidBuckets,
            message: #"cannot register "m": a histogram needs at least one finite bucket"#
        ) { _ = try $0.histogram("m", help: "h", buckets: Buckets.linear(start: 0, width: -1, count: 3)) },
    ]

    @Test(arguments: invalidDescriptors)
    func invalidDescriptorIsRefusedWithAnExactMessage(_ refusal: Refusal) {
        let registry = Registry()
        #expect(throws: RegistrationError.self) { try refusal.register(registry) }
        do {
            try refusal.register(registry)
        } catch let error as RegistrationError {
            #expect(error.kind == refusal.kind)
            #expect(error.description == refusal.message)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(registry.descriptors.isEmpty, "a refused registration must leave the registry unchanged")
    }

    static let conflicts: [Refusal] = [
        Refusal(
            label: "type", kind: .conflictingType,
            message: #"cannot register "x": already registered as a counter, not a gauge"#
        ) { _ = try $0.gaugeFamily("x", help: "h", labelNames: ["a"]) },
        Refusal(
            label: "type histogram", kind: .conflictingType,
            message: #"cannot register "x": already registered as a counter, not a histogram"#
        ) { _ = try $0.histogramFamily("x", help: "h", labelNames: ["a"]) },
        Refusal(
            label: "help", kind: .conflictingHelp,
            message: #"cannot register "x": already registered with help "h", not "other help""#
        ) { _ = try $0.counterFamily("x", help: "other help", labelNames: ["a"]) },
        Refusal(
            label: "label names", kind: .conflictingLabelNames,
            message: #"cannot register "x": already registered with labels ["a"], not ["a", "b"]"#
        ) { _ = try $0.counterFamily("x", help: "h", labelNames: ["a", "b"]) },
        Refusal(
            label: "no labels", kind: .conflictingLabelNames,
            message: #"cannot register "x": already registered with labels ["a"], not []"#
        ) { _ = try $0.counter("x", help: "h") },
    ]

    @Test(arguments: conflicts)
    func reRegistrationWithADifferenceThrowsANamedConflict(_ refusal: Refusal) throws {
        let registry = Registry()
        let family = try registry.counterFamily("x", help: "h", labelNames: ["a"])
        family.labels(["1"]).inc()
        do {
            try refusal.register(registry)
            Issue.record("expected \(refusal.kind)")
        } catch let error as RegistrationError {
            #expect(error.kind == refusal.kind)
            #expect(error.description == refusal.message)
            #expect(error.name == "x")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(registry.descriptors.map(\.name) == ["x"])
        #expect(family.labels(["1"]).value == 1)
    }

    @Test func reRegistrationWithOtherBucketsThrowsConflictingBuckets() throws {
        let registry = Registry()
        _ = try registry.histogramFamily("h", help: "h", labelNames: [], buckets: [1, 2])
        let error = #expect(throws: RegistrationError.self) {
            _ = try registry.histogramFamily("h", help: "h", labelNames: [], buckets: [1, 3])
        }
        #expect(error?.kind == .conflictingBuckets)
        #expect(
            error?.description == #"cannot register "h": already registered with buckets [1.0, 2.0], not [1.0, 3.0]"#)
    }

    @Test func reRegistrationWithAnotherUnitThrowsConflictingOptions() throws {
        let registry = Registry()
        _ = try registry.gauge("t_seconds", help: "h", unit: "seconds")
        let error = #expect(throws: RegistrationError.self) { _ = try registry.gauge("t_seconds", help: "h") }
        #expect(error?.kind == .conflictingOptions)
        #expect(error?.description == #"cannot register "t_seconds": already registered with unit seconds, not none"#)
    }

    @Test func reRegisteringAnEqualCounterReturnsTheSameFamily() throws {
        let registry = Registry()
        let first = try registry.counterFamily("requests_total", help: "Requests.", labelNames: ["code"])
        let second = try registry.counterFamily("requests_total", help: "Requests.", labelNames: ["code"])
        // The wrappers may be distinct objects; what matters is that they share one store.
        first.labels(["200"]).inc(by: 2)
        second.labels(["200"]).inc(by: 3)
        #expect(first.labels(["200"]).value == 5)
        #expect(second.seriesCount == 1)
        #expect(registry.descriptors.count == 1)
    }

    @Test func reRegisteringEqualUnlabelledSeriesSharesTheirValues() throws {
        let registry = Registry()
        try registry.counter("c_total", help: "c").inc()
        try registry.counter("c_total", help: "c").inc()
        try registry.gauge("g", help: "g").inc(by: 1.5)
        try registry.gauge("g", help: "g").inc(by: 1.5)
        try registry.histogram("h", help: "h", buckets: [1]).observe(0.5)
        try registry.histogram("h", help: "h", buckets: [1]).observe(2)
        #expect(try registry.counter("c_total", help: "c").value == 2)
        #expect(try registry.gauge("g", help: "g").value == 3)
        #expect(try registry.histogram("h", help: "h", buckets: [1]).countAndSum == (2, 2.5))
    }

    @Test func reRegisteringEqualGaugeAndHistogramFamiliesReturnsTheSameFamilies() throws {
        let registry = Registry()
        let gauges = try registry.gaugeFamily("g_bytes", help: "g", labelNames: ["a"], unit: "bytes")
        gauges.labels(["x"]).set(4)
        #expect(
            try registry.gaugeFamily("g_bytes", help: "g", labelNames: ["a"], unit: "bytes").labels(["x"]).value == 4)
        let histograms = try registry.histogramFamily(
            "h", help: "h", labelNames: ["a"], buckets: Buckets.linear(start: 1, width: 1, count: 3))
        histograms.labels(["x"]).observe(2)
        let again = try registry.histogramFamily("h", help: "h", labelNames: ["a"], buckets: [1, 2, 3])
        again.labels(["x"]).observe(3)
        #expect(histograms.labels(["x"]).countAndSum == (2, 5))
        #expect(again.seriesCount == 1)
        #expect(registry.descriptors.count == 2)
    }

    /// Pairs of families whose exposition sample names would collide.
    static let clashes: [(first: String, second: String, message: String)] = [
        (
            "counter foo", "gauge foo_total",
            #"cannot register "foo_total": sample name "foo_total" is already written by family "foo""#
        ),
        (
            "counter foo_total", "counter foo",
            #"cannot register "foo": sample name "foo" is already written by family "foo_total""#
        ),
        (
            "histogram x", "gauge x_count",
            #"cannot register "x_count": sample name "x_count" is already written by family "x""#
        ),
        (
            "histogram x", "counter x_bucket",
            #"cannot register "x_bucket": sample name "x_bucket" is already written by family "x""#
        ),
        (
            "histogram x", "gauge x_sum",
            #"cannot register "x_sum": sample name "x_sum" is already written by family "x""#
        ),
        (
            "gauge x_count", "histogram x",
            #"cannot register "x": sample name "x_count" is already written by family "x_count""#
        ),
        (
            "counter x", "gauge x_created",
            #"cannot register "x_created": sample name "x_created" is already written by family "x""#
        ),
    ]

    @Test(arguments: clashes)
    func familiesWhoseSampleNamesCollideAreRefused(_ clash: (first: String, second: String, message: String)) throws {
        let registry = Registry()
        try Self.register(clash.first, in: registry)
        do {
            try Self.register(clash.second, in: registry)
            Issue.record("\(clash.second) was registered next to \(clash.first)")
        } catch {
            #expect(error.kind == .clashingSampleName)
            #expect(error.description == clash.message)
        }
        #expect(registry.descriptors.count == 1)
    }

    /// In OpenMetrics a counter `foo_total` is the family `foo`; a gauge `foo` is the family `foo` too, and
    /// OpenMetrics requires family names to be unique in an exposition.
    @Test func gaugeFooAndCounterFooTotalAreRefusedBecauseTheirOpenMetricsFamiliesCollide() throws {
        let registry = Registry()
        try Self.register("gauge foo", in: registry)
        #expect(throws: RegistrationError.self) { try Self.register("counter foo_total", in: registry) }
        let reversed = Registry()
        try Self.register("counter foo_total", in: reversed)
        #expect(throws: RegistrationError.self) { try Self.register("gauge foo", in: reversed) }
    }

    @Test func unregisteringFreesTheNameAndItsSampleNames() throws {
        let registry = Registry()
        let old = try registry.counter("foo", help: "h")
        old.inc()
        #expect(registry.unregister("foo"))
        #expect(!registry.unregister("foo"))
        _ = try registry.gauge("foo_total", help: "h")
        let fresh = try registry.gaugeFamily("foo", help: "other", labelNames: ["a"])
        #expect(registry.descriptors.map(\.name) == ["foo", "foo_total"])
        #expect(fresh.seriesCount == 0)
        old.inc()
        #expect(old.value == 2, "a handle of an unregistered family keeps working")
    }

    @Test func descriptorsAreSortedByName() throws {
        let registry = Registry()
        for name in ["zeta", "alpha", "mid_total", "beta"] { _ = try registry.counter(name, help: "h") }
        #expect(registry.descriptors.map(\.name) == ["alpha", "beta", "mid_total", "zeta"])
    }

    @Test func labelNamesLeAndQuantileFollowTheirReservations() throws {
        let registry = Registry()
        let counters = try registry.counterFamily("c", help: "h", labelNames: ["le"])
        #expect(counters.descriptor.labelNames == ["le"])
        let colonName = try registry.gauge("ns:sub:metric", help: "h")
        colonName.set(1)
        _ = try registry.gaugeFamily("_under", help: "h", labelNames: ["_a", "b_9"])
    }

    @Test func helpIsNeverRejected() throws {
        let registry = Registry()
        let help = "back\\slash \"quoted\"\nsecond line\r\ttab ünïcödé 🎉 \0nul"
        let family = try registry.counterFamily("c", help: help, labelNames: [])
        #expect(family.descriptor.help == help)
        _ = try registry.gauge("empty_help", help: "")
    }

    @Test func validDescriptorValidatesAndReportsItsSampleNames() throws {
        let counter = FamilyDescriptor(name: "req_total", type: .counter, help: "h")
        try counter.validate()
        #expect(counter.openMetricsName == "req")
        #expect(FamilyDescriptor(name: "req", type: .counter, help: "h").openMetricsName == "req")
        #expect(FamilyDescriptor(name: "req_total", type: .gauge, help: "h").openMetricsName == "req_total")
        let histogram = FamilyDescriptor(name: "lat", type: .histogram, help: "h", buckets: [1])
        #expect(histogram.sampleNames == ["lat", "lat_bucket", "lat_sum", "lat_count", "lat_created"])
    }

    @Test func sanitizedNamesAreValidMetricNames() {
        #expect(
            MetricName.sanitized("dkron.agent.event_received.query_run_job")
                == "dkron_agent_event_received_query_run_job")
        #expect(MetricName.sanitized("9lives") == "_9lives")
        #expect(MetricName.sanitized("") == "_")
        #expect(MetricName.sanitized("a:b-c") == "a:b_c")
        for name in ["x.y", "0", "é", "", "a b"] {
            #expect(MetricName.invalidMetricNameReason(MetricName.sanitized(name)) == nil)
        }
    }

    static func register(_ spec: String, in registry: Registry) throws(RegistrationError) {
        let parts = spec.split(separator: " ")
        let name = String(parts[1])
        switch parts[0] {
        case "counter": _ = try registry.counterFamily(name, help: "h", labelNames: [])
        case "gauge": _ = try registry.gaugeFamily(name, help: "h", labelNames: [])
        default: _ = try registry.histogramFamily(name, help: "h", labelNames: [])
        }
    }
}
