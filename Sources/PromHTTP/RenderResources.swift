import NIOCore
import PromCore
import PromExposition
import PromGzip

/// The reusable state of one render: exposition writers, the piece buffer and a gzip compressor.
///
/// `@unchecked Sendable`: a ``MetricsHandler`` keeps these in a locked pool and hands each to one render at a
/// time; no two threads ever use one concurrently.
final class RenderResources: @unchecked Sendable {
    private let buffer = ExpositionBuffer(capacity: 128 * 1024)
    private var writers: [ExpositionWriterFormat: ExpositionWriter] = [:]
    private var deflater: GzipDeflater?
    private let allocator = ByteBufferAllocator()

    /// Renders `registry` for `key`, publishing chunks of about `chunkSize` bytes into `render`.
    ///
    /// - Throws: ``RenderFailure``: every reader left (`.cancelled`) or the compressor failed.
    func render(
        _ registry: Registry, key: RenderKey, chunkSize: Int, gzipLevel: Int32, into render: SharedRender
    )
        throws(RenderFailure)
    {
        let format = ExpositionWriterFormat(rawValue: key.format) ?? .prometheusText
        let writer = writers[format] ?? ExpositionWriter(format: format)
        writers[format] = writer
        buffer.removeAll()
        do {
            switch key.encoding {
            case .identity:
                try writer.write(registry, into: buffer, include: key.families, flushThreshold: chunkSize) { piece in
                    try render.publish(copy(piece))
                }
                render.finish(last: copy(buffer))
            case .gzip:
                try renderGzip(registry, writer: writer, key: key, chunkSize: chunkSize, level: gzipLevel, into: render)
            }
        } catch let failure as RenderFailure {
            throw failure
        } catch {
            throw .failed("\(error)")
        }
    }

    private func renderGzip(
        _ registry: Registry, writer: ExpositionWriter, key: RenderKey, chunkSize: Int, level: Int32,
        into render: SharedRender
    ) throws {
        let deflater = try self.deflater(level: level)
        deflater.reset()
        let capacity = chunkSize + GzipDeflater.scratchCapacity
        var pending = allocator.buffer(capacity: capacity)
        func sink(_ bytes: UnsafeRawBufferPointer) throws {
            unsafe pending.writeBytes(bytes)
            if pending.readableBytes >= chunkSize {
                try render.publish(MetricsChunk(byteBuffer: pending))
                pending = allocator.buffer(capacity: capacity)
            }
        }
        try writer.write(registry, into: buffer, include: key.families, flushThreshold: chunkSize) { piece in
            unsafe try piece.withUnsafeBytes { unsafe try deflater.compress($0, sink: sink) }
        }
        unsafe try buffer.withUnsafeBytes { unsafe try deflater.compress($0, sink: sink) }
        unsafe try deflater.finish(sink: sink)
        render.finish(last: MetricsChunk(byteBuffer: pending))
    }

    private func deflater(level: Int32) throws -> GzipDeflater {
        if let deflater, deflater.level == level { return deflater }
        let created = try GzipDeflater(level: level)
        deflater = created
        return created
    }

    private func copy(_ piece: ExpositionBuffer) -> MetricsChunk {
        var bytes = allocator.buffer(capacity: piece.byteCount)
        _ = unsafe piece.withUnsafeBytes { unsafe bytes.writeBytes($0) }
        return MetricsChunk(byteBuffer: bytes)
    }
}
