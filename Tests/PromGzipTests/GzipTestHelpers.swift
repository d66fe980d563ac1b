import PromGzip
import PromTestSupport

/// Deterministic test inputs and one-call wrappers around the streaming API.
enum GzipTestHelpers {
    /// Prometheus text exposition lines with 64 random hex digits per series, about `byteCount` bytes long.
    static func expositionText(byteCount: Int, seed: UInt64 = 42) -> [UInt8] {
        var random = SplitMix64(state: seed)
        let hexDigits = Array("0123456789abcdef".utf8)
        let prefix = Array(#"dragonfly_scheduler_host_traffic{type="download",host_id=""#.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + 256)
        var line = 0
        while bytes.count < byteCount {
            bytes.append(contentsOf: prefix)
            for _ in 0..<4 {
                var word = random.next()
                for _ in 0..<16 {
                    bytes.append(hexDigits[Int(word & 0xF)])
                    word >>= 4
                }
            }
            bytes.append(contentsOf: #"",host_name="host-"#.utf8)
            bytes.append(contentsOf: String(line).utf8)
            bytes.append(contentsOf: #""} "#.utf8)
            bytes.append(contentsOf: String(random.next() % 1_000_000_000).utf8)
            bytes.append(UInt8(ascii: "\n"))
            line += 1
        }
        return bytes
    }

    /// 25 MB of exposition text, built once and shared by the tests that need a large input.
    static let largeText = expositionText(byteCount: 25_000_000)

    /// Compresses `input` as one gzip stream, feeding it in pieces of the given sizes (cycled).
    static func gzip(
        _ input: [UInt8], level: Int32 = GzipDeflater.defaultLevel, pieceSizes: [Int] = [Int.max]
    )
        throws -> [UInt8]
    {
        let deflater = try GzipDeflater(level: level)
        return try gzip(input, with: deflater, pieceSizes: pieceSizes)
    }

    /// Compresses `input` with an existing deflater, then finishes the stream.
    static func gzip(_ input: [UInt8], with deflater: GzipDeflater, pieceSizes: [Int] = [Int.max]) throws -> [UInt8] {
        var output: [UInt8] = []
        try forEachPiece(of: input, sizes: pieceSizes) { piece in
            try piece.withUnsafeBytes { try deflater.compress($0, into: &output) }
        }
        try deflater.finish(into: &output)
        return output
    }

    /// Decompresses a whole gzip stream, feeding it in pieces of the given sizes (cycled), then calls `finish()`.
    static func gunzip(
        _ compressed: [UInt8],
        maximumDecompressedSize: Int = GzipInflater.defaultMaximumDecompressedSize,
        pieceSizes: [Int] = [Int.max]
    ) throws -> [UInt8] {
        let inflater = try GzipInflater(maximumDecompressedSize: maximumDecompressedSize)
        var output: [UInt8] = []
        try forEachPiece(of: compressed, sizes: pieceSizes) { piece in
            try piece.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        }
        try inflater.finish()
        return output
    }

    /// Calls `body` with consecutive slices of `bytes` whose sizes cycle through `sizes`.
    static func forEachPiece(
        of bytes: [UInt8],
        sizes: [Int],
        _ body: (ArraySlice<UInt8>) throws -> Void
    ) throws {
        var start = 0
        var index = 0
        while start < bytes.count {
            let end = start + min(sizes[index % sizes.count], bytes.count - start)
            try body(bytes[start..<end])
            start = end
            index += 1
        }
    }
}

extension GzipTestHelpers {
    /// Where two byte arrays first differ (or `nil` when equal), so a failing check on megabytes prints one number
    /// instead of both arrays.
    static func firstDifference(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int? {
        for index in 0..<min(lhs.count, rhs.count) where lhs[index] != rhs[index] {
            return index
        }
        return lhs.count == rhs.count ? nil : min(lhs.count, rhs.count)
    }
}
