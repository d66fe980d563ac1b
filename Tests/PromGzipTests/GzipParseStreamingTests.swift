import PromCore
import PromExposition
import PromGzip
import PromParser
import PromWorkloads
import Testing

/// A scraped gzip body is parsed as it is inflated, piece by piece, never inflated whole first.
@Suite struct GzipParseStreamingTests {
    /// The samples (name, labels, value bits) of an exposition parsed from pieces handed over by `feedAll`.
    static func samples(
        format: ExpositionFormat, _ feedAll: (_ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> [String] {
        var parser = ExpositionParser(format: format)
        var samples: [String] = []
        func drain() throws {
            while let entry = try parser.next() {
                if entry == .sample {
                    samples.append("\(parser.metricName)\(parser.labels) \(parser.value.bitPattern)")
                }
            }
        }
        try feedAll { piece in
            parser.feed(piece)
            try drain()
        }
        parser.finish()
        try drain()
        return samples
    }

    @Test(arguments: [ExpositionWriterFormat.prometheusText, .openMetrics])
    func gzipScrapeBodyParsesWhileInflatingToTheSameSamplesAsThePlainBody(format: ExpositionWriterFormat) throws {
        let registry = Registry()
        try Workload.w1.populate(registry, seriesCount: 5_000)
        try Workload.w2.populate(registry)
        let writer = ExpositionWriter(format: format)
        let plain = ExpositionBuffer()
        writer.write(registry, into: plain)
        let deflater = try GzipDeflater(level: 1)
        var compressed: [UInt8] = []
        let piece = ExpositionBuffer(capacity: 16 * 1024)
        try writer.write(registry, into: piece, flushThreshold: 16 * 1024) { full in
            try full.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
        }
        try piece.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
        try deflater.finish(into: &compressed)

        let parserFormat: ExpositionFormat = format == .openMetrics ? .openMetrics : .prometheusText
        let expected = try Self.samples(format: parserFormat) { consume in try plain.withUnsafeBytes(consume) }
        var largestPiece = 0
        let inflater = try GzipInflater()
        let streamed = try Self.samples(format: parserFormat) { consume in
            var offset = 0
            while offset < compressed.count {
                let end = min(compressed.count, offset + 1_500)
                try compressed[offset..<end].withUnsafeBytes { input in
                    try inflater.inflate(input) { inflated in
                        largestPiece = max(largestPiece, inflated.count)
                        try consume(inflated)
                    }
                }
                offset = end
            }
            try inflater.finish()
        }
        #expect(expected.count == 5_000 + 1_020 * 14)
        #expect(streamed == expected)
        #expect(largestPiece <= GzipInflater.scratchCapacity)
        #expect(compressed.count < plain.byteCount / 4)
    }
}
