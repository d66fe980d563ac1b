import Foundation
import PromCore
import PromExposition
import PromTestSupport
import Testing

/// Whole expositions, byte for byte, against golden files in `Tests/Fixtures/`.
@Suite struct GoldenExpositionTests {
    static let formats: [(ExpositionWriterFormat, String)] = [(.prometheusText, "prom"), (.openMetrics, "om")]

    @Test(arguments: formats)
    func everyTypeRegistryMatchesItsGoldenFile(_ format: ExpositionWriterFormat, _ suffix: String) throws {
        let text = Rendering.text(try EveryTypeRegistry.make(), format)
        let difference = Golden.difference(text, fixture: "every-type.golden.\(suffix).txt")
        #expect(difference == nil, "\(difference ?? "")")
    }

    @Test(arguments: formats)
    func everyTypeRegistryWritesExactlyTheSamplesPutIn(_ format: ExpositionWriterFormat, _ suffix: String) throws {
        let text = Rendering.text(try EveryTypeRegistry.make(), format)
        let difference = try Rendering.sampleDifference(
            text, EveryTypeRegistry.expectedSamples(openMetrics: format == .openMetrics))
        #expect(difference == nil, "\(difference ?? "")")
    }

    @Test(arguments: formats)
    func w3MatchesItsGoldenFile(_ format: ExpositionWriterFormat, _ suffix: String) throws {
        let registry = Registry()
        try W3Reference.populate(registry)
        let text = Rendering.text(registry, format)
        let difference = Golden.difference(text, fixture: "w3.golden.\(suffix).txt")
        #expect(difference == nil, "\(difference ?? "")")
        #expect(try Rendering.sampleDifference(text, W3Reference.expectedSamples) == nil)
    }

    @Test(arguments: formats)
    func promkitRenderOfW3MatchesTheGoldenFile(_ format: ExpositionWriterFormat, _ suffix: String) throws {
        let promkit = try ExternalTool.promkitPath()
        let output = try ExternalTool.temporaryFile([], suffix: ".\(suffix).txt")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try ExternalTool.run(
            promkit, ["render", "--workload", "W3", "--format", format.rawValue, "--output", output, "--repeats", "1"])
        #expect(run.status == 0, "promkit render failed: \(run.stderr)")
        let text = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
        let expected = String(
            decoding: FileManager.default.contents(atPath: Fixtures.path("w3.golden.\(suffix).txt")) ?? Data(),
            as: UTF8.self)
        let difference = Golden.firstDifference(text, expected, label: "w3.golden.\(suffix).txt")
        #expect(difference == nil, "\(difference ?? "")")
    }
}
