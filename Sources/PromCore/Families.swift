/// A counter family: a name, help and label names, with one ``Counter`` per label set.
///
/// Thread safety: every member is safe to call from any thread.
/// Performance: `labels(_:)` on an existing series takes no lock and allocates nothing when the values
/// are `String`, `Substring` or `StaticString` in an existing collection (about 57–60 ns for the six W1 labels,
/// 49–53 through `inc(_:by:)`, which skips the handle's retain and release);
/// creating a series costs O(1) amortised. Resolve handles once where you can.
public final class CounterFamily: Sendable {
    @usableFromInline let core: FamilyCore

    init(core: FamilyCore) { self.core = core }

    /// The family's descriptor.
    public var descriptor: FamilyDescriptor { core.descriptor }

    /// The series for these label values, created when missing.
    ///
    /// - Parameter values: One value per label name, in the order of ``FamilyDescriptor/labelNames``. A
    ///   wrong count returns a detached series that is never exported (no crash).
    /// - Returns: The bound handle.
    @inlinable
    public func labels<Values: Collection>(_ values: Values) -> Counter where Values.Element: LabelValue {
        Counter(cell: core.cell(for: values))
    }

    /// The series for these label values, created when missing.
    ///
    /// Performance: the variadic form builds an array per call; prefer ``labels(_:)`` with an array you keep.
    @inlinable
    public func labels(_ values: String...) -> Counter { labels(values) }

    /// Looks up the series and adds `amount` without retaining the handle (the cheapest labelled increment).
    ///
    /// - Parameters:
    ///   - values: One value per label name.
    ///   - amount: The increment.
    @inlinable
    public func inc<Values: Collection>(_ values: Values, by amount: UInt64 = 1) where Values.Element: LabelValue {
        core.withCell(for: values) { Counter(cell: $0).inc(by: amount) }
    }

    /// Removes one series. Handles to it keep working but are no longer exported.
    ///
    /// - Returns: Whether the series existed.
    @discardableResult
    public func remove<Values: Collection>(_ values: Values) -> Bool where Values.Element: LabelValue {
        core.remove(values)
    }

    /// Removes every series.
    public func removeAll() { core.removeAll() }

    /// The number of series.
    public var seriesCount: Int { core.seriesCount }

    /// Checks the family's internal invariants and traps on a violation; a no-op unless the package is
    /// built with `-DPROM_INTERNAL_CHECKS`. Call it when no other thread changes the family.
    public func _checkInvariants() { core._checkInvariants() }
}

/// A gauge family: a name, help and label names, with one ``Gauge`` per label set.
///
/// Thread safety and performance: as ``CounterFamily``.
public final class GaugeFamily: Sendable {
    @usableFromInline let core: FamilyCore

    init(core: FamilyCore) { self.core = core }

    /// The family's descriptor.
    public var descriptor: FamilyDescriptor { core.descriptor }

    /// The series for these label values, created when missing.
    ///
    /// - Parameter values: One value per label name. A wrong count returns a detached series.
    /// - Returns: The bound handle.
    @inlinable
    public func labels<Values: Collection>(_ values: Values) -> Gauge where Values.Element: LabelValue {
        Gauge(cell: core.cell(for: values))
    }

    /// The series for these label values, created when missing (builds an array per call).
    @inlinable
    public func labels(_ values: String...) -> Gauge { labels(values) }

    /// Removes one series.
    ///
    /// - Returns: Whether the series existed.
    @discardableResult
    public func remove<Values: Collection>(_ values: Values) -> Bool where Values.Element: LabelValue {
        core.remove(values)
    }

    /// Removes every series.
    public func removeAll() { core.removeAll() }

    /// The number of series.
    public var seriesCount: Int { core.seriesCount }

    /// Checks the family's internal invariants and traps on a violation; a no-op unless the package is
    /// built with `-DPROM_INTERNAL_CHECKS`. Call it when no other thread changes the family.
    public func _checkInvariants() { core._checkInvariants() }
}

/// A histogram family: a name, help, label names and buckets, with one ``Histogram`` per label set.
///
/// Thread safety and performance: as ``CounterFamily``.
public final class HistogramFamily: Sendable {
    @usableFromInline let core: FamilyCore
    @usableFromInline let layout: HistogramLayout

    init(core: FamilyCore) {
        self.core = core
        self.layout = HistogramLayout(bounds: core.descriptor.buckets)
    }

    /// The family's descriptor.
    public var descriptor: FamilyDescriptor { core.descriptor }

    /// The series for these label values, created when missing.
    ///
    /// - Parameter values: One value per label name. A wrong count returns a detached series.
    /// - Returns: The bound handle.
    @inlinable
    public func labels<Values: Collection>(_ values: Values) -> Histogram where Values.Element: LabelValue {
        Histogram(cell: core.cell(for: values), layout: layout)
    }

    /// The series for these label values, created when missing (builds an array per call).
    @inlinable
    public func labels(_ values: String...) -> Histogram { labels(values) }

    /// Removes one series.
    ///
    /// - Returns: Whether the series existed.
    @discardableResult
    public func remove<Values: Collection>(_ values: Values) -> Bool where Values.Element: LabelValue {
        core.remove(values)
    }

    /// Removes every series.
    public func removeAll() { core.removeAll() }

    /// The number of series.
    public var seriesCount: Int { core.seriesCount }

    /// Checks the family's internal invariants and traps on a violation; a no-op unless the package is
    /// built with `-DPROM_INTERNAL_CHECKS`. Call it when no other thread changes the family.
    public func _checkInvariants() { core._checkInvariants() }
}
