import PromCore
import PromExposition
import PromTestSupport

/// One-call renders for tests.
enum Rendering {
    static func text(_ registry: Registry, _ format: ExpositionWriterFormat, include: Set<String>? = nil) -> String {
        let buffer = ExpositionBuffer(capacity: 64)
        ExpositionWriter(format: format).write(registry, into: buffer, include: include)
        return buffer.string
    }

    /// The text of one number as the writer formats it.
    static func number(_ value: Double) -> String {
        let buffer = ExpositionBuffer(capacity: 64)
        NumberFormatting.append(value, to: buffer)
        return buffer.string
    }

    /// Whether `value` as written, parsed back, is `expected` (bit for bit; any NaN for NaN).
    static func matches(_ valueText: String, _ expected: ExpectedSample.Value) -> Bool {
        switch expected {
        case .integer(let integer): return valueText == String(integer)
        case .double(let double):
            guard let parsed = Double(valueText) else { return false }
            return double.isNaN ? parsed.isNaN : parsed.bitPattern == double.bitPattern
        }
    }

    /// Describes how the parsed samples of an exposition differ from the expected ones, or returns `nil`.
    static func sampleDifference(_ text: String, _ expected: [ExpectedSample]) throws -> String? {
        let parsed = try ExpositionSamples.parse(text)
        for index in 0..<max(parsed.count, expected.count) {
            guard index < parsed.count else { return "missing sample \(expected[index])" }
            guard index < expected.count else { return "unexpected sample \(parsed[index])" }
            let got = parsed[index]
            let want = expected[index]
            if got.name != want.name || got.labels != want.labels || !matches(got.valueText, want.value) {
                return "sample \(index + 1): expected \(want), got \(got)"
            }
        }
        return nil
    }
}
