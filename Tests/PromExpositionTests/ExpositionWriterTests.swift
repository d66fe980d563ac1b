import PromCore
import PromExposition
import PromTestSupport
import Testing

/// The writer's structure: headers, names per format, order, filters and chunked output.
@Suite struct ExpositionWriterTests {
    @Test func emptyRegistryWritesNothingOrOnlyEOF() {
        #expect(Rendering.text(Registry(), .prometheusText) == "")
        #expect(Rendering.text(Registry(), .openMetrics) == "# EOF\n")
    }

    @Test func counterWithoutTotalSuffixGetsItInOpenMetricsOnly() throws {
        let registry = Registry()
        try registry.counter("jobs", help: "Jobs.").inc(by: 3)
        #expect(Rendering.text(registry, .prometheusText) == "# HELP jobs Jobs.\n# TYPE jobs counter\njobs 3\n")
        #expect(
            Rendering.text(registry, .openMetrics) == "# HELP jobs Jobs.\n# TYPE jobs counter\njobs_total 3\n# EOF\n")
    }

    @Test func counterWithTotalSuffixIsNamedWithoutItInOpenMetricsMetadata() throws {
        let registry = Registry()
        try registry.counter("sent_bytes_total", help: "Sent.", unit: "bytes").inc(by: 0.5)
        #expect(
            Rendering.text(registry, .prometheusText)
                == "# HELP sent_bytes_total Sent.\n# TYPE sent_bytes_total counter\nsent_bytes_total 0.5\n")
        #expect(
            Rendering.text(registry, .openMetrics)
                == "# HELP sent_bytes Sent.\n# TYPE sent_bytes counter\n# UNIT sent_bytes bytes\nsent_bytes_total 0.5\n# EOF\n"
        )
    }

    @Test func helpIsEscapedPerFormat() throws {
        let registry = Registry()
        try registry.gauge("g", help: "a \\ b \"c\"\nd").set(1)
        #expect(Rendering.text(registry, .prometheusText) == "# HELP g a \\\\ b \"c\"\\nd\n# TYPE g gauge\ng 1\n")
        #expect(
            Rendering.text(registry, .openMetrics) == "# HELP g a \\\\ b \\\"c\\\"\\nd\n# TYPE g gauge\ng 1\n# EOF\n")
    }

    @Test func histogramBucketsAreCumulativeWithSumAndCount() throws {
        let registry = Registry()
        let histogram = try registry.histogram("h", help: "H.", buckets: [1, 2, 4])
        for value in [0.5, 1, 1.5, 3, 3, 8] { histogram.observe(value) }
        let expected = """
            # HELP h H.
            # TYPE h histogram
            h_bucket{le="1.0"} 2
            h_bucket{le="2.0"} 3
            h_bucket{le="4.0"} 5
            h_bucket{le="+Inf"} 6
            h_sum 17
            h_count 6

            """
        #expect(Rendering.text(registry, .prometheusText) == expected)
        #expect(Rendering.text(registry, .openMetrics) == expected + "# EOF\n")
    }

    @Test func histogramSeriesLabelsComeBeforeLe() throws {
        let registry = Registry()
        let family = try registry.histogramFamily("h", help: "H.", labelNames: ["a", "b"], buckets: [0.5])
        family.labels(["x", "y\"z"]).observe(0.25)
        let text = Rendering.text(registry, .prometheusText)
        #expect(text.contains("h_bucket{a=\"x\",b=\"y\\\"z\",le=\"0.5\"} 1\n"))
        #expect(text.contains("h_bucket{a=\"x\",b=\"y\\\"z\",le=\"+Inf\"} 1\n"))
        #expect(text.contains("h_sum{a=\"x\",b=\"y\\\"z\"} 0.25\n"))
        #expect(text.contains("h_count{a=\"x\",b=\"y\\\"z\"} 1\n"))
    }

    @Test func anObservationTouchesOnlyItsBucket() throws {
        let registry = Registry()
        let bounds = Buckets.linear(start: 1, width: 1, count: 20)
        let family = try registry.histogramFamily("h", help: "H.", labelNames: ["v"], buckets: bounds)
        let observations: [Double] = [-5, 0, 1, 1.0000001, 7.5, 20, 20.5, .infinity, -.infinity]
        for value in observations { family.labels(["\(value)"]).observe(value) }
        let samples = try ExpositionSamples.parse(Rendering.text(registry, .prometheusText))
        for value in observations {
            let buckets = samples.filter { $0.name == "h_bucket" && $0.label("v") == "\(value)" }
            #expect(buckets.count == 21)
            let firstOne = buckets.firstIndex { $0.valueText == "1" }
            let expectedFirst = (bounds + [.infinity]).firstIndex { value <= $0 } ?? 20
            #expect(firstOne == expectedFirst, "observation \(value)")
            #expect(buckets.prefix(expectedFirst).allSatisfy { $0.valueText == "0" })
            #expect(buckets.dropFirst(expectedFirst).allSatisfy { $0.valueText == "1" })
        }
    }

    @Test func familiesAreSortedByNameAndSeriesKeepCreationOrder() throws {
        let registry = Registry()
        let b = try registry.gaugeFamily("b", help: "B.", labelNames: ["k"])
        try registry.counter("c_total", help: "C.").inc()
        let a = try registry.counterFamily("a", help: "A.", labelNames: ["k"])
        for key in ["z", "a", "m"] {
            b.labels([key]).set(1)
            a.labels([key]).inc()
        }
        let samples = try ExpositionSamples.parse(Rendering.text(registry, .prometheusText))
        #expect(samples.map(\.name) == ["a", "a", "a", "b", "b", "b", "c_total"])
        #expect(samples.prefix(3).map { $0.label("k") } == ["z", "a", "m"])
    }

    @Test func includeWritesOnlyTheNamedFamilies() throws {
        let registry = try EveryTypeRegistry.make()
        let include: Set<String> = ["app_events", "request_duration_seconds", "no_such_family"]
        for format in ExpositionWriterFormat.allCases {
            let filtered = Rendering.text(registry, format, include: include)
            let whole = Rendering.text(registry, format)
            let names = Set(try ExpositionSamples.parse(filtered).map(\.name))
            #expect(
                names == [
                    "app_events" + (format == .openMetrics ? "_total" : ""), "request_duration_seconds_bucket",
                    "request_duration_seconds_sum", "request_duration_seconds_count",
                ])
            #expect(filtered.hasSuffix(format == .openMetrics ? "# EOF\n" : "\n"))
            let kept = whole.split(separator: "\n", omittingEmptySubsequences: false).filter {
                $0.contains("app_events") || $0.contains("request_duration_seconds") || $0 == "# EOF" || $0.isEmpty
            }
            #expect(filtered == kept.joined(separator: "\n"))
            #expect(Rendering.text(registry, format, include: []) == (format == .openMetrics ? "# EOF\n" : ""))
        }
    }

    @Test(arguments: [1, 7, 100, 4096])
    func chunkedWriteConcatenatesToTheWholeWrite(threshold: Int) throws {
        let registry = try EveryTypeRegistry.make()
        try W3Reference.populate(registry)
        for format in ExpositionWriterFormat.allCases {
            let whole = Rendering.text(registry, format)
            let writer = ExpositionWriter(format: format)
            let buffer = ExpositionBuffer(capacity: 64)
            var pieces: [[UInt8]] = []
            writer.write(registry, into: buffer, flushThreshold: threshold) { piece in
                #expect(piece.byteCount >= threshold)
                pieces.append(piece.bytes)
            }
            pieces.append(buffer.bytes)
            #expect(pieces.count > 1)
            #expect(String(decoding: pieces.joined(), as: UTF8.self) == whole)
        }
    }

    @Test func aThrowingFlushStopsTheRender() throws {
        struct Stop: Error {}
        let registry = Registry()
        try W3Reference.populate(registry)
        let buffer = ExpositionBuffer()
        var calls = 0
        #expect(throws: Stop.self) {
            try ExpositionWriter(format: .openMetrics).write(registry, into: buffer, flushThreshold: 100) { _ in
                calls += 1
                if calls == 3 { throw Stop() }
            }
        }
        #expect(calls == 3)
        // The writer is reusable after an interrupted render.
        buffer.removeAll()
        ExpositionWriter(format: .openMetrics).write(registry, into: buffer)
        #expect(buffer.string == Rendering.text(registry, .openMetrics))
    }

    @Test func repeatedRendersIntoAReusedBufferAreIdentical() throws {
        let registry = try EveryTypeRegistry.make()
        let writer = ExpositionWriter(format: .prometheusText)
        let buffer = ExpositionBuffer(capacity: 64)
        writer.write(registry, into: buffer)
        let first = buffer.string
        let capacity = buffer.allocatedCapacity
        for _ in 0..<3 {
            buffer.removeAll()
            writer.write(registry, into: buffer)
            #expect(buffer.string == first)
        }
        #expect(buffer.allocatedCapacity == capacity)
    }

    @Test func removedSeriesAndUnregisteredFamiliesAreNotWritten() throws {
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "C.", labelNames: ["k"])
        family.labels(["a"]).inc()
        family.labels(["b"]).inc()
        _ = Rendering.text(registry, .prometheusText)
        family.remove(["a"])
        try registry.gauge("g", help: "G.").set(2)
        #expect(Rendering.text(registry, .prometheusText).contains("c_total{k=\"a\"}") == false)
        registry.unregister("g")
        #expect(
            Rendering.text(registry, .prometheusText)
                == "# HELP c_total C.\n# TYPE c_total counter\nc_total{k=\"b\"} 1\n")
    }

    @Test func familyWithoutSeriesWritesOnlyItsMetadata() throws {
        let registry = Registry()
        _ = try registry.histogramFamily("h_seconds", help: "H.", labelNames: ["a"], unit: "seconds")
        #expect(Rendering.text(registry, .prometheusText) == "# HELP h_seconds H.\n# TYPE h_seconds histogram\n")
        #expect(
            Rendering.text(registry, .openMetrics)
                == "# HELP h_seconds H.\n# TYPE h_seconds histogram\n# UNIT h_seconds seconds\n# EOF\n")
    }

    @Test func largeIntegerCounterIsWrittenExactly() throws {
        let registry = Registry()
        let counter = try registry.counter("c_total", help: "C.")
        counter.inc(by: UInt64(1) << 53)
        counter.inc()
        #expect(Rendering.text(registry, .prometheusText).hasSuffix("c_total 9007199254740993\n"))
        counter.inc(by: 0.5)
        #expect(Rendering.text(registry, .prometheusText).hasSuffix("c_total \(Rendering.number(counter.value))\n"))
    }

    @Test func overflowSeriesAndSelfMetricAreWritten() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "C.", labelNames: ["a", "b"], options: FamilyOptions(seriesLimit: 1))
        family.labels(["1", "2"]).inc()
        family.labels(["3", "4"]).inc()
        let text = Rendering.text(registry, .openMetrics)
        #expect(text.contains("c_total{a=\"__overflow__\",b=\"__overflow__\"} 1\n"))
        #expect(text.contains("# TYPE prom_series_overflow counter\n"))
        #expect(text.contains("prom_series_overflow_total{family=\"c_total\"} 1\n"))
    }
}

/// The buffer's unchecked appends are a contract: debug builds trap when it is broken.
@Suite struct ExpositionBufferPreconditionTests {
    #if DEBUG
    @Test func appendingMoreThanWasReservedTrapsInDebugBuilds() async {
        await #expect(processExitsWith: .failure) {
            let buffer = ExpositionBuffer(capacity: 64)
            let bytes = [UInt8](repeating: 65, count: 65)
            unsafe bytes.withUnsafeBytes { unsafe buffer.appendReserved($0) }
        }
    }
    #endif

    @Test func appendGrowsPastTheInitialCapacity() {
        let buffer = ExpositionBuffer(capacity: 1)
        let text = String(repeating: "metric 1\n", count: 1000)
        buffer.append(text)
        buffer.append([UInt8](repeating: 66, count: 3))
        #expect(buffer.string == text + "BBB")
        #expect(buffer.allocatedCapacity >= buffer.byteCount)
        buffer.removeAll()
        #expect(buffer.byteCount == 0)
    }
}
