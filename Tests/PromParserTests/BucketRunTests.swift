import PromTestSupport
import Testing

@testable import PromParser

/// The strict OpenMetrics path for the next bucket of a histogram MetricPoint (`_LabelScreen.repeatedBucketPass`,
/// `_OpenMetricsValidator.nextBucket`) against the full path, which a parser without line memory always takes, on
/// random bucket runs with the errors the two paths must report alike: `le` out of order, unparsable or NaN,
/// values that are not cumulative, negative or fractional, timestamps that are mixed or go backwards, exemplars,
/// metadata and comments between buckets, duplicate, quoted or moved `le` labels, and repeated MetricPoints.
@Suite struct BucketRunTests {
    static let thresholds = ["0.005", "0.5", "1", "1.0", "2.5", "10", "+Inf"]
    static let oddThresholds = ["NaN", "abc", "-1", "1e3", "+inf", "Inf", "0.5", "", "1\\\"", "-Inf"]
    static let commonNames = ["a", "job", "\"q.name\"", "instance", "quantile", "x"]
    static let commonValues = ["x", "1", "a\\\"b", "\u{e9}t\u{e9}", "", "0.5", "long_value_of_many_bytes"]

    static func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T {
        items[Int(random.next() % UInt64(items.count))]
    }

    static func chance(_ oneIn: UInt64, _ random: inout SplitMix64) -> Bool { random.next() % oneIn == 0 }

    /// One random exposition of histogram-like families made mostly of bucket runs.
    static func exposition(_ random: inout SplitMix64) -> [UInt8] {
        var lines: [String] = []
        for family in 0..<Int(1 + random.next() % 3) {
            let name = "h\(family % 2)"
            let type = chance(6, &random) ? "gaugehistogram" : chance(12, &random) ? "counter" : "histogram"
            if !chance(10, &random) { lines.append("# TYPE \(name) \(type)") }
            var common: [String] = []
            for _ in 0..<Int(1 + random.next() % 4) {
                for label in commonNames where !chance(2, &random) {
                    common.append("\(label)=\"\(pick(commonValues, &random))\"")
                }
                if chance(20, &random) && !common.isEmpty { common.append(common[0]) }
                let lePosition = chance(5, &random) ? Int(random.next() % UInt64(common.count + 1)) : common.count
                let timestamped = chance(4, &random)
                var count = 0
                var seconds = 100
                var bucketIndex = 0
                while bucketIndex < thresholds.count {
                    var le = thresholds[bucketIndex]
                    if chance(25, &random) { le = pick(oddThresholds, &random) }
                    if chance(12, &random) { bucketIndex += 1 }  // a bucket twice: `le` not increasing
                    bucketIndex += 1
                    count += Int(random.next() % 3)
                    var value = "\(count)"
                    if chance(30, &random) { value = pick(["-1", "0", "1.5", "NaN", "+Inf"], &random) }
                    var labels = common
                    let leName = chance(30, &random) ? "\"le\"" : chance(40, &random) ? "lf" : "le"
                    labels.insert("\(leName)=\"\(le)\"", at: min(lePosition, labels.count))
                    if chance(40, &random) { labels.append("le=\"1\"") }
                    let suffix = chance(30, &random) ? "_count" : "_bucket"
                    var line = "\(name)\(suffix){\(labels.joined(separator: ","))} \(value)"
                    if timestamped != chance(30, &random) {
                        seconds += chance(10, &random) ? -1 : Int(random.next() % 2)
                        line += " \(seconds)"
                    }
                    if chance(20, &random) { line += " # {t=\"1\"} 1" }
                    lines.append(line)
                    if chance(40, &random) {
                        lines.append(pick(["# HELP \(name) x", "# comment", "# UNIT \(name) "], &random))
                    }
                }
                if !chance(8, &random) { lines.append("\(name)_count{\(common.joined(separator: ","))} \(count)") }
                if !chance(8, &random) { lines.append("\(name)_sum{\(common.joined(separator: ","))} 1.5") }
                if chance(15, &random), let last = lines.last { lines.append(last) }
            }
        }
        lines.append("# EOF")
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    @Test func bucketRunsCheckAsOnTheFullPath() {
        var random = SplitMix64(state: 0xb0c4_e7_0005)
        var failures = 0
        for _ in 0..<2000 {
            let input = Self.exposition(&random)
            let remembered = LineMemoryTests.detailedTrace(input, format: .openMetrics, memory: true, lineByLine: false)
            let forgotten = LineMemoryTests.detailedTrace(input, format: .openMetrics, memory: false, lineByLine: false)
            #expect(remembered == forgotten, "\(String(decoding: input, as: UTF8.self))")
            if remembered != forgotten {
                failures += 1
                if failures > 3 { return }
            }
        }
    }

    @Test func bucketsAfterTheFirstTakeTheShortPath() throws {
        let input = """
            # TYPE h histogram
            h_bucket{a="1",le="1"} 1
            h_bucket{a="1",le="2"} 1
            h_bucket{a="1",le="+Inf"} 2
            h_count{a="1"} 2
            h_sum{a="1"} 3
            h_bucket{a="2",le="+Inf"} 2
            # EOF

            """
        let runs = try probeSamples(input) { $0._storage.core._openMetrics.inBucketRun }
        #expect(runs == [true, true, true, false, false, true])
    }
}
