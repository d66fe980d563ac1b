import BenchSupport
// Parser benchmarks: the streaming parser over the W1 100k and W2 expositions (our own writer's output), text
// 0.0.4 and OpenMetrics 1.0, fully validating (strict) and syntax-only, fed in 64 KiB chunks as a socket read
// would hand them over; every sample's name, labels and value are read through the zero-allocation accessors.
// Custom metrics: MBps (input bytes per second) and nsPerSample. mallocCountTotal is per whole parse (a constant
// that grows with neither the sample count nor the chunk count: the parser's buffers growing to size). `Parser.stream1GB.text` parses
// about 1 GB (the W1 100k text 45 times, syntax-only) and reports its peak resident memory, which must not grow
// with the input (it holds the 22.5 MB source text it feeds from, plus the parser's constant state).
import Benchmark
import PromCore
import PromExposition
import PromParser
import PromWorkloads

let megabytesPerSecond = BenchmarkMetric.custom("MBps", polarity: .prefersLarger, useScalingFactor: false)
let nsPerSample = BenchmarkMetric.custom("nsPerSample", polarity: .prefersSmaller, useScalingFactor: false)
let mallocGate: [BenchmarkMetric: BenchmarkThresholds] = [
    .mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 0])
]

final class Input {
    var bytes: [UInt8] = []
    var samples = 0
}

/// Renders a workload with our writer: the input of the parser benchmarks.
func render(_ workload: Workload, series: Int, format: ExpositionWriterFormat) throws -> [UInt8] {
    let registry = Registry()
    try workload.populate(registry, seriesCount: series)
    let buffer = ExpositionBuffer()
    ExpositionWriter(format: format).write(registry, into: buffer)
    return buffer.bytes
}

/// Reads every sample the parser has ready, as a scraper does: its name, every label's name and value, and its
/// value. A free function over `inout` parser state, like a caller's own loop (a nested function capturing the
/// parser would box it and check exclusivity dynamically on every accessor call).
@inline(__always)
func drain(_ parser: inout ExpositionParser, samples: inout Int, checksum: inout Int) throws {
    while let entry = try parser.next() {
        guard entry == .sample else { continue }
        samples += 1
        checksum &+= parser.withMetricName { $0.count }
        for index in 0..<parser.labelCount { checksum &+= parser.withLabel(at: index) { $0.count &+ $1.count } }
        checksum &+= Int(parser.value.bitPattern & 1)
    }
}

/// Parses `bytes` in 64 KiB chunks, `repeats` times over one parser stream, touching every sample; returns
/// the number of samples.
@inline(never)
func parse(_ bytes: [UInt8], format: ExpositionFormat, options: ParserOptions, repeats: Int = 1) throws -> Int {
    var parser = ExpositionParser(format: format, options: options)
    var samples = 0
    var checksum = 0
    let chunk = 64 * 1024
    try bytes.withUnsafeBytes { all in
        for _ in 0..<repeats {
            var offset = 0
            // A repeated OpenMetrics body would put `# EOF` mid-stream: repeat the text format only.
            while offset < all.count {
                let end = min(all.count, offset + chunk)
                parser.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                try drain(&parser, samples: &samples, checksum: &checksum)
                offset = end
            }
        }
    }
    parser.finish()
    try drain(&parser, samples: &samples, checksum: &checksum)
    blackHole(checksum)
    return samples
}

let benchmarks: @Sendable () -> Void = {
    let cases: [(String, Workload, Int)] = [("w1_100k", .w1, 100_000), ("w2", .w2, 0)]
    for (name, workload, series) in cases {
        for (suffix, writerFormat, format) in [
            ("text", ExpositionWriterFormat.prometheusText, ExpositionFormat.prometheusText),
            ("om", .openMetrics, .openMetrics),
        ] {
            for (mode, validation) in [("strict", ParserOptions.Validation.strict), ("syntax", .syntaxOnly)] {
                let input = Input()
                // About a second of parses per benchmark (W1 100k about 20 ms a parse, W2 about 1.3 ms): on this
                // shared VM another tenant's load halves the parse speed for bursts of a fraction of a second
                // (seen within one process, in CPU time), and 20 W2 parses (26 ms) could all fall inside one.
                let configuration = Benchmark.Configuration(
                    metrics: [.wallClock, .cpuTotal, .mallocCountTotal, megabytesPerSecond, nsPerSample],
                    timeUnits: .milliseconds, warmupIterations: 1, scalingFactor: .one,
                    maxDuration: .seconds(2), maxIterations: workload == .w2 ? 400 : 50, thresholds: mallocGate)
                Benchmark("Parser.\(name).\(suffix)_\(mode)", configuration: configuration) { benchmark in
                    let options = ParserOptions(validation: validation)
                    benchmark.startMeasurement()
                    let start = monotonicNanoseconds()
                    let samples = try parse(input.bytes, format: format, options: options)
                    let elapsed = max(monotonicNanoseconds() - start, 1)
                    benchmark.stopMeasurement()
                    precondition(samples == input.samples, "parsed \(samples) samples, expected \(input.samples)")
                    benchmark.measurement(megabytesPerSecond, Int(Double(input.bytes.count) / (Double(elapsed) / 1e3)))
                    benchmark.measurement(nsPerSample, Int(elapsed) / max(samples, 1))
                } setup: {
                    input.bytes = try render(workload, series: series, format: writerFormat)
                    input.samples = try parse(input.bytes, format: format, options: ParserOptions())
                }
            }
        }
    }

    let stream = Input()
    Benchmark(
        "Parser.stream1GB.text",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, megabytesPerSecond], timeUnits: .seconds,
            warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 1,
            thresholds: mallocGate)
    ) { benchmark in
        let repeats = 1_000_000_000 / stream.bytes.count + 1
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        // Syntax-only: the strict rules refuse a family repeated 45 times (a second HELP line), and they keep 8
        // bytes per family name, which is the only state that grows with the input.
        let options = ParserOptions(validation: .syntaxOnly)
        let samples = try parse(stream.bytes, format: .prometheusText, options: options, repeats: repeats)
        let elapsed = max(monotonicNanoseconds() - start, 1)
        benchmark.stopMeasurement()
        precondition(samples == repeats * 100_000)
        benchmark.measurement(megabytesPerSecond, Int(Double(repeats * stream.bytes.count) / (Double(elapsed) / 1e3)))
    } setup: {
        stream.bytes = try render(.w1, series: 100_000, format: .prometheusText)
    }
}
