import PromCore
import PromTestSupport
import Testing

/// Lookups by label values: value types, escaping, wrong counts.
@Suite struct LabelLookupTests {
    private func family(_ labels: [String] = ["a", "b"]) throws -> (Registry, CounterFamily) {
        let registry = Registry()
        return (registry, try registry.counterFamily("c_total", help: "h", labelNames: labels))
    }

    @Test func stringSubstringAndStaticStringValuesFindTheSameSeries() throws {
        let (registry, family) = try family()
        family.labels(["get", "200"]).inc()
        let line = "x,get,200,y"
        let parts = line.split(separator: ",")
        family.labels(parts[1...2]).inc()
        family.labels([StaticString("get"), StaticString("200")]).inc()
        family.labels("get", "200").inc()
        family.inc(["get", "200"] as [Substring])
        #expect(family.seriesCount == 1)
        #expect(family.labels(["get", "200"]).value == 5)
        #expect(registry.exportedSeries(of: "c_total")?.map(\.labels) == [#"a="get",b="200""#])
    }

    @Test func longAndUnicodeValuesFindTheirSeries() throws {
        let (_, family) = try family()
        let long = String(repeating: "0123456789abcdef", count: 40)
        let values: [[String]] = [
            [long, "x"], ["ünïcödé ✓", "🎉"], ["", ""], ["", "x"], ["x", ""], ["1234567", "12345678"],
        ]
        for (index, pair) in values.enumerated() { family.labels(pair).inc(by: index + 1) }
        for (index, pair) in values.enumerated() {
            #expect(family.labels(pair).value == Double(index + 1), "\(pair)")
        }
        #expect(family.seriesCount == values.count)
    }

    @Test func valuesThatSplitDifferentlyAcrossLabelsAreDifferentSeries() throws {
        let (_, family) = try family()
        family.labels(["ab", "c"]).inc(by: 1)
        family.labels(["a", "bc"]).inc(by: 2)
        family.labels(["abc", ""]).inc(by: 3)
        family.labels(["a\",b=\"c", ""]).inc(by: 4)
        #expect(family.seriesCount == 4)
        #expect(family.labels(["ab", "c"]).value == 1)
        #expect(family.labels(["a", "bc"]).value == 2)
        #expect(family.labels(["abc", ""]).value == 3)
        #expect(family.labels(["a\",b=\"c", ""]).value == 4)
    }

    @Test func valuesNeedingEscapingAreStoredEscapedAndFoundRaw() throws {
        let (registry, family) = try family(["v"])
        let raw = ["back\\slash", "say \"hi\"", "two\nlines", "all \\ \" \n", "\\\\\"\"\n\n"]
        for (index, value) in raw.enumerated() { family.labels([value]).inc(by: index + 1) }
        for (index, value) in raw.enumerated() {
            #expect(family.labels([value]).value == Double(index + 1), "\(value.debugDescription)")
            #expect(family.labels([Substring(value)]).value == Double(index + 1))
        }
        #expect(family.seriesCount == raw.count)
        let exported = registry.exportedSeries(of: "c_total")?.map(\.labels)
        #expect(
            exported == [
                #"v="back\\slash""#, #"v="say \"hi\"""#, #"v="two\nlines""#, #"v="all \\ \" \n""#,
                #"v="\\\\\"\"\n\n""#,
            ])
    }

    @Test func valuesThatDifferOnlyByEscapingAreDifferentSeries() throws {
        let (registry, family) = try family(["v"])
        // Raw `a"` is stored as `a\"`; raw `a\"` is stored as `a\\\"`; raw `a\` + `n` differs from `a` + line feed.
        let pairs: [(String, Double)] = [
            ("a\"", 1), ("a\\\"", 2), ("a\\n", 3), ("a\n", 4), ("a\\", 5), ("a\\\\", 6), ("a", 7),
        ]
        for (value, amount) in pairs { family.labels([value]).inc(by: amount) }
        #expect(family.seriesCount == pairs.count)
        for (value, amount) in pairs {
            #expect(family.labels([value]).value == amount, "\(value.debugDescription)")
        }
        #expect(family.seriesCount == pairs.count)
        #expect(
            registry.exportedSeries(of: "c_total")?.map(\.labels) == [
                #"v="a\"""#, #"v="a\\\"""#, #"v="a\\n""#, #"v="a\n""#, #"v="a\\""#, #"v="a\\\\""#, #"v="a""#,
            ])
    }

    @Test func escapedTextLookedUpRawIsNotTheEscapedSeries() throws {
        let (_, family) = try family(["v"])
        family.labels(["x\"y"]).inc()
        // The stored bytes are `x\"y`; looking those bytes up raw must not find the series.
        #expect(family.labels(["x\\\"y"]).value == 0)
        #expect(family.seriesCount == 2)
    }

    @Test(arguments: [[String](), ["only-one"], ["1", "2", "3"]])
    func wrongLabelCountReturnsADetachedSeriesAndCountsTheMisuse(values: [String]) throws {
        let (registry, family) = try family()
        #expect(registry.exportedSeries(of: Registry.mismatchFamilyName) == nil)
        let detached = family.labels(values)
        detached.inc(by: 5)
        family.inc(values, by: 2)
        #expect(family.seriesCount == 0)
        #expect(registry.exportedSeries(of: "c_total")?.isEmpty == true)
        #expect(!family.remove(values))
        // Two lookups with the wrong number of values: both counted, under the family's name.
        let mismatches = registry.exportedSeries(of: Registry.mismatchFamilyName)
        #expect(mismatches?.map(\.labels) == [#"family="c_total""#])
        #expect(mismatches?.map(\.value) == [2])
    }

    @Test func wrongLabelCountOnGaugesAndHistogramsDoesNotCrashOrExport() throws {
        let registry = Registry()
        let gauges = try registry.gaugeFamily("g", help: "h", labelNames: ["a"])
        gauges.labels("x", "y").set(3)
        gauges.labels([String]()).inc()
        let histograms = try registry.histogramFamily("h", help: "h", labelNames: ["a"], buckets: [1])
        histograms.labels([String]()).observe(1)
        #expect(gauges.seriesCount == 0)
        #expect(histograms.seriesCount == 0)
        #expect(registry.exportedSeries(of: "g")?.isEmpty == true)
        #expect(registry.exportedSeries(of: "h")?.isEmpty == true)
        let mismatches = registry.exportedSeries(of: Registry.mismatchFamilyName)
        #expect(mismatches?.map(\.labels) == [#"family="g""#, #"family="h""#])
        #expect(mismatches?.map(\.value) == [2, 1])
    }

    @Test func unlabelledFamilyHasOneSeries() throws {
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "h", labelNames: [])
        family.labels([String]()).inc()
        family.labels([StaticString]()).inc()
        try registry.counter("c_total", help: "h").inc()
        #expect(family.seriesCount == 1)
        #expect(registry.exportedSeries(of: "c_total") == [ExportedSeries(labels: "", value: 3)])
    }

    @Test func seriesAreExportedInCreationOrder() throws {
        let (registry, family) = try family(["v"])
        let order = ["z", "a", "m", "b", "y"]
        for value in order { family.labels([value]).inc() }
        family.labels(["a"]).inc()
        #expect(registry.exportedSeries(of: "c_total")?.map(\.labels) == order.map { "v=\"\($0)\"" })
    }
}

/// Removing one series or all of them, and creating them again.
@Suite struct SeriesRemovalTests {
    @Test func removingOneSeriesStopsItsExportAndRecreationStartsFromZero() throws {
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "h", labelNames: ["k"])
        let old = family.labels(["a"])
        old.inc(by: 5)
        family.labels(["b"]).inc(by: 7)
        #expect(family.remove(["a"]))
        #expect(!family.remove(["a"]))
        #expect(family.seriesCount == 1)
        #expect(registry.exportedSeries(of: "c_total") == [ExportedSeries(labels: #"k="b""#, value: 7)])
        old.inc()
        #expect(old.value == 6, "a handle to a removed series keeps working")
        let recreated = family.labels(["a"])
        #expect(recreated.value == 0)
        recreated.inc()
        #expect(
            registry.exportedSeries(of: "c_total") == [
                ExportedSeries(labels: #"k="b""#, value: 7), ExportedSeries(labels: #"k="a""#, value: 1),
            ])
    }

    @Test func removingAnEscapedValueNeedsTheRawValue() throws {
        let registry = Registry()
        let family = try registry.gaugeFamily("g", help: "h", labelNames: ["k"])
        family.labels(["q\"\\\n"]).set(1)
        #expect(!family.remove(["q\\\"\\\\\\n"]))
        #expect(family.remove([Substring("q\"\\\n")]))
        #expect(family.seriesCount == 0)
    }

    @Test func removeAllDropsEverySeriesAndTheyCanBeCreatedAgain() throws {
        let registry = Registry()
        let family = try registry.histogramFamily("h", help: "h", labelNames: ["k"], buckets: [1])
        for index in 0..<100 { family.labels(["\(index)"]).observe(Double(index)) }
        family.removeAll()
        #expect(family.seriesCount == 0)
        #expect(registry.exportedSeries(of: "h")?.isEmpty == true)
        for index in 0..<50 { family.labels(["\(index)"]).observe(1) }
        #expect(family.seriesCount == 50)
        #expect(family.labels(["7"]).countAndSum == (1, 1))
        #expect(registry.exportedSeries(of: "h")?.count == 50)
        family.removeAll()
        family.removeAll()
        #expect(family.seriesCount == 0)
    }

    @Test func manyRemovalsAndRecreationsKeepCountAndOrderExact() throws {
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "h", labelNames: ["k"])
        for round in 0..<20 {
            for index in 0..<500 { family.labels(["\(index)"]).inc() }
            for index in stride(from: round % 2, to: 500, by: 2) { #expect(family.remove(["\(index)"])) }
            #expect(family.seriesCount == 250)
        }
        for index in 0..<500 {
            #expect(family.remove(["\(index)"]) == (index % 2 == 0))
        }
        #expect(family.seriesCount == 0)
        #expect(registry.exportedSeries(of: "c_total")?.isEmpty == true)
        registry.checkInvariants()
    }

    @Test func seriesAreFoundAfterEveryTableGrowth() throws {
        // A family without a capacity hint grows its tables many times; each growth re-places cells by a hash
        // recomputed from their label bytes. Every series, escaped or not, must still be found (no duplicate).
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "h", labelNames: ["k", "v"])
        let values = (0..<6_000).map { index in
            ["\(index)", index % 3 == 0 ? "q\"\\\n\(index)" : String(repeating: "x", count: index % 40)]
        }
        for (index, pair) in values.enumerated() {
            family.labels(pair).inc(by: index + 1)
            if index % 1_000 == 0 { registry.checkInvariants() }
        }
        for (index, pair) in values.enumerated() { #expect(family.labels(pair).value == Double(index + 1)) }
        #expect(family.seriesCount == values.count)
        registry.checkInvariants()
    }

    @Test func removedSeriesInAnUnlabelledFamilyComesBack() throws {
        let registry = Registry()
        let family = try registry.gaugeFamily("g", help: "h", labelNames: [])
        family.labels([String]()).set(3)
        #expect(family.remove([String]()))
        #expect(registry.exportedSeries(of: "g")?.isEmpty == true)
        try registry.gauge("g", help: "h").set(4)
        #expect(registry.exportedSeries(of: "g") == [ExportedSeries(labels: "", value: 4)])
    }
}
