/// A scrape request as any HTTP server sees it: no SwiftNIO type is involved, so the handler can be mounted in
/// Hummingbird, Vapor or a hand-written server.
///
/// Thread safety: a value type; `Sendable`.
public struct MetricsRequest: Sendable {
    /// The method, in upper case as sent (`GET`, `HEAD`, ...).
    public var method: String
    /// The path, without the query (`/metrics`).
    public var path: String
    /// The raw query, without the `?` (`name[]=up&name[]=go_info`), or `nil`.
    public var query: String?
    /// The header fields in the order received; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    /// Whether the request declares a body (`Content-Length` above 0 or any `Transfer-Encoding`); refused with 413.
    public var hasBody: Bool

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - path: The path without the query.
    ///   - query: The raw query, or `nil`.
    ///   - headers: The header fields.
    ///   - hasBody: Whether a body was declared; when `nil`, derived from `Content-Length` / `Transfer-Encoding`.
    public init(
        method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
        hasBody: Bool? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.hasBody = hasBody ?? MetricsRequest.declaresBody(headers)
    }

    /// Creates a request from a request target (`/metrics?name[]=up`), splitting path and query.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request target as sent on the request line.
    ///   - headers: The header fields.
    public init(method: String, target: String, headers: [(name: String, value: String)] = []) {
        if let mark = target.firstIndex(of: "?") {
            self.init(
                method: method, path: String(target[..<mark]), query: String(target[target.index(after: mark)...]),
                headers: headers)
        } else {
            self.init(method: method, path: target, query: nil, headers: headers)
        }
    }

    /// The value of the first header field named `name` (case-insensitive), or `nil`.
    ///
    /// - Complexity: O(number of fields).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == name.lowercased() }?.value
    }

    /// All values of the fields named `name`, joined by `, ` as RFC 9110 §5.3 allows; `nil` when absent.
    public func combinedHeader(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The family names selected by `name[]` query parameters, or `nil` for all families.
    public var selectedFamilies: Set<String>? {
        guard let query, !query.isEmpty else { return nil }
        var names = Set<String>()
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, MetricsRequest.percentDecoded(parts[0]) == "name[]" else { continue }
            names.insert(MetricsRequest.percentDecoded(parts[1]))
        }
        return names.isEmpty ? nil : names
    }

    static func declaresBody(_ headers: [(name: String, value: String)]) -> Bool {
        for (name, value) in headers {
            switch name.lowercased() {
            case "transfer-encoding": return true
            case "content-length":
                if Int(value.trimmingASCIIWhitespace()) != 0 { return true }
            default: continue
            }
        }
        return false
    }

    /// Decodes `%XX` escapes and `+` (as a space, the form encoding); invalid escapes stay as they are.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator.removeFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingASCIIWhitespace() -> Substring { self[...].trimmingASCIIWhitespace() }
}
