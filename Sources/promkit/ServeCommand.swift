import ArgumentParser
import Dispatch
import Logging
import PromCore
import PromHTTP
import PromWorkloads
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `promkit serve`: populates a workload and serves it over HTTP(S) while writer threads keep incrementing it.
///
/// Prints the bound address on stdout (`serving W1 (100000 series) at http://127.0.0.1:PORT/metrics`), then serves
/// until SIGINT or SIGTERM, which shut it down gracefully.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a benchmark workload on /metrics while writer threads update it.",
        discussion: "Stops on SIGINT or SIGTERM. --port 0 picks a free port; the bound address is printed."
    )

    @Option(help: "The workload: W1, W2 or W3 (see shared/benchmarks/WORKLOADS.md).")
    var workload: String = "W1"

    @Option(help: "The number of series for W1.")
    var series: Int = 100_000

    @Option(help: "The address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to bind; 0 picks a free one.")
    var port: Int = 9464

    @Option(help: "The path to serve.")
    var path: String = "/metrics"

    @Option(help: "Writer threads incrementing series while the workload is served (0 for none).")
    var writers: Int = 2

    @Option(help: "PEM certificate chain: serve HTTPS.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM CA bundle: require client certificates signed by it (mutual TLS).")
    var tlsClientCa: String?

    @Option(help: "Require `Authorization: Bearer TOKEN`.")
    var bearerToken: String?

    @Option(help: "Require the bearer token read from this file.")
    var bearerTokenFile: String?

    @Option(help: "Render threads.")
    var renderThreads: Int = 2

    mutating func validate() throws {
        guard Workload(rawValue: workload.uppercased()) != nil else {
            throw ValidationError("unknown workload \"\(workload)\": use W1, W2 or W3")
        }
        guard series > 0 else { throw ValidationError("--series must be positive") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard tlsClientCa == nil || tlsCert != nil else { throw ValidationError("--tls-client-ca needs --tls-cert") }
        guard bearerToken == nil || bearerTokenFile == nil else {
            throw ValidationError("give --bearer-token or --bearer-token-file, not both")
        }
    }

    func run() throws {
        // Safe: validate() checked the name.
        let workload = Workload(rawValue: workload.uppercased())!
        let registry = Registry()
        let seriesCount = try workload.populate(registry, seriesCount: series)
        let server = try MetricsServer(registry: registry, configuration: try serverConfiguration())
        let writerThreads = try WorkloadWriters(
            workload: workload, registry: registry, series: seriesCount, threads: writers)
        let scheme = tlsCert == nil ? "http" : "https"
        let displayedHost = host.contains(":") ? "[\(host)]" : host
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let path = self.path
        let announce: @Sendable (Int) -> Void = { port in
            print("serving \(workload.rawValue) (\(seriesCount) series) at \(scheme)://\(displayedHost):\(port)\(path)")
            // The line is read by scripts through a pipe: flush it now, not at exit.
            fflushStdout()
        }
        Task {
            do {
                try await ServeCommand.serve(server, announce: announce)
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        writerThreads.stop()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    private static func serve(_ server: MetricsServer, announce: @escaping @Sendable (Int) -> Void) async throws {
        let logger = Logger(label: "promkit.serve")
        let started = StartAnnouncer(server: server, announce: announce)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: server), .init(service: started)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func serverConfiguration() throws -> MetricsServer.Configuration {
        var configuration = MetricsServer.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.handler.path = path
        configuration.handler.renderThreads = renderThreads
        if let tlsCert, let tlsKey {
            configuration.tls = .init(certificateChainPath: tlsCert, privateKeyPath: tlsKey, clientCAPath: tlsClientCa)
        }
        if let bearerToken {
            configuration.handler.authentication = .bearerToken(bearerToken)
        } else if let bearerTokenFile {
            configuration.handler.authentication = try .bearerToken(file: bearerTokenFile)
        }
        return configuration
    }
}

private func fflushStdout() {
    fflush(nil)
}

/// Prints the bound address once the server listens, then waits for shutdown.
private struct StartAnnouncer: Service {
    let server: MetricsServer
    let announce: @Sendable (Int) -> Void

    func run() async throws {
        while server.port == nil {
            try await Task.sleep(for: .milliseconds(5))
        }
        // Safe: the loop above waited for it.
        announce(server.port!)
        try? await gracefulShutdown()
    }
}

/// Threads that keep incrementing the workload's series while it is scraped.
private final class WorkloadWriters: Sendable {
    private let running = Atomic<Bool>(true)
    private let finished = DispatchGroup()

    init(workload: Workload, registry: Registry, series: Int, threads: Int) throws {
        let touches = try WorkloadWriters.touches(workload: workload, registry: registry, series: series)
        let increments = try registry.counterFamily(
            "promkit_serve_writer_increments_total", help: "Increments made by promkit serve's writer threads.",
            labelNames: ["writer"])
        for writer in 0..<max(0, threads) {
            let counter = increments.labels([String(writer)])
            finished.enter()
            DispatchQueue.global().async { [self] in
                var index = writer
                while running.load(ordering: .relaxed) {
                    for _ in 0..<1_000 {
                        touches(index)
                        index &+= threads
                    }
                    counter.inc(by: 1_000)
                    // About a million updates per second per thread: busy enough to race every scrape,
                    // idle enough to leave the render and the client a core.
                    usleep(1_000)
                }
                finished.leave()
            }
        }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
    }

    private static func touches(workload: Workload, registry: Registry, series: Int) throws -> @Sendable (Int) -> Void {
        switch workload {
        case .w1:
            let family = try W1.register(in: registry, capacity: series)
            let handles = (0..<series).map { family.labels(W1.labelValues(series: $0)) }
            return { handles[$0 % handles.count].inc(by: 1) }
        case .w2:
            let family = try registry.histogramFamily(W2.name, help: W2.help, labelNames: W2.labelNames)
            let handles = (0..<1020).map { family.labels(W2.labelValues(child: $0)) }
            return { handles[$0 % handles.count].observe(Double($0 % 97) / 8.0) }
        case .w3:
            return { _ in }
        }
    }
}
