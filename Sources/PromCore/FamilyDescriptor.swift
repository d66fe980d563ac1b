/// The metric type of a family, as written on its `# TYPE` line.
public enum MetricType: String, Sendable, Hashable {
    /// A monotonically increasing total.
    case counter
    /// A value that goes up and down.
    case gauge
    /// Observations counted in cumulative `le` buckets, with their sum and count.
    case histogram
}

/// What identifies a family: name, type, help, unit, label names and (for histograms) buckets.
///
/// Registering a descriptor equal to an existing one returns the existing family; any difference is a
/// ``RegistrationError``.
public struct FamilyDescriptor: Sendable, Hashable {
    /// The family name as registered (for a counter, with or without `_total`).
    public let name: String
    /// The metric type.
    public let type: MetricType
    /// The help text, unescaped; escaped when written.
    public let help: String
    /// The unit (OpenMetrics `# UNIT`), or `nil`.
    public let unit: String?
    /// The label names, in the order values are given and written.
    public let labelNames: [String]
    /// Histogram upper bounds, strictly increasing, without `+Inf`; empty for other types.
    public let buckets: [Double]

    /// The most finite buckets a histogram may have (a series keeps one 8-byte word per bucket, and the count of
    /// its words is 16 bits).
    public static let maximumBucketCount = 65_533

    /// Creates a descriptor; ``validate()`` checks it.
    ///
    /// - Parameters:
    ///   - name: The family name.
    ///   - type: The metric type.
    ///   - help: The help text.
    ///   - unit: The unit, or `nil`.
    ///   - labelNames: The label names.
    ///   - buckets: Histogram upper bounds.
    public init(
        name: String,
        type: MetricType,
        help: String,
        unit: String? = nil,
        labelNames: [String] = [],
        buckets: [Double] = []
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.labelNames = labelNames
        self.buckets = buckets
    }

    /// The OpenMetrics family name: for a counter, the name without a trailing `_total`.
    public var openMetricsName: String {
        if type == .counter, name.hasSuffix("_total") { return String(name.dropLast(6)) }
        return name
    }

    /// The sample names this family writes, in either format.
    public var sampleNames: [String] {
        switch type {
        case .counter:
            // The OpenMetrics family name is reserved too: a gauge `foo` and a counter `foo_total` would both
            // be family `foo` in OpenMetrics.
            return [name, openMetricsName, openMetricsName + "_total", openMetricsName + "_created"]
        case .gauge: return [name]
        case .histogram: return [name, name + "_bucket", name + "_sum", name + "_count", name + "_created"]
        }
    }

    /// Checks names, labels, unit and buckets.
    ///
    /// - Throws: ``RegistrationError`` naming the first problem.
    public func validate() throws(RegistrationError) {
        if let reason = MetricName.invalidMetricNameReason(name) {
            throw RegistrationError(.invalidMetricName, name: name, message: reason)
        }
        var seen = Set<String>()
        for label in labelNames {
            if let reason = MetricName.invalidLabelNameReason(label) {
                throw RegistrationError(.invalidLabelName, name: name, message: "label \"\(label)\": \(reason)")
            }
            if !seen.insert(label).inserted {
                throw RegistrationError(.invalidLabelName, name: name, message: "label \"\(label)\" is given twice")
            }
            if label == "le" && type == .histogram {
                throw RegistrationError(
                    .invalidLabelName, name: name, message: "label \"le\" is reserved for histogram buckets")
            }
            if label == "quantile" {
                throw RegistrationError(
                    .invalidLabelName, name: name, message: "label \"quantile\" is reserved for summaries")
            }
        }
        try validateUnit()
        if type == .histogram { try validateBuckets() }
    }

    private func validateUnit() throws(RegistrationError) {
        guard let unit else { return }
        if unit.isEmpty
            || unit.utf8.contains(where: { !(MetricName.isLetterOrUnderscore($0) || MetricName.isDigit($0)) })
        {
            throw RegistrationError(.invalidUnit, name: name, message: "unit \"\(unit)\" must match [a-zA-Z0-9_]+")
        }
        if !openMetricsName.hasSuffix("_" + unit) {
            throw RegistrationError(
                .invalidUnit, name: name, message: "the family name must end with \"_\(unit)\" (OpenMetrics unit rule)")
        }
    }

    private func validateBuckets() throws(RegistrationError) {
        if buckets.isEmpty {
            throw RegistrationError(
                .invalidBuckets, name: name, message: "a histogram needs at least one finite bucket")
        }
        if buckets.count > FamilyDescriptor.maximumBucketCount {
            throw RegistrationError(
                .invalidBuckets, name: name,
                message: "\(buckets.count) buckets: a histogram has at most \(FamilyDescriptor.maximumBucketCount)")
        }
        for (index, bound) in buckets.enumerated() {
            if !bound.isFinite {
                throw RegistrationError(
                    .invalidBuckets, name: name,
                    message:
                        "bucket \(bound.isNaN ? "NaN" : bound < 0 ? "-Inf" : "+Inf") is not finite (+Inf is implicit)")
            }
            if index > 0 && !(buckets[index - 1] < bound) {
                throw RegistrationError(.invalidBuckets, name: name, message: "buckets must be strictly increasing")
            }
        }
    }

    /// Whether `other` may share this registry without writing a sample name this one writes.
    ///
    /// - Returns: The clashing sample name, or `nil`.
    func clashingSampleName(with other: FamilyDescriptor) -> String? {
        let mine = Set(sampleNames)
        return other.sampleNames.first(where: mine.contains)
    }

    /// The registration error for re-registering `self` as `requested`, or `nil` when they are equal.
    func conflict(with requested: FamilyDescriptor) -> RegistrationError? {
        if type != requested.type {
            return RegistrationError(
                .conflictingType, name: name,
                message: "already registered as a \(type.rawValue), not a \(requested.type.rawValue)")
        }
        if help != requested.help {
            return RegistrationError(
                .conflictingHelp, name: name,
                message: "already registered with help \"\(help)\", not \"\(requested.help)\"")
        }
        if labelNames != requested.labelNames {
            return RegistrationError(
                .conflictingLabelNames, name: name,
                message: "already registered with labels \(labelNames), not \(requested.labelNames)")
        }
        if buckets != requested.buckets {
            return RegistrationError(
                .conflictingBuckets, name: name,
                message: "already registered with buckets \(buckets), not \(requested.buckets)")
        }
        if unit != requested.unit {
            return RegistrationError(
                .conflictingOptions, name: name,
                message: "already registered with unit \(unit ?? "none"), not \(requested.unit ?? "none")")
        }
        return nil
    }
}
