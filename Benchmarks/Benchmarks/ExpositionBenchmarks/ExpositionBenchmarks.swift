import BenchSupport
// Exposition benchmarks: steady-state renders of W1 (10k/100k/1M), W2 and W3 into a reused buffer, in Prometheus
// text 0.0.4 and OpenMetrics 1.0; the memcpy floor for the W1 100k text size; render+gzip (chunked 64 KiB pieces
// into GzipDeflater) at levels 1 and 6 beside zlib alone compressing the finished text; swift-prometheus's
// emit(into:) of W1 10k (its 100k emit is timed by Store.populate.peer_w1_100k, opt-in, so that the peer's
// 4-minute 100k populate runs once per run).
//
// Every benchmark populates in setup and times one render per iteration, so mallocCountTotal is the allocations
// of one steady-state render (the goal is 0). Custom metrics: nsPerSeries and MBps (bytes written / wall time,
// from the benchmark's own clock), outputBytes. Names are `Exposition.<operation>.<scenario>`.
import Benchmark
import CBenchZlib
import Glibc
import PromCore
import PromExposition
import PromGzip
import PromWorkloads
import Prometheus

final class Box<T> {
    var value: T?
    var unwrapped: T { value! }
}

let nsPerSeries = BenchmarkMetric.custom("nsPerSeries", polarity: .prefersSmaller, useScalingFactor: false)
let megabytesPerSecond = BenchmarkMetric.custom("MBps", polarity: .prefersLarger, useScalingFactor: false)
let outputBytes = BenchmarkMetric.custom("outputBytes", polarity: .prefersSmaller, useScalingFactor: false)
let compressedBytes = BenchmarkMetric.custom("compressedBytes", polarity: .prefersSmaller, useScalingFactor: false)
let renderMetrics: [BenchmarkMetric] = [
    .wallClock, .cpuTotal, .mallocCountTotal, .throughput, nsPerSeries, megabytesPerSecond, outputBytes,
]
/// Malloc counts are exact and repeatable: a regression is any increase (thresholds are checked at p90).
let mallocGate: [BenchmarkMetric: BenchmarkThresholds] = [
    .mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 0])
]

func config(series: Int, extra: [BenchmarkMetric] = []) -> Benchmark.Configuration {
    // About 70 ns/series: 10k ≈ 1 ms, 100k ≈ 10 ms, 1M ≈ 100 ms per render.
    let iterations = series >= 1_000_000 ? 8 : (series >= 100_000 ? 40 : 200)
    return .init(
        metrics: renderMetrics + extra, timeUnits: .microseconds, warmupIterations: 1, scalingFactor: .one,
        maxDuration: .seconds(series >= 1_000_000 ? 3 : 1), maxIterations: iterations, thresholds: mallocGate)
}

/// Records the per-render custom metrics.
func report(_ benchmark: Benchmark, nanoseconds: UInt64, bytes: Int, series: Int) {
    benchmark.measurement(nsPerSeries, Int(nanoseconds) / max(series, 1))
    benchmark.measurement(megabytesPerSecond, Int(Double(bytes) / (Double(max(nanoseconds, 1)) / 1e9) / 1e6))
    benchmark.measurement(outputBytes, bytes)
}

/// A populated registry, a writer and a warmed buffer (one render done, so the buffer has its capacity).
struct Rendering {
    let registry: Registry
    let writer: ExpositionWriter
    let buffer: ExpositionBuffer
    let series: Int

    init(workload: Workload, series: Int, format: ExpositionWriterFormat) throws {
        registry = Registry()
        self.series = try workload.populate(registry, seriesCount: series)
        writer = ExpositionWriter(format: format)
        buffer = ExpositionBuffer()
        writer.write(registry, into: buffer)
    }
}

/// zlib alone: one deflate(Z_FINISH) of the whole input into a preallocated output, gzip framing.
final class ZlibAlone {
    let stream: UnsafeMutablePointer<z_stream>
    let output: UnsafeMutablePointer<UInt8>
    let outputCapacity: Int

    init(level: Int32, inputSize: Int) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        precondition(CBenchZlib_deflateInit2(stream, level) == Z_OK)
        outputCapacity = Int(deflateBound(stream, UInt(inputSize))) + 64
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `input`; returns the compressed size.
    func compress(_ input: UnsafeRawBufferPointer) -> Int {
        deflateReset(stream)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output
        stream.pointee.avail_out = UInt32(outputCapacity)
        let status = deflate(stream, Z_FINISH)
        precondition(status == Z_STREAM_END, "deflate: \(status)")
        let written = outputCapacity - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        return written
    }
}

let benchmarks: @Sendable () -> Void = {
    // MARK: Steady-state renders

    let cases: [(name: String, workload: Workload, series: Int)] = [
        ("w1_10k", .w1, 10_000), ("w1_100k", .w1, 100_000), ("w1_1M", .w1, 1_000_000),
        ("w2", .w2, 0), ("w3", .w3, 0),
    ]
    for (name, workload, series) in cases {
        for (suffix, format) in [("text", ExpositionWriterFormat.prometheusText), ("om", .openMetrics)] {
            let state = Box<Rendering>()
            Benchmark("Exposition.render.\(name)_\(suffix)", configuration: config(series: series)) { benchmark in
                let rendering = state.unwrapped
                let buffer = rendering.buffer
                benchmark.startMeasurement()
                let start = monotonicNanoseconds()
                buffer.removeAll()
                rendering.writer.write(rendering.registry, into: buffer)
                let elapsed = monotonicNanoseconds() - start
                benchmark.stopMeasurement()
                report(benchmark, nanoseconds: elapsed, bytes: buffer.byteCount, series: rendering.series)
            } setup: {
                state.value = try Rendering(workload: workload, series: series, format: format)
            }
        }
    }

    // MARK: The floor: memcpy of as many bytes as the W1 100k text exposition

    let copy = Box<(source: UnsafeMutableRawPointer, destination: UnsafeMutableRawPointer, count: Int)>()
    Benchmark("Exposition.memcpy.w1_100k_text", configuration: config(series: 100_000)) { benchmark in
        let (source, destination, count) = copy.unwrapped
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        memcpy(destination, source, count)
        let elapsed = monotonicNanoseconds() - start
        benchmark.stopMeasurement()
        blackHole(destination.load(fromByteOffset: count - 1, as: UInt8.self))
        report(benchmark, nanoseconds: elapsed, bytes: count, series: 100_000)
    } setup: {
        let rendering = try Rendering(workload: .w1, series: 100_000, format: .prometheusText)
        let count = rendering.buffer.byteCount
        let source = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        let destination = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        rendering.buffer.withUnsafeBytes { source.copyMemory(from: $0.baseAddress!, byteCount: count) }
        // Touch the destination so that page faults are not timed.
        memset(destination, 0, count)
        copy.value = (source, destination, count)
    }

    // MARK: Render + gzip (64 KiB pieces streamed into the deflater) vs zlib alone on the finished text

    for level: Int32 in [1, 6] {
        let gzipState = Box<(rendering: Rendering, deflater: GzipDeflater, output: [UInt8], textBytes: Int)>()
        Benchmark(
            "Exposition.renderGzip.w1_100k_text_level\(level)",
            configuration: config(series: 100_000, extra: [compressedBytes])
        ) { benchmark in
            let rendering = gzipState.value!.rendering
            let deflater = gzipState.value!.deflater
            var output = gzipState.value!.output
            gzipState.value!.output = []
            let buffer = rendering.buffer
            benchmark.startMeasurement()
            let start = monotonicNanoseconds()
            deflater.reset()
            output.removeAll(keepingCapacity: true)
            buffer.removeAll()
            rendering.writer.write(rendering.registry, into: buffer, flushThreshold: 64 * 1024) { piece in
                try! piece.withUnsafeBytes { try deflater.compress($0, into: &output) }
            }
            try! buffer.withUnsafeBytes { try deflater.compress($0, into: &output) }
            try! deflater.finish(into: &output)
            let elapsed = monotonicNanoseconds() - start
            benchmark.stopMeasurement()
            // MBps here is uncompressed exposition bytes per second, comparable with zlib alone.
            report(benchmark, nanoseconds: elapsed, bytes: gzipState.value!.textBytes, series: rendering.series)
            benchmark.measurement(compressedBytes, output.count)
            gzipState.value!.output = output
        } setup: {
            let rendering = try Rendering(workload: .w1, series: 100_000, format: .prometheusText)
            let deflater = try GzipDeflater(level: level)
            var output = [UInt8]()
            output.reserveCapacity(rendering.buffer.byteCount / 2)
            gzipState.value = (rendering, deflater, output, rendering.buffer.byteCount)
        }

        let zlibState = Box<(text: [UInt8], zlib: ZlibAlone)>()
        Benchmark(
            "Exposition.zlibAlone.w1_100k_text_level\(level)",
            configuration: config(series: 100_000, extra: [compressedBytes])
        ) { benchmark in
            let (text, zlib) = zlibState.unwrapped
            benchmark.startMeasurement()
            let start = monotonicNanoseconds()
            let compressed = text.withUnsafeBytes { zlib.compress($0) }
            let elapsed = monotonicNanoseconds() - start
            benchmark.stopMeasurement()
            report(benchmark, nanoseconds: elapsed, bytes: text.count, series: 100_000)
            benchmark.measurement(compressedBytes, compressed)
        } setup: {
            let rendering = try Rendering(workload: .w1, series: 100_000, format: .prometheusText)
            let text = rendering.buffer.bytes
            zlibState.value = (text, ZlibAlone(level: level, inputSize: text.count))
        }
    }

    // MARK: The peer: swift-prometheus 2.4.1 emit(into:) of W1 10k into a reused [UInt8]

    (PeerBenchmarks.self as BenchmarkGroup.Type).register()
}

/// Registers benchmarks behind a protocol, so that calling the peer's deprecated API (the one WORKLOADS.md names)
/// does not warn at the call site.
protocol BenchmarkGroup { static func register() }

enum PeerBenchmarks: BenchmarkGroup {
    @available(
        *, deprecated, message: "uses the peer's deprecated makeCounter(name:labels:help:), as WORKLOADS.md names it"
    )
    static func register() {
        let peer = Box<(registry: PrometheusCollectorRegistry, buffer: [UInt8])>()
        Benchmark("Exposition.render.peer_w1_10k_text", configuration: config(series: 10_000)) { benchmark in
            let registry = peer.value!.registry
            var buffer = peer.value!.buffer
            peer.value!.buffer = []
            benchmark.startMeasurement()
            let start = monotonicNanoseconds()
            buffer.removeAll(keepingCapacity: true)
            registry.emit(into: &buffer)
            let elapsed = monotonicNanoseconds() - start
            benchmark.stopMeasurement()
            report(benchmark, nanoseconds: elapsed, bytes: buffer.count, series: 10_000)
            peer.value!.buffer = buffer
        } setup: {
            let values = W1Values(count: 10_000)
            let registry = PrometheusCollectorRegistry()
            Peer.populateW1(registry, labels: values.peerLabels(), increments: values.increments)
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            peer.value = (registry, buffer)
        }
    }
}
