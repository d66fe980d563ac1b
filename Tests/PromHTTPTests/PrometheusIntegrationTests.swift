import Foundation
import PromCore
import Testing

@testable import PromHTTP

/// A real Prometheus 2.42 (`/usr/bin/prometheus`, Debian package `prometheus`) scrapes our servers.
extension HTTPTests {
    @Suite struct PrometheusIntegrationTests {
        static let prometheusPath = ProcessInfo.processInfo.environment["PROMETHEUS"] ?? "/usr/bin/prometheus"

        @Test(.timeLimit(.minutes(1)))
        func prometheusScrapesTextOpenMetricsTLSWithBearerTokenAndMutualTLS() async throws {
            // Missing tools fail the test (never skip it): scripts/test installs them.
            try #require(
                FileManager.default.isExecutableFile(atPath: Self.prometheusPath),
                "\(Self.prometheusPath) is missing: run scripts/test, which installs the Debian package prometheus")
            try #require(
                FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
                "/usr/bin/openssl is missing: run scripts/test, which installs the Debian package openssl")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "promhttp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let certificate = directory.appendingPathComponent("cert.pem").path
            let key = directory.appendingPathComponent("key.pem").path
            try run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", certificate,
                ])
            // Mutual TLS: a client CA, a Prometheus client certificate it signed, and a self-signed one it did not.
            let path = { (name: String) in directory.appendingPathComponent(name).path }
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try run(
                "/usr/bin/openssl",
                ["req", "-x509"] + ec + [
                    "-days", "1", "-subj", "/CN=test-client-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign", "-keyout", path("ca.key"), "-out", path("ca.pem"),
                ])
            try run(
                "/usr/bin/openssl",
                ["req"] + ec + ["-subj", "/CN=prometheus", "-keyout", path("client.key"), "-out", path("client.csr")])
            try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
            try run(
                "/usr/bin/openssl",
                [
                    "x509", "-req", "-in", path("client.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-days", "1", "-extfile", path("client.ext"), "-out", path("client.pem"),
                ])
            try run(
                "/usr/bin/openssl",
                ["req", "-x509"] + ec + [
                    "-days", "1", "-subj", "/CN=rogue", "-keyout", path("rogue.key"), "-out", path("rogue.pem"),
                ])
            let tokenFile = directory.appendingPathComponent("token").path
            let wrongTokenFile = directory.appendingPathComponent("wrong-token").path
            try "prometheus-scrape-token-1234\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try "not-the-token\n".write(toFile: wrongTokenFile, atomically: true, encoding: .utf8)

            let registry = try TestRegistries.small()
            let openMetrics = try MetricsServer(registry: registry)
            var textConfiguration = MetricsServer.Configuration()
            textConfiguration.handler.offersOpenMetrics = false
            let text = try MetricsServer(registry: registry, configuration: textConfiguration)
            var tlsConfiguration = MetricsServer.Configuration()
            tlsConfiguration.tls = .init(certificateChainPath: certificate, privateKeyPath: key)
            tlsConfiguration.handler.authentication = try .bearerToken(file: tokenFile)
            let tls = try MetricsServer(registry: registry, configuration: tlsConfiguration)
            var mutualConfiguration = MetricsServer.Configuration()
            mutualConfiguration.tls = .init(
                certificateChainPath: certificate, privateKeyPath: key, clientCAPath: path("ca.pem"))
            let mutual = try MetricsServer(registry: registry, configuration: mutualConfiguration)
            let ports = (
                om: try await openMetrics.start(), text: try await text.start(), tls: try await tls.start(),
                mutual: try await mutual.start()
            )

            let prometheusPort = try freePort()
            let config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                - job_name: om
                  static_configs: [{targets: ['127.0.0.1:\(ports.om)']}]
                - job_name: text
                  static_configs: [{targets: ['127.0.0.1:\(ports.text)']}]
                - job_name: tls
                  scheme: https
                  tls_config: {ca_file: '\(certificate)', server_name: localhost}
                  bearer_token_file: '\(tokenFile)'
                  static_configs: [{targets: ['127.0.0.1:\(ports.tls)']}]
                - job_name: tls-wrong-token
                  scheme: https
                  tls_config: {ca_file: '\(certificate)', server_name: localhost}
                  bearer_token_file: '\(wrongTokenFile)'
                  static_configs: [{targets: ['127.0.0.1:\(ports.tls)']}]
                - job_name: mtls
                  scheme: https
                  tls_config:
                    {ca_file: '\(certificate)', server_name: localhost, cert_file: '\(path("client.pem"))',
                     key_file: '\(path("client.key"))'}
                  static_configs: [{targets: ['127.0.0.1:\(ports.mutual)']}]
                - job_name: mtls-no-certificate
                  scheme: https
                  tls_config: {ca_file: '\(certificate)', server_name: localhost}
                  static_configs: [{targets: ['127.0.0.1:\(ports.mutual)']}]
                - job_name: mtls-unknown-issuer
                  scheme: https
                  tls_config:
                    {ca_file: '\(certificate)', server_name: localhost, cert_file: '\(path("rogue.pem"))',
                     key_file: '\(path("rogue.key"))'}
                  static_configs: [{targets: ['127.0.0.1:\(ports.mutual)']}]

                """
            let configPath = directory.appendingPathComponent("prometheus.yml").path
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let prometheus = Process()
            prometheus.executableURL = URL(fileURLWithPath: Self.prometheusPath)
            prometheus.arguments = [
                "--config.file=\(configPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
            ]
            prometheus.standardOutput = FileHandle.nullDevice
            prometheus.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try prometheus.run()
            defer {
                // Stopped by its PID (SIGTERM), and reaped.
                kill(prometheus.processIdentifier, SIGTERM)
                prometheus.waitUntilExit()
            }

            let targets = try await waitForTargets(
                port: prometheusPort,
                jobs: ["om", "text", "tls", "tls-wrong-token", "mtls", "mtls-no-certificate", "mtls-unknown-issuer"])
            for job in ["om", "text", "tls", "mtls"] {
                #expect(targets[job]?.health == "up", "\(job): \(targets[job]?.lastError ?? "")")
                #expect(targets[job]?.lastError == "", "\(job)")
            }
            #expect(targets["tls-wrong-token"]?.health == "down")
            #expect(targets["tls-wrong-token"]?.lastError.contains("401") == true)
            // Without a client certificate, or with one the client CA did not sign, the handshake fails.
            for job in ["mtls-no-certificate", "mtls-unknown-issuer"] {
                #expect(targets[job]?.health == "down", "\(job)")
                #expect(targets[job]?.lastError.contains("tls") == true, "\(job): \(targets[job]?.lastError ?? "")")
            }

            for job in ["om", "text", "tls", "mtls"] {
                #expect(try await query("test_requests_total{job=\"\(job)\"}", port: prometheusPort) == 42)
                #expect(try await query("test_temperature_celsius{job=\"\(job)\"}", port: prometheusPort) == -3.5)
                #expect(
                    try await query("test_latency_seconds_bucket{job=\"\(job)\",le=\"0.1\"}", port: prometheusPort) == 1
                )
                #expect(
                    try await query("test_latency_seconds_bucket{job=\"\(job)\",le=\"0.5\"}", port: prometheusPort) == 2
                )
                #expect(
                    try await query("test_latency_seconds_bucket{job=\"\(job)\",le=\"1.0\"}", port: prometheusPort) == 3
                )
                #expect(
                    try await query("test_latency_seconds_bucket{job=\"\(job)\",le=\"+Inf\"}", port: prometheusPort)
                        == 4)
                #expect(try await query("test_latency_seconds_count{job=\"\(job)\"}", port: prometheusPort) == 4)
                let sum = try await query("test_latency_seconds_sum{job=\"\(job)\"}", port: prometheusPort)
                #expect(abs((sum ?? 0) - 3.05) < 1e-9)
            }
            // Prometheus asked for gzip, and the OpenMetrics server was asked for OpenMetrics.
            #expect(openMetrics.handler.statistics.gzipResponses > 0)
            #expect(text.handler.statistics.gzipResponses > 0)
            #expect(tls.handler.statistics.gzipResponses > 0)
            #expect(try await query("scrape_samples_scraped{job=\"om\"}", port: prometheusPort) == 8)

            await openMetrics.shutdown()
            await text.shutdown()
            await tls.shutdown()
            await mutual.shutdown()
        }

        struct Target {
            var health: String
            var lastError: String
        }

        /// Polls `/api/v1/targets` until every job has been scraped at least once.
        func waitForTargets(port: Int, jobs: Set<String>) async throws -> [String: Target] {
            let deadline = ContinuousClock.now + .seconds(40)
            while ContinuousClock.now < deadline {
                if let json = try? await api("/api/v1/targets", port: port),
                    let data = json["data"] as? [String: Any], let active = data["activeTargets"] as? [[String: Any]]
                {
                    var targets: [String: Target] = [:]
                    for target in active {
                        guard let job = (target["labels"] as? [String: String])?["job"],
                            let health = target["health"] as? String, health != "unknown"
                        else { continue }
                        targets[job] = Target(health: health, lastError: target["lastError"] as? String ?? "")
                    }
                    if Set(targets.keys).isSuperset(of: jobs) { return targets }
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            throw RawHTTPClient.ClientError(description: "Prometheus did not scrape every target in time")
        }

        func query(_ expression: String, port: Int) async throws -> Double? {
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
            let json = try await api("/api/v1/query?query=\(encoded)", port: port)
            guard let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                let value = result.first?["value"] as? [Any], let number = value.last as? String
            else { return nil }
            return Double(number)
        }

        func api(_ target: String, port: Int) async throws -> [String: Any] {
            let client = try RawHTTPClient(port: port)
            let response = try await client.get(target, headers: ["Connection": "close"])
            let object = try JSONSerialization.jsonObject(with: Data(response.body))
            return object as? [String: Any] ?? [:]
        }

        func run(_ executable: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw RawHTTPClient.ClientError(description: "\(executable) exited with \(process.terminationStatus)")
            }
        }

        /// A free loopback port: bound to 0, read, released.
        func freePort() throws -> Int {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
                }
            }
            guard bound else { throw RawHTTPClient.ClientError(description: "no free port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
