import Logging
import PromCore
import PromExposition
import ServiceLifecycle
import Testing

@testable import PromHTTP

/// Starts a server on a free loopback port for the duration of `body`, then shuts it down.
func withServer<R>(
    _ registry: Registry, configure: (inout MetricsServer.Configuration) -> Void = { _ in },
    _ body: (MetricsServer, Int) async throws -> R
) async throws -> R {
    var configuration = MetricsServer.Configuration()
    configure(&configuration)
    let server = try MetricsServer(registry: registry, configuration: configuration)
    let port = try await server.start()
    do {
        let result = try await body(server, port)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

extension HTTPTests {
    @Suite struct MetricsServerTests {
        @Test func anEphemeralPortIsBoundAndReported() async throws {
            try await withServer(try TestRegistries.small()) { server, port in
                #expect(port > 0)
                #expect(server.port == port)
            }
        }

        @Test func oneKeepAliveConnectionServesSeveralScrapesOfBothFormats() async throws {
            let registry = try TestRegistries.small()
            try await withServer(registry) { _, port in
                let client = try RawHTTPClient(port: port)
                let text = try await client.get()
                #expect(text.status == 200)
                #expect(text.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
                #expect(text.body == TestRegistries.expected(registry, .prometheusText))
                let openMetrics = try await client.get(headers: [
                    "Accept": HTTPTests.ContentNegotiationTests.prometheus242Accept, "Accept-Encoding": "gzip",
                ])
                #expect(
                    openMetrics.header("Content-Type") == "application/openmetrics-text; version=1.0.0; charset=utf-8")
                #expect(openMetrics.header("Content-Encoding") == "gzip")
                #expect(openMetrics.header("Vary") == "Accept, Accept-Encoding")
                #expect(try TestRegistries.gunzip(openMetrics.body) == TestRegistries.expected(registry, .openMetrics))
                let head = try await client.get(method: "HEAD")
                #expect(head.status == 200)
                #expect(try await client.get().status == 200)
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
            try await withServer(try TestRegistries.small()) { _, port in
                let client = try RawHTTPClient(port: port)
                let request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                try await client.send(request + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + request)
                #expect(try await client.readResponse().status == 200)
                #expect(try await client.readResponse().status == 404)
                #expect(try await client.readResponse().status == 200)
            }
        }

        @Test func aLargeExpositionIsSentChunkedAndComplete() async throws {
            let registry = try TestRegistries.large(series: 30_000)
            try await withServer(registry) { _, port in
                let client = try RawHTTPClient(port: port)
                for encoding in ["identity", "gzip"] {
                    let response = try await client.get(headers: ["Accept-Encoding": encoding])
                    #expect(response.chunked)
                    let body = encoding == "gzip" ? try TestRegistries.gunzip(response.body) : response.body
                    #expect(body == TestRegistries.expected(registry, .prometheusText))
                }
            }
        }

        @Test func otherMethodsGet405AndBodiesGet413() async throws {
            try await withServer(try TestRegistries.small()) { _, port in
                let client = try RawHTTPClient(port: port)
                let post = try await client.get(method: "PUT")
                #expect(post.status == 405)
                #expect(post.header("Allow") == "GET, HEAD")
                let withBody = try RawHTTPClient(port: port)
                try await withBody.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nxxxx")
                let refused = try await withBody.readResponse()
                #expect(refused.status == 413)
                #expect(await withBody.waitForClose())
            }
        }

        @Test func http10GetsABodyEndedByClose() async throws {
            let registry = try TestRegistries.large(series: 5_000)
            try await withServer(registry) { _, port in
                let client = try RawHTTPClient(port: port)
                try await client.send("GET /metrics HTTP/1.0\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.status == 200)
                #expect(response.body == TestRegistries.expected(registry, .prometheusText))
            }
        }

        @Test func theServerRunsAndStopsUnderAServiceGroup() async throws {
            let server = try MetricsServer(registry: try TestRegistries.small())
            let group = ServiceGroup(
                configuration: .init(services: [server], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var port: Int?
                for _ in 0..<500 where port == nil {
                    port = server.port
                    try await Task.sleep(for: .milliseconds(10))
                }
                let bound = try #require(port)
                let client = try RawHTTPClient(port: bound)
                #expect(try await client.get().status == 200)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(await client.waitForClose())
                #expect(throws: (any Error).self) { try RawHTTPClient(port: bound) }
            }
        }

        @Test func shutdownLetsAResponseInProgressFinish() async throws {
            let registry = try TestRegistries.large(series: 40_000)
            var configuration = MetricsServer.Configuration()
            configuration.handler.chunkSize = 4096
            let server = try MetricsServer(registry: registry, configuration: configuration)
            let port = try await server.start()
            let client = try RawHTTPClient(port: port)
            try await client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            try await Task.sleep(for: .milliseconds(50))
            async let stopped: Void = server.shutdown()
            let response = try await client.readResponse()
            await stopped
            #expect(response.body == TestRegistries.expected(registry, .prometheusText))
            #expect(await client.waitForClose())
        }
    }
}
