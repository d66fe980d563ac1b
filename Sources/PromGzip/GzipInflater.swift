import CZlib

/// A streaming gzip decompressor over the system zlib, with a cap on the decompressed size.
///
/// Feed compressed bytes in pieces of any size with ``inflate(_:sink:)``; decompressed bytes come out in chunks
/// of at most ``scratchCapacity`` bytes. Call ``finish()`` after the last piece: it throws if the input stopped
/// inside a gzip member. Concatenated members (`cat a.gz b.gz`) decode as one stream, as `gzip -d` does; bytes
/// after the last member that are not another member (trailing garbage, zero padding) are a `.corruptData` error.
///
/// A zip bomb stops at ``maximumDecompressedSize``: the call that would exceed it throws `.sizeLimitExceeded`
/// before handing the chunk over, so memory stays bounded by the limit the caller chose.
///
/// Thread safety: not `Sendable`. One owner at a time.
///
/// Performance: `init` allocates zlib's state (about 7 KiB plus a 32 KiB window, on first use) and a
/// ``scratchCapacity``-byte output buffer; `inflate` and `reset()` allocate nothing.
///
/// - Invariant: `_stream` is allocated once and never moves: zlib's internal state points back to it.
/// - Invariant: outside a method call, `next_in`/`next_out` are nil and `avail_in`/`avail_out` are 0.
/// - Invariant: `decompressedByteCount <= maximumDecompressedSize`.
@safe
public final class GzipInflater {
    /// The default ``maximumDecompressedSize``: 1 GiB, far above any sane exposition, far below a zip bomb.
    public static let defaultMaximumDecompressedSize = 1 << 30

    /// Size in bytes of the internal output buffer, and so the largest chunk a sink receives.
    public static let scratchCapacity = 64 * 1024

    /// The most bytes this inflater produces between two `reset()` calls, summed over all members.
    public let maximumDecompressedSize: Int

    /// Decompressed bytes handed to sinks since `init` or the last `reset()`.
    public private(set) var decompressedByteCount = 0

    private let _stream: UnsafeMutablePointer<z_stream>
    private let _scratch: UnsafeMutableRawBufferPointer
    /// True when the input so far ends exactly at the end of a gzip member.
    private var _atMemberEnd = false
    /// True after an error: output may have been dropped, so only `reset()` is allowed.
    private var _failed = false

    /// Creates a gzip decompressor.
    ///
    /// - Parameters:
    ///   - maximumDecompressedSize: The most decompressed bytes to produce before throwing `.sizeLimitExceeded`;
    ///     `Int.max` for no limit. Must not be negative.
    ///   - acceptsZlibFormat: Also accept zlib-wrapped deflate (RFC 1950, HTTP `Content-Encoding: deflate`),
    ///     detected per member from its header. Off by default: only gzip (RFC 1952) is accepted.
    /// - Throws: ``GzipError`` `.outOfMemory` or `.incompatibleZlib` if zlib cannot initialise.
    public init(
        maximumDecompressedSize: Int = GzipInflater.defaultMaximumDecompressedSize,
        acceptsZlibFormat: Bool = false
    ) throws(GzipError) {
        precondition(maximumDecompressedSize >= 0, "maximumDecompressedSize must not be negative")
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        // zlib requires next_in, avail_in, zalloc, zfree and opaque to be set before the init call.
        unsafe stream.initialize(to: z_stream())
        // 31 = 15 (32 KiB window) + 16 (gzip only); 47 = 15 + 32 (detect gzip or zlib from the header).
        let status = unsafe CZlib_inflateInit2(stream, acceptsZlibFormat ? 47 : 31)
        guard status == Z_OK else {
            let error = unsafe GzipError(zlibStatus: status, stream: stream, operation: "inflateInit2")
            unsafe stream.deinitialize(count: 1)
            unsafe stream.deallocate()
            throw error
        }
        self.maximumDecompressedSize = maximumDecompressedSize
        unsafe self._stream = stream
        unsafe self._scratch = .allocate(byteCount: Self.scratchCapacity, alignment: 16)
    }

    deinit {
        _ = unsafe inflateEnd(_stream)
        unsafe _stream.deinitialize(count: 1)
        unsafe _stream.deallocate()
        unsafe _scratch.deallocate()
    }

    /// Starts a new stream: forgets any partial member, clears an earlier error and the decompressed count.
    ///
    /// - Complexity: O(1); no allocation.
    public func reset() {
        // inflateReset fails only for a stream that was never initialised, which `init` rules out.
        let status = unsafe inflateReset(_stream)
        assert(status == Z_OK, "inflateReset failed: \(status)")
        _atMemberEnd = false
        _failed = false
        decompressedByteCount = 0
    }

    /// Decompresses the next piece of a gzip stream, handing decompressed chunks to `sink` in order.
    ///
    /// Pieces may split the stream anywhere, even inside a header or trailer.
    ///
    /// - Parameters:
    ///   - input: The next compressed bytes; read during the call only.
    ///   - sink: Called with chunks of 1 to ``scratchCapacity`` bytes. The buffer is valid only during the call
    ///     and must not escape. An error it throws stops decompression and is rethrown.
    /// - Throws: ``GzipError`` `.corruptData` (with zlib's message) for invalid input, `.sizeLimitExceeded` when
    ///   the output would pass ``maximumDecompressedSize``; or whatever `sink` throws. After an error, only
    ///   `reset()` makes the inflater usable again.
    public func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try _checkUsable("inflate")
        let error: GzipError?
        do {
            error = unsafe try _run(input, sink: sink)
        } catch {
            _failed = true
            throw error
        }
        try _fail(on: error)
    }

    /// Decompresses the next piece of a gzip stream, appending the decompressed bytes to `output`.
    ///
    /// - Parameters:
    ///   - input: The next compressed bytes; read during the call only.
    ///   - output: Receives decompressed bytes after its existing contents.
    /// - Throws: ``GzipError`` as for ``inflate(_:sink:)``.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(GzipError) {
        try _checkUsable("inflate")
        try _fail(on: unsafe _run(input, sink: { chunk in unsafe output.append(contentsOf: chunk) }))
    }

    /// Checks that the input ended cleanly, at the end of a gzip member.
    ///
    /// - Throws: ``GzipError`` `.truncatedStream` if the input stopped inside a member (lost trailer, cut
    ///   connection) or contained no member at all; `.invalidState` after an earlier error.
    public func finish() throws(GzipError) {
        try _checkUsable("finish")
        guard _atMemberEnd else {
            let total = unsafe _stream.pointee.total_in
            throw GzipError(
                code: .truncatedStream,
                message: total == 0 && decompressedByteCount == 0
                    ? "gzip stream is empty: no complete member"
                    : "gzip stream is truncated: input ended inside a member"
            )
        }
    }
}

@available(*, unavailable, message: "GzipInflater has a single owner: create one per task")
extension GzipInflater: Sendable {}

extension GzipInflater {
    private func _checkUsable(_ operation: String) throws(GzipError) {
        guard !_failed else {
            throw GzipError(
                code: .invalidState,
                message: "\(operation) called after a failed call; call reset() to start a new stream"
            )
        }
    }

    private func _fail(on error: GzipError?) throws(GzipError) {
        if let error {
            _failed = true
            throw error
        }
    }

    private func _run<E: Error>(
        _ input: UnsafeRawBufferPointer,
        sink: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) -> GzipError? {
        defer {
            // The stream must not keep pointers into the caller's input or past this call.
            unsafe _stream.pointee.next_in = nil
            unsafe _stream.pointee.avail_in = 0
            unsafe _stream.pointee.next_out = nil
            unsafe _stream.pointee.avail_out = 0
        }
        var remaining = unsafe input
        while unsafe !remaining.isEmpty {
            // avail_in is 32-bit: feed inputs over 4 GiB in slices.
            let sliceCount = min(remaining.count, Int(UInt32.max))
            // Safe: zlib only reads through next_in (it is `z_const`); the bytes stay valid for this call.
            unsafe _stream.pointee.next_in = UnsafeMutablePointer(
                mutating: remaining.baseAddress!.assumingMemoryBound(to: Bytef.self)
            )
            unsafe _stream.pointee.avail_in = UInt32(sliceCount)
            if let error = unsafe try _inflateSlice(sink: sink) {
                return error
            }
            unsafe remaining = UnsafeRawBufferPointer(rebasing: remaining[sliceCount...])
        }
        return nil
    }

    /// Calls `inflate` until the current input slice is consumed, starting a new member after each one ends.
    private func _inflateSlice<E: Error>(sink: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) -> GzipError? {
        while true {
            if _atMemberEnd {
                // More input after a member's trailer: the next member of a multi-member stream.
                let status = unsafe inflateReset(_stream)
                assert(status == Z_OK, "inflateReset failed: \(status)")
                _atMemberEnd = false
            }
            unsafe _stream.pointee.next_out = _scratch.baseAddress!.assumingMemoryBound(to: Bytef.self)
            unsafe _stream.pointee.avail_out = UInt32(Self.scratchCapacity)
            let status = unsafe zlibInflate(_stream, Z_NO_FLUSH)
            let produced = unsafe Self.scratchCapacity - Int(_stream.pointee.avail_out)
            if produced > 0 {
                guard produced <= maximumDecompressedSize - decompressedByteCount else {
                    return _sizeLimitError()
                }
                decompressedByteCount += produced
                // Safe: inflate wrote exactly `produced` bytes at the start of the scratch buffer.
                try unsafe sink(UnsafeRawBufferPointer(rebasing: _scratch[..<produced]))
            }
            let inputLeft = unsafe _stream.pointee.avail_in != 0
            switch status {
            case Z_STREAM_END:
                _atMemberEnd = true
                if !inputLeft { return nil }
            case Z_OK:
                let outputWasFull = unsafe _stream.pointee.avail_out == 0
                if !inputLeft && !outputWasFull { return nil }
            case Z_BUF_ERROR:
                // No progress possible: all input consumed and no output pending. Not an error mid-stream.
                return nil
            case Z_NEED_DICT:
                return GzipError(
                    code: .corruptData,
                    zlibStatus: status,
                    message: "zlib stream needs a preset dictionary, which gzip never uses"
                )
            default:
                return unsafe GzipError(zlibStatus: status, stream: _stream, operation: "inflate")
            }
        }
    }

    private func _sizeLimitError() -> GzipError {
        GzipError(
            code: .sizeLimitExceeded,
            message: "decompressed size exceeds the limit of \(maximumDecompressedSize) bytes"
        )
    }
}

/// zlib's `inflate`, renamed so the method of the same name does not shadow it.
private func zlibInflate(_ stream: UnsafeMutablePointer<z_stream>, _ flush: Int32) -> Int32 {
    unsafe CZlib.inflate(stream, flush)
}
