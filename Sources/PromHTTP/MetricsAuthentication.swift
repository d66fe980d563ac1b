/// How a scrape must authenticate: a bearer token (as Kubernetes service accounts and Antrea use) or HTTP basic
/// credentials. A request without valid credentials gets 401 with a `WWW-Authenticate` challenge.
///
/// Credentials are compared in constant time: the comparison reads every byte of the expected value whatever the
/// request sent, so its duration does not reveal how long a matching prefix was.
///
/// Thread safety: `Sendable` (a token file's cache is locked). Performance: one pass over the expected
/// `Authorization` value per request; a token file adds a clock read, and a `stat` at most once per second.
public struct MetricsAuthentication: Sendable {
    /// Where the expected `Authorization` value after the scheme (the token, or base64 `user:password`) comes from.
    enum Credentials: Sendable {
        case fixed([UInt8])
        case file(CredentialsFile)
    }

    let credentials: Credentials
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
            credentials: .fixed(Array(token.trimmingASCIIWhitespaceAndNewlines().utf8)), scheme: "bearer",
            challenge: "Bearer realm=\"metrics\"")
    }

    /// Requires `Authorization: Bearer <token>` with the token read from a file (a Kubernetes projected
    /// service-account token, for example); surrounding whitespace and line feeds are ignored.
    ///
    /// The file is read again when it changes (checked at most once per `reloadInterval`), so a rotated token
    /// takes effect without a restart; an unreadable or empty file keeps the last good token.
    ///
    /// - Parameters:
    ///   - path: The token file.
    ///   - reloadInterval: How often a request may look at the file again.
    /// - Returns: The authentication.
    /// - Throws: ``LoadError`` when the file cannot be read or is empty now.
    public static func bearerToken(
        file path: String, reloadInterval: Duration = .seconds(1)
    ) throws(LoadError) -> MetricsAuthentication {
        MetricsAuthentication(
            credentials: .file(try CredentialsFile(path: path, reloadInterval: reloadInterval)), scheme: "bearer",
            challenge: "Bearer realm=\"metrics\"")
    }

    /// Requires HTTP basic credentials (RFC 7617); use it only over TLS.
    ///
    /// - Parameters:
    ///   - username: The user name (must not contain `:`).
    ///   - password: The password.
    /// - Returns: The authentication.
    public static func basic(username: String, password: String) -> MetricsAuthentication {
        MetricsAuthentication(
            credentials: .fixed(Array(Base64.encode(Array("\(username):\(password)".utf8)).utf8)), scheme: "basic",
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
        let expected: [UInt8]
        switch self.credentials {
        case .fixed(let bytes): expected = bytes
        case .file(let file): expected = file.credentials
        }
        return MetricsAuthentication.constantTimeEquals(credentials, expected) && schemeMatches
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
