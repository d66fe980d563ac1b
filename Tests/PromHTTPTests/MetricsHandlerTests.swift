import Foundation
import PromCore
import PromExposition
import Testing

@testable import PromHTTP

extension HTTPTests {
    @Suite struct MetricsHandlerTests {
        static let prometheusAccept = HTTPTests.ContentNegotiationTests.prometheus242Accept

        func body(_ response: MetricsResponse) async throws -> [UInt8] {
            switch response.body {
            case .none: return []
            case .complete(let chunk): return chunk.bytes
            case .stream(let stream):
                var bytes: [UInt8] = []
                for try await chunk in stream { bytes += chunk.bytes }
                return bytes
            }
        }

        @Test func aGetReturnsTheTextExpositionWithExactHeaders() async throws {
            let registry = try TestRegistries.small()
            let handler = MetricsHandler(registry: registry)
            let response = await handler.respond(to: MetricsRequest(method: "GET", target: "/metrics"))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.header("Vary") == "Accept, Accept-Encoding")
            #expect(response.header("Content-Encoding") == nil)
            let bytes = try await body(response)
            #expect(bytes == TestRegistries.expected(registry, .prometheusText))
            #expect(response.header("Content-Length") == String(bytes.count))
        }

        @Test func prometheusAcceptAndGzipGetCompressedOpenMetrics() async throws {
            let registry = try TestRegistries.small()
            let handler = MetricsHandler(registry: registry)
            let request = MetricsRequest(
                method: "GET", target: "/metrics",
                headers: [("Accept", Self.prometheusAccept), ("Accept-Encoding", "gzip")])
            let response = await handler.respond(to: request)
            #expect(response.header("Content-Type") == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(response.header("Content-Encoding") == "gzip")
            let bytes = try TestRegistries.gunzip(try await body(response))
            #expect(bytes == TestRegistries.expected(registry, .openMetrics))
            #expect(handler.statistics.gzipResponses == 1)
        }

        @Test func headGetsTheHeadersOfGetWithoutABody() async throws {
            let handler = MetricsHandler(registry: try TestRegistries.small())
            let response = await handler.respond(
                to: MetricsRequest(method: "HEAD", target: "/metrics", headers: [("Accept-Encoding", "gzip")]))
            #expect(response.status == 200)
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("Content-Length") == nil)
            guard case .none = response.body else {
                Issue.record("HEAD has a body")
                return
            }
            #expect(handler.statistics.rendersStarted == 0)
        }

        @Test func otherPathsGet404AndOtherMethods405WithAllow() async throws {
            let handler = MetricsHandler(registry: try TestRegistries.small())
            #expect(await handler.respond(to: MetricsRequest(method: "GET", target: "/")).status == 404)
            #expect(await handler.respond(to: MetricsRequest(method: "GET", target: "/metricsx")).status == 404)
            let post = await handler.respond(to: MetricsRequest(method: "POST", target: "/metrics"))
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
            let delete = await handler.respond(to: MetricsRequest(method: "DELETE", target: "/metrics?x=1"))
            #expect(delete.status == 405)
        }

        @Test func aDeclaredBodyGets413() async throws {
            let handler = MetricsHandler(registry: try TestRegistries.small())
            let request = MetricsRequest(method: "GET", target: "/metrics", headers: [("Content-Length", "10")])
            #expect(await handler.respond(to: request).status == 413)
            let chunked = MetricsRequest(method: "GET", target: "/metrics", headers: [("Transfer-Encoding", "chunked")])
            #expect(await handler.respond(to: chunked).status == 413)
            let empty = MetricsRequest(method: "GET", target: "/metrics", headers: [("Content-Length", "0")])
            #expect(await handler.respond(to: empty).status == 200)
        }

        @Test func refusedIdentityWithoutGzipGets406() async throws {
            var configuration = MetricsHandler.Configuration()
            configuration.offersGzip = false
            let handler = MetricsHandler(registry: try TestRegistries.small(), configuration: configuration)
            let response = await handler.respond(
                to: MetricsRequest(
                    method: "GET", target: "/metrics", headers: [("Accept-Encoding", "gzip, identity;q=0")]))
            #expect(response.status == 406)
            #expect(response.header("Vary") == "Accept, Accept-Encoding")
        }

        @Test func nameParametersSelectFamilies() async throws {
            let registry = try TestRegistries.small()
            let handler = MetricsHandler(registry: registry)
            let target = "/metrics?name[]=test_requests_total&name%5B%5D=test_latency_seconds&other=1"
            let response = await handler.respond(to: MetricsRequest(method: "GET", target: target))
            let expected = TestRegistries.expected(
                registry, .prometheusText, include: ["test_requests_total", "test_latency_seconds"])
            #expect(try await body(response) == expected)
            #expect(String(decoding: expected, as: UTF8.self).contains("test_temperature") == false)
        }

        @Test func bearerTokenIsRequiredAndComparedExactly() async throws {
            var configuration = MetricsHandler.Configuration()
            configuration.authentication = .bearerToken("s3cret-token\n")
            let handler = MetricsHandler(registry: try TestRegistries.small(), configuration: configuration)
            for authorization in [
                nil, "Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token", "s3cret-token",
            ] {
                let headers: [(name: String, value: String)] = authorization.map { [("Authorization", $0)] } ?? []
                let response = await handler.respond(
                    to: MetricsRequest(method: "GET", target: "/metrics", headers: headers))
                #expect(response.status == 401, "\(authorization ?? "none")")
                #expect(response.header("WWW-Authenticate") == "Bearer realm=\"metrics\"")
            }
            let ok = await handler.respond(
                to: MetricsRequest(
                    method: "GET", target: "/metrics", headers: [("authorization", "bearer s3cret-token")]))
            #expect(ok.status == 200)
        }

        @Test func aRotatedTokenFileTakesEffectAndABrokenOneKeepsTheLastToken() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "promhttp-token-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // Kubernetes mounts secrets through a symbolic link that is swapped on rotation.
            let link = directory.appendingPathComponent("token").path
            func rotate(to token: String, name: String) throws {
                let file = directory.appendingPathComponent(name).path
                try token.write(toFile: file, atomically: true, encoding: .utf8)
                try? FileManager.default.removeItem(atPath: link + ".new")
                try FileManager.default.createSymbolicLink(atPath: link + ".new", withDestinationPath: file)
                #expect(rename(link + ".new", link) == 0)
            }
            try rotate(to: "first-token\n", name: "a")
            var configuration = MetricsHandler.Configuration()
            configuration.authentication = try .bearerToken(file: link, reloadInterval: .milliseconds(50))
            let handler = MetricsHandler(registry: try TestRegistries.small(), configuration: configuration)
            func status(_ token: String) async -> Int {
                let request = MetricsRequest(
                    method: "GET", target: "/metrics", headers: [("Authorization", "Bearer \(token)")])
                return await handler.respond(to: request).status
            }
            #expect(await status("first-token") == 200)

            try rotate(to: "second-token\n", name: "b")
            try await Task.sleep(for: .milliseconds(120))
            #expect(await status("second-token") == 200)
            #expect(await status("first-token") == 401)

            // An empty file (a rotation half done) and a missing one keep the last good token.
            try rotate(to: "", name: "c")
            try await Task.sleep(for: .milliseconds(120))
            #expect(await status("second-token") == 200)
            #expect(await status("") == 401)
            try FileManager.default.removeItem(atPath: link)
            try await Task.sleep(for: .milliseconds(120))
            #expect(await status("second-token") == 200)

            try rotate(to: "third-token", name: "d")
            try await Task.sleep(for: .milliseconds(120))
            #expect(await status("third-token") == 200)
            #expect(await status("second-token") == 401)
        }

        @Test func aTokenFileThatIsMissingOrEmptyAtStartIsAnError() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)").path
            #expect(throws: MetricsAuthentication.LoadError.self) { try MetricsAuthentication.bearerToken(file: path) }
            try " \n".write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: MetricsAuthentication.LoadError.self) { try MetricsAuthentication.bearerToken(file: path) }
        }

        @Test func basicCredentialsAreChecked() async throws {
            var configuration = MetricsHandler.Configuration()
            configuration.authentication = .basic(username: "prometheus", password: "pa:ss")
            let handler = MetricsHandler(registry: try TestRegistries.small(), configuration: configuration)
            // base64("prometheus:pa:ss")
            let good = MetricsRequest(
                method: "GET", target: "/metrics", headers: [("Authorization", "Basic cHJvbWV0aGV1czpwYTpzcw==")])
            #expect(await handler.respond(to: good).status == 200)
            let bad = MetricsRequest(
                method: "GET", target: "/metrics", headers: [("Authorization", "Basic cHJvbWV0aGV1czpwYXNz")])
            let response = await handler.respond(to: bad)
            #expect(response.status == 401)
            #expect(response.header("WWW-Authenticate") == "Basic realm=\"metrics\", charset=\"UTF-8\"")
        }

        @Test func constantTimeComparisonMatchesOnlyEqualBytes() {
            #expect(MetricsAuthentication.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
            #expect(!MetricsAuthentication.constantTimeEquals(Array("abd".utf8), Array("abc".utf8)))
            #expect(!MetricsAuthentication.constantTimeEquals(Array("ab".utf8), Array("abc".utf8)))
            #expect(!MetricsAuthentication.constantTimeEquals(Array("abc\u{0}".utf8), Array("abc".utf8)))
            #expect(!MetricsAuthentication.constantTimeEquals([], Array("abc".utf8)))
        }

        @Test func aLargeExpositionStreamsInChunksThatAddUpToTheWholeBody() async throws {
            let registry = try TestRegistries.large(series: 20_000)
            var configuration = MetricsHandler.Configuration()
            configuration.chunkSize = 16 * 1024
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            for encoding in ["identity", "gzip"] {
                let response = await handler.respond(
                    to: MetricsRequest(method: "GET", target: "/metrics", headers: [("Accept-Encoding", encoding)]))
                guard case .stream(let stream) = response.body else {
                    Issue.record("expected a stream for \(encoding)")
                    continue
                }
                #expect(response.header("Content-Length") == nil)
                var bytes: [UInt8] = []
                var chunks = 0
                for try await chunk in stream {
                    bytes += chunk.bytes
                    chunks += 1
                }
                #expect(chunks > 1)
                let plain = encoding == "gzip" ? try TestRegistries.gunzip(bytes) : bytes
                #expect(plain == TestRegistries.expected(registry, .prometheusText))
            }
        }

        @Test func aRenderThatCannotStartInTimeGets503() async throws {
            let registry = try TestRegistries.large(series: 50_000)
            var configuration = MetricsHandler.Configuration()
            // One chunk for the whole body: nothing is ready before the render ends.
            configuration.chunkSize = 1 << 30
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            let start = ContinuousClock.now
            let response = await handler.respond(
                to: MetricsRequest(
                    method: "GET", target: "/metrics",
                    headers: [("Accept-Encoding", "gzip"), ("X-Prometheus-Scrape-Timeout-Seconds", "0.002")]))
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(response.status == 503)
            #expect(String(decoding: try await body(response), as: UTF8.self).hasPrefix("scrape timeout"))
            #expect(handler.statistics.scrapesTimedOut == 1)
        }

        @Test func aStreamThatOutlivesItsDeadlineEndsWithTimeout() async throws {
            let registry = try TestRegistries.large(series: 20_000)
            var configuration = MetricsHandler.Configuration()
            configuration.chunkSize = 4 * 1024
            configuration.streamWindow = 1
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            let response = await handler.respond(
                to: MetricsRequest(
                    method: "GET", target: "/metrics", headers: [("X-Prometheus-Scrape-Timeout-Seconds", "0.3")]))
            guard case .stream(let stream) = response.body else {
                Issue.record("expected a stream")
                return
            }
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .milliseconds(400))
            await #expect(throws: MetricsStreamError.scrapeTimeout) {
                while try await iterator.next() != nil {}
            }
        }

        @Test func scrapeTimeoutHeaderIsBoundedAndKeepsAMargin() {
            let handler = MetricsHandler(registry: Registry())
            #expect(handler.scrapeBudget("10") == .milliseconds(9_500))
            #expect(handler.scrapeBudget("1") == .milliseconds(900))
            #expect(handler.scrapeBudget("100000") == .milliseconds(119_500))
            #expect(handler.scrapeBudget("nonsense") == .milliseconds(29_500))
            #expect(handler.scrapeBudget("-1") == .milliseconds(29_500))
            #expect(handler.scrapeBudget(nil) == .milliseconds(29_500))
        }

        @Test func concurrentScrapesOfTheSameKindShareOneRender() async throws {
            let registry = try TestRegistries.large(series: 30_000)
            var configuration = MetricsHandler.Configuration()
            configuration.chunkSize = 8 * 1024
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            let expected = TestRegistries.expected(registry, .prometheusText)
            let bodies = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = await handler.respond(
                            to: MetricsRequest(
                                method: "GET", target: "/metrics", headers: [("Accept-Encoding", "gzip")]))
                        return try TestRegistries.gunzip(try await body(response))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 8)
            #expect(bodies.allSatisfy { $0 == expected })
            let statistics = handler.statistics
            #expect(statistics.scrapes == 8)
            #expect(statistics.rendersStarted + statistics.scrapesCoalesced == 8)
            #expect(statistics.rendersStarted < 8)
        }

        @Test func scrapesOfDifferentKindsDoNotShareARender() async throws {
            let handler = MetricsHandler(registry: try TestRegistries.small())
            _ = await handler.respond(to: MetricsRequest(method: "GET", target: "/metrics"))
            _ = await handler.respond(
                to: MetricsRequest(method: "GET", target: "/metrics", headers: [("Accept-Encoding", "gzip")]))
            #expect(handler.statistics.rendersStarted == 2)
        }

        @Test func droppingAStreamStopsItsRender() async throws {
            let registry = try TestRegistries.large(series: 50_000)
            var configuration = MetricsHandler.Configuration()
            configuration.chunkSize = 4 * 1024
            configuration.streamWindow = 1
            configuration.coalescingReplayLimit = 0
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            do {
                let response = await handler.respond(to: MetricsRequest(method: "GET", target: "/metrics"))
                guard case .stream = response.body else {
                    Issue.record("expected a stream")
                    return
                }
            }
            // A later scrape is answered completely: the abandoned render released its thread and resources.
            let response = await handler.respond(to: MetricsRequest(method: "GET", target: "/metrics"))
            #expect(try await body(response) == TestRegistries.expected(registry, .prometheusText))
        }

        @Test func aSlowReaderHoldsOnlyAFewChunksAndTheFirstArrivesBeforeTheRenderEnds() async throws {
            let registry = try TestRegistries.large(series: 50_000)
            var configuration = MetricsHandler.Configuration()
            configuration.chunkSize = 4 * 1024
            configuration.streamWindow = 2
            configuration.coalescingReplayLimit = 0
            let handler = MetricsHandler(registry: registry, configuration: configuration)
            let start = ContinuousClock.now
            let response = await handler.respond(
                to: MetricsRequest(method: "GET", target: "/metrics", headers: [("Accept-Encoding", "gzip")]))
            let firstByte = ContinuousClock.now - start
            guard case .stream(let stream) = response.body else {
                Issue.record("expected a stream")
                return
            }
            var iterator = stream.makeAsyncIterator()
            var bytes: [UInt8] = []
            var mostHeld = 0
            while let chunk = try await iterator.next() {
                bytes += chunk.bytes
                if bytes.count < 64 * 1024 {
                    // A slow reader: the render thread must stop and wait for it.
                    try await Task.sleep(for: .milliseconds(20))
                    mostHeld = max(mostHeld, stream.subscription.render.retainedChunkCount)
                }
            }
            let total = ContinuousClock.now - start
            #expect(mostHeld <= 3)
            #expect(firstByte * 4 < total)
            #expect(try TestRegistries.gunzip(bytes) == TestRegistries.expected(registry, .prometheusText))
        }
    }
}
