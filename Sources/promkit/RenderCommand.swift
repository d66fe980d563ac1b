import ArgumentParser
import PromCore
import PromExposition
import PromGzip
import PromWorkloads

#if canImport(Glibc)
import Glibc
#endif

/// `promkit render`: populates a workload and writes its exposition, printing figures on stderr.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Populate a benchmark workload and write its exposition.",
        discussion: "Figures (populate and render time, bytes, series) go to stderr; the exposition goes to --output."
    )

    @Option(help: "The workload: W1, W2 or W3 (see shared/benchmarks/WORKLOADS.md).")
    var workload: String = "W1"

    @Option(help: "The number of series for W1.")
    var series: Int = 100_000

    @Option(help: "The exposition format: prometheus or openmetrics.")
    var format: String = "prometheus"

    @Option(help: "Compress with gzip at this level (1-9).")
    var gzip: Int32?

    @Option(help: "Write the exposition to this file (nothing is written without it).")
    var output: String?

    @Option(help: "Render this many times and report the fastest (steady state).")
    var repeats: Int = 3

    mutating func run() throws {
        guard let workload = Workload(rawValue: workload.uppercased()) else {
            throw ValidationError("unknown workload \"\(workload)\": use W1, W2 or W3")
        }
        guard let format = ExpositionWriterFormat(rawValue: format.lowercased()) else {
            throw ValidationError("unknown format \"\(format)\": use prometheus or openmetrics")
        }
        guard series > 0 else { throw ValidationError("--series must be positive") }
        let registry = Registry()
        let populateStart = Clock.now()
        let seriesCount = try workload.populate(registry, seriesCount: series)
        let populateSeconds = Clock.now() - populateStart

        let writer = ExpositionWriter(format: format)
        let buffer = ExpositionBuffer(capacity: 1 << 20)
        let repeats = max(1, self.repeats)
        let plain = best(of: repeats) {
            buffer.removeAll()
            writer.write(registry, into: buffer)
        }
        var lines = [
            "workload \(workload.rawValue), \(seriesCount) series, format \(format)",
            "populate: \(formatted(populateSeconds * 1000)) ms (\(formatted(populateSeconds * 1e9 / Double(seriesCount))) ns/series)",
            "render:   \(formatted(plain * 1000)) ms (\(formatted(plain * 1e9 / Double(seriesCount))) ns/series, "
                + "\(formatted(Double(buffer.byteCount) / plain / 1e6)) MB/s), best of \(repeats)",
            "bytes:    \(buffer.byteCount) (\(formatted(Double(buffer.byteCount) / Double(seriesCount))) bytes/series)",
        ]
        var outputBytes = buffer.bytes
        if let level = gzip {
            let (compressed, gzipped, alone) = try measureGzip(
                level: level, writer, registry, finished: buffer, repeats)
            lines.append(
                "gzip -\(level):  render+compress \(formatted(gzipped * 1000)) ms, compressing the finished text alone "
                    + "\(formatted(alone * 1000)) ms (ratio \(formatted(gzipped / alone))), "
                    + "\(compressed.count) bytes (\(formatted(Double(compressed.count) / Double(buffer.byteCount))) of the text)"
            )
            outputBytes = compressed
        }
        if let output { try writeFile(output, bytes: outputBytes) }
        for line in lines { FileOutput.standardError(line + "\n") }
    }

    /// Times a chunked gzip render (64 KiB pieces into the deflater) and zlib compressing the finished
    /// text alone, each best of `repeats`.
    private func measureGzip(
        level: Int32, _ writer: ExpositionWriter, _ registry: Registry, finished: ExpositionBuffer, _ repeats: Int
    ) throws -> (compressed: [UInt8], gzipRender: Double, compressionAlone: Double) {
        let deflater = try GzipDeflater(level: level)
        let piece = ExpositionBuffer(capacity: 128 * 1024)
        var compressed: [UInt8] = []
        var failure: Error?
        let gzipRender = best(of: repeats) {
            deflater.reset()
            compressed.removeAll(keepingCapacity: true)
            piece.removeAll()
            do {
                try writer.write(registry, into: piece, flushThreshold: 64 * 1024) { full in
                    try full.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
                }
                try piece.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
                try deflater.finish(into: &compressed)
            } catch { failure = error }
        }
        var alone: [UInt8] = []
        let compressionAlone = best(of: repeats) {
            deflater.reset()
            alone.removeAll(keepingCapacity: true)
            do {
                try finished.withUnsafeBytes { try deflater.compress($0, into: &alone) }
                try deflater.finish(into: &alone)
            } catch { failure = error }
        }
        if let failure { throw failure }
        return (compressed, gzipRender, compressionAlone)
    }

    /// The fastest of `repeats` runs of `body`, in seconds.
    private func best(of repeats: Int, _ body: () -> Void) -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = Clock.now()
            body()
            fastest = min(fastest, Clock.now() - start)
        }
        return fastest
    }

    private func formatted(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return "\(scaled)"
    }

    private func writeFile(_ path: String, bytes: [UInt8]) throws {
        guard let file = fopen(path, "wb") else { throw ValidationError("cannot open \(path) for writing") }
        defer { fclose(file) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else { throw ValidationError("short write to \(path)") }
    }
}

/// Monotonic time in seconds.
enum Clock {
    static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Unbuffered writes to the standard streams.
enum FileOutput {
    static func standardError(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
