@testable import PromParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One case of the conformance corpus copied into `Tests/Fixtures/conformance/cases/`.
struct CorpusCase: Sendable, CustomStringConvertible {
    let name: String
    let input: [UInt8]
    let format: ExpositionFormat
    let expectValid: Bool
    let samples: [UInt8]?

    var description: String { name }

    /// The corpus directory, found relative to this source file so that tests work from any working directory.
    static let directory: String = {
        let file = #filePath
        let testsDirectory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
            .joined(separator: "/")
        return testsDirectory + "/Fixtures/conformance/cases"
    }()

    static let all: [CorpusCase] = {
        listDirectory(directory).sorted().compactMap { load($0) }
    }()

    static let names: [String] = all.map(\.name)

    static func named(_ name: String) -> CorpusCase {
        all.first { $0.name == name }!
    }

    private static func load(_ name: String) -> CorpusCase? {
        let path = directory + "/" + name
        guard let input = readFile(path + "/input"), let format = readFile(path + "/format"),
            let expect = readFile(path + "/expect")
        else { return nil }
        let formatName = String(decoding: format, as: UTF8.self).trimmingWhitespace
        return CorpusCase(
            name: name, input: input,
            format: formatName == "openmetrics-1.0" ? .openMetrics : .prometheusText,
            expectValid: String(decoding: expect, as: UTF8.self).trimmingWhitespace == "valid",
            samples: readFile(path + "/samples.txt"))
    }
}

/// Reads a whole file, or `nil` when it does not exist.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

func listDirectory(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == " " || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}

/// Everything a parse produced: one line per entry (the normalized rendering, comments as `COMMENT <text>`,
/// `EOF`), then `ERROR <position: message>` when it failed.
func trace(
    _ input: [UInt8], format: ExpositionFormat, options: ParserOptions = ParserOptions(), chunks: [Int]
)
    -> [String]
{
    var parser = ExpositionParser(format: format, options: options)
    var lines: [String] = []
    func drain() throws(PromParseError) {
        while let entry = try parser.next() {
            switch entry {
            case .comment: lines.append("COMMENT " + parser.comment)
            case .eof: lines.append("EOF")
            default:
                var output: [UInt8] = []
                NormalizedDump.append(entry, of: parser, to: &output)
                lines.append(String(decoding: output, as: UTF8.self))
            }
        }
    }
    do throws(PromParseError) {
        var start = 0
        for size in chunks {
            parser.feed(Array(input[start..<start + size]))
            start += size
            try drain()
        }
        parser.feed(Array(input[start...]))
        try drain()
        parser.finish()
        try drain()
    } catch {
        lines.append("ERROR \(error)")
    }
    return lines
}

/// Parses `input` whole as OpenMetrics and returns what `probe` reads from the parser at each sample.
func probeSamples<T>(_ input: String, _ probe: (ExpositionParser) -> T) throws -> [T] {
    var parser = ExpositionParser(format: .openMetrics)
    parser.feed(Array(input.utf8))
    parser.finish()
    var probes: [T] = []
    while let entry = try parser.next(), entry != .eof {
        if entry == .sample { probes.append(probe(parser)) }
    }
    return probes
}
