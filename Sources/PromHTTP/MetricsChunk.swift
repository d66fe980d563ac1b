import NIOCore

/// A piece of a response body: immutable bytes shared, without copying, by every scrape that reads them.
///
/// A coalesced render hands the same chunk to each scrape that joined it, and the NIO server writes it to each
/// socket as is. Other servers read it with ``withUnsafeBytes(_:)`` (one copy into their own buffer type).
///
/// Thread safety: a value type over immutable storage; safe to share and read from any thread.
public struct MetricsChunk: Sendable {
    /// The bytes, as the NIO server writes them (its read index is never moved).
    let byteBuffer: ByteBuffer

    init(byteBuffer: ByteBuffer) {
        self.byteBuffer = byteBuffer
    }

    /// Creates a chunk holding a copy of `bytes`.
    ///
    /// - Parameter bytes: The content.
    public init(_ bytes: some Sequence<UInt8>) {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.underestimatedCount)
        buffer.writeBytes(bytes)
        self.byteBuffer = buffer
    }

    /// Creates a chunk holding the UTF-8 bytes of `string`.
    ///
    /// - Parameter string: The content.
    public init(string: String) {
        self.byteBuffer = ByteBuffer(string: string)
    }

    /// The number of bytes.
    public var count: Int { byteBuffer.readableBytes }

    /// A copy of the bytes.
    ///
    /// Performance: allocates and copies; prefer ``withUnsafeBytes(_:)`` on a hot path.
    public var bytes: [UInt8] { Array(byteBuffer.readableBytesView) }

    /// Calls `body` with the bytes; the pointer is valid only during the call and must not escape.
    ///
    /// - Parameter body: Reads the bytes.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        unsafe try byteBuffer.withUnsafeReadableBytes(body)
    }
}
