/// Histogram bucket layouts.
public enum Buckets {
    /// The Prometheus client defaults, for durations in seconds: `.005 … 10`.
    public static let defaults: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// `count` buckets starting at `start`, `width` apart.
    ///
    /// - Parameters:
    ///   - start: The first upper bound.
    ///   - width: The distance between bounds; must be positive.
    ///   - count: The number of bounds; must be positive.
    /// - Returns: The bounds, or an empty array (rejected at registration) for invalid arguments.
    public static func linear(start: Double, width: Double, count: Int) -> [Double] {
        guard count > 0, width > 0, start.isFinite else { return [] }
        return (0..<count).map { start + Double($0) * width }
    }

    /// `count` buckets starting at `start`, each `factor` times the previous.
    ///
    /// - Parameters:
    ///   - start: The first upper bound; must be positive.
    ///   - factor: The ratio between bounds; must be greater than 1.
    ///   - count: The number of bounds; must be positive.
    /// - Returns: The bounds, or an empty array (rejected at registration) for invalid arguments.
    public static func exponential(start: Double, factor: Double, count: Int) -> [Double] {
        guard count > 0, start > 0, factor > 1, start.isFinite else { return [] }
        var bounds: [Double] = []
        bounds.reserveCapacity(count)
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }
}
