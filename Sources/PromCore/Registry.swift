/// The state behind the registry's lock.
struct RegistryState {
    var families: [String: FamilyCore] = [:]
    /// Families sorted by name: what a render walks. Rebuilt on (un)registration only.
    var sorted: [FamilyCore] = []
    /// Every sample name written by a registered family → that family's name.
    var sampleNames: [String: String] = [:]
    var overflowFamily: CounterFamily?
    /// The public wrapper handed out per family name, so that re-registration returns the same object.
    var wrappers: [String: AnyObject] = [:]
}

/// A set of metric families: what one exposition contains.
///
/// Registering returns the family; registering an equal descriptor again returns the same family; any
/// conflict (type, help, labels, buckets, unit, or a sample name another family writes) throws a
/// ``RegistrationError`` and leaves the registry unchanged.
///
/// Thread safety: every member is safe to call from any thread. Registration takes one lock (it is not a
/// hot-path operation); a render copies the sorted family list under it, which costs one retain.
public final class Registry: Sendable {
    private let state = Locked(RegistryState())

    /// The name of the self-metric counting label sets folded into overflow series.
    public static let overflowFamilyName = "prom_series_overflow_total"

    /// The name of the self-metric counting lookups made with the wrong number of label values (whose
    /// increments go to a detached, never exported series). Registered on the first such lookup.
    public static let mismatchFamilyName = "prom_label_values_mismatch_total"

    /// Creates an empty registry.
    public init() {}

    /// Registers (or returns the existing) counter family.
    ///
    /// - Parameters:
    ///   - name: The family name (`_total` is added in OpenMetrics when missing).
    ///   - help: The help text.
    ///   - labelNames: The label names.
    ///   - unit: The OpenMetrics unit; the name must end with `_<unit>`.
    ///   - options: Capacity, series limit and sharding.
    /// - Returns: The family.
    /// - Throws: ``RegistrationError``.
    public func counterFamily(
        _ name: String, help: String, labelNames: [String], unit: String? = nil, options: FamilyOptions = .init()
    ) throws(RegistrationError) -> CounterFamily {
        let descriptor = FamilyDescriptor(name: name, type: .counter, help: help, unit: unit, labelNames: labelNames)
        return wrapper(for: try register(descriptor, options: options), CounterFamily.init)
    }

    /// Registers (or returns the existing) gauge family.
    ///
    /// - Parameters: As ``counterFamily(_:help:labelNames:unit:options:)``.
    /// - Returns: The family.
    /// - Throws: ``RegistrationError``.
    public func gaugeFamily(
        _ name: String, help: String, labelNames: [String], unit: String? = nil, options: FamilyOptions = .init()
    ) throws(RegistrationError) -> GaugeFamily {
        let descriptor = FamilyDescriptor(name: name, type: .gauge, help: help, unit: unit, labelNames: labelNames)
        return wrapper(for: try register(descriptor, options: options), GaugeFamily.init)
    }

    /// Registers (or returns the existing) histogram family.
    ///
    /// - Parameters:
    ///   - buckets: Finite, strictly increasing upper bounds; `+Inf` is implicit. See ``Buckets``.
    ///   - Others: As ``counterFamily(_:help:labelNames:unit:options:)``.
    /// - Returns: The family.
    /// - Throws: ``RegistrationError``.
    public func histogramFamily(
        _ name: String, help: String, labelNames: [String], buckets: [Double] = Buckets.defaults,
        unit: String? = nil, options: FamilyOptions = .init()
    ) throws(RegistrationError) -> HistogramFamily {
        let descriptor = FamilyDescriptor(
            name: name, type: .histogram, help: help, unit: unit, labelNames: labelNames, buckets: buckets)
        return wrapper(for: try register(descriptor, options: options), HistogramFamily.init)
    }

    /// Registers (or returns) an unlabelled counter and returns its only series.
    ///
    /// - Throws: ``RegistrationError``.
    public func counter(
        _ name: String, help: String, unit: String? = nil, options: FamilyOptions = .init()
    )
        throws(RegistrationError) -> Counter
    {
        try counterFamily(name, help: help, labelNames: [], unit: unit, options: options).labels([String]())
    }

    /// Registers (or returns) an unlabelled gauge and returns its only series.
    ///
    /// - Throws: ``RegistrationError``.
    public func gauge(_ name: String, help: String, unit: String? = nil) throws(RegistrationError) -> Gauge {
        try gaugeFamily(name, help: help, labelNames: [], unit: unit).labels([String]())
    }

    /// Registers (or returns) an unlabelled histogram and returns its only series.
    ///
    /// - Throws: ``RegistrationError``.
    public func histogram(
        _ name: String, help: String, buckets: [Double] = Buckets.defaults, unit: String? = nil
    )
        throws(RegistrationError) -> Histogram
    {
        try histogramFamily(name, help: help, labelNames: [], buckets: buckets, unit: unit).labels([String]())
    }

    /// Removes a family from the registry; its handles keep working but are no longer exported.
    ///
    /// - Parameter name: The family name as registered.
    /// - Returns: Whether a family was removed.
    @discardableResult
    public func unregister(_ name: String) -> Bool {
        state.withLock { state in
            guard let core = state.families.removeValue(forKey: name) else { return false }
            state.wrappers.removeValue(forKey: name)
            for sample in core.descriptor.sampleNames { state.sampleNames.removeValue(forKey: sample) }
            state.sorted.removeAll { $0 === core }
            return true
        }
    }

    /// The registered families, sorted by name.
    ///
    /// - Complexity: O(1): the sorted list is kept up to date at registration.
    package var sortedFamilies: [FamilyCore] { state.withLock { $0.sorted } }

    /// The descriptors of the registered families, sorted by name.
    public var descriptors: [FamilyDescriptor] { sortedFamilies.map(\.descriptor) }

    /// The wrapper object of `core`, made once per registered family.
    private func wrapper<Family: AnyObject>(for core: FamilyCore, _ make: (FamilyCore) -> Family) -> Family {
        state.withLock { state in
            if let existing = state.wrappers[core.descriptor.name] as? Family { return existing }
            let family = make(core)
            state.wrappers[core.descriptor.name] = family
            return family
        }
    }

    private func register(
        _ descriptor: FamilyDescriptor, options: FamilyOptions
    ) throws(RegistrationError)
        -> FamilyCore
    {
        try descriptor.validate()
        // First pass: an equal family is returned and a conflict thrown before anything is created.
        let first = state.withLock { state in Registry.existingOrConflict(descriptor, in: state) }
        if let existing = try first.get() { return existing }
        // The overflow self-metric is itself a family: register it outside the lock, then check again.
        let overflowCounter = try options.seriesLimit.map { _ throws(RegistrationError) in
            try overflowFamily().labels([descriptor.name])
        }
        let result = state.withLock { state -> Result<FamilyCore, RegistrationError> in
            switch Registry.existingOrConflict(descriptor, in: state) {
            case .failure(let conflict): return .failure(conflict)
            case .success(let existing?): return .success(existing)
            case .success(nil): break
            }
            let core = FamilyCore(
                descriptor: descriptor, options: options, overflowCounter: overflowCounter,
                reportMismatch: mismatchReporter(for: descriptor.name))
            state.families[descriptor.name] = core
            for sample in descriptor.sampleNames { state.sampleNames[sample] = descriptor.name }
            let position = state.sorted.firstIndex { $0.descriptor.name > descriptor.name } ?? state.sorted.endIndex
            state.sorted.insert(core, at: position)
            return .success(core)
        }
        return try result.get()
    }

    /// The registered family equal to `descriptor`, `nil` when the name is free, or the conflict.
    private static func existingOrConflict(
        _ descriptor: FamilyDescriptor, in state: RegistryState
    )
        -> Result<FamilyCore?, RegistrationError>
    {
        if let existing = state.families[descriptor.name] {
            if let conflict = existing.descriptor.conflict(with: descriptor) { return .failure(conflict) }
            return .success(existing)
        }
        for sample in descriptor.sampleNames {
            if let owner = state.sampleNames[sample] {
                return .failure(
                    RegistrationError(
                        .clashingSampleName, name: descriptor.name,
                        message: "sample name \"\(sample)\" is already written by family \"\(owner)\""))
            }
        }
        return .success(nil)
    }

    /// Counts a family's wrong-arity lookups in the mismatch self-metric, registering it on first use. The
    /// counter handle is resolved once and kept, so repeated misuse costs one atomic add, not a registration.
    private func mismatchReporter(for family: String) -> @Sendable () -> Void {
        let handle = Locked<Counter?>(nil)
        return { [weak self] in
            let counter = handle.withLock { cached -> Counter? in
                if let cached { return cached }
                guard let self else { return nil }
                cached = try? self.counterFamily(
                    Registry.mismatchFamilyName,
                    help: "Lookups with the wrong number of label values; their samples were not exported.",
                    labelNames: ["family"]
                ).labels([family])
                return cached
            }
            counter?.inc()
        }
    }

    private func overflowFamily() throws(RegistrationError) -> CounterFamily {
        if let family = state.withLock({ $0.overflowFamily }) { return family }
        let family = try counterFamily(
            Registry.overflowFamilyName,
            help: "Label sets folded into a family's overflow series because the family reached its series limit.",
            labelNames: ["family"])
        state.withLock { $0.overflowFamily = family }
        return family
    }
}
