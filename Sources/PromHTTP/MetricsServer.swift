import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PromCore
import ServiceLifecycle
import Synchronization

/// A standalone HTTP/1.1 server for `/metrics` over SwiftNIO, optionally with TLS and client certificates.
///
/// It answers GET and HEAD through a ``MetricsHandler`` (404 elsewhere, 405 with `Allow` for other methods), keeps
/// connections alive, streams large expositions with chunked transfer encoding, and protects itself against
/// hostile clients (see ``Configuration``): request heads are size- and time-limited, idle connections close,
/// the number of connections is capped and request bodies are refused with 413.
///
/// Run it under a `ServiceGroup` (it is a `Service`: `run()` serves until graceful shutdown), or call
/// ``start()`` and ``shutdown()`` yourself. Shutdown stops accepting, lets responses in progress finish (up to
/// ``Configuration/shutdownGracePeriod``), then closes what is left.
///
/// Thread safety: every member is safe to call from any thread or task.
public final class MetricsServer: Service, Sendable {
    /// The handler answering requests.
    public let handler: MetricsHandler
    /// The configuration.
    public let configuration: Configuration

    private let group: any EventLoopGroup
    private let sslContext: NIOSSLContext?
    private let state = Locked(ServerState())
    private let connectionCount = Atomic<Int>(0)

    private struct ServerState {
        var serverChannel: (any Channel)?
        var children: [ObjectIdentifier: any Channel] = [:]
        var stopped = false
        var port: Int?
    }

    /// The refusal of a connection over ``Configuration/maxConnections``.
    struct TooManyConnections: Error {}

    /// Creates a server for `registry`; nothing listens before ``start()`` or ``run()``.
    ///
    /// - Parameters:
    ///   - registry: The registry to serve.
    ///   - configuration: Address, limits, TLS and the handler's configuration.
    ///   - eventLoopGroup: The event loops to use; default the shared singleton.
    /// - Throws: An `NIOSSLError` when the TLS files cannot be loaded.
    public convenience init(
        registry: Registry, configuration: Configuration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        try self.init(
            handler: MetricsHandler(registry: registry, configuration: configuration.handler),
            configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    /// Creates a server around an existing handler (its configuration wins over `configuration.handler`).
    ///
    /// - Parameters:
    ///   - handler: The handler.
    ///   - configuration: Address, limits and TLS.
    ///   - eventLoopGroup: The event loops to use.
    /// - Throws: An `NIOSSLError` when the TLS files cannot be loaded.
    public init(
        handler: MetricsHandler, configuration: Configuration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.handler = handler
        self.configuration = configuration
        self.group = eventLoopGroup
        self.sslContext = try configuration.tls.map { try $0.makeContext() }
    }

    /// The bound port once started (the real one when ``Configuration/port`` is 0), else `nil`.
    public var port: Int? { state.withLock { $0.port } }

    /// The number of open connections.
    public var openConnections: Int { connectionCount.load(ordering: .relaxed) }

    /// Binds and starts accepting.
    ///
    /// - Returns: The bound port.
    /// - Throws: A socket error when the address cannot be bound; `CancellationError` after shutdown.
    @discardableResult
    public func start() async throws -> Int {
        guard !state.withLock({ $0.stopped }) else { throw CancellationError() }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { [self] channel in
                guard admit(channel) else { return channel.eventLoop.makeFailedFuture(TooManyConnections()) }
                return channel.eventLoop.makeCompletedFuture { try self.configurePipeline(channel) }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let port = channel.localAddress?.port ?? configuration.port
        let alreadyStopped = state.withLock { state in
            state.serverChannel = channel
            state.port = port
            return state.stopped
        }
        if alreadyStopped {
            try? await channel.close()
            throw CancellationError()
        }
        return port
    }

    /// Stops accepting, lets responses in progress finish within the grace period, then closes every connection.
    public func shutdown() async {
        let (server, children) = state.withLock { state in
            state.stopped = true
            return (state.serverChannel, Array(state.children.values))
        }
        try? await server?.close()
        for child in children {
            child.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        while !state.withLock({ $0.children.isEmpty }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for child in state.withLock({ Array($0.children.values) }) {
            try? await child.close()
        }
    }

    /// Serves until graceful shutdown (or cancellation) of the surrounding `ServiceGroup`, then shuts down.
    ///
    /// - Throws: A socket error when the address cannot be bound.
    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await shutdown()
    }

    private func admit(_ channel: any Channel) -> Bool {
        let count = connectionCount.add(1, ordering: .relaxed).newValue
        let admitted =
            count <= configuration.maxConnections
            && state.withLock { state in
                guard !state.stopped else { return false }
                state.children[ObjectIdentifier(channel)] = channel
                return true
            }
        guard admitted else {
            connectionCount.subtract(1, ordering: .relaxed)
            return false
        }
        channel.closeFuture.whenComplete { [self] _ in
            connectionCount.subtract(1, ordering: .relaxed)
            state.withLock { _ = $0.children.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        return true
    }

    private func configurePipeline(_ channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
        }
        try pipeline.addHandler(
            ConnectionGuard(
                maxHeadBytes: configuration.maxRequestHeadBytes,
                headTimeout: Self.timeAmount(configuration.requestHeadTimeout),
                idleTimeout: Self.timeAmount(configuration.idleTimeout)))
        var encoder = HTTPResponseEncoder.Configuration()
        // The handler frames each response itself, and HEAD answers must carry no body framing.
        encoder.automaticallySetFramingHeaders = false
        try pipeline.addHandler(HTTPResponseEncoder(configuration: encoder))
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try pipeline.addHandler(HTTPServerPipelineHandler())
        try pipeline.addHandler(HTTPServerProtocolErrorHandler())
        try pipeline.addHandler(MetricsHTTPChannelHandler(handler: handler))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
