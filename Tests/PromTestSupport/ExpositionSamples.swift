/// One sample line of an exposition, parsed simply: name, label pairs (unescaped) and the value text.
public struct ParsedSample: Hashable, Sendable, CustomStringConvertible {
    /// The sample name.
    public var name: String
    /// The label pairs, in the order written, with values unescaped.
    public var labels: [LabelPair]
    /// The value exactly as written.
    public var valueText: String

    /// Creates a sample.
    public init(name: String, labels: [LabelPair], valueText: String) {
        self.name = name
        self.labels = labels
        self.valueText = valueText
    }

    /// The value of the label `name`, or `nil`.
    public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    /// The labels without `name` (for grouping histogram buckets by series).
    public func labels(excluding name: String) -> [LabelPair] { labels.filter { $0.name != name } }

    public var description: String {
        name + "{" + labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ",") + "} " + valueText
    }
}

/// A label name and its unescaped value.
public struct LabelPair: Hashable, Sendable {
    /// The label name.
    public var name: String
    /// The unescaped value.
    public var value: String

    /// Creates a pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A small exposition reader for tests: enough to check values and structure, not a conforming parser.
public enum ExpositionSamples {
    /// Why a line could not be read.
    public struct Malformed: Error, CustomStringConvertible {
        /// The line and what was wrong.
        public var description: String
    }

    /// The sample lines of `text` (comment lines and `# EOF` skipped).
    ///
    /// - Parameter text: An exposition in either text format.
    /// - Returns: The samples in order.
    /// - Throws: ``Malformed`` for a line that is not `name{labels} value`.
    public static func parse(_ text: String) throws -> [ParsedSample] {
        var samples: [ParsedSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            samples.append(try parseLine(Array(line.utf8)))
        }
        return samples
    }

    private static func parseLine(_ bytes: [UInt8]) throws -> ParsedSample {
        func malformed(_ why: String) -> Malformed {
            Malformed(description: "\(why) in line \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        var index = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "{"), bytes[index] != UInt8(ascii: " ") { index += 1 }
        let name = String(decoding: bytes[0..<index], as: UTF8.self)
        var labels: [LabelPair] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
                let nameStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "=") { index += 1 }
                let labelName = String(decoding: bytes[nameStart..<index], as: UTF8.self)
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") else {
                    throw malformed("no opening quote")
                }
                index += 2
                var value: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        index += 1
                        switch bytes[index] {
                        case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                        case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(bytes[index])
                        default: throw malformed("unknown escape")
                        }
                    } else {
                        value.append(bytes[index])
                    }
                    index += 1
                }
                guard index < bytes.count else { throw malformed("unterminated label value") }
                index += 1
                labels.append(LabelPair(labelName, String(decoding: value, as: UTF8.self)))
                if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1 }
            }
            guard index < bytes.count else { throw malformed("unterminated label set") }
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else {
            throw malformed("no space before the value")
        }
        let valueText = String(decoding: bytes[(index + 1)...], as: UTF8.self)
        guard !valueText.isEmpty, !valueText.contains(" ") else { throw malformed("not exactly one value") }
        return ParsedSample(name: name, labels: labels, valueText: valueText)
    }
}
