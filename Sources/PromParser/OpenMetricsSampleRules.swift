/// The per-sample rules of OpenMetrics 1.0 for one family type and sample suffix.
struct _SampleRules {
    let type: PromMetricType
    let suffix: _Suffix
    let line: Int
    /// The 1-based column of the sample's value, for errors about it.
    let valueColumn: Int

    /// Which label is excluded from the MetricPoint group, and the parsed `le` threshold of a bucket.
    struct Excluded {
        var index: Int? = nil
        var threshold: Double = 0
    }

    /// Checks the value and the type-specific labels of a sample.
    ///
    /// Takes the value and the labels rather than the whole `_ParsedEntry`: the caller holds the entry `inout`,
    /// and passing a part of it costs a copy of that part (the whole entry, a 200-byte `memcpy`, per call).
    ///
    /// - Parameters:
    ///   - pass: where the `le` and `quantile` labels are (`_LabelScreen`).
    ///   - family: the family's name, quoted, for error messages (a closure, so that the name is not copied, nor
    ///     its storage retained, on the way to the rare error).
    func check(
        value: Double, labels: _LabelList, _ bytes: _EntryBytes, stateLabelIndex: Int?, pass: _LabelPass,
        family: () -> String
    )
        throws(PromParseError) -> Excluded
    {
        var excluded = Excluded()
        switch (type, suffix) {
        case (.counter, .total), (.histogram, .sum), (.summary, .sum):
            try nonNegative(value, family)
        case (.histogram, .count), (.summary, .count), (.gaugeHistogram, .gcount):
            try nonNegative(value, family)
            try integral(value, family)
        case (.histogram, .bucket), (.gaugeHistogram, .bucket):
            excluded = try checkBucket(value: value, labels: labels, bytes, le: pass.leIndex, family: family)
        case (.gaugeHistogram, .gsum):
            guard !value.isNaN else { throw error(family, "gauge histogram _gsum must not be NaN") }
        case (.summary, .none):
            let quantile = try numericLabel("quantile", at: pass.quantileIndex, labels, bytes, family)
            guard quantile.value >= 0 && quantile.value <= 1 else {
                throw error(family, "summary \"quantile\" must be between 0 and 1")
            }
            guard value.isNaN || value >= 0 else {
                throw error(family, "summary quantile values must not be negative")
            }
            excluded.index = quantile.index
        case (.info, _):
            guard value == 1 else { throw error(family, "info samples must have the value 1") }
        case (.stateSet, _):
            guard let index = stateLabelIndex else {
                throw error(family, "stateset samples need a label named after the family")
            }
            guard value == 0 || value == 1 else {
                throw error(family, "stateset samples must have the value 0 or 1")
            }
            excluded.index = index
        default:
            break
        }
        return excluded
    }

    /// `check` for a histogram or gauge histogram `_bucket` sample whose `le` label is at index `le` (-1: none).
    @inline(__always) func checkBucket(
        value: Double, labels: _LabelList, _ bytes: _EntryBytes, le index: Int, family: () -> String
    )
        throws(PromParseError) -> Excluded
    {
        let le = try numericLabel("le", at: index, labels, bytes, family)
        guard !le.value.isNaN else { throw error(family, "histogram bucket \"le\" must not be NaN") }
        try nonNegative(value, family)
        try integral(value, family)
        return Excluded(index: le.index, threshold: le.value)
    }

    // The value tests are inlined into `check`; only the rare error is built out of line.
    @inline(__always) private func nonNegative(
        _ value: Double, _ family: () -> String
    ) throws(PromParseError) {
        guard value.isNaN || value < 0 else { return }
        throw valueError(family, "must not be NaN or negative")
    }

    @inline(__always) private func integral(
        _ value: Double, _ family: () -> String
    ) throws(PromParseError) {
        // Every double of magnitude 2^52 or more is an integer; below, the conversion truncates exactly (and,
        // unlike `rounded(.towardZero)`, needs no call into libm).
        guard value.isFinite && (value.magnitude >= 0x1p52 || Double(Int64(value)) == value) else {
            throw valueError(family, "must be an integer")
        }
    }

    @inline(never) private func valueError(
        _ family: () -> String, _ rule: String
    ) -> PromParseError {
        error(family, "\(type.rawValue) \(suffixName) value \(rule)")
    }

    /// Reads a required label (at `index`, -1 when absent) whose value must be a number, with infinities spelled
    /// `+Inf`/`-Inf`.
    private func numericLabel(
        _ name: StaticString, at index: Int, _ labels: _LabelList, _ bytes: _EntryBytes, _ family: () -> String
    )
        throws(PromParseError) -> (index: Int, value: Double)
    {
        guard index >= 0 else { throw error(family, "\(type.rawValue) sample lacks the \"\(name)\" label") }
        let text = bytes.bytes(labels[index].value)
        guard let parsed = _Number.parseFloat(text),
            !parsed.isInfinite || _equalsStatic(text, "+Inf") || _equalsStatic(text, "-Inf")
        else {
            throw PromParseError(
                kind: .semantic, line: line, column: labels[index].column,
                message: "invalid \"\(name)\" label value \(_goQuoted(_array(text))) in family \(family())")
        }
        return (index, parsed)
    }

    private var suffixName: String { suffix == .none ? "quantile" : "\(suffix.text)" }

    private func error(_ family: () -> String, _ message: String) -> PromParseError {
        PromParseError(
            kind: .semantic, line: line, column: valueColumn, message: "\(message) (family \(family()))")
    }
}

/// The samples of one histogram / gauge histogram MetricPoint seen so far (OpenMetrics 1.0, "Histogram").
struct _HistogramPoint {
    var active = false
    var group: UInt64 = 0
    var hasTimestamp = false
    var timestampBits: UInt64 = 0
    var hasBucket = false
    var lastThreshold: Double = 0
    var lastBucketValue: Double = 0
    var hasNegativeBucket = false
    var count: Double? = nil
    var hasSum = false
    var hasGSum = false
    var hasNegativeGSum = false

    init() {}

    init(group: UInt64, hasTimestamp: Bool, timestampBits: UInt64) {
        self.active = true
        self.group = group
        self.hasTimestamp = hasTimestamp
        self.timestampBits = timestampBits
    }

    mutating func add(
        suffix: _Suffix, value: Double, threshold: Double, family: [UInt8], line: Int
    )
        throws(PromParseError)
    {
        switch suffix {
        case .bucket:
            if threshold < 0 { hasNegativeBucket = true }
            if hasBucket && threshold <= lastThreshold {
                throw semantic(line, 1, "histogram buckets of \(_goQuoted(family)) are not in increasing \"le\" order")
            }
            if hasBucket && value < lastBucketValue {
                throw semantic(line, 1, "histogram bucket values of \(_goQuoted(family)) are not cumulative")
            }
            hasBucket = true
            lastThreshold = threshold
            lastBucketValue = value
        case .count, .gcount: count = value
        case .sum: hasSum = true
        case .gsum:
            hasGSum = true
            if value < 0 { hasNegativeGSum = true }
        default: break
        }
    }

    func finish(family: [UInt8], line: Int) throws(PromParseError) {
        guard hasBucket && lastThreshold == .infinity else {
            throw semantic(line, 1, "histogram MetricPoint of \(_goQuoted(family)) lacks the le=\"+Inf\" bucket")
        }
        if let count, count != lastBucketValue {
            throw semantic(line, 1, "histogram count of \(_goQuoted(family)) does not match its +Inf bucket")
        }
        if hasSum && count == nil { throw semantic(line, 1, "histogram \(_goQuoted(family)) has _sum but no _count") }
        if hasGSum && count == nil {
            throw semantic(line, 1, "gauge histogram \(_goQuoted(family)) has _gsum but no _gcount")
        }
        if !(hasSum || hasGSum) && count != nil {
            throw semantic(line, 1, "histogram \(_goQuoted(family)) has a count but no sum")
        }
        if hasNegativeBucket && hasSum {
            throw semantic(line, 1, "histogram \(_goQuoted(family)) has negative buckets, so it must not have _sum")
        }
        if !hasNegativeBucket && hasNegativeGSum {
            throw semantic(line, 1, "gauge histogram \(_goQuoted(family)) has a negative _gsum but no negative bucket")
        }
    }
}
