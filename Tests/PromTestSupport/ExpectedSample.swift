/// A sample a test put into a registry, with the value it must read back.
public struct ExpectedSample: Hashable, Sendable, CustomStringConvertible {
    /// What the value must be, exactly.
    public enum Value: Hashable, Sendable {
        /// A `Double`, compared by bit pattern (any NaN matches any NaN).
        case double(Double)
        /// An integer that may exceed 2^53 (a counter's integer count).
        case integer(UInt64)

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.double(let a), .double(let b)): return a.isNaN && b.isNaN || a.bitPattern == b.bitPattern
            case (.integer(let a), .integer(let b)): return a == b
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .double(let value): hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
            case .integer(let value): hasher.combine(value)
            }
        }
    }

    /// The sample name.
    public var name: String
    /// The label pairs, in the order written.
    public var labels: [LabelPair]
    /// The value.
    public var value: Value

    /// Creates an expected sample.
    public init(_ name: String, _ labels: [LabelPair] = [], _ value: Value) {
        self.name = name
        self.labels = labels
        self.value = value
    }

    /// Creates an expected sample with a `Double` value.
    public init(_ name: String, _ labels: [(String, String)], _ value: Double) {
        self.init(name, labels.map { LabelPair($0.0, $0.1) }, .double(value))
    }

    /// Creates an expected sample with an integer value.
    public init(_ name: String, _ labels: [(String, String)], integer: UInt64) {
        self.init(name, labels.map { LabelPair($0.0, $0.1) }, .integer(integer))
    }

    public var description: String {
        let valueText: String
        switch value {
        case .double(let value): valueText = "\(value) (bits 0x\(String(value.bitPattern, radix: 16)))"
        case .integer(let value): valueText = "\(value) (integer)"
        }
        return name + "{" + labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ",") + "} "
            + valueText
    }
}
