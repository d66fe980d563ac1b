/// The two text formats an exposition can be written in.
public enum ExpositionWriterFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4.
    case prometheusText = "prometheus"
    /// OpenMetrics 1.0.0 text format.
    case openMetrics = "openmetrics"

    /// The exact `Content-Type` header value for a response in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
