import PromCore

/// One exported series as the store holds it: its encoded label set and its current value.
public struct ExportedSeries: Hashable, Sendable {
    /// The escaped label set as written between braces (`a="1",b="x\"y"`), empty without labels.
    public var labels: String
    /// The value: a counter's or gauge's value, a histogram's observation count.
    public var value: Double

    /// Creates a series description.
    public init(labels: String, value: Double) {
        self.labels = labels
        self.value = value
    }
}

extension Registry {
    /// The series a render of `family` would write, in creation order, read through the store's package API.
    ///
    /// - Parameter family: A registered family name.
    /// - Returns: The series, or `nil` when no such family is registered.
    public func exportedSeries(of family: String) -> [ExportedSeries]? {
        guard let core = sortedFamilies.first(where: { $0.descriptor.name == family }) else { return nil }
        var chunk = ContiguousArray<Unmanaged<SeriesCell>>()
        var result: [ExportedSeries] = []
        let descriptor = core.descriptor
        core.forEachChunk(
            &chunk,
            render: { cells in
                for unmanaged in unsafe cells {
                    let cell = unsafe unmanaged.takeUnretainedValue()
                    let labels = unsafe String(decoding: cell.labelBytes, as: UTF8.self)
                    let value: Double
                    switch descriptor.type {
                    case .counter: value = Counter.value(of: cell)
                    case .gauge: value = Gauge.value(of: cell)
                    case .histogram:
                        value = Double(
                            (0...descriptor.buckets.count).reduce(UInt64(0)) {
                                $0 + Histogram.bucketCount(of: cell, at: $1)
                            })
                    }
                    result.append(ExportedSeries(labels: labels, value: value))
                }
            }, between: {})
        return result
    }
}

extension Registry {
    /// Runs every family's structural checks (index, creation-order log, their agreement); they trap on a
    /// violation. A no-op unless PromCore is built with `-DPROM_INTERNAL_CHECKS` (the CI test job).
    ///
    /// Call it when no other thread changes the registry.
    public func checkInvariants() {
        for family in sortedFamilies { family._checkInvariants() }
    }
}
