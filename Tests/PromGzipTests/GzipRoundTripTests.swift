import PromGzip
import Testing

@Suite struct GzipRoundTripTests {
    typealias H = GzipTestHelpers

    @Test func emptyInputRoundTripsToEmptyOutput() throws {
        let compressed = try H.gzip([])
        // 10-byte header + empty final block (2 bytes) + CRC-32 + length: a valid, non-empty gzip member.
        #expect(compressed.count == 20)
        #expect(compressed.prefix(3) == [0x1F, 0x8B, 0x08])
        #expect(try H.gunzip(compressed) == [])
    }

    @Test func smallInputRoundTrips() throws {
        let input = Array("http_requests_total{code=\"200\"} 1027\n".utf8)
        let compressed = try H.gzip(input)
        #expect(try H.firstDifference(H.gunzip(compressed), input) == nil)
    }

    @Test func largeTextFedInOddPiecesRoundTripsThroughOddPieces() throws {
        let input = H.largeText
        let compressed = try H.gzip(input, pieceSizes: [1, 7, 4093, 65_537, 1_000_003, 13, 250_001])
        #expect(compressed.count < input.count / 3)
        let output = try H.gunzip(compressed, pieceSizes: [3, 65_536, 9_999, 1, 131_071])
        #expect(output.count == input.count)
        #expect(H.firstDifference(output, input) == nil)
    }

    @Test func sinkVariantEmitsTheSameBytesInBoundedChunks() throws {
        let input = H.expositionText(byteCount: 3_000_000)
        let expected = try H.gzip(input)
        let deflater = try GzipDeflater()
        var streamed: [UInt8] = []
        var largestChunk = 0
        var chunkCount = 0
        let collect = { (chunk: UnsafeRawBufferPointer) in
            largestChunk = max(largestChunk, chunk.count)
            chunkCount += 1
            streamed.append(contentsOf: chunk)
        }
        try H.forEachPiece(of: input, sizes: [777_777]) { piece in
            try piece.withUnsafeBytes { try deflater.compress($0, sink: collect) }
        }
        try deflater.finish(sink: collect)
        #expect(H.firstDifference(streamed, expected) == nil)
        #expect(chunkCount > 1)
        #expect(largestChunk <= GzipDeflater.scratchCapacity)
    }

    @Test func inflaterSinkChunksNeverExceedItsScratchCapacity() throws {
        let input = H.expositionText(byteCount: 1_000_000)
        let compressed = try H.gzip(input)
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        var largestChunk = 0
        try compressed.withUnsafeBytes { bytes in
            try inflater.inflate(bytes) { chunk in
                largestChunk = max(largestChunk, chunk.count)
                output.append(contentsOf: chunk)
            }
        }
        try inflater.finish()
        #expect(H.firstDifference(output, input) == nil)
        #expect(largestChunk == GzipInflater.scratchCapacity)
        #expect(inflater.decompressedByteCount == input.count)
    }

    @Test func resetDeflaterProducesAnIdenticalStreamForIdenticalInput() throws {
        let first = H.expositionText(byteCount: 200_000, seed: 1)
        let other = H.expositionText(byteCount: 150_000, seed: 2)
        let deflater = try GzipDeflater()
        let firstStream = try H.gzip(first, with: deflater)
        deflater.reset()
        let otherStream = try H.gzip(other, with: deflater)
        deflater.reset()
        let againStream = try H.gzip(first, with: deflater, pieceSizes: [12_345])
        #expect(H.firstDifference(againStream, firstStream) == nil)
        #expect(H.firstDifference(otherStream, firstStream) != nil)
        #expect(try H.firstDifference(H.gunzip(otherStream), other) == nil)
    }

    @Test func resetDeflaterAbandonsAHalfWrittenStream() throws {
        let input = H.expositionText(byteCount: 100_000)
        let deflater = try GzipDeflater()
        var discarded: [UInt8] = []
        try input.withUnsafeBytes { try deflater.compress($0, into: &discarded) }
        deflater.reset()
        #expect(try H.firstDifference(H.gzip(input, with: deflater), H.gzip(input)) == nil)
    }

    @Test(arguments: [Int32(0), 1, 6, 9, -1])
    func everyValidLevelProducesAStreamThatRoundTrips(level: Int32) throws {
        let input = H.expositionText(byteCount: 300_000)
        let deflater = try GzipDeflater(level: level)
        #expect(deflater.level == level)
        #expect(try H.firstDifference(H.gunzip(H.gzip(input, with: deflater)), input) == nil)
    }

    @Test func levelSixIsNoLargerThanLevelOneOnText() throws {
        let input = H.expositionText(byteCount: 2_000_000)
        let level1 = try H.gzip(input, level: 1)
        let level6 = try H.gzip(input, level: 6)
        #expect(level6.count <= level1.count)
        #expect(try H.firstDifference(H.gunzip(level1), input) == nil)
        #expect(try H.firstDifference(H.gunzip(level6), input) == nil)
    }

    @Test func syncFlushMakesEverythingSoFarDecodableBeforeFinish() throws {
        let head = H.expositionText(byteCount: 50_000, seed: 7)
        let tail = H.expositionText(byteCount: 30_000, seed: 8)
        let deflater = try GzipDeflater()
        var compressed: [UInt8] = []
        try head.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
        try deflater.flush(into: &compressed)
        #expect(Array(compressed.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
        let inflater = try GzipInflater()
        var early: [UInt8] = []
        try compressed.withUnsafeBytes { try inflater.inflate($0, into: &early) }
        #expect(H.firstDifference(early, head) == nil)

        let flushedCount = compressed.count
        try deflater.flush(into: &compressed)
        #expect(compressed.count == flushedCount)
        try tail.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
        try deflater.finish(into: &compressed)
        #expect(try H.firstDifference(H.gunzip(compressed), head + tail) == nil)
    }

    @Test func concatenatedMembersDecodeAsOneStreamEvenWhenSplitAcrossCalls() throws {
        let first = Array("first member\n".utf8)
        let second = H.expositionText(byteCount: 80_000)
        let firstStream = try H.gzip(first)
        let stream = try firstStream + H.gzip(second) + H.gzip([])
        #expect(try H.firstDifference(H.gunzip(stream), first + second) == nil)
        #expect(
            try H.firstDifference(H.gunzip(stream, pieceSizes: [firstStream.count, 5, 1000]), first + second) == nil)
        #expect(try H.firstDifference(H.gunzip(stream, pieceSizes: [1]), first + second) == nil)
    }

    @Test func inflaterIsReusableAfterReset() throws {
        let input = H.expositionText(byteCount: 10_000)
        let compressed = try H.gzip(input)
        let inflater = try GzipInflater()
        var scratch: [UInt8] = []
        try compressed.prefix(100).withUnsafeBytes { try inflater.inflate($0, into: &scratch) }
        inflater.reset()
        #expect(inflater.decompressedByteCount == 0)
        var output: [UInt8] = []
        try compressed.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        try inflater.finish()
        #expect(H.firstDifference(output, input) == nil)
    }

    @Test func zlibFormatIsRejectedUnlessAccepted() throws {
        // `printf 'hello' | python3 -c 'import zlib,sys; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))'`
        let zlibStream: [UInt8] = [
            0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15,
        ]
        let strict = try GzipInflater()
        var output: [UInt8] = []
        #expect(throws: GzipError(code: .corruptData, zlibStatus: -3, message: "incorrect header check")) {
            try zlibStream.withUnsafeBytes { try strict.inflate($0, into: &output) }
        }
        let lenient = try GzipInflater(acceptsZlibFormat: true)
        output = []
        try zlibStream.withUnsafeBytes { try lenient.inflate($0, into: &output) }
        try lenient.finish()
        #expect(output == Array("hello".utf8))
    }

    @Test func compressingNoBytesEmitsNothing() throws {
        let deflater = try GzipDeflater()
        var output: [UInt8] = []
        try [UInt8]().withUnsafeBytes { try deflater.compress($0, into: &output) }
        #expect(output.isEmpty)
        try deflater.finish(into: &output)
        #expect(output.count == 20)
    }

    @Test func appendingIntoAnArrayWithEnoughCapacityKeepsItsStorage() throws {
        let input = H.expositionText(byteCount: 500_000)
        let deflater = try GzipDeflater()
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let storageBefore = output.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        try input.withUnsafeBytes { try deflater.compress($0, into: &output) }
        try deflater.finish(into: &output)
        let storageAfter = output.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(output.count > 0)
        #expect(storageAfter == storageBefore)
        #expect(try H.firstDifference(H.gunzip(output), input) == nil)
    }
}
