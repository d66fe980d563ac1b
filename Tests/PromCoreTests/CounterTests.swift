import PromCore
import PromTestSupport
import Testing

/// Counter semantics: integer and floating increments, ignored non-positive increments, sharding.
@Suite struct CounterTests {
    private func makeCounter(_ options: FamilyOptions = .init()) throws -> Counter {
        try Registry().counter("c_total", help: "h", options: options)
    }

    @Test func newCounterStartsAtZero() throws {
        #expect(try makeCounter().value == 0)
    }

    @Test func integerAndFloatingIncrementsAddUp() throws {
        let counter = try makeCounter()
        counter.inc()
        counter.inc(by: 2 as UInt64)
        counter.inc(by: 3)
        counter.inc(by: 0.5)
        counter.inc(by: 0.25)
        #expect(counter.value == 6.75)
    }

    @Test(arguments: [-1.0, -0.0, 0.0, -.infinity, .nan, -Double.leastNonzeroMagnitude, -.greatestFiniteMagnitude])
    func negativeZeroAndNaNFloatingIncrementsAreIgnored(amount: Double) throws {
        let counter = try makeCounter()
        counter.inc(by: 1.5)
        counter.inc(by: amount)
        #expect(counter.value == 1.5)
        #expect(counter.value.bitPattern == (1.5 as Double).bitPattern)
    }

    @Test(arguments: [-1, 0, Int.min])
    func negativeAndZeroIntegerIncrementsAreIgnored(amount: Int) throws {
        let counter = try makeCounter()
        counter.inc(by: 4)
        counter.inc(by: amount)
        #expect(counter.value == 4)
    }

    @Test func zeroUnsignedIncrementLeavesTheValue() throws {
        let counter = try makeCounter()
        counter.inc(by: 0 as UInt64)
        #expect(counter.value == 0)
    }

    @Test func positiveInfinityMakesTheCounterInfiniteForever() throws {
        let counter = try makeCounter()
        counter.inc(by: 10)
        counter.inc(by: Double.infinity)
        #expect(counter.value == .infinity)
        counter.inc(by: 1)
        counter.inc(by: 2.5)
        #expect(counter.value == .infinity)
    }

    @Test func largeIntegerIncrementsAreKeptExactlyInTheIntegerPart() throws {
        let counter = try makeCounter()
        counter.inc(by: UInt64(1) << 53)
        counter.inc()
        // The Double value rounds, but the integer word is exact: the writer prints 9007199254740993.
        #expect(counter.value == 9_007_199_254_740_992)
        counter.inc(by: UInt64.max - (UInt64(1) << 53) - 1)
        #expect(counter.value == Double(UInt64.max))
    }

    @Test func smallFloatingIncrementsAreNotLostNextToALargeIntegerCount() throws {
        let counter = try makeCounter()
        counter.inc(by: 1_000_000_000 as UInt64)
        for _ in 0..<4 { counter.inc(by: 0.25) }
        #expect(counter.value == 1_000_000_001)
    }

    @Test(arguments: [0, 1, 2, 3, 8, 64, 100_000])
    func shardedCounterSumsEveryShard(shards: Int) throws {
        let counter = try makeCounter(FamilyOptions(counterShards: shards))
        for _ in 0..<1000 { counter.inc() }
        counter.inc(by: 1000)
        counter.inc(by: 0.5)
        counter.inc(by: -3.0)
        #expect(counter.value == 2000.5)
    }

    @Test func shardedSeriesKeepTheirLabelsNextToTheShardWord() throws {
        // A sharded counter cell has a third value word (its shards' address) before the label bytes.
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["a", "b"], options: FamilyOptions(counterShards: 4))
        family.labels(["x", "1"]).inc(by: 3)
        family.labels(["y", "2"]).inc(by: 0.5)
        family.labels(["x", "1"]).inc()
        #expect(family.seriesCount == 2)
        #expect(
            registry.exportedSeries(of: "c_total") == [
                ExportedSeries(labels: #"a="x",b="1""#, value: 4),
                ExportedSeries(labels: #"a="y",b="2""#, value: 0.5),
            ])
    }

    @Test func perCPUShardingSumsCorrectly() throws {
        let family = try Registry().counterFamily("c_total", help: "h", labelNames: ["a"], options: .shardedPerCPU)
        #expect(FamilyOptions.shardedPerCPU.counterShards >= 2)
        #expect(FamilyOptions.shardedPerCPU.counterShards <= 64)
        family.labels(["x"]).inc(by: 7)
        family.inc(["x"], by: 5)
        family.labels(["y"]).inc(by: 0.125)
        #expect(family.labels(["x"]).value == 12)
        #expect(family.labels(["y"]).value == 0.125)
    }

    @Test func familyIncWithoutAHandleCreatesAndIncrementsTheSeries() throws {
        let family = try Registry().counterFamily("c_total", help: "h", labelNames: ["a", "b"])
        family.inc(["1", "2"])
        family.inc(["1", "2"], by: 9)
        #expect(family.seriesCount == 1)
        #expect(family.labels("1", "2").value == 10)
    }
}

/// Gauge semantics: set, inc, dec, set to current time, special values.
@Suite struct GaugeTests {
    @Test func setIncAndDecChangeTheValue() throws {
        let gauge = try Registry().gauge("g", help: "h")
        #expect(gauge.value == 0)
        gauge.set(10)
        gauge.inc()
        gauge.inc(by: 2.5)
        gauge.dec()
        gauge.dec(by: 0.5)
        #expect(gauge.value == 12)
        gauge.dec(by: 20)
        #expect(gauge.value == -8)
        gauge.inc(by: -2)
        #expect(gauge.value == -10)
    }

    @Test(arguments: [
        Double.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1e-300,
    ])
    func setStoresAnyDoubleBitForBit(value: Double) throws {
        let gauge = try Registry().gauge("g", help: "h")
        gauge.set(value)
        #expect(gauge.value.bitPattern == value.bitPattern)
    }

    @Test func setToCurrentTimeStoresUnixSeconds() throws {
        let gauge = try Registry().gauge("t_seconds", help: "h", unit: "seconds")
        gauge.setToCurrentTime()
        // 2024-01-01 and 2100-01-01: the value is seconds (not milliseconds) since 1970.
        #expect(gauge.value > 1_704_067_200)
        #expect(gauge.value < 4_102_444_800)
        #expect(gauge.value != gauge.value.rounded(), "the time has sub-second precision")
    }

    @Test func labelledGaugesAreIndependent() throws {
        let family = try Registry().gaugeFamily("g", help: "h", labelNames: ["k"])
        family.labels(["a"]).set(1)
        family.labels(["b"]).set(2)
        family.labels(["a"]).inc()
        #expect(family.labels(["a"]).value == 2)
        #expect(family.labels(["b"]).value == 2)
        #expect(family.seriesCount == 2)
    }
}

/// Histogram semantics and the bucket helpers; per-bucket counts are checked in the exposition tests.
@Suite struct HistogramTests {
    @Test func observationsUpdateCountAndSum() throws {
        let histogram = try Registry().histogram("h", help: "h", buckets: [1, 2])
        histogram.observe(0.5)
        histogram.observe(1.5)
        histogram.observe(100)
        histogram.observe(-4)
        #expect(histogram.countAndSum == (4, 98))
    }

    @Test func theLargestAllowedHistogramCountsIntoItsLastBuckets() throws {
        // 65,533 buckets: 65,535 value words, the most a series cell's 16-bit word count holds.
        let registry = Registry()
        let bounds = Buckets.linear(start: 0, width: 1, count: FamilyDescriptor.maximumBucketCount)
        let histogram = try registry.histogram("h", help: "h", buckets: bounds)
        histogram.observe(65_532)
        histogram.observe(1e9)
        #expect(histogram.countAndSum == (2, 65_532 + 1e9))
        #expect(registry.exportedSeries(of: "h") == [ExportedSeries(labels: "", value: 2)])
    }

    @Test func infiniteAndNaNObservationsAreCountedAndPoisonTheSum() throws {
        let histogram = try Registry().histogram("h", help: "h", buckets: [1])
        histogram.observe(.infinity)
        #expect(histogram.countAndSum == (1, .infinity))
        histogram.observe(.nan)
        let (count, sum) = histogram.countAndSum
        #expect(count == 2)
        #expect(sum.isNaN)
    }

    @Test func defaultBucketsAreThePrometheusClientDefaults() throws {
        #expect(Buckets.defaults == [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        let family = try Registry().histogramFamily("h", help: "h", labelNames: [])
        #expect(family.descriptor.buckets == Buckets.defaults)
    }

    @Test func linearBucketsStartAtStartAndStepByWidth() {
        #expect(Buckets.linear(start: 1, width: 2, count: 4) == [1, 3, 5, 7])
        #expect(Buckets.linear(start: -1, width: 0.5, count: 3) == [-1, -0.5, 0])
        #expect(Buckets.linear(start: 0, width: 1, count: 0).isEmpty)
        #expect(Buckets.linear(start: 0, width: 0, count: 3).isEmpty)
        #expect(Buckets.linear(start: .nan, width: 1, count: 3).isEmpty)
    }

    @Test func exponentialBucketsMultiplyByTheFactor() {
        #expect(Buckets.exponential(start: 1, factor: 2, count: 5) == [1, 2, 4, 8, 16])
        let start = 0.001
        let expected: [Double] = [start, start * 10, start * 10 * 10]
        #expect(Buckets.exponential(start: start, factor: 10, count: 3) == expected)
        #expect(Buckets.exponential(start: 0, factor: 2, count: 3).isEmpty)
        #expect(Buckets.exponential(start: 1, factor: 1, count: 3).isEmpty)
        #expect(Buckets.exponential(start: 1, factor: 2, count: -1).isEmpty)
    }

    @Test func helperBucketsAreAcceptedAtRegistration() throws {
        let registry = Registry()
        _ = try registry.histogram("lin", help: "h", buckets: Buckets.linear(start: 0, width: 0.1, count: 30))
        _ = try registry.histogram("exp", help: "h", buckets: Buckets.exponential(start: 1e-6, factor: 1.5, count: 60))
    }

    @Test func manyBucketsCountEveryObservationOnce() throws {
        let buckets = Buckets.linear(start: 1, width: 1, count: 40)
        let histogram = try Registry().histogram("h", help: "h", buckets: buckets)
        var sum = 0.0
        for value in stride(from: -2.0, through: 45, by: 0.5) {
            histogram.observe(value)
            sum += value
        }
        #expect(histogram.countAndSum == (95, sum))
    }
}
