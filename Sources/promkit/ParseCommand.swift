import ArgumentParser
import PromGzip
import PromParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `promkit parse`: parses an exposition and prints it in the normalized form of the conformance corpus.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse a Prometheus text 0.0.4 or OpenMetrics 1.0 exposition.",
        discussion: """
            Prints one normalized line per entry (sorted labels, Go float formatting, millisecond timestamps) \
            and exits 0; on invalid input prints LINE:COL: message to stderr and exits 1.
            """
    )

    @Option(help: "prometheus or openmetrics; by default OpenMetrics when the input ends with '# EOF'.")
    var format: ExpositionFormat?

    @Flag(help: "Check only the grammar, like Prometheus' scrape parsers (no cross-line OpenMetrics rules).")
    var syntaxOnly = false

    @Option(help: "The longest accepted line in bytes (16 to 2^31 - 2; others are taken as the nearest bound).")
    var maxLineLength = 1 << 20

    @Argument(help: "The exposition file, or - for standard input.")
    var file = "-"

    func run() throws {
        guard var input = Self.readAll(file) else {
            Self.writeAll(2, Array("promkit parse: cannot read \(file)\n".utf8))
            throw ExitCode(2)
        }
        if input.starts(with: [0x1F, 0x8B]) {
            do {
                input = try Self.gunzip(input)
            } catch {
                Self.writeAll(2, Array("promkit parse: \(file): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let options = ParserOptions(
            maxLineLength: maxLineLength, validation: syntaxOnly ? .syntaxOnly : .strict)
        do {
            let output = try NormalizedDump.render(input, format: format, options: options)
            Self.writeAll(1, output)
        } catch {
            Self.writeAll(2, Array("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Inflates a gzip-compressed exposition (a saved `Accept-Encoding: gzip` scrape body).
    private static func gunzip(_ compressed: [UInt8]) throws -> [UInt8] {
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        try compressed.withUnsafeBytes { try inflater.inflate($0, into: &output) }
        try inflater.finish()
        return output
    }

    private static func readAll(_ path: String) -> [UInt8]? {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { if descriptor != 0 { close(descriptor) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

extension ExpositionFormat: ExpressibleByArgument {}
