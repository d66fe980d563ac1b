import PromGzip
import Testing

@Suite struct GzipErrorTests {
    typealias H = GzipTestHelpers

    private struct SinkFailure: Error, Equatable {}

    private static func corrupt(_ bytes: [UInt8], at index: Int, to value: UInt8) -> [UInt8] {
        var copy = bytes
        copy[index >= 0 ? index : copy.count + index] = value
        return copy
    }

    @Test(arguments: [Int32(42), 10, -2, .min, .max])
    func invalidLevelThrowsAtInit(level: Int32) {
        #expect(
            throws: GzipError(
                code: .invalidLevel,
                message: "compression level \(level) is outside 0...9 (or -1 for zlib's default)"
            )
        ) {
            _ = try GzipDeflater(level: level)
        }
    }

    @Test(arguments: [1, 8, 100, 500])
    func truncatedStreamMakesFinishThrow(droppedBytes: Int) throws {
        let compressed = try H.gzip(H.expositionText(byteCount: 20_000))
        let truncated = Array(compressed.dropLast(droppedBytes))
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        try truncated.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        #expect(
            throws: GzipError(code: .truncatedStream, message: "gzip stream is truncated: input ended inside a member")
        ) {
            try inflater.finish()
        }
    }

    @Test func emptyCompressedInputMakesFinishThrow() throws {
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        try [UInt8]().withUnsafeBytes { try inflater.inflate($0, into: &output) }
        #expect(throws: GzipError(code: .truncatedStream, message: "gzip stream is empty: no complete member")) {
            try inflater.finish()
        }
    }

    @Test(
        arguments: [
            (0, UInt8(0x1E), "incorrect header check"),
            (2, UInt8(0x07), "unknown compression method"),
            (10, UInt8(0xFF), "invalid block type"),
            (-8, UInt8(0x00), "incorrect data check"),
            (-1, UInt8(0x7F), "incorrect length check"),
        ]
    )
    func corruptBytesThrowWithZlibsMessage(index: Int, value: UInt8, message: String) throws {
        let compressed = try H.gzip(Array("some_counter_total 12\nsome_gauge 3.5\n".utf8))
        let bad = Self.corrupt(compressed, at: index, to: value)
        #expect(bad != compressed)
        let error = #expect(throws: GzipError.self) { _ = try H.gunzip(bad) }
        #expect(error == GzipError(code: .corruptData, zlibStatus: -3, message: message))
        #expect(error?.description == "corruptData: \(message) (zlib status -3)")
    }

    @Test func trailingGarbageAfterTheLastMemberThrows() throws {
        let compressed = try H.gzip(Array("x 1\n".utf8)) + Array("garbage".utf8)
        #expect(throws: GzipError(code: .corruptData, zlibStatus: -3, message: "incorrect header check")) {
            _ = try H.gunzip(compressed)
        }
    }

    @Test func zipBombStopsAtTheSizeLimit() throws {
        let bomb = try H.gzip([UInt8](repeating: 0, count: 50_000_000), level: 9)
        #expect(bomb.count < 100_000)
        let limit = 1_000_000
        let inflater = try GzipInflater(maximumDecompressedSize: limit)
        var emitted = 0
        let error = #expect(throws: GzipError.self) {
            try bomb.withUnsafeBytes { try inflater.inflate($0) { emitted += $0.count } }
        }
        #expect(
            error
                == GzipError(code: .sizeLimitExceeded, message: "decompressed size exceeds the limit of 1000000 bytes"))
        #expect(emitted <= limit)
        #expect(emitted > limit - GzipInflater.scratchCapacity)
        #expect(inflater.decompressedByteCount == emitted)
    }

    @Test func outputExactlyAtTheSizeLimitIsAccepted() throws {
        let input = H.expositionText(byteCount: 100_000)
        #expect(try H.firstDifference(H.gunzip(H.gzip(input), maximumDecompressedSize: input.count), input) == nil)
        #expect(throws: GzipError.self) {
            _ = try H.gunzip(H.gzip(input), maximumDecompressedSize: input.count - 1)
        }
    }

    @Test func inflaterRefusesWorkAfterAnErrorUntilReset() throws {
        let good = try H.gzip(Array("ok 1\n".utf8))
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        #expect(throws: GzipError.self) {
            try Self.corrupt(good, at: 0, to: 0).withUnsafeBytes { try inflater.inflate($0, into: &output) }
        }
        #expect(
            throws: GzipError(
                code: .invalidState,
                message: "inflate called after a failed call; call reset() to start a new stream"
            )
        ) {
            try good.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        }
        inflater.reset()
        try good.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        try inflater.finish()
        #expect(output == Array("ok 1\n".utf8))
    }

    @Test func compressAfterFinishThrowsAndResetRecovers() throws {
        let deflater = try GzipDeflater()
        var output: [UInt8] = []
        try deflater.finish(into: &output)
        let finishedCount = output.count
        try deflater.finish(into: &output)
        #expect(output.count == finishedCount)
        let input = Array("late 1\n".utf8)
        #expect(
            throws: GzipError(
                code: .invalidState,
                message: "compress called after finish(); call reset() to start a new stream"
            )
        ) {
            try input.withUnsafeBytes { try deflater.compress($0, into: &output) }
        }
        #expect(throws: GzipError.self) { try deflater.flush(into: &output) }
        deflater.reset()
        #expect(try H.firstDifference(H.gunzip(H.gzip(input, with: deflater)), input) == nil)
    }

    @Test func sinkErrorIsRethrownAndLeavesTheDeflaterFailedUntilReset() throws {
        let input = H.expositionText(byteCount: 500_000)
        let deflater = try GzipDeflater()
        #expect(throws: SinkFailure()) {
            try input.withUnsafeBytes { try deflater.compress($0) { _ in throw SinkFailure() } }
        }
        var output: [UInt8] = []
        #expect(
            throws: GzipError(
                code: .invalidState,
                message: "finish called after a failed call; call reset() to start a new stream"
            )
        ) {
            try deflater.finish(into: &output)
        }
        deflater.reset()
        #expect(try H.firstDifference(H.gunzip(H.gzip(input, with: deflater)), input) == nil)
    }

    @Test func inflaterRethrowsSinkErrors() throws {
        let compressed = try H.gzip(Array("a 1\n".utf8))
        let inflater = try GzipInflater()
        #expect(throws: SinkFailure()) {
            try compressed.withUnsafeBytes { try inflater.inflate($0) { _ in throw SinkFailure() } }
        }
    }

    @Test func errorDescriptionNamesTheCodeAndMessage() {
        let ours = GzipError(code: .truncatedStream, message: "gzip stream is empty: no complete member")
        #expect(ours.description == "truncatedStream: gzip stream is empty: no complete member")
        #expect(ours.zlibStatus == 0)
    }
}

@Suite struct GzipPreconditionTests {
    @Test func negativeSizeLimitIsAProgrammingErrorThatTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = try? GzipInflater(maximumDecompressedSize: -1)
        }
    }
}
