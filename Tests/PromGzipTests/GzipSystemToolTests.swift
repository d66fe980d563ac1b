import Foundation
import PromGzip
import Testing

/// Checks our streams against the system `gzip` (1.12 on Debian 12), an independent decoder.
@Suite struct GzipSystemToolTests {
    typealias H = GzipTestHelpers

    private static let gzipPath = "/bin/gzip"

    private struct ToolResult {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Writes `bytes` to a temporary `.gz` file, runs `gzip` with `arguments` plus the file, and deletes it.
    private static func runGzip(_ arguments: [String], on bytes: [UInt8]) throws -> ToolResult {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("prom-gzip-test-\(UUID().uuidString).gz")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzipPath)
        process.arguments = arguments + [file.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read before waiting: a large output would otherwise fill the pipe and block gzip forever.
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func largeStreamPassesGzipTestAndDecompressesToTheInput() throws {
        let input = H.largeText
        let compressed = try H.gzip(input, pieceSizes: [999_983, 17])
        let test = try Self.runGzip(["-t"], on: compressed)
        #expect(test.status == 0, "gzip -t: \(test.stderr)")
        let decoded = try Self.runGzip(["-dc"], on: compressed)
        #expect(decoded.status == 0, "gzip -dc: \(decoded.stderr)")
        #expect(H.firstDifference(Array(decoded.stdout), input) == nil)
    }

    @Test(arguments: [Int32(1), 6])
    func flushedAndSmallStreamsPassGzipTest(level: Int32) throws {
        let deflater = try GzipDeflater(level: level)
        var compressed: [UInt8] = []
        for seed in UInt64(1)...3 {
            try H.expositionText(byteCount: 10_000, seed: seed).withUnsafeBytes {
                try deflater.compress($0, into: &compressed)
            }
            try deflater.flush(into: &compressed)
        }
        try deflater.finish(into: &compressed)
        let test = try Self.runGzip(["-t"], on: compressed)
        #expect(test.status == 0, "gzip -t: \(test.stderr)")
        let empty = try Self.runGzip(["-t"], on: H.gzip([]))
        #expect(empty.status == 0, "gzip -t on an empty stream: \(empty.stderr)")
    }

    @Test func gzipRejectsATruncatedStreamToo() throws {
        let compressed = try H.gzip(H.expositionText(byteCount: 10_000))
        let test = try Self.runGzip(["-t"], on: Array(compressed.dropLast(4)))
        #expect(test.status != 0)
    }
}
