import PromCore
import PromExposition
import PromParser
import PromTestSupport
import Testing

/// Random registries written by our writer parse back, through our streaming parser fed in random chunks,
/// to exactly the samples put in (values compared bit for bit), in both formats.
@Suite struct RoundTripTests {
    /// One expected sample: name, labels sorted by name, value bits (NaN normalised).
    struct Sample: Hashable, CustomStringConvertible {
        var name: String
        var labels: [PromLabel]
        var bits: UInt64

        init(_ name: String, _ labels: [PromLabel], _ value: Double) {
            self.name = name
            self.labels = labels.sorted { $0.name < $1.name }
            self.bits = value.isNaN ? Double.nan.bitPattern : value.bitPattern
        }

        var description: String {
            "\(name){\(labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ","))} "
                + "\(Double(bitPattern: bits))"
        }
    }

    static let labelValuePool = [
        "", "a", "get", "C:\\dir\\file", "say \"hi\"", "line\nbreak", "ünïcödé ✓", "日本語", "{}=,",
        "trailing\\", "\\\"", " spaced out ", "0.5", "__overflow", String(repeating: "x", count: 90),
    ]
    static let labelNamePool = ["a", "method", "zone", "b_2", "_under"]

    /// A registry with random families and series, and the samples it must expose per format.
    static func makeRegistry(seed: UInt64) throws -> (Registry, text: Set<Sample>, openMetrics: Set<Sample>) {
        var random = SplitMix64(state: seed)
        let registry = Registry()
        var text = Set<Sample>()
        var openMetrics = Set<Sample>()
        for familyIndex in 0..<Int.random(in: 1...6, using: &random) {
            let labelNames = Array(labelNamePool.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)))
            let base = "f\(seed % 1000)_\(familyIndex)"
            var seen = Set<[String]>()
            let seriesCount = labelNames.isEmpty ? 1 : Int.random(in: 1...12, using: &random)
            let labelSets = (0..<seriesCount).compactMap { _ -> [String]? in
                let values = labelNames.map { _ in labelValuePool.randomElement(using: &random)! }
                return seen.insert(values).inserted ? values : nil
            }
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                let name = Bool.random(using: &random) ? base + "_total" : base
                let family = try registry.counterFamily(name, help: "Counter \(familyIndex).", labelNames: labelNames)
                for values in labelSets {
                    let series = family.labels(values)
                    var total = 0.0
                    for _ in 0..<Int.random(in: 0...4, using: &random) {
                        // Quarters add exactly, so the expected sum does not depend on the order.
                        let amount = Double(Int.random(in: 0...1_000_000, using: &random)) / 4
                        series.inc(by: amount)
                        total += amount
                    }
                    let labels = zip(labelNames, values).map { PromLabel(name: $0, value: $1) }
                    text.insert(Sample(name, labels, total))
                    let familyName = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
                    openMetrics.insert(Sample(familyName + "_total", labels, total))
                }
            case 1:
                let family = try registry.gaugeFamily(base, help: "Gauge \"\(familyIndex)\"\n.", labelNames: labelNames)
                for values in labelSets {
                    let value = randomGaugeValue(using: &random)
                    family.labels(values).set(value)
                    let sample = Sample(base, zip(labelNames, values).map { PromLabel(name: $0, value: $1) }, value)
                    text.insert(sample)
                    openMetrics.insert(sample)
                }
            default:
                let bounds = Buckets.exponential(
                    start: 0.001, factor: 3.5, count: Int.random(in: 1...14, using: &random))
                let family = try registry.histogramFamily(
                    base, help: "Histogram \(familyIndex).", labelNames: labelNames, buckets: bounds)
                for values in labelSets {
                    let observations = (0..<Int.random(in: 0...20, using: &random)).map { _ in
                        Double(Int.random(in: -8...400_000, using: &random)) / 1024
                    }
                    let series = family.labels(values)
                    var sum = 0.0
                    for value in observations {
                        series.observe(value)
                        sum += value
                    }
                    let labels = zip(labelNames, values).map { PromLabel(name: $0, value: $1) }
                    for bound in bounds + [.infinity] {
                        let count = observations.filter { $0 <= bound }.count
                        let bucketLabels = labels + [PromLabel(name: "le", value: CanonicalNumber.string(bound))]
                        text.insert(Sample(base + "_bucket", bucketLabels, Double(count)))
                    }
                    text.insert(Sample(base + "_sum", labels, sum))
                    text.insert(Sample(base + "_count", labels, Double(observations.count)))
                }
                openMetrics.formUnion(text.filter { $0.name.hasPrefix(base + "_") })
            }
        }
        return (registry, text, openMetrics)
    }

    static func randomGaugeValue(using random: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            return [Double.nan, .infinity, -.infinity, -0.0, 0, .leastNonzeroMagnitude].randomElement(using: &random)!
        case 1: return Double(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 2: return Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 1000
        default:
            var value: Double
            repeat { value = Double(bitPattern: random.next()) } while value.isNaN
            return value
        }
    }

    /// Parses `bytes` fed in random chunks and returns every sample.
    static func parse(_ bytes: [UInt8], format: ExpositionFormat, seed: UInt64) throws -> [Sample] {
        var random = SplitMix64(state: seed ^ 0xDEAD_BEEF)
        var parser = ExpositionParser(format: format)
        var samples: [Sample] = []
        var offset = 0
        func drain() throws {
            while let entry = try parser.next() {
                if entry == .sample { samples.append(Sample(parser.metricName, parser.labels, parser.value)) }
            }
        }
        while offset < bytes.count {
            let end = min(bytes.count, offset + Int.random(in: 1...300, using: &random))
            parser.feed(Array(bytes[offset..<end]))
            try drain()
            offset = end
        }
        parser.finish()
        try drain()
        return samples
    }

    @Test(arguments: 0..<40)
    func randomRegistriesParseBackToTheSamplesPutIn(seed: Int) throws {
        let (registry, text, openMetrics) = try Self.makeRegistry(seed: UInt64(seed))
        for (format, expected) in [(ExpositionFormat.prometheusText, text), (.openMetrics, openMetrics)] {
            let writer = ExpositionWriter(format: format == .openMetrics ? .openMetrics : .prometheusText)
            let buffer = ExpositionBuffer(capacity: 64)
            writer.write(registry, into: buffer)
            let parsed = try Self.parse(buffer.bytes, format: format, seed: UInt64(seed))
            #expect(parsed.count == Set(parsed).count, "a sample was written twice (seed \(seed), \(format))")
            let missing = expected.subtracting(parsed)
            let unexpected = Set(parsed).subtracting(expected)
            #expect(
                missing.isEmpty && unexpected.isEmpty,
                "seed \(seed) \(format): missing \(missing), unexpected \(unexpected)")
        }
    }
}
