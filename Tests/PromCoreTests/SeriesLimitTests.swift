import PromCore
import PromTestSupport
import Testing

/// The per-family series limit: overflow series and the `prom_series_overflow_total` self-metric.
@Suite struct SeriesLimitTests {
    @Test func labelSetsPastTheLimitFoldIntoOneOverflowSeries() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["a", "b"], options: FamilyOptions(seriesLimit: 3))
        for index in 0..<3 { family.labels(["\(index)", "x"]).inc() }
        family.labels(["3", "x"]).inc(by: 10)
        family.labels(["4", "x"]).inc(by: 20)
        #expect(family.seriesCount == 3)
        #expect(
            registry.exportedSeries(of: "c_total") == [
                ExportedSeries(labels: #"a="0",b="x""#, value: 1), ExportedSeries(labels: #"a="1",b="x""#, value: 1),
                ExportedSeries(labels: #"a="2",b="x""#, value: 1),
                ExportedSeries(labels: #"a="__overflow__",b="__overflow__""#, value: 30),
            ])
        #expect(
            registry.exportedSeries(of: Registry.overflowFamilyName) == [
                ExportedSeries(labels: #"family="c_total""#, value: 2)
            ])
    }

    @Test func existingSeriesKeepWorkingAtTheLimit() throws {
        let registry = Registry()
        let family = try registry.gaugeFamily("g", help: "h", labelNames: ["k"], options: FamilyOptions(seriesLimit: 2))
        family.labels(["a"]).set(1)
        family.labels(["b"]).set(2)
        family.labels(["a"]).set(5)
        family.labels(["b"]).inc()
        #expect(
            registry.exportedSeries(of: "g") == [
                ExportedSeries(labels: #"k="a""#, value: 5), ExportedSeries(labels: #"k="b""#, value: 3),
            ])
        #expect(
            registry.exportedSeries(of: Registry.overflowFamilyName) == [
                ExportedSeries(labels: #"family="g""#, value: 0)
            ])
    }

    @Test func overflowCountsEveryFoldedLookupPerFamily() throws {
        let registry = Registry()
        let first = try registry.counterFamily(
            "a_total", help: "h", labelNames: ["k"], options: FamilyOptions(seriesLimit: 1))
        let second = try registry.histogramFamily(
            "b", help: "h", labelNames: ["k"], buckets: [1], options: FamilyOptions(seriesLimit: 0))
        first.labels(["x"]).inc()
        for index in 0..<5 { first.labels(["y\(index)"]).inc() }
        for index in 0..<3 { second.labels(["z\(index)"]).observe(2) }
        #expect(second.seriesCount == 0)
        #expect(
            registry.exportedSeries(of: Registry.overflowFamilyName) == [
                ExportedSeries(labels: #"family="a_total""#, value: 5),
                ExportedSeries(labels: #"family="b""#, value: 3),
            ])
        #expect(registry.exportedSeries(of: "b") == [ExportedSeries(labels: #"k="__overflow__""#, value: 3)])
    }

    @Test func removingASeriesMakesRoomUnderTheLimit() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["k"], options: FamilyOptions(seriesLimit: 2))
        family.labels(["a"]).inc()
        family.labels(["b"]).inc()
        family.labels(["c"]).inc()
        #expect(family.remove(["a"]))
        family.labels(["d"]).inc(by: 4)
        #expect(family.seriesCount == 2)
        let labels = registry.exportedSeries(of: "c_total")?.map(\.labels)
        #expect(labels == [#"k="b""#, #"k="__overflow__""#, #"k="d""#])
        family.removeAll()
        family.labels(["e"]).inc()
        family.labels(["f"]).inc()
        family.labels(["g"]).inc()
        #expect(registry.exportedSeries(of: "c_total")?.map(\.labels) == [#"k="e""#, #"k="f""#, #"k="__overflow__""#])
        #expect(registry.exportedSeries(of: Registry.overflowFamilyName)?.first?.value == 2)
    }

    @Test func overflowSelfMetricIsAnOrdinaryCounterFamily() throws {
        let registry = Registry()
        _ = try registry.counterFamily("c_total", help: "h", labelNames: ["k"], options: FamilyOptions(seriesLimit: 1))
        let descriptor = try #require(registry.descriptors.first { $0.name == "prom_series_overflow_total" })
        #expect(descriptor.type == .counter)
        #expect(descriptor.labelNames == ["family"])
        #expect(
            descriptor.help
                == "Label sets folded into a family's overflow series because the family reached its series limit.")
    }

    @Test func aRefusedLimitedRegistrationLeavesTheRegistryUnchanged() throws {
        let registry = Registry()
        _ = try registry.gauge("g", help: "h")
        #expect(throws: RegistrationError.self) {
            _ = try registry.counterFamily("g", help: "h", labelNames: [], options: FamilyOptions(seriesLimit: 5))
        }
        #expect(registry.descriptors.map(\.name) == ["g"], "the refused registration created the overflow self-metric")
        #expect(registry.exportedSeries(of: Registry.overflowFamilyName) == nil)
    }

    @Test func unlimitedFamiliesDoNotCreateTheSelfMetric() throws {
        let registry = Registry()
        let family = try registry.counterFamily("c_total", help: "h", labelNames: ["k"])
        for index in 0..<1000 { family.labels(["\(index)"]).inc() }
        #expect(registry.descriptors.map(\.name) == ["c_total"])
    }
}

/// The lock-free label index grows from its smallest size without losing a series.
@Suite struct LabelIndexGrowthTests {
    @Test func twoHundredThousandSeriesFromCapacityHintZeroAreAllFound() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["host", "shard"], options: FamilyOptions(capacityHint: 0))
        let count = 200_000
        let values = (0..<count).map { ["host-\($0)", "\($0 % 7)"] }
        for (index, pair) in values.enumerated() { family.labels(pair).inc(by: UInt64(index)) }
        #expect(family.seriesCount == count)
        var wrong = 0
        for (index, pair) in values.enumerated() where family.labels(pair).value != Double(index) { wrong += 1 }
        #expect(wrong == 0)
        #expect(family.seriesCount == count, "a lookup missed an existing series and created a new one")
        let exported = try #require(registry.exportedSeries(of: "c_total"))
        #expect(exported.count == count)
        #expect(exported.first?.labels == #"host="host-0",shard="0""#)
        #expect(exported.last?.labels == #"host="host-199999",shard="2""#)
        registry.checkInvariants()
    }

    @Test func growthAfterManyRemovalsKeepsTheSurvivors() throws {
        let family = try Registry().gaugeFamily(
            "g", help: "h", labelNames: ["k"], options: FamilyOptions(capacityHint: 0))
        for index in 0..<20_000 { family.labels(["\(index)"]).set(Double(index)) }
        for index in 0..<20_000 where index % 3 != 0 { family.remove(["\(index)"]) }
        for index in 20_000..<40_000 { family.labels(["\(index)"]).set(Double(index)) }
        var wrong = 0
        for index in stride(from: 0, to: 20_000, by: 3) where family.labels(["\(index)"]).value != Double(index) {
            wrong += 1
        }
        for index in 20_000..<40_000 where family.labels(["\(index)"]).value != Double(index) { wrong += 1 }
        #expect(wrong == 0)
        #expect(family.seriesCount == 6667 + 20_000)
    }

    @Test(arguments: [1, 100, 5000, 1_000_000])
    func anyCapacityHintWorks(hint: Int) throws {
        let family = try Registry().counterFamily(
            "c_total", help: "h", labelNames: ["k"], options: FamilyOptions(capacityHint: hint))
        for index in 0..<3000 { family.labels(["\(index)"]).inc(by: index) }
        #expect(family.seriesCount == 3000)
        #expect(family.labels(["2999"]).value == 2999)
    }
}
