import NIOCore
import NIOPosix

/// A response from ``MetricsHandler``: a status, header fields and a body, with no SwiftNIO type.
///
/// Thread safety: `Sendable`; the streamed body must be read by one consumer.
public struct MetricsResponse: Sendable {
    /// The status code (200, 401, 404, 405, 406, 413, 500, 503).
    public var status: Int
    /// The reason phrase for ``status``.
    public var reason: String { MetricsResponse.reasonPhrase(status) }
    /// The header fields. A complete body comes with `Content-Length`; a streamed one without (the server
    /// frames it: chunked transfer encoding in HTTP/1.1).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// A response body.
    public enum Body: Sendable {
        /// No body (HEAD, or a status without one).
        case none
        /// The whole body, already rendered.
        case complete(MetricsChunk)
        /// A body that is still being rendered; read it to the end (or drop it to stop the render).
        case stream(MetricsBodyStream)
    }

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The header fields.
    ///   - body: The body.
    public init(status: Int, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// A plain-text response with `Content-Length`.
    static func text(_ status: Int, _ message: String, extra: [(name: String, value: String)] = []) -> MetricsResponse {
        let chunk = MetricsChunk(string: message + "\n")
        return MetricsResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(chunk.count))] + extra,
            body: .complete(chunk))
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }
}

/// The chunks of an exposition that is still being rendered, in order; the first one is already in hand.
///
/// Reading paces the render (backpressure): the render thread waits while this reader is a few chunks behind.
/// Dropping the stream (or cancelling the reading task) leaves the render; the last scrape to leave stops it.
/// A read after the scrape deadline throws ``MetricsStreamError/scrapeTimeout``: the body is incomplete, so close
/// the connection without ending the body.
///
/// Thread safety: `Sendable`, but iterate it from one task only.
public struct MetricsBodyStream: AsyncSequence, Sendable {
    /// A body chunk.
    public typealias Element = MetricsChunk
    /// The error a read can end with.
    public typealias Failure = MetricsStreamError

    let first: MetricsChunk
    let subscription: RenderSubscription

    /// Creates the iterator; call it once.
    public func makeAsyncIterator() -> Iterator {
        Iterator(first: first, subscription: subscription)
    }

    /// Reads the chunks in order.
    public struct Iterator: AsyncIteratorProtocol {
        var first: MetricsChunk?
        let subscription: RenderSubscription

        /// The next chunk, or `nil` when the body is complete.
        ///
        /// - Throws: ``MetricsStreamError``.
        public mutating func next() async throws(MetricsStreamError) -> MetricsChunk? {
            if let first {
                self.first = nil
                return first
            }
            return try await subscription.next()
        }
    }
}

/// Why a streamed body ended before its end.
public enum MetricsStreamError: Error, Sendable, Equatable {
    /// The scrape timeout passed while the body was being sent.
    case scrapeTimeout
    /// The reading task was cancelled, or the handler stopped the render.
    case cancelled
    /// The render failed (a compressor error).
    case renderFailed(String)
}

/// One scrape's membership in a shared render; leaving happens in `deinit`.
///
/// Thread safety: `Sendable`; `next()` from one task at a time.
final class RenderSubscription: Sendable {
    let render: SharedRender
    let id: Int
    private let deadlineTimer: Scheduled<Void>

    init(render: SharedRender, id: Int, deadline: ContinuousClock.Instant) {
        self.render = render
        self.id = id
        // An event-loop timer, not a sleeping task: the deadline must fire even when the cooperative pool is busy.
        let delay = ContinuousClock.now.duration(to: deadline)
        deadlineTimer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: MetricsServer.timeAmount(delay)) {
            render.expire(id, reason: .scrapeTimeout)
        }
    }

    deinit {
        deadlineTimer.cancel()
        render.unsubscribe(id)
    }

    func next() async throws(MetricsStreamError) -> MetricsChunk? {
        do {
            return try await render.next(id)
        } catch {
            switch error {
            case .scrapeTimeout: throw .scrapeTimeout
            case .cancelled: throw .cancelled
            case .failed(let message): throw .renderFailed(message)
            }
        }
    }

    var isExhausted: Bool { render.isExhausted(id) }
}
