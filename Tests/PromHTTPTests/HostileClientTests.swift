import PromCore
import Testing

@testable import PromHTTP

extension HTTPTests {
    /// Each test attacks the server, then checks that it still answers a normal scrape and released what it held.
    @Suite struct HostileClientTests {
        static func configure(_ configuration: inout MetricsServer.Configuration) {
            configuration.requestHeadTimeout = .milliseconds(500)
            configuration.idleTimeout = .milliseconds(700)
            configuration.maxRequestHeadBytes = 4096
            configuration.maxConnections = 16
        }

        func assertStillServes(_ server: MetricsServer, port: Int) async throws {
            let response = try await RawHTTPClient(port: port).get()
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains("test_requests_total 42"))
        }

        func waitForConnections(_ server: MetricsServer, atMost count: Int) async throws {
            for _ in 0..<300 where server.openConnections > count {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.openConnections <= count)
        }

        @Test func aClientThatDisconnectsMidRequestIsForgotten() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                for _ in 0..<20 {
                    let client = try RawHTTPClient(port: port)
                    try await client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: te")
                }
                try await waitForConnections(server, atMost: 0)
                try await assertStillServes(server, port: port)
            }
        }

        @Test func aClientThatDisconnectsMidResponseStopsTheRender() async throws {
            let registry = try TestRegistries.large(series: 50_000)
            try registry.counter("test_requests_total", help: "Requests handled.").inc(by: 42 as UInt64)
            try await withServer(
                registry,
                configure: {
                    Self.configure(&$0); $0.handler.chunkSize = 4096
                }
            ) { server, port in
                for _ in 0..<5 {
                    let client = try RawHTTPClient(port: port)
                    try await client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
                    _ = try await client.readLineForTest()
                }
                try await waitForConnections(server, atMost: 0)
                let response = try await RawHTTPClient(port: port).get("/metrics?name[]=test_requests_total")
                #expect(response.text.contains("test_requests_total 42"))
            }
        }

        @Test func aSlowLorisClientIsCutOffWith408() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                let client = try RawHTTPClient(port: port)
                let start = ContinuousClock.now
                let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8)
                var sent = 0
                while sent < request.count, (try? await client.send([request[sent]])) != nil {
                    sent += 1
                    try await Task.sleep(for: .milliseconds(100))
                    if ContinuousClock.now - start > .seconds(3) { break }
                }
                #expect(sent < request.count)
                #expect(await client.readToClose().hasPrefix("HTTP/1.1 408 Request Timeout"))
                try await waitForConnections(server, atMost: 0)
                try await assertStillServes(server, port: port)
            }
        }

        @Test func oversizedHeadersGet431() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                let client = try RawHTTPClient(port: port)
                let big = String(repeating: "x", count: 8192)
                try? await client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n")
                #expect(await client.readToClose().hasPrefix("HTTP/1.1 431"))
                try await waitForConnections(server, atMost: 0)
                try await assertStillServes(server, port: port)
            }
        }

        @Test func garbageBytesGet400AndClose() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                for garbage in [
                    "\u{0}\u{1}\u{2}\r\n\r\n", "GET\r\n\r\n", "HELLO WORLD\r\n\r\n",
                    "\u{16}\u{3}\u{1}\u{2}\u{0}\r\n\r\n",
                ] {
                    let client = try RawHTTPClient(port: port)
                    try? await client.send(garbage)
                    let answer = await client.readToClose()
                    #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
                }
                var random = SystemRandomNumberGenerator()
                for _ in 0..<10 {
                    let client = try RawHTTPClient(port: port)
                    try? await client.send((0..<2000).map { _ in UInt8.random(in: 0...255, using: &random) })
                    _ = await client.readToClose()
                }
                try await waitForConnections(server, atMost: 0)
                try await assertStillServes(server, port: port)
            }
        }

        @Test func manyIdleConnectionsAreCappedAndClosed() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                var idle: [RawHTTPClient] = []
                for _ in 0..<40 { idle.append(try RawHTTPClient(port: port)) }
                try await Task.sleep(for: .milliseconds(100))
                #expect(server.openConnections <= 16)
                // The idle timeout closes the admitted ones too.
                try await waitForConnections(server, atMost: 0)
                for client in idle { #expect(await client.waitForClose()) }
                try await assertStillServes(server, port: port)
            }
        }

        @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
            try await withServer(try TestRegistries.small(), configure: Self.configure) { server, port in
                let client = try RawHTTPClient(port: port)
                #expect(try await client.get().status == 200)
                let start = ContinuousClock.now
                #expect(await client.waitForClose())
                #expect(ContinuousClock.now - start < .seconds(3))
                try await assertStillServes(server, port: port)
            }
        }
    }
}

extension RawHTTPClient {
    /// Reads the status line only.
    func readLineForTest() async throws -> Int {
        try await readResponseStatusOnly()
    }
}
