import NIOPosix
import PromCore
import PromExposition

/// Answers scrapes of one ``PromCore/Registry``: routing, authentication, content negotiation, rendering and
/// coalescing, independent of any HTTP server.
///
/// Give it a ``MetricsRequest`` and it returns a ``MetricsResponse``: 404 for another path, 405 (with `Allow`)
/// for a method other than GET and HEAD, 401 (with `WWW-Authenticate`) without valid credentials, 413 when a
/// body is declared, 406 when no acceptable encoding is left, otherwise 200 with the exact `Content-Type`,
/// `Vary: Accept, Accept-Encoding` and, for gzip, `Content-Encoding: gzip`. HEAD gets the same header fields
/// as GET but no body and no `Content-Length` (nothing is rendered for it).
///
/// Rendering runs on the handler's own render threads, never on the caller's, into pooled buffers and
/// compressors. A body that fits in one chunk (``Configuration/chunkSize``) comes back complete with
/// `Content-Length`; a larger one comes back as a ``MetricsBodyStream`` as soon as its first chunk is ready, so
/// a large scrape starts sending before the render ends and holds only a few chunks.
///
/// Scrape timeout: the deadline is `X-Prometheus-Scrape-Timeout-Seconds` (else
/// ``Configuration/defaultScrapeTimeout``), minus 10% (at most 0.5 s) so the answer arrives before the scraper
/// gives up. If no byte of the body is ready by then the response is 503 with a message. If the body was
/// already streaming, reading it throws ``MetricsStreamError/scrapeTimeout`` and the server must abort the
/// connection without ending the body, so the scraper sees an error rather than a truncated exposition.
///
/// Coalescing: concurrent scrapes with the same format, encoding and `name[]` filter share one render. A scrape
/// that arrives while a render is in progress replays its chunks from the start (kept up to
/// ``Configuration/coalescingReplayLimit`` bytes) and then follows it live; when the render has grown past that
/// limit, a new render starts instead.
///
/// Thread safety: safe to call from any thread or task concurrently.
/// Performance: a steady-state render allocates only the chunk buffers handed to the server.
public final class MetricsHandler: Sendable {
    /// The registry served.
    public let registry: Registry
    /// The configuration.
    public let configuration: Configuration

    private let renderPool: NIOThreadPool
    private let inFlight = Locked<[RenderKey: SharedRender]>([:])
    private let resources = Locked<[RenderResources]>([])
    private let counters = Locked(Statistics())

    /// Creates a handler and starts its render threads (they stop when the handler is released).
    ///
    /// - Parameters:
    ///   - registry: The registry to expose.
    ///   - configuration: Path, formats, limits and authentication.
    public init(registry: Registry, configuration: Configuration = .init()) {
        self.registry = registry
        self.configuration = configuration
        renderPool = NIOThreadPool(numberOfThreads: max(1, configuration.renderThreads))
        renderPool.start()
    }

    deinit {
        renderPool.shutdownGracefully { _ in }
    }

    /// Counters of what the handler did since it was created.
    public var statistics: Statistics { counters.withLock { $0 } }

    /// Answers one request.
    ///
    /// - Parameter request: The request.
    /// - Returns: The response; a streamed body must be read (or dropped) by the caller.
    public func respond(to request: MetricsRequest) async -> MetricsResponse {
        let start = ContinuousClock.now
        guard request.path == configuration.path else {
            return .text(404, "not found: metrics are served at \(configuration.path)")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text(405, "method \(request.method) not allowed", extra: [("Allow", "GET, HEAD")])
        }
        if let authentication = configuration.authentication,
            !authentication.authorizes(request.header("Authorization"))
        {
            return .text(401, "unauthorized", extra: [("WWW-Authenticate", authentication.challenge)])
        }
        if request.hasBody { return .text(413, "a scrape request must not have a body") }
        let format = ContentNegotiation.format(
            accept: request.combinedHeader("Accept"), offersOpenMetrics: configuration.offersOpenMetrics)
        let vary = (name: "Vary", value: "Accept, Accept-Encoding")
        guard
            let encoding = ContentNegotiation.encoding(
                acceptEncoding: request.combinedHeader("Accept-Encoding"), offersGzip: configuration.offersGzip)
        else {
            return .text(406, "no acceptable content encoding: identity and gzip are offered", extra: [vary])
        }
        var headers: [(name: String, value: String)] = [("Content-Type", format.contentType), vary]
        if encoding == .gzip { headers.append(("Content-Encoding", "gzip")) }
        if request.method == "HEAD" { return MetricsResponse(status: 200, headers: headers, body: .none) }

        let budget = scrapeBudget(request.header("X-Prometheus-Scrape-Timeout-Seconds"))
        let key = RenderKey(format: format.rawValue, encoding: encoding, families: request.selectedFamilies)
        let subscription = subscribe(key, deadline: start + budget)
        do {
            let first = try await subscription.next() ?? MetricsChunk(string: "")
            if subscription.isExhausted {
                headers.append(("Content-Length", String(first.count)))
                return MetricsResponse(status: 200, headers: headers, body: .complete(first))
            }
            return MetricsResponse(
                status: 200, headers: headers,
                body: .stream(MetricsBodyStream(first: first, subscription: subscription)))
        } catch {
            return failureResponse(error, budget: budget)
        }
    }

    private func failureResponse(_ error: MetricsStreamError, budget: Duration) -> MetricsResponse {
        switch error {
        case .scrapeTimeout:
            counters.withLock { $0.scrapesTimedOut += 1 }
            let seconds = Double(budget.components.seconds) + Double(budget.components.attoseconds) * 1e-18
            return .text(503, "scrape timeout: the exposition was not ready within \(seconds) s")
        case .cancelled:
            return .text(503, "scrape cancelled")
        case .renderFailed(let message):
            return .text(500, "render failed: \(message)")
        }
    }

    /// The time a scrape may take: the scraper's timeout (bounded by the configured maximum) minus a margin.
    func scrapeBudget(_ header: String?) -> Duration {
        var seconds = Self.seconds(configuration.defaultScrapeTimeout)
        if let header, let requested = Double(header.trimmingASCIIWhitespace()), requested.isFinite, requested > 0 {
            seconds = min(requested, Self.seconds(configuration.maximumScrapeTimeout))
        }
        return .nanoseconds(Int64((seconds - min(seconds * 0.1, 0.5)) * 1e9))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Joins the in-flight render for `key`, or starts one.
    private func subscribe(_ key: RenderKey, deadline: ContinuousClock.Instant) -> RenderSubscription {
        let (render, id, isNew) = inFlight.withLock { table -> (SharedRender, Int, Bool) in
            if let existing = table[key], let id = existing.subscribe() { return (existing, id, false) }
            let render = SharedRender(
                key: key, window: configuration.streamWindow, replayLimit: configuration.coalescingReplayLimit)
            // Safe: a new render is joinable.
            let id = render.subscribe()!
            table[key] = render
            return (render, id, true)
        }
        counters.withLock { statistics in
            statistics.scrapes += 1
            if isNew { statistics.rendersStarted += 1 } else { statistics.scrapesCoalesced += 1 }
            if key.encoding == .gzip { statistics.gzipResponses += 1 }
        }
        let subscription = RenderSubscription(render: render, id: id, deadline: deadline)
        if isNew {
            renderPool.submit { [self] state in
                guard case .active = state else {
                    render.fail(.failed("the handler is shutting down"))
                    return
                }
                self.run(render)
            }
        }
        return subscription
    }

    /// Runs on a render thread.
    private func run(_ render: SharedRender) {
        let pooled = resources.withLock { $0.popLast() } ?? RenderResources()
        do {
            try pooled.render(
                registry, key: render.key, chunkSize: configuration.chunkSize, gzipLevel: configuration.gzipLevel,
                into: render)
        } catch {
            render.fail(error)
        }
        let limit = max(1, configuration.renderThreads)
        resources.withLock { pool in
            if pool.count < limit { pool.append(pooled) }
        }
        inFlight.withLock { table in
            if table[render.key] === render { table[render.key] = nil }
        }
    }
}

extension MetricsHandler {
    /// What a ``MetricsHandler`` serves and how.
    ///
    /// Thread safety: a value type; `Sendable`.
    public struct Configuration: Sendable {
        /// The path served; any other gets 404. Default `/metrics`.
        public var path = "/metrics"
        /// Whether OpenMetrics 1.0.0 may be negotiated (otherwise always text 0.0.4). Default `true`.
        public var offersOpenMetrics = true
        /// Whether gzip may be negotiated. Default `true`.
        public var offersGzip = true
        /// The zlib level for gzip responses. Default 1: compression, not rendering, is the cost of a gzip scrape.
        public var gzipLevel: Int32 = 1
        /// The size at which a body is cut into chunks (identity: rendered bytes; gzip: compressed bytes).
        /// Default 64 KiB. A body that fits in one chunk is sent with `Content-Length`.
        public var chunkSize = 64 * 1024
        /// How many chunks the render may run ahead of its slowest reader. Default 4.
        public var streamWindow = 4
        /// How many bytes a render keeps so that a scrape arriving later can share it. Default 8 MiB.
        public var coalescingReplayLimit = 8 << 20
        /// Render threads, and the number of pooled render buffers and compressors. Default 2.
        public var renderThreads = 2
        /// The scrape timeout when the request has no `X-Prometheus-Scrape-Timeout-Seconds`. Default 30 s.
        public var defaultScrapeTimeout: Duration = .seconds(30)
        /// The largest scrape timeout a request may ask for. Default 120 s.
        public var maximumScrapeTimeout: Duration = .seconds(120)
        /// The required credentials, or `nil` for none. Default `nil`.
        public var authentication: MetricsAuthentication?

        /// Creates the default configuration.
        public init() {}
    }

    /// Counters of a handler's work.
    public struct Statistics: Sendable, Equatable {
        /// GET scrapes that reached rendering.
        public var scrapes = 0
        /// Renders started.
        public var rendersStarted = 0
        /// Scrapes that joined a render in progress instead of starting one.
        public var scrapesCoalesced = 0
        /// Scrapes answered 503 because nothing was ready by their deadline.
        public var scrapesTimedOut = 0
        /// Scrapes answered with gzip.
        public var gzipResponses = 0
    }
}
