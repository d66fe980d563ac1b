import Foundation

/// Runs an external program (promtool, python3, promkit) and collects its output.
public enum ExternalTool {
    /// What a finished process produced.
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output, decoded as UTF-8.
        public var stdout: String
        /// Standard error, decoded as UTF-8.
        public var stderr: String
    }

    /// Why a tool could not be run.
    public struct Missing: Error, CustomStringConvertible {
        /// The explanation, naming the script that installs the tool.
        public var description: String

        /// Creates the error.
        public init(description: String) { self.description = description }
    }

    /// Runs `executable` with `arguments`, feeding `input` on standard input.
    ///
    /// - Parameters:
    ///   - executable: An absolute path.
    ///   - arguments: The arguments.
    ///   - input: Bytes for standard input (closed after them).
    ///   - environment: Extra environment variables.
    /// - Returns: The status and both outputs.
    /// - Throws: ``Missing`` when the executable does not exist; Foundation errors when it cannot start.
    public static func run(
        _ executable: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:]
    ) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Missing(description: "\(executable) is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Feed stdin and drain stderr on other threads: a large exchange would otherwise fill a pipe and deadlock.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBox = DataBox()
        let errorDone = DispatchSemaphore(value: 0)
        let errorReader = Thread {
            errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
            errorDone.signal()
        }
        errorReader.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self))
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
    }

    /// Writes `bytes` to a new temporary file and returns its path; the caller deletes it.
    ///
    /// - Parameters:
    ///   - bytes: The content.
    ///   - suffix: The file name suffix.
    /// - Returns: The path.
    /// - Throws: Foundation errors.
    public static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("prom-test-\(UUID().uuidString)\(suffix)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The `promkit` executable built next to the test bundle.
    ///
    /// - Returns: Its path.
    /// - Throws: ``Missing`` when it was not built.
    public static func promkitPath() throws -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [testBinary.deletingLastPathComponent().appendingPathComponent("promkit").path]
        // The xctest bundle may sit one level below the products directory.
        candidates.append(
            testBinary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("promkit").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw Missing(
            description: "promkit was not found next to the test binary (\(candidates)); build it with "
                + "`swift build --build-tests` in the same scratch path before running the tests")
    }
}
