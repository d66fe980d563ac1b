import NIOCore

/// Sent down the pipeline (outbound) by the HTTP handler when a response has been written completely.
struct ResponseFinishedEvent: Sendable {}

/// Guards one connection against hostile or broken clients, on the raw (decrypted) bytes before the HTTP decoder.
///
/// - A request head (request line and header fields) larger than `maxHeadBytes` gets 431 and the connection
///   closes.
/// - A request head that has not arrived completely `headTimeout` after its first byte gets 408 and the
///   connection closes: a client sending a byte a second cannot hold the connection.
/// - A connection with no request in progress for `idleTimeout` (also right after accept, which covers a TLS
///   handshake that never comes) closes.
///
/// Request bodies are refused by the HTTP handler, so every byte received belongs to a head.
///
/// - Invariant: `inHead` is true from the first byte of a head until the blank line that ends it; `headBytes`
///   counts its bytes; `pendingResponses` counts heads received minus responses finished.
///
/// Thread safety: a channel handler; used on its event loop only.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let maxHeadBytes: Int
    private let headTimeout: TimeAmount
    private let idleTimeout: TimeAmount

    private var inHead = false
    private var headBytes = 0
    private var lineLength = 0
    private var sawLine = false
    private var pendingResponses = 0
    private var closing = false
    private var headTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?

    init(maxHeadBytes: Int, headTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.maxHeadBytes = maxHeadBytes
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        for byte in buffer.readableBytesView {
            if !inHead { startHead(context: context) }
            headBytes += 1
            if byte == UInt8(ascii: "\n") {
                if lineLength == 0 && sawLine {
                    endHead()
                } else {
                    sawLine = true
                    lineLength = 0
                }
            } else if byte != UInt8(ascii: "\r") {
                lineLength += 1
            }
            if inHead && headBytes > maxHeadBytes {
                reject(context: context, status: "431 Request Header Fields Too Large")
                return
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ResponseFinishedEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        pendingResponses = max(0, pendingResponses - 1)
        if pendingResponses == 0 && !inHead { armIdleTimer(context: context) }
        promise?.succeed()
    }

    private func startHead(context: ChannelHandlerContext) {
        inHead = true
        headBytes = 0
        lineLength = 0
        sawLine = false
        idleTimer?.cancel()
        idleTimer = nil
        headTimer?.cancel()
        headTimer = context.eventLoop.assumeIsolated().scheduleTask(in: headTimeout) { [self] in
            guard inHead else { return }
            reject(context: context, status: "408 Request Timeout")
        }
    }

    private func endHead() {
        inHead = false
        pendingResponses += 1
        headTimer?.cancel()
        headTimer = nil
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: idleTimeout) { [self] in
            guard pendingResponses == 0, !inHead, !closing else { return }
            closing = true
            context.close(promise: nil)
        }
    }

    /// Answers with a bare status and closes; when a response is still being written, only closes (bytes written
    /// now would land inside that response).
    private func reject(context: ChannelHandlerContext, status: String) {
        guard !closing else { return }
        closing = true
        cancelTimers()
        guard pendingResponses == 0 else {
            context.close(promise: nil)
            return
        }
        let response = "HTTP/1.1 \(status)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func cancelTimers() {
        headTimer?.cancel()
        headTimer = nil
        idleTimer?.cancel()
        idleTimer = nil
    }
}
