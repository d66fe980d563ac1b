import PromCore

/// W3 `small service` (50 families, 510 series), rebuilt from `shared/benchmarks/WORKLOADS.md` independently of
/// `PromWorkloads`, with the samples it must expose.
public enum W3Reference {
    /// One W3 family: its registered name, whether it is a counter, label names and label sets.
    public struct Family: Sendable {
        public var index: Int
        public var name: String
        public var isCounter: Bool
        public var labelNames: [String]
        public var labelSets: [[String]]
        public var help: String
    }

    /// The 50 families in index order.
    public static var families: [Family] {
        (0..<50).map { index in
            let suffix = index < 10 ? "0\(index)" : "\(index)"
            let isCounter = index % 2 == 0
            var names: [String] = []
            var sets: [[String]] = [[]]
            switch index % 4 {
            case 1:
                names = ["method"]
                sets = ["get", "post", "put", "delete", "patch"].map { [$0] }
            case 2:
                names = ["method", "code"]
                sets = ["get", "post", "put"].flatMap { m in ["200", "404", "500", "503"].map { [m, $0] } }
            case 3:
                names = ["method", "code", "worker"]
                sets = ["get", "post"].flatMap { m in
                    ["200", "404", "500"].flatMap { c in (0..<4).map { [m, c, "worker-\($0)"] } }
                }
            default:
                break
            }
            return Family(
                index: index, name: isCounter ? "svc_family_\(suffix)_total" : "svc_family_\(suffix)",
                isCounter: isCounter, labelNames: names, labelSets: sets, help: "Family \(suffix) of a small service.")
        }
    }

    /// Populates `registry` with W3.
    ///
    /// - Parameter registry: An empty registry.
    /// - Throws: ``RegistrationError``.
    public static func populate(_ registry: Registry) throws {
        for family in families {
            if family.isCounter {
                let counters = try registry.counterFamily(family.name, help: family.help, labelNames: family.labelNames)
                for (s, values) in family.labelSets.enumerated() {
                    counters.labels(values).inc(by: UInt64(family.index * 100 + s))
                }
            } else {
                let gauges = try registry.gaugeFamily(family.name, help: family.help, labelNames: family.labelNames)
                for (s, values) in family.labelSets.enumerated() {
                    gauges.labels(values).set(Double(family.index) + Double(s) * 0.125)
                }
            }
        }
    }

    /// The samples W3 exposes, in exposition order (families sorted by name, series in creation order).
    ///
    /// Counter sample names are the same in both formats because every W3 counter ends with `_total`.
    public static var expectedSamples: [ExpectedSample] {
        families.sorted { $0.name < $1.name }.flatMap { family in
            family.labelSets.enumerated().map { s, values in
                let labels = zip(family.labelNames, values).map { LabelPair($0, $1) }
                return family.isCounter
                    ? ExpectedSample(family.name, labels, .integer(UInt64(family.index * 100 + s)))
                    : ExpectedSample(family.name, labels, .double(Double(family.index) + Double(s) * 0.125))
            }
        }
    }
}
