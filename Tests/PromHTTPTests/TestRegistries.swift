import PromCore
import PromExposition
import PromGzip

/// Registries with known values, and helpers to compare bodies.
enum TestRegistries {
    /// A counter (42), a gauge (-3.5) and a histogram (0.05, 0.3, 0.7, 2.0 in buckets 0.1, 0.5, 1).
    static func small() throws -> Registry {
        let registry = Registry()
        try registry.counter("test_requests_total", help: "Requests handled.").inc(by: 42 as UInt64)
        try registry.gauge("test_temperature_celsius", help: "A temperature.").set(-3.5)
        let histogram = try registry.histogram("test_latency_seconds", help: "Latency.", buckets: [0.1, 0.5, 1])
        for value in [0.05, 0.3, 0.7, 2.0] { histogram.observe(value) }
        return registry
    }

    /// A counter family with `series` series of about 200 bytes each.
    static func large(series: Int) throws -> Registry {
        let registry = Registry()
        let family = try registry.counterFamily(
            "test_host_traffic_total", help: "Traffic.", labelNames: ["host", "id"],
            options: FamilyOptions(capacityHint: series))
        let padding = String(repeating: "0123456789abcdef", count: 8)
        for index in 0..<series {
            family.labels(["host-\(index)", padding]).inc(by: UInt64(index))
        }
        return registry
    }

    static func expected(_ registry: Registry, _ format: ExpositionWriterFormat, include: Set<String>? = nil) -> [UInt8]
    {
        let buffer = ExpositionBuffer()
        ExpositionWriter(format: format).write(registry, into: buffer, include: include)
        return buffer.bytes
    }

    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        try bytes.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        try inflater.finish()
        return output
    }
}
