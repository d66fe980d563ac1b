import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP client for tests: sends raw bytes and reads raw HTTP/1.1 responses.
/// Runs blocking socket work on a Dispatch thread, so that it never blocks the cooperative pool the server's
/// response tasks run on (2 cores here: two blocked readers would stall every response).
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// `@unchecked Sendable`: a test uses each client from one task at a time.
final class RawHTTPClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var chunked: Bool

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    let descriptor: Int32
    private var pending: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw ClientError(description: "connect failed: errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    func blocking_send(_ text: String) throws { try blocking_send(Array(text.utf8)) }

    func blocking_send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads more bytes; returns false at end of stream (or error/timeout).
    private func fill() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 65536)
        let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        pending.append(contentsOf: scratch[0..<count])
        return true
    }

    /// Whether the server closed the connection (reads until EOF or timeout; true only on EOF/reset).
    func blocking_waitForClose() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending.append(contentsOf: scratch[0..<count])
                continue
            }
            if count == 0 { return true }
            return errno == ECONNRESET
        }
    }

    /// Everything received so far plus until close, as text.
    func blocking_readToClose() -> String {
        _ = blocking_waitForClose()
        return String(decoding: pending, as: UTF8.self)
    }

    private func readLine() throws -> String {
        while true {
            if let index = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<index])
                pending.removeFirst(index + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard fill() else { throw ClientError(description: "connection ended inside a line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while pending.count < count {
            guard fill() else { throw ClientError(description: "connection ended inside a body") }
        }
        let bytes = Array(pending[..<count])
        pending.removeFirst(count)
        return bytes
    }

    /// Reads one response; `head` says the request was HEAD (no body follows).
    func blocking_readResponse(head: Bool = false) throws -> Response {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line \(statusLine)")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = Response(status: status, headers: headers, body: [], chunked: false)
        if head { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.chunked = true
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
                    throw ClientError(description: "bad chunk size \(sizeLine)")
                }
                if size == 0 {
                    _ = try readLine()
                    break
                }
                response.body += try readExactly(size)
                _ = try readLine()
            }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try readExactly(length)
        } else {
            _ = blocking_waitForClose()
            response.body = pending
            pending = []
        }
        return response
    }

    /// Reads only the status line of a response.
    func blocking_readResponseStatusOnly() throws -> Int {
        let line = try readLine()
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Sends a GET and reads its response.
    func blocking_get(
        _ target: String = "/metrics", headers: [String: String] = [:], method: String = "GET"
    ) throws -> Response {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        try blocking_send(request + "\r\n")
        return try blocking_readResponse(head: method == "HEAD")
    }

    func send(_ text: String) async throws { try await blocking { try self.blocking_send(text) } }
    func send(_ bytes: [UInt8]) async throws { try await blocking { try self.blocking_send(bytes) } }
    func waitForClose() async -> Bool { (try? await blocking { self.blocking_waitForClose() }) ?? false }
    func readToClose() async -> String { (try? await blocking { self.blocking_readToClose() }) ?? "" }
    func readResponse(head: Bool = false) async throws -> Response {
        try await blocking { try self.blocking_readResponse(head: head) }
    }
    func readResponseStatusOnly() async throws -> Int {
        try await blocking { try self.blocking_readResponseStatusOnly() }
    }
    func get(
        _ target: String = "/metrics", headers: [String: String] = [:], method: String = "GET"
    ) async throws -> Response {
        try await blocking { try self.blocking_get(target, headers: headers, method: method) }
    }
}
