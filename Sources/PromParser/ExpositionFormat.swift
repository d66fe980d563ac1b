/// The two text exposition formats the parser understands.
///
/// Thread-safety: a plain value; safe to use from any thread.
public enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText = "prometheus"
    /// OpenMetrics 1.0 text format (`application/openmetrics-text; version=1.0.0`).
    case openMetrics = "openmetrics"

    /// Picks the format from an HTTP `Content-Type` header value.
    ///
    /// `application/openmetrics-text` (any parameters) selects OpenMetrics; `text/plain` selects the Prometheus
    /// text format. Media types are compared case-insensitively and parameters are ignored, as Prometheus does.
    ///
    /// - Parameter contentType: the header value, e.g. `application/openmetrics-text; version=1.0.0; charset=utf-8`.
    /// - Returns: the format, or `nil` when the media type is neither (e.g. protobuf, JSON, or an empty value).
    /// - Complexity: O(n) in the length of the header value; no allocation for typical values.
    public init?(contentType: String) {
        var mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while let first = mediaType.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            mediaType = mediaType.dropFirst()
        }
        while let last = mediaType.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            mediaType = mediaType.dropLast()
        }
        if _asciiCaseInsensitiveEquals(mediaType, "application/openmetrics-text") {
            self = .openMetrics
        } else if _asciiCaseInsensitiveEquals(mediaType, "text/plain") {
            self = .prometheusText
        } else {
            return nil
        }
    }

    /// Guesses the format of a complete exposition from its bytes.
    ///
    /// An exposition whose last line is `# EOF` (optionally followed by one line feed) is OpenMetrics, as that line
    /// is mandatory there and meaningless in the Prometheus text format; anything else is Prometheus text.
    ///
    /// - Parameter body: the whole exposition.
    /// - Returns: `.openMetrics` or `.prometheusText`.
    /// - Complexity: O(1): only the last seven bytes are read.
    public static func detect(body: some BidirectionalCollection<UInt8>) -> ExpositionFormat {
        var end = body.endIndex
        if end != body.startIndex, body[body.index(before: end)] == UInt8(ascii: "\n") {
            end = body.index(before: end)
        }
        let marker: [UInt8] = Array("# EOF".utf8)
        var index = end
        for expected in marker.reversed() {
            guard index != body.startIndex else { return .prometheusText }
            index = body.index(before: index)
            guard body[index] == expected else { return .prometheusText }
        }
        if index == body.startIndex || body[body.index(before: index)] == UInt8(ascii: "\n") {
            return .openMetrics
        }
        return .prometheusText
    }

    /// The `Content-Type` header value a server sends for this format.
    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}

private func _asciiCaseInsensitiveEquals(_ bytes: some Collection<UInt8>, _ literal: String) -> Bool {
    let expected = literal.utf8
    guard bytes.count == expected.count else { return false }
    for (byte, other) in zip(bytes, expected) {
        let lowered = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
        if lowered != other { return false }
    }
    return true
}
