import PromCore

/// The benchmark workloads of `shared/benchmarks/WORKLOADS.md`, built exactly as defined there so that
/// figures compare with other client libraries measured on the same series and numbers.
public enum Workload: String, CaseIterable, Sendable {
    /// W1 `host-traffic`: one counter family with six labels, N series (2 per host).
    case w1 = "W1"
    /// W2 `histograms`: one histogram family of 1020 children, 5 observations each.
    case w2 = "W2"
    /// W3 `small service`: 50 families, 510 series.
    case w3 = "W3"

    /// splitmix64's finaliser, the shared generator of the workloads.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Populates `registry` with the workload and returns the number of series created.
    ///
    /// - Parameters:
    ///   - registry: An empty registry.
    ///   - seriesCount: N for W1; ignored by W2 and W3.
    /// - Returns: The number of series.
    /// - Throws: ``RegistrationError`` if the registry already holds a clashing family.
    @discardableResult
    public func populate(_ registry: Registry, seriesCount: Int = 100_000) throws(RegistrationError) -> Int {
        switch self {
        case .w1:
            let family = try W1.register(in: registry, capacity: seriesCount)
            for index in 0..<seriesCount {
                family.labels(W1.labelValues(series: index)).inc(by: W1.increment(series: index))
            }
            return seriesCount
        case .w2:
            return try W2.populate(registry)
        case .w3:
            return try W3.populate(registry)
        }
    }
}

/// W1 `host-traffic`.
public enum W1 {
    /// The family name.
    public static let name = "dragonfly_scheduler_host_traffic"
    /// The help text.
    public static let help = "Counter of the traffic of the host."
    /// The label names, in order.
    public static let labelNames = ["type", "task_type", "host_type", "host_id", "host_ip", "host_name"]

    /// Registers the W1 family.
    ///
    /// - Throws: ``RegistrationError``.
    public static func register(in registry: Registry, capacity: Int) throws(RegistrationError) -> CounterFamily {
        try registry.counterFamily(
            name, help: help, labelNames: labelNames, options: FamilyOptions(capacityHint: capacity))
    }

    /// The six label values of series `series`.
    public static func labelValues(series: Int) -> [String] {
        let host = series / 2
        let hostID = (0..<4).map { hex16(Workload.mix(UInt64(4 * host + $0))) }.joined()
        return [
            ["download", "upload"][series % 2],
            ["standard", "persistent", "persistent_cache"][host % 3],
            ["normal", "super", "strong", "weak"][host % 4],
            hostID,
            "10.\((host >> 16) & 255).\((host >> 8) & 255).\(host & 255)",
            "host-" + zeroPadded(host, width: 6),
        ]
    }

    /// The increment applied once to series `series`.
    public static func increment(series: Int) -> Double {
        123_456_789.0 + Double(series) + 0.25 * Double(series % 4)
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// W2 `histograms`.
public enum W2 {
    /// The family name.
    public static let name = "upload_task_duration_milliseconds"
    /// The help text.
    public static let help = "Histogram of upload task duration in milliseconds."
    /// The label names.
    public static let labelNames = ["task_type", "task_size_level", "app"]

    /// The label values of child `child` (0..<1020).
    public static func labelValues(child: Int) -> [String] {
        let app = child % 34
        let level = (child / 34) % 10
        let taskType = child / 340
        return [
            ["standard", "persistent", "persistent_cache"][taskType], String(level),
            "app-" + W1.zeroPadded(app, width: 2),
        ]
    }

    /// The five observations of child `child`.
    public static func observations(child: Int) -> [Double] {
        (0..<5).map { Double((child * 7 + $0 * 13) % 97) / 8.0 }
    }

    static func populate(_ registry: Registry) throws(RegistrationError) -> Int {
        let family = try registry.histogramFamily(name, help: help, labelNames: labelNames, buckets: Buckets.defaults)
        for child in 0..<1020 {
            let series = family.labels(labelValues(child: child))
            for value in observations(child: child) { series.observe(value) }
        }
        return 1020
    }
}

/// W3 `small service`.
public enum W3 {
    static func labelSets(family: Int) -> (names: [String], values: [[String]]) {
        let methods5 = ["get", "post", "put", "delete", "patch"]
        switch family % 4 {
        case 0: return ([], [[]])
        case 1: return (["method"], methods5.map { [$0] })
        case 2:
            return (
                ["method", "code"],
                ["get", "post", "put"].flatMap { m in ["200", "404", "500", "503"].map { [m, $0] } }
            )
        default:
            let sets = ["get", "post"].flatMap { m in
                ["200", "404", "500"].flatMap { c in (0..<4).map { [m, c, "worker-\($0)"] } }
            }
            return (["method", "code", "worker"], sets)
        }
    }

    static func populate(_ registry: Registry) throws(RegistrationError) -> Int {
        var total = 0
        for family in 0..<50 {
            let suffix = W1.zeroPadded(family, width: 2)
            let help = "Family \(suffix) of a small service."
            let (names, sets) = labelSets(family: family)
            if family % 2 == 0 {
                let counters = try registry.counterFamily("svc_family_\(suffix)_total", help: help, labelNames: names)
                for (index, values) in sets.enumerated() {
                    counters.labels(values).inc(by: UInt64(family * 100 + index))
                }
            } else {
                let gauges = try registry.gaugeFamily("svc_family_\(suffix)", help: help, labelNames: names)
                for (index, values) in sets.enumerated() {
                    gauges.labels(values).set(Double(family) + Double(index) * 0.125)
                }
            }
            total += sets.count
        }
        return total
    }
}
