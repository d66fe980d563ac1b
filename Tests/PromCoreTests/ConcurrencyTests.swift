import PromCore
import PromTestSupport
import Synchronization
import Testing

/// The store under contention. These tests also run under `--sanitize=thread`, so each stays short.
@Suite struct ConcurrencyTests {
    static let threads = 8
    static let increments = 100_000

    @Test(arguments: [0, 4, 64])
    func integerIncrementsFromEightThreadsEndExact(shards: Int) throws {
        let counter = try Registry().counter("c_total", help: "h", options: FamilyOptions(counterShards: shards))
        Threads.run(Self.threads) { _ in
            for _ in 0..<Self.increments { counter.inc() }
        }
        #expect(counter.value == Double(Self.threads * Self.increments))
    }

    @Test(arguments: [0, 8])
    func floatIncrementsFromEightThreadsEndExact(shards: Int) throws {
        let counter = try Registry().counter("c_total", help: "h", options: FamilyOptions(counterShards: shards))
        // Multiples of 1/4 below 2^50 are exact in a Double, so any order of addition gives the same sum.
        Threads.run(Self.threads) { thread in
            let amount = thread % 2 == 0 ? 0.25 : 0.5
            for _ in 0..<Self.increments { counter.inc(by: amount) }
        }
        #expect(counter.value == Double(Self.threads / 2 * Self.increments) * 0.75)
    }

    @Test func mixedIntegerAndFloatIncrementsEndExact() throws {
        let counter = try Registry().counter("c_total", help: "h", options: .shardedPerCPU)
        Threads.run(Self.threads) { thread in
            for step in 0..<Self.increments {
                if (thread + step) % 2 == 0 { counter.inc(by: 2 as UInt64) } else { counter.inc(by: 0.5) }
            }
        }
        #expect(counter.value == Double(Self.threads * Self.increments / 2) * 2.5)
    }

    @Test func gaugeIncAndDecFromEightThreadsEndExact() throws {
        let gauge = try Registry().gauge("g", help: "h")
        Threads.run(Self.threads) { thread in
            for _ in 0..<Self.increments / 2 {
                if thread % 2 == 0 { gauge.inc(by: 1.5) } else { gauge.dec(by: 0.5) }
            }
        }
        #expect(gauge.value == Double(Self.threads / 2 * Self.increments / 2) * 1.0)
    }

    @Test func histogramObservationsFromEightThreadsAreAllCounted() throws {
        let histogram = try Registry().histogram("h", help: "h", buckets: [1, 2, 3])
        Threads.run(Self.threads) { thread in
            for step in 0..<Self.increments / 4 { histogram.observe(Double((thread + step) % 4) + 0.5) }
        }
        let (count, sum) = histogram.countAndSum
        #expect(count == UInt64(Self.threads * Self.increments / 4))
        #expect(sum == Double(Self.threads * Self.increments / 4) * 2)
    }

    @Test func concurrentCreationOfTheSameLabelSetsMakesOneSeriesEach() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["k", "j"], options: FamilyOptions(capacityHint: 0))
        let sets = 2000
        Threads.run(Self.threads) { thread in
            // Each thread walks the sets from another start, so threads race to create every set.
            for step in 0..<sets {
                let index = (step + thread * 251) % sets
                family.labels(["key-\(index)", "\(index % 3)"]).inc()
            }
        }
        #expect(family.seriesCount == sets)
        let exported = try #require(registry.exportedSeries(of: "c_total"))
        #expect(exported.count == sets)
        #expect(Set(exported.map(\.labels)).count == sets)
        #expect(exported.allSatisfy { $0.value == Double(Self.threads) })
        registry.checkInvariants()
    }

    @Test func concurrentRegistrationOfTheSameFamilyReturnsOneFamily() throws {
        let registry = Registry()
        let failures = Atomic<Int>(0)
        Threads.run(Self.threads) { _ in
            for round in 0..<50 {
                do {
                    let family = try registry.counterFamily("shared_\(round)_total", help: "h", labelNames: ["k"])
                    family.labels(["x"]).inc()
                } catch {
                    failures.wrappingAdd(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(registry.descriptors.count == 50)
        for round in 0..<50 {
            #expect(
                registry.exportedSeries(of: "shared_\(round)_total") == [ExportedSeries(labels: #"k="x""#, value: 8)])
        }
    }

    @Test func concurrentLimitedRegistrationsShareOneSelfMetric() throws {
        let registry = Registry()
        Threads.run(Self.threads) { thread in
            let family = try? registry.gaugeFamily(
                "g\(thread)", help: "h", labelNames: ["k"], options: FamilyOptions(seriesLimit: 1))
            family?.labels(["a"]).set(1)
            family?.labels(["b"]).set(1)
        }
        let overflow = try #require(registry.exportedSeries(of: Registry.overflowFamilyName))
        #expect(overflow.count == Self.threads)
        #expect(overflow.allSatisfy { $0.value == 1 })
    }

    @Test func lookupsConcurrentWithRemovalsAndRecreationsStayConsistent() throws {
        let registry = Registry()
        let family = try registry.counterFamily(
            "c_total", help: "h", labelNames: ["k"], options: FamilyOptions(capacityHint: 0))
        let keys = (0..<64).map { "key-\($0)" }
        let stop = Atomic<Bool>(false)
        let lookups = Atomic<Int>(0)
        Threads.run(6) { thread in
            switch thread {
            case 0:
                for round in 0..<300 {
                    for key in keys where key.hashValue & 3 == round & 3 { family.remove([key]) }
                    if round % 50 == 49 { family.removeAll() }
                }
                stop.store(true, ordering: .releasing)
            case 1:
                // Creates fresh series so that stripes keep growing and replacing their tables.
                var index = 0
                while !stop.load(ordering: .acquiring) {
                    family.labels(["fresh-\(index % 5000)"]).inc()
                    if index % 5000 == 4999 {
                        for old in 0..<5000 where old % 2 == 0 { family.remove(["fresh-\(old)"]) }
                    }
                    index += 1
                }
            default:
                var step = thread
                while !stop.load(ordering: .acquiring) {
                    family.labels([keys[step % keys.count]]).inc()
                    family.inc([keys[(step * 7) % keys.count]])
                    step += 1
                }
                lookups.wrappingAdd(step, ordering: .relaxed)
            }
        }
        #expect(lookups.load(ordering: .relaxed) > 0)
        let exported = try #require(registry.exportedSeries(of: "c_total"))
        #expect(Set(exported.map(\.labels)).count == exported.count, "a label set is exported twice")
        #expect(exported.count == family.seriesCount)
        for series in exported {
            let key = String(series.labels.dropFirst(3).dropLast())
            let before = family.labels([key]).value
            family.labels([key]).inc()
            #expect(family.labels([key]).value == before + 1)
        }
        #expect(exported.count == family.seriesCount, "a lookup of an exported series did not find it")
        registry.checkInvariants()
        family.removeAll()
        #expect(family.seriesCount == 0)
        #expect(registry.exportedSeries(of: "c_total")?.isEmpty == true)
    }

    @Test func removeAllRacingWithLookupsNeverLosesTheIndex() throws {
        let family = try Registry().gaugeFamily("g", help: "h", labelNames: ["k"])
        let stop = Atomic<Bool>(false)
        Threads.run(4) { thread in
            if thread == 0 {
                for _ in 0..<2000 { family.removeAll() }
                stop.store(true, ordering: .releasing)
            } else {
                var step = 0
                while !stop.load(ordering: .acquiring) {
                    family.labels(["\(step % 200)"]).inc()
                    step += 1
                }
            }
        }
        for index in 0..<200 { family.labels(["\(index)"]).set(Double(index)) }
        #expect(family.seriesCount == 200)
        for index in 0..<200 { #expect(family.labels(["\(index)"]).value == Double(index)) }
        #expect(family.seriesCount == 200)
    }
}
