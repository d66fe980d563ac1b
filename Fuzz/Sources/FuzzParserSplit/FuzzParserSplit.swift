import FuzzSupport
import PromParser

/// libFuzzer entry: the first byte picks the format and a chunk size; the rest is parsed whole, in chunks of that
/// size, and split in two at a derived point. Any difference between the traces is a bug: trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = fuzzInput(start, count)
    guard let control = input.first else { return 0 }
    input.removeFirst()
    let format: ExpositionFormat = control & 1 == 0 ? .prometheusText : .openMetrics
    let options = ParserOptions(
        maxLineLength: 48 + Int(control >> 5), validation: control & 2 == 0 ? .strict : .syntaxOnly)
    let size = Int(control >> 2 & 7) + 1
    let whole = fuzzTrace(input, format: format, options: options, chunks: [])
    let chunked = fuzzTrace(
        input, format: format, options: options, chunks: Array(repeating: size, count: input.count / size))
    let split = input.isEmpty ? 0 : Int(control) % (input.count + 1)
    let halves = fuzzTrace(input, format: format, options: options, chunks: [split])
    if whole != chunked || whole != halves {
        print("whole:   \(whole)\nchunked: \(chunked)\nhalves:  \(halves)")
        fatalError("chunking changed the parse")
    }
    return 0
}
