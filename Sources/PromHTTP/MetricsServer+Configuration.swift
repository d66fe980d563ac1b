import NIOSSL

extension MetricsServer {
    /// Where a ``MetricsServer`` listens and the limits it enforces.
    ///
    /// Thread safety: a value type; `Sendable`.
    public struct Configuration: Sendable {
        /// The address to bind. Default `127.0.0.1`; use `0.0.0.0` or `::` to serve other hosts.
        public var host = "127.0.0.1"
        /// The port; 0 picks a free one (read it from ``MetricsServer/port``). Default 0.
        public var port = 0
        /// The listen backlog. Default 256.
        public var backlog = 256
        /// The most connections open at once; more are closed on accept. Default 256.
        public var maxConnections = 256
        /// The largest request head (request line and header fields) in bytes; larger gets 431. Default 8 KiB.
        public var maxRequestHeadBytes = 8 * 1024
        /// The time a request head may take from its first byte; slower gets 408. Default 10 s.
        public var requestHeadTimeout: Duration = .seconds(10)
        /// How long a connection may stay open without a request in progress. Default 60 s.
        public var idleTimeout: Duration = .seconds(60)
        /// How long shutdown waits for responses in progress before closing them. Default 5 s.
        public var shutdownGracePeriod: Duration = .seconds(5)
        /// TLS, or `nil` for plain HTTP. Default `nil`.
        public var tls: TLS?
        /// What the handler serves (path, formats, authentication, render threads).
        public var handler = MetricsHandler.Configuration()

        /// Creates the default configuration.
        public init() {}
    }

    /// TLS from PEM files, optionally requiring client certificates signed by a given CA (mutual TLS).
    ///
    /// Thread safety: a value type; `Sendable`.
    public struct TLS: Sendable {
        /// The PEM file with the server certificate (then any intermediates).
        public var certificateChainPath: String
        /// The PEM file with the private key.
        public var privateKeyPath: String
        /// A PEM file of CA certificates; when set, clients must present a certificate signed by one of them.
        public var clientCAPath: String?

        /// Creates a TLS configuration.
        ///
        /// - Parameters:
        ///   - certificateChainPath: The certificate chain PEM file.
        ///   - privateKeyPath: The private key PEM file.
        ///   - clientCAPath: The client CA PEM file for mutual TLS, or `nil`.
        public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
        }

        func makeContext() throws -> NIOSSLContext {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            if let clientCAPath {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCAPath))
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        }
    }
}
