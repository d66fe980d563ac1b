#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a scrape must authenticate: a bearer token (as Kubernetes service accounts and Antrea use) or HTTP basic
/// credentials. A request without valid credentials gets 401 with a `WWW-Authenticate` challenge.
///
/// Credentials are compared in constant time: the comparison reads every byte of the expected value whatever the
/// request sent, so its duration does not reveal how long a matching prefix was.
///
/// Thread safety: immutable; `Sendable`. Performance: one pass over the expected `Authorization` value per request.
public struct MetricsAuthentication: Sendable {
    /// The full expected `Authorization` value after the scheme (the token, or base64 `user:password`).
    let expectedCredentials: [UInt8]
    /// The scheme, lower case: `bearer` or `basic`.
    let scheme: String
    /// The `WWW-Authenticate` value sent with 401.
    public let challenge: String

    /// Errors reading credentials.
    public struct LoadError: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Requires `Authorization: Bearer <token>`.
    ///
    /// - Parameter token: The token; surrounding whitespace is ignored.
    /// - Returns: The authentication.
    public static func bearerToken(_ token: String) -> MetricsAuthentication {
        MetricsAuthentication(
            expectedCredentials: Array(token.trimmingASCIIWhitespaceAndNewlines().utf8), scheme: "bearer",
            challenge: "Bearer realm=\"metrics\"")
    }

    /// Requires `Authorization: Bearer <token>` with the token read once from a file (a Kubernetes projected
    /// service-account token, for example); a trailing newline is ignored.
    ///
    /// - Parameter path: The token file.
    /// - Returns: The authentication.
    /// - Throws: ``LoadError`` when the file cannot be read or is empty.
    public static func bearerToken(file path: String) throws(LoadError) -> MetricsAuthentication {
        let token = try readFile(path).trimmingASCIIWhitespaceAndNewlines()
        guard !token.isEmpty else { throw LoadError(description: "bearer token file \(path) is empty") }
        return bearerToken(token)
    }

    /// Requires HTTP basic credentials (RFC 7617); use it only over TLS.
    ///
    /// - Parameters:
    ///   - username: The user name (must not contain `:`).
    ///   - password: The password.
    /// - Returns: The authentication.
    public static func basic(username: String, password: String) -> MetricsAuthentication {
        MetricsAuthentication(
            expectedCredentials: Array(Base64.encode(Array("\(username):\(password)".utf8)).utf8), scheme: "basic",
            challenge: "Basic realm=\"metrics\", charset=\"UTF-8\"")
    }

    /// Whether an `Authorization` header value carries the expected credentials.
    ///
    /// - Parameter authorization: The header value, or `nil` when absent.
    /// - Returns: `true` when the scheme matches (case-insensitively) and the credentials are equal.
    public func authorizes(_ authorization: String?) -> Bool {
        guard let authorization else { return false }
        let trimmed = authorization.trimmingASCIIWhitespace()
        guard let space = trimmed.firstIndex(of: " ") else { return false }
        let schemeMatches = trimmed[..<space].lowercased() == scheme
        let credentials = Array(trimmed[space...].trimmingASCIIWhitespace().utf8)
        return MetricsAuthentication.constantTimeEquals(credentials, expectedCredentials) && schemeMatches
    }

    /// Compares in time that depends only on `expected.count`.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            let byte = index < given.count ? given[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }

    private static func readFile(_ path: String) throws(LoadError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw LoadError(description: "cannot open \(path) (errno \(errno))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = scratch.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw LoadError(description: "cannot read \(path) (errno \(errno))") }
            if count == 0 { break }
            bytes.append(contentsOf: scratch[0..<count])
            if bytes.count > 1 << 20 { throw LoadError(description: "\(path) is larger than 1 MiB") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespaceAndNewlines() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// Standard base64 (RFC 4648 §4) with padding, for basic credentials.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(triple >> 18 & 63)])
            output.append(alphabet[Int(triple >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
