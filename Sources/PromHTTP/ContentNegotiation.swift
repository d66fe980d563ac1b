import PromExposition

/// The body encodings the handler can produce.
public enum MetricsContentEncoding: String, Sendable, Hashable {
    /// No compression.
    case identity
    /// gzip (RFC 1952), streamed.
    case gzip
}

/// Chooses the exposition format from `Accept` and the encoding from `Accept-Encoding`, with q-values
/// (RFC 9110 §12.5.1 and §12.5.3).
///
/// Format rule: OpenMetrics 1.0.0 is chosen when its weight is above 0 and strictly above the weight of
/// text 0.0.4; otherwise text 0.0.4. A candidate's weight is the q of the most specific range that matches it
/// (`type/subtype;version=…` over `type/subtype` over `type/*` over `*/*`); a range naming another `version`
/// does not match. A missing, empty or malformed header, or one that accepts neither, gets text 0.0.4: every
/// Prometheus understands it, which is what client_golang does too (no 406 for `Accept`).
///
/// Encoding rule: gzip when its weight (`gzip`, `x-gzip`, else `*`) is above 0 and at least that of identity;
/// otherwise identity, unless identity is refused (`identity;q=0`, or `*;q=0` without an `identity` entry), in
/// which case there is nothing acceptable (406).
///
/// Thread safety: pure functions. Performance: a few small allocations per header; runs once per scrape.
public enum ContentNegotiation {
    /// One element of a comma-separated header: a lower-cased token or media range, its parameters and q.
    struct Element: Equatable {
        var value: String
        var parameters: [String: String]
        var quality: Double
    }

    /// Chooses the exposition format for an `Accept` header value.
    ///
    /// - Parameters:
    ///   - accept: The `Accept` value (all fields joined by commas), or `nil`.
    ///   - offersOpenMetrics: Whether OpenMetrics may be chosen at all.
    /// - Returns: The format to write.
    public static func format(accept: String?, offersOpenMetrics: Bool = true) -> ExpositionWriterFormat {
        guard offersOpenMetrics, let accept else { return .prometheusText }
        let ranges = elements(accept)
        let openMetrics = weight(of: ("application", "openmetrics-text", "1.0.0"), in: ranges)
        let text = weight(of: ("text", "plain", "0.0.4"), in: ranges)
        return openMetrics > 0 && openMetrics > text ? .openMetrics : .prometheusText
    }

    /// Chooses the content encoding for an `Accept-Encoding` header value.
    ///
    /// - Parameters:
    ///   - acceptEncoding: The `Accept-Encoding` value, or `nil` (identity).
    ///   - offersGzip: Whether gzip may be chosen.
    /// - Returns: The encoding, or `nil` when the client accepts nothing the handler can produce (406).
    public static func encoding(acceptEncoding: String?, offersGzip: Bool = true) -> MetricsContentEncoding? {
        guard let acceptEncoding else { return .identity }
        let codings = elements(acceptEncoding)
        func quality(_ names: String...) -> Double? {
            codings.first { names.contains($0.value) }?.quality
        }
        let star = quality("*")
        let gzip = offersGzip ? (quality("gzip", "x-gzip") ?? star ?? 0) : 0
        let identity = quality("identity") ?? (star == 0 ? 0 : 1)
        if gzip > 0 && gzip >= identity { return .gzip }
        return identity > 0 ? .identity : nil
    }

    /// The weight of a media type: the q of the most specific matching range, 0 when none matches.
    static func weight(of candidate: (type: String, subtype: String, version: String), in ranges: [Element]) -> Double {
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in ranges {
            let parts = range.value.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let type = parts[0]
            let subtype = parts[1]
            let specificity: Int
            if type == "*" && subtype == "*" {
                specificity = 0
            } else if type == candidate.type && subtype == "*" {
                specificity = 1
            } else if type == candidate.type && subtype == candidate.subtype {
                if let version = range.parameters["version"] {
                    guard version == candidate.version else { continue }
                    specificity = 3
                } else {
                    specificity = 2
                }
            } else {
                continue
            }
            if specificity > best.specificity { best = (specificity, range.quality) }
        }
        return best.quality
    }

    /// Splits a header into elements; malformed ones (a bad `q`, an empty value) are dropped.
    static func elements(_ header: String) -> [Element] {
        var result: [Element] = []
        for item in header.split(separator: ",") {
            var pieces = item.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
            guard let head = pieces.next()?.trimmingASCIIWhitespace(), !head.isEmpty else { continue }
            var element = Element(value: head.lowercased(), parameters: [:], quality: 1)
            var valid = true
            while let piece = pieces.next() {
                let pair = piece.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else {
                    valid = !piece.trimmingASCIIWhitespace().isEmpty ? false : valid
                    continue
                }
                let key = pair[0].trimmingASCIIWhitespace().lowercased()
                var value = pair[1].trimmingASCIIWhitespace()
                if value.count >= 2, value.first == "\"", value.last == "\"" {
                    value = value.dropFirst().dropLast()
                }
                if key == "q" {
                    guard let quality = parseQuality(value) else {
                        valid = false
                        break
                    }
                    element.quality = quality
                } else {
                    element.parameters[key] = String(value)
                }
            }
            if valid { result.append(element) }
        }
        return result
    }

    /// Parses a qvalue (`0`, `0.5`, `1.000`; RFC 9110 §12.4.2); anything else is `nil`.
    static func parseQuality(_ text: Substring) -> Double? {
        guard text.count <= 5, let first = text.first, first == "0" || first == "1" else { return nil }
        guard let value = Double(text), value >= 0, value <= 1 else { return nil }
        if text.count > 1 {
            guard text.dropFirst().first == ".", text.dropFirst(2).allSatisfy(\.isASCII),
                text.dropFirst(2).allSatisfy(\.isNumber)
            else {
                return nil
            }
        }
        return value
    }
}
