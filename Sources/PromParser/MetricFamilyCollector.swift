/// One sample as owned values (the allocating convenience form of a ``PromEntry/sample`` entry).
public struct PromSample: Hashable, Sendable {
    /// The sample's metric name (with its suffix, e.g. `http_requests_total`).
    public var name: String
    /// The labels in input order.
    public var labels: [PromLabel]
    /// The value.
    public var value: Double
    /// The timestamp in milliseconds, if present.
    public var timestamp: Int64?
    /// The OpenMetrics exemplar, if present.
    public var exemplar: PromExemplar?
}

/// An OpenMetrics exemplar as owned values.
public struct PromExemplar: Hashable, Sendable {
    /// The exemplar's labels.
    public var labels: [PromLabel]
    /// The exemplar's value.
    public var value: Double
    /// The exemplar's timestamp in milliseconds, if present.
    public var timestamp: Int64?
}

/// A metric family as owned values: metadata and the samples that belong to it.
public struct PromMetricFamily: Hashable, Sendable {
    /// The family name (without sample suffixes).
    public var name: String
    /// The declared type, or `nil` when no TYPE line was given.
    public var type: PromMetricType?
    /// The HELP text, if given.
    public var help: String?
    /// The UNIT (OpenMetrics), if given.
    public var unit: String?
    /// The samples, in input order.
    public var samples: [PromSample]
}

/// Collects whole metric families from a parser's entries, for callers who want families rather than a stream.
///
/// A metadata line starts (or continues) the family it names; a sample belongs to the current family when its
/// name is the family name plus a suffix of the family's type (`_total`, `_bucket`, `_sum`, …), and otherwise
/// starts a new untyped family named after the sample.
///
/// Performance: allocates strings for every name, label and text; use ``ExpositionParser`` directly on hot paths.
/// Thread-safety: a value type; use from one thread at a time.
public struct PromFamilyCollector {
    /// The families completed so far, in input order.
    public private(set) var families: [PromMetricFamily] = []
    private var current: PromMetricFamily? = nil

    /// Creates an empty collector.
    public init() {}

    /// Adds the parser's current entry.
    ///
    /// - Parameters:
    ///   - entry: what ``ExpositionParser/next()`` returned.
    ///   - parser: the parser, positioned on that entry.
    public mutating func add(_ entry: PromEntry, from parser: ExpositionParser) {
        switch entry {
        case .type, .help, .unit:
            let name = parser.metricName
            if current?.name != name || current?.samples.isEmpty == false { startFamily(name) }
            if entry == .type { current?.type = parser.metricType }
            if entry == .help { current?.help = parser.helpText }
            if entry == .unit { current?.unit = parser.unit }
        case .sample:
            let sample = PromSample(
                name: parser.metricName, labels: parser.labels, value: parser.value, timestamp: parser.timestamp,
                exemplar: parser.hasExemplar
                    ? PromExemplar(
                        labels: parser.exemplarLabels, value: parser.exemplarValue,
                        timestamp: parser.exemplarTimestamp)
                    : nil)
            if !belongsToCurrent(sample.name) { startFamily(sample.name) }
            current?.samples.append(sample)
        case .comment:
            break
        case .eof:
            flush()
        }
    }

    /// Returns every family, including the one still open.
    public mutating func finish() -> [PromMetricFamily] {
        flush()
        return families
    }

    /// Parses a whole exposition into families.
    ///
    /// - Parameters:
    ///   - input: the exposition.
    ///   - format: the format, or `nil` to detect it.
    ///   - options: parser options.
    /// - Returns: the families in input order.
    /// - Throws: the first ``PromParseError``.
    public static func parse(
        _ input: [UInt8], format: ExpositionFormat? = nil, options: ParserOptions = ParserOptions()
    ) throws(PromParseError) -> [PromMetricFamily] {
        var parser = ExpositionParser(format: format ?? ExpositionFormat.detect(body: input), options: options)
        var collector = PromFamilyCollector()
        parser.feed(input)
        parser.finish()
        while let entry = try parser.next() { collector.add(entry, from: parser) }
        return collector.finish()
    }

    private mutating func startFamily(_ name: String) {
        flush()
        current = PromMetricFamily(name: name, type: nil, help: nil, unit: nil, samples: [])
    }

    private mutating func flush() {
        if let family = current { families.append(family) }
        current = nil
    }

    private func belongsToCurrent(_ name: String) -> Bool {
        guard let family = current, name.hasPrefix(family.name) else { return false }
        let suffix = name.dropFirst(family.name.count)
        switch family.type {
        case .counter?: return suffix == "_total" || suffix == "_created" || suffix == ""
        case .summary?: return ["", "_count", "_sum", "_created"].contains(suffix)
        case .histogram?: return ["_bucket", "_count", "_sum", "_created"].contains(suffix)
        case .gaugeHistogram?, .gaugeHistogramUnderscore?: return ["_bucket", "_gcount", "_gsum"].contains(suffix)
        case .info?: return suffix == "_info"
        default: return suffix.isEmpty
        }
    }
}
