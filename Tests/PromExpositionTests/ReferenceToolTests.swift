import Foundation
import PromCore
import PromExposition
import PromTestSupport
import Testing

/// Checks the writer's output with independent tools: `promtool check metrics` (Prometheus 2.x) and the
/// Python reference client's parsers. A missing tool is a failure, not a skip: `scripts/test` installs them.
@Suite struct ReferenceToolTests {
    static let promtool = "/usr/bin/promtool"
    static let installHint =
        "run scripts/test, which installs promtool (apt package prometheus) and prometheus_client (pip)"

    static func renderWorkload(
        _ workload: String, series: Int = 10_000, format: String = "prometheus"
    ) throws -> [UInt8] {
        let output = try ExternalTool.temporaryFile([], suffix: ".txt")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try ExternalTool.run(
            try ExternalTool.promkitPath(),
            [
                "render", "--workload", workload, "--series", "\(series)", "--format", format, "--output", output,
                "--repeats", "1",
            ])
        guard run.status == 0 else { throw ExternalTool.Missing(description: "promkit render failed: \(run.stderr)") }
        return Array(FileManager.default.contents(atPath: output) ?? Data())
    }

    /// Runs `promtool check metrics` on `bytes`; returns its findings (empty when clean).
    static func promtoolFindings(_ bytes: [UInt8]) throws -> (status: Int32, findings: [String]) {
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            throw ExternalTool.Missing(description: "\(promtool) is missing: \(installHint)")
        }
        let run = try ExternalTool.run(promtool, ["check", "metrics"], input: bytes)
        let findings = (run.stdout + run.stderr).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return (run.status, findings)
    }

    @Test func promtoolAcceptsTheEveryTypeRegistryWithoutFindings() throws {
        let registry = try EveryTypeRegistry.make()
        let names = Set(registry.descriptors.map(\.name)).subtracting([EveryTypeRegistry.counterWithoutTotal])
        let text = Rendering.text(registry, .prometheusText, include: names)
        let (status, findings) = try Self.promtoolFindings(Array(text.utf8))
        #expect(status == 0, "promtool check metrics: \(findings)")
        #expect(findings.isEmpty)
    }

    /// A counter registered without `_total` is valid text 0.0.4, but promtool's linter asks for the suffix.
    @Test func promtoolOnlyLintsTheCounterRegisteredWithoutTotal() throws {
        let registry = try EveryTypeRegistry.make()
        let text = Rendering.text(registry, .prometheusText, include: [EveryTypeRegistry.counterWithoutTotal])
        let (status, findings) = try Self.promtoolFindings(Array(text.utf8))
        #expect(status == 3, "3 means lint findings only; promtool said: \(findings)")
        #expect(findings == ["app_events counter metrics should have \"_total\" suffix"])
    }

    @Test func promtoolAcceptsW3WithoutFindings() throws {
        let (status, findings) = try Self.promtoolFindings(try Self.renderWorkload("W3"))
        #expect(status == 0, "promtool check metrics: \(findings)")
        #expect(findings.isEmpty)
    }

    /// W1 and W2 keep the names fixed by `shared/benchmarks/WORKLOADS.md` (shared with other client libraries),
    /// and promtool's linter objects to exactly those names: a counter without `_total`, and milliseconds.
    /// Anything else (status 1 is a parse error) is a writer bug.
    @Test(arguments: [
        ("W1", ["dragonfly_scheduler_host_traffic counter metrics should have \"_total\" suffix"]),
        ("W2", ["upload_task_duration_milliseconds use base unit \"seconds\" instead of \"milliseconds\""]),
    ])
    func promtoolParsesW1AndW2AndLintsOnlyTheirPrescribedNames(_ workload: String, _ expected: [String]) throws {
        let (status, findings) = try Self.promtoolFindings(try Self.renderWorkload(workload))
        #expect(status == 3, "3 means lint findings only; promtool said: \(findings.prefix(5))")
        #expect(findings == expected)
    }

    @Test(arguments: ["prometheus", "openmetrics"])
    func promkitWorkloadsParseWithThePythonClient(_ format: String) throws {
        for workload in ["W1", "W2", "W3"] {
            let bytes = try Self.renderWorkload(workload, series: 2000, format: format)
            let lines = try Self.pythonSamples(bytes, format: format)
            let expected = ["W1": 2000, "W2": 1020 * 14, "W3": 510][workload]
            #expect(lines.count == expected, "\(workload) \(format)")
        }
    }

    @Test(arguments: ExpositionWriterFormat.allCases)
    func pythonClientReadsBackExactlyTheEveryTypeSamples(_ format: ExpositionWriterFormat) throws {
        let text = Rendering.text(try EveryTypeRegistry.make(), format)
        let lines = try Self.pythonSamples(Array(text.utf8), format: format.rawValue)
        var expected = EveryTypeRegistry.expectedSamples(openMetrics: format == .openMetrics)
        // prometheus_client's text parser names every counter sample `<family>_total`, even when the text says
        // `app_events`: compare with the name it reports (the Swift parse above checks the written name).
        for index in expected.indices where expected[index].name == EveryTypeRegistry.counterWithoutTotal {
            expected[index].name += "_total"
        }
        #expect(Self.mismatches(lines, expected).isEmpty, "\(Self.mismatches(lines, expected).prefix(10))")
    }

    @Test(arguments: ExpositionWriterFormat.allCases)
    func pythonClientReadsBackExactlyTheW3Samples(_ format: ExpositionWriterFormat) throws {
        let registry = Registry()
        try W3Reference.populate(registry)
        let lines = try Self.pythonSamples(Array(Rendering.text(registry, format).utf8), format: format.rawValue)
        #expect(
            Self.mismatches(lines, W3Reference.expectedSamples).isEmpty,
            "\(Self.mismatches(lines, W3Reference.expectedSamples).prefix(10))")
    }

    /// Runs `scripts/python_crosscheck.py` and returns its normalized sample lines.
    static func pythonSamples(_ bytes: [UInt8], format: String) throws -> [String] {
        let file = try ExternalTool.temporaryFile(bytes, suffix: ".txt")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = Fixtures.packageRoot + "/scripts/python_crosscheck.py"
        let run = try ExternalTool.run("/usr/bin/env", ["python3", script, "--format", format, file])
        guard run.status == 0 else {
            let hint = run.status == 2 ? " (\(installHint))" : ""
            throw ExternalTool.Missing(description: "python_crosscheck.py exited \(run.status)\(hint): \(run.stderr)")
        }
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// The normalized line the script prints for a sample that reads back as `expected`, or the acceptable lines.
    static func acceptableLines(_ sample: ExpectedSample) -> Set<String> {
        let labels = sample.labels.map { "\($0.name)=" + $0.value.utf8.map { hex($0) }.joined() }.joined(separator: ",")
        let prefix = sample.name + "\t" + labels + "\t"
        switch sample.value {
        case .integer(let value):
            // OpenMetrics integers come back as int; text-format values are floats (rounded above 2^53).
            return [prefix + "int:\(value)", prefix + "bits:" + bits(Double(value))]
        case .double(let value):
            if value.isNaN { return [prefix + "nan"] }
            var lines: Set<String> = [prefix + "bits:" + bits(value)]
            // prometheus_client parses "-0" with int() first and gets +0: the sign is lost in Python, not in the text.
            if value == 0, value.sign == .minus { lines.insert(prefix + "int:0") }
            if value == value.rounded(), value.magnitude < 9_007_199_254_740_992, value.sign == .plus || value != 0 {
                lines.insert(prefix + "int:\(Int64(value))")
            }
            return lines
        }
    }

    static func mismatches(_ lines: [String], _ expected: [ExpectedSample]) -> [String] {
        var problems: [String] = []
        for index in 0..<max(lines.count, expected.count) {
            guard index < lines.count else {
                problems.append("python did not return \(expected[index])")
                continue
            }
            guard index < expected.count else {
                problems.append("python returned an extra sample \(lines[index])")
                continue
            }
            if !acceptableLines(expected[index]).contains(lines[index]) {
                problems.append(
                    "sample \(index + 1): expected \(expected[index]) as one of \(acceptableLines(expected[index]).sorted()), python read \(lines[index])"
                )
            }
        }
        return problems
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    static func bits(_ value: Double) -> String {
        let text = String(value.bitPattern, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
