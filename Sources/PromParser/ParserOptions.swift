/// Settings of an ``ExpositionParser``.
///
/// Thread-safety: a plain value; safe to use from any thread.
public struct ParserOptions: Hashable, Sendable {
    /// How much of the format's rules the parser checks.
    public enum Validation: Hashable, Sendable {
        /// Grammar and data-model rules of the format (the default). For OpenMetrics this is the whole
        /// specification: metric-family grouping, suffixes per type, histogram/summary/stateset/info rules,
        /// timestamps, exemplars and `# EOF`. For the Prometheus text format it adds the per-family checks of
        /// prometheus/common (duplicate HELP/TYPE, TYPE after samples, float `le`/`quantile`, negative histogram
        /// counts) and duplicate label names.
        case strict
        /// Grammar only, like Prometheus' scrape parsers: each line is checked on its own, nothing is remembered
        /// across lines (except that OpenMetrics still needs `# EOF` last). Constant memory.
        case syntaxOnly
    }

    /// The longest line accepted, in bytes, not counting the line feed. A longer line is a
    /// ``PromParseError/Kind/lineTooLong`` error instead of unbounded buffering. Default 1 MiB. The parser uses it
    /// clamped to ``lineLengthRange`` (line offsets are kept in 31 bits), so no value makes it trap.
    public var maxLineLength: Int

    /// The line limits a parser applies: a `maxLineLength` outside is taken as the nearest bound.
    public static let lineLengthRange = 16...(Int(Int32.max) - 1)
    /// The validation level; default ``Validation/strict``.
    public var validation: Validation
    /// Accept quoted metric and label names (`{"my.metric", "label.name"="v"}`, `# TYPE "my.metric" gauge`), the
    /// UTF-8 name extension of Prometheus 3.x. Not part of text 0.0.4 nor OpenMetrics 1.0; default `true`.
    public var allowsQuotedNames: Bool

    /// Creates options.
    ///
    /// - Parameters:
    ///   - maxLineLength: the longest line in bytes; clamped to ``lineLengthRange``.
    ///   - validation: how much to check.
    ///   - allowsQuotedNames: whether quoted UTF-8 names are accepted.
    public init(maxLineLength: Int = 1 << 20, validation: Validation = .strict, allowsQuotedNames: Bool = true) {
        self.maxLineLength = ParserOptions.clampedLineLength(maxLineLength)
        self.validation = validation
        self.allowsQuotedNames = allowsQuotedNames
    }

    /// `length` moved into ``lineLengthRange``.
    static func clampedLineLength(_ length: Int) -> Int {
        min(max(length, lineLengthRange.lowerBound), lineLengthRange.upperBound)
    }
}
