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
        let deflater = try gzip.map { level throws(GzipError) in try GzipDeflater(level: level) }
        var compressed: [UInt8] = []
        var best = Double.infinity
        var rawBytes = 0
        for _ in 0..<max(1, repeats) {
            buffer.removeAll()
            compressed.removeAll(keepingCapacity: true)
            rawBytes = 0
            let start = Clock.now()
            if let deflater {
                deflater.reset()
                try writer.write(registry, into: buffer, flushThreshold: 64 * 1024) { piece in
                    rawBytes += piece.byteCount
                    try piece.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
                }
                rawBytes += buffer.byteCount
                try buffer.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
                try deflater.finish(into: &compressed)
            } else {
                writer.write(registry, into: buffer)
                rawBytes = buffer.byteCount
            }
            best = min(best, Clock.now() - start)
        }
        if let output {
            try writeFile(output, bytes: deflater == nil ? buffer.bytes : compressed)
        }
        report(workload, seriesCount, populateSeconds, best, rawBytes, deflater == nil ? nil : compressed.count)
    }

    private func report(
        _ workload: Workload, _ seriesCount: Int, _ populate: Double, _ render: Double, _ bytes: Int, _ gzipped: Int?
    ) {
        var lines = [
            "workload \(workload.rawValue), \(seriesCount) series, format \(format)\(gzip.map { ", gzip level \($0)" } ?? "")",
            "populate: \(formatted(populate * 1000)) ms (\(formatted(populate * 1e9 / Double(seriesCount))) ns/series)",
            "render:   \(formatted(render * 1000)) ms (\(formatted(render * 1e9 / Double(seriesCount))) ns/series, "
                + "\(formatted(Double(bytes) / render / 1e6)) MB/s), best of \(max(1, repeats))",
            "bytes:    \(bytes) (\(formatted(Double(bytes) / Double(seriesCount))) bytes/series)",
        ]
        if let gzipped {
            lines.append("gzipped:  \(gzipped) (ratio \(formatted(Double(gzipped) / Double(bytes))))")
        }
        for line in lines { FileOutput.standardError(line + "\n") }
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
