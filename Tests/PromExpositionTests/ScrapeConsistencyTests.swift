import PromCore
import PromExposition
import PromTestSupport
import Synchronization
import Testing

/// Renders while other threads observe: a histogram is never seen torn.
@Suite struct ScrapeConsistencyTests {
    /// Checks one render: per series, buckets never decrease and `_count` equals the `+Inf` bucket; and no
    /// bucket is lower than in the previous render.
    static func check(_ text: String, previous: inout [String: [UInt64]]) throws -> [String] {
        var problems: [String] = []
        var buckets: [String: [UInt64]] = [:]
        for sample in try ExpositionSamples.parse(text) {
            let series = sample.labels(excluding: "le").map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            let value = UInt64(sample.valueText)
            if sample.name.hasSuffix("_bucket") {
                guard let value else {
                    problems.append("bucket value \(sample.valueText) is not an integer")
                    continue
                }
                if let last = buckets[series]?.last, value < last { problems.append("bucket decreases in \(sample)") }
                buckets[series, default: []].append(value)
            } else if sample.name.hasSuffix("_count") {
                if value != buckets[series]?.last {
                    problems.append("\(sample) != +Inf bucket \(buckets[series]?.last ?? 0)")
                }
            }
        }
        for (series, counts) in buckets {
            if let before = previous[series] {
                for (old, new) in zip(before, counts) where new < old {
                    problems.append("a bucket of \(series) went from \(old) to \(new) between renders")
                }
            }
        }
        previous = buckets
        return problems
    }

    @Test(arguments: ExpositionWriterFormat.allCases)
    func rendersDuringObservationsNeverShowATornHistogram(_ format: ExpositionWriterFormat) throws {
        let registry = Registry()
        let family = try registry.histogramFamily(
            "h", help: "H.", labelNames: ["k"], buckets: Buckets.exponential(start: 1, factor: 2, count: 20))
        let plain = try registry.histogram("single", help: "S.", buckets: [0.5, 1, 2])
        let stop = Atomic<Bool>(false)
        let renders = Atomic<Int>(0)
        let problems = Mutex<[String]>([])
        Threads.run(5) { thread in
            if thread == 0 {
                let writer = ExpositionWriter(format: format)
                let buffer = ExpositionBuffer(capacity: 1 << 16)
                var previous: [String: [UInt64]] = [:]
                for _ in 0..<150 {
                    buffer.removeAll()
                    writer.write(registry, into: buffer)
                    let found = (try? Self.check(buffer.string, previous: &previous)) ?? ["unparsable render"]
                    if !found.isEmpty { problems.withLock { $0 += found.prefix(5) } }
                    renders.wrappingAdd(1, ordering: .relaxed)
                }
                stop.store(true, ordering: .releasing)
            } else {
                var step = thread
                while !stop.load(ordering: .acquiring) {
                    let value = Double(step % 3000) / 3
                    family.labels(["\(step % 8)"]).observe(value)
                    plain.observe(value.truncatingRemainder(dividingBy: 3))
                    step += 7
                }
            }
        }
        #expect(renders.load(ordering: .relaxed) == 150)
        #expect(problems.withLock { $0 }.isEmpty, "\(problems.withLock { $0 }.prefix(10))")
        var previous: [String: [UInt64]] = [:]
        #expect(try Self.check(Rendering.text(registry, format), previous: &previous).isEmpty)
    }

    @Test func rendersDuringSeriesCreationAndRemovalStayWellFormed() throws {
        let registry = Registry()
        let counters = try registry.counterFamily(
            "c_total", help: "C.", labelNames: ["k"], options: FamilyOptions(capacityHint: 0))
        let stop = Atomic<Bool>(false)
        let problems = Mutex<[String]>([])
        Threads.run(4) { thread in
            if thread == 0 {
                let writer = ExpositionWriter(format: .openMetrics)
                let buffer = ExpositionBuffer(capacity: 64)
                for _ in 0..<100 {
                    buffer.removeAll()
                    writer.write(registry, into: buffer)
                    let text = buffer.string
                    do {
                        let samples = try ExpositionSamples.parse(text)
                        let keys = samples.map { $0.label("k") ?? "" }
                        if Set(keys).count != keys.count {
                            problems.withLock { $0.append("a series was written twice") }
                        }
                        if !text.hasSuffix("# EOF\n") { problems.withLock { $0.append("no # EOF") } }
                    } catch {
                        problems.withLock { $0.append("\(error)") }
                    }
                }
                stop.store(true, ordering: .releasing)
            } else {
                var step = thread
                while !stop.load(ordering: .acquiring) {
                    counters.labels(["\(step % 3000)"]).inc()
                    if step % 5 == 0 { counters.remove(["\((step * 31) % 3000)"]) }
                    if step % 20_000 == 0 { counters.removeAll() }
                    step += 3
                }
            }
        }
        #expect(problems.withLock { $0 }.isEmpty, "\(problems.withLock { $0 }.prefix(10))")
    }
}
