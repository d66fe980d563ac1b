import FuzzSupport
import PromParser

/// libFuzzer entry: parses the input as Prometheus text 0.0.4, strictly and syntax-only, with a small line limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    _ = fuzzTrace(input, format: .prometheusText, chunks: [])
    _ = fuzzTrace(
        input, format: .prometheusText, options: ParserOptions(maxLineLength: 64, validation: .syntaxOnly), chunks: [])
    _ = ExpositionFormat.detect(body: input)
    return 0
}
