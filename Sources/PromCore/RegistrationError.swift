/// Why a registry refused to register a family.
///
/// Registration never crashes the process: every conflict is reported through this error, and the
/// registry is left unchanged.
public struct RegistrationError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// The metric name is not a valid Prometheus name.
        case invalidMetricName
        /// A label name is not valid, reserved, or repeated.
        case invalidLabelName
        /// The histogram buckets are not strictly increasing finite numbers, or there are more than
        /// ``FamilyDescriptor/maximumBucketCount``.
        case invalidBuckets
        /// The unit is not valid, or the name does not end with it.
        case invalidUnit
        /// The name is already registered with another type.
        case conflictingType
        /// The name is already registered with another help text.
        case conflictingHelp
        /// The name is already registered with other label names.
        case conflictingLabelNames
        /// The name is already registered with other buckets.
        case conflictingBuckets
        /// The name is already registered with another unit or other options.
        case conflictingOptions
        /// One of the sample names this family writes is written by another family.
        case clashingSampleName
    }

    /// What went wrong.
    public let kind: Kind
    /// The family name the registration was for.
    public let name: String
    /// A complete sentence naming the conflict.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - name: The family name.
    ///   - message: A sentence naming the conflict.
    public init(_ kind: Kind, name: String, message: String) {
        self.kind = kind
        self.name = name
        self.message = message
    }

    /// The message, prefixed with the family name.
    public var description: String { "cannot register \"\(name)\": \(message)" }
}
