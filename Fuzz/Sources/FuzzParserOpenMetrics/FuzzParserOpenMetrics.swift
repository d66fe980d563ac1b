import FuzzSupport
import PromParser

/// libFuzzer entry: parses the input as OpenMetrics 1.0, strictly and syntax-only, with a small line limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    _ = fuzzTrace(input, format: .openMetrics, chunks: [])
    _ = fuzzTrace(
        input, format: .openMetrics, options: ParserOptions(maxLineLength: 64, validation: .syntaxOnly), chunks: [])
    _ = ExpositionFormat.detect(body: input)
    return 0
}
