/// A metric family type as written in a `# TYPE` line.
///
/// Thread-safety: a plain value; safe to use from any thread.
public enum PromMetricType: String, Hashable, Sendable, CaseIterable {
    /// `counter`.
    case counter
    /// `gauge`.
    case gauge
    /// `histogram`.
    case histogram
    /// `gaugehistogram` (OpenMetrics; accepted in the Prometheus text format as prometheus/common does).
    case gaugeHistogram = "gaugehistogram"
    /// `gauge_histogram`: prometheus/common's spelling, Prometheus text format only.
    case gaugeHistogramUnderscore = "gauge_histogram"
    /// `summary`.
    case summary
    /// `info` (OpenMetrics only).
    case info
    /// `stateset` (OpenMetrics only).
    case stateSet = "stateset"
    /// `unknown` (OpenMetrics only).
    case unknown
    /// `untyped` (Prometheus text format only).
    case untyped

    /// Whether the type may appear in a `# TYPE` line of the given format.
    ///
    /// - Parameter format: the exposition format.
    /// - Returns: `true` when the type word is valid there.
    public func isValid(in format: ExpositionFormat) -> Bool {
        switch (self, format) {
        case (.counter, _), (.gauge, _), (.histogram, _), (.summary, _): return true
        case (.gaugeHistogram, _): return true
        case (.gaugeHistogramUnderscore, .prometheusText), (.untyped, .prometheusText): return true
        case (.info, .openMetrics), (.stateSet, .openMetrics), (.unknown, .openMetrics): return true
        default: return false
        }
    }

    /// Whether the family behaves as a (gauge) histogram: `_bucket` samples with an `le` label.
    @inline(__always) var _isHistogramLike: Bool {
        self == .histogram || self == .gaugeHistogram || self == .gaugeHistogramUnderscore
    }

    /// Looks a type word up; the word is case-sensitive, as both formats write types in lower case.
    @safe static func _parse(_ word: UnsafeRawBufferPointer) -> PromMetricType? {
        for type in PromMetricType.allCases where _bytesEqual(word, type.rawValue) {
            return type
        }
        return nil
    }
}

/// Whether the bytes equal the UTF-8 of `text`.
@safe func _bytesEqual(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
    let utf8 = text.utf8
    guard bytes.count == utf8.count else { return false }
    var index = 0
    for byte in utf8 {
        // Safe: index < bytes.count, checked by the count comparison above.
        if unsafe bytes[index] != byte { return false }
        index += 1
    }
    return true
}
