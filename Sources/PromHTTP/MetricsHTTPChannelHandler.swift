import NIOCore
import NIOHTTP1

/// Turns HTTP/1.1 request parts into ``MetricsHandler`` calls and writes the responses.
///
/// Each request is answered by a task that awaits the handler, then writes the head and the body. A streamed
/// body is written chunk by chunk with at most two writes outstanding: a slow reader slows the writes, which
/// slows the render (backpressure) instead of queueing the exposition in memory. A scrape timeout in the middle
/// of a streamed body closes the connection without the terminating chunk. A request that declares a body gets
/// 413 and the connection closes without reading it. Pipelined requests wait in `HTTPServerPipelineHandler`.
///
/// Thread safety: a channel handler; its own state is used on its event loop only. The response task touches
/// only the `Channel`, which is thread-safe.
final class MetricsHTTPChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: MetricsHandler
    private var pending: (head: HTTPRequestHead, request: MetricsRequest)?
    private var refused = false
    private var responseTask: Task<Void, Never>?

    init(handler: MetricsHandler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let request = MetricsRequest(
                method: head.method.rawValue, target: head.uri, headers: head.headers.map { ($0.name, $0.value) })
            if request.hasBody {
                refuseBody(context: context, version: head.version)
            } else {
                pending = (head, request)
            }
        case .body:
            break
        case .end:
            guard let (head, request) = pending else { return }
            pending = nil
            let channel = context.channel
            let handler = self.handler
            responseTask = Task {
                await MetricsHTTPChannelHandler.respond(to: request, head: head, handler: handler, channel: channel)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        responseTask?.cancel()
        responseTask = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func refuseBody(context: ChannelHandlerContext, version: HTTPVersion) {
        refused = true
        let body = ByteBuffer(string: "a scrape request must not have a body\n")
        let headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.readableBytes)),
            ("Connection", "close"),
        ])
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .payloadTooLarge, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Answers one request on `channel`; runs in a task.
    static func respond(
        to request: MetricsRequest, head: HTTPRequestHead, handler: MetricsHandler, channel: any Channel
    )
        async
    {
        let response = await handler.respond(to: request)
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        var keepAlive = head.isKeepAlive
        if case .stream = response.body, head.version.minor == 0 {
            // HTTP/1.0 has no chunked encoding: the end of the connection ends the body.
            keepAlive = false
        } else if case .stream = response.body {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let status = HTTPResponseStatus(statusCode: response.status, reasonPhrase: response.reason)
        channel.write(
            HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: headers)),
            promise: nil)
        do {
            switch response.body {
            case .none:
                break
            case .complete(let chunk):
                channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk.byteBuffer)), promise: nil)
            case .stream(let stream):
                try await writeStream(stream, to: channel)
            }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
        } catch {
            // The body is incomplete (timeout, render failure, client gone): abort so it cannot pass as whole.
            channel.close(promise: nil)
            return
        }
        channel.triggerUserOutboundEvent(ResponseFinishedEvent(), promise: nil)
        if !keepAlive { channel.close(promise: nil) }
    }

    private static func writeStream(_ stream: MetricsBodyStream, to channel: any Channel) async throws {
        var outstanding: EventLoopFuture<Void>?
        var iterator = stream.makeAsyncIterator()
        while let chunk = try await iterator.next() {
            let write = channel.eventLoop.makePromise(of: Void.self)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk.byteBuffer)), promise: write)
            if let outstanding { try await outstanding.get() }
            outstanding = write.futureResult
        }
        try await outstanding?.get()
    }
}
