/// Validation of metric and label names against the Prometheus data model.
///
/// Names use the legacy charset that every text-format parser accepts: metric names match
/// `[a-zA-Z_:][a-zA-Z0-9_:]*` and label names `[a-zA-Z_][a-zA-Z0-9_]*`. Label names starting with `__` are
/// reserved for Prometheus itself.
public enum MetricName {
    /// Returns why `name` is not a valid metric name, or `nil` when it is.
    ///
    /// - Parameter name: A candidate metric (family) name.
    /// - Returns: A human-readable reason, or `nil` when the name is valid.
    /// - Complexity: O(n) in the length of `name`.
    public static func invalidMetricNameReason(_ name: String) -> String? {
        if name.isEmpty { return "a metric name must not be empty" }
        for (offset, byte) in name.utf8.enumerated() {
            let isAllowed = isLetterOrUnderscore(byte) || byte == UInt8(ascii: ":") || (offset > 0 && isDigit(byte))
            if !isAllowed {
                return "a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*; character \(offset + 1) is not allowed"
            }
        }
        return nil
    }

    /// Returns why `name` is not a valid label name, or `nil` when it is.
    ///
    /// - Parameter name: A candidate label name.
    /// - Returns: A human-readable reason, or `nil` when the name is valid.
    /// - Complexity: O(n) in the length of `name`.
    public static func invalidLabelNameReason(_ name: String) -> String? {
        if name.isEmpty { return "a label name must not be empty" }
        if name.utf8.starts(with: "__".utf8) { return "label names starting with \"__\" are reserved for Prometheus" }
        for (offset, byte) in name.utf8.enumerated() {
            if !(isLetterOrUnderscore(byte) || (offset > 0 && isDigit(byte))) {
                return "a label name must match [a-zA-Z_][a-zA-Z0-9_]*; character \(offset + 1) is not allowed"
            }
        }
        return nil
    }

    /// Maps an arbitrary name (such as a dotted StatsD name) to a valid Prometheus metric name.
    ///
    /// Every character outside `[a-zA-Z0-9_:]` becomes `_`, and a leading digit gets a `_` prefix:
    /// `dkron.agent.event_received.query_run_job` becomes `dkron_agent_event_received_query_run_job`.
    ///
    /// - Parameter name: Any string.
    /// - Returns: A valid metric name (`_` for an empty input).
    public static func sanitized(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count + 1)
        for byte in name.utf8 {
            let isAllowed = isLetterOrUnderscore(byte) || byte == UInt8(ascii: ":") || isDigit(byte)
            bytes.append(isAllowed ? byte : UInt8(ascii: "_"))
        }
        if bytes.first.map(isDigit) ?? true { bytes.insert(UInt8(ascii: "_"), at: 0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
