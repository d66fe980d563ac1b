import Testing

@testable import PromParser

@Suite struct ChunkingTests {
    /// Inputs up to this size are split in two at every byte; the five larger ones (benchmark inputs of 4 KB to
    /// 190 KB) at about 150 evenly spaced points, to keep the debug test run short.
    static let everySplitLimit = 3000

    @Test(arguments: CorpusCase.names)
    func entriesAndVerdictDoNotDependOnChunking(_ name: String) {
        let testCase = CorpusCase.named(name)
        let input = testCase.input
        let whole = trace(input, format: testCase.format, chunks: [])
        let bytewise = trace(input, format: testCase.format, chunks: Array(repeating: 1, count: input.count))
        #expect(bytewise == whole, "1-byte chunks differ")
        let step = input.count <= Self.everySplitLimit ? 1 : input.count / 150
        for split in stride(from: 0, through: input.count, by: step) {
            let halves = trace(input, format: testCase.format, chunks: [split])
            if halves != whole {
                Issue.record("split at \(split) differs")
                break
            }
        }
        for size in [2, 3, 7, 64, 4096] where size < input.count {
            let sizes = Array(repeating: size, count: input.count / size)
            #expect(trace(input, format: testCase.format, chunks: sizes) == whole, "chunks of \(size) differ")
        }
    }

    @Test func syntaxOnlyModeIsAlsoChunkingInvariant() {
        let options = ParserOptions(validation: .syntaxOnly)
        for testCase in CorpusCase.all {
            let whole = trace(testCase.input, format: testCase.format, options: options, chunks: [])
            let bytewise = trace(
                testCase.input, format: testCase.format, options: options,
                chunks: Array(repeating: 1, count: testCase.input.count))
            #expect(whole == bytewise, "\(testCase.name)")
        }
    }
}
