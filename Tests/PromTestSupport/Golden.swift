import Foundation

/// Compares produced bytes with a golden file in `Tests/Fixtures/`.
///
/// Set `PROM_UPDATE_GOLDEN=1` to (re)write the golden files from the current output instead of comparing;
/// review the diff before committing it.
public enum Golden {
    /// Whether this run rewrites golden files.
    public static var isUpdating: Bool { ProcessInfo.processInfo.environment["PROM_UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the fixture `name`.
    ///
    /// - Parameters:
    ///   - actual: The produced text.
    ///   - name: A file name inside `Tests/Fixtures`.
    /// - Returns: `nil` when equal; otherwise a description of the first difference.
    public static func difference(_ actual: String, fixture name: String) -> String? {
        let path = Fixtures.path(name)
        if isUpdating {
            do {
                try Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                return "cannot write \(path): \(error)"
            }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return "missing golden file \(path); run the tests with PROM_UPDATE_GOLDEN=1 to create it"
        }
        return firstDifference(actual, String(decoding: data, as: UTF8.self), label: name)
    }

    /// Describes the first line where two texts differ, or returns `nil` when they are equal.
    ///
    /// - Parameters:
    ///   - actual: The produced text.
    ///   - expected: The expected text.
    ///   - label: What the expected text is, for the message.
    /// - Returns: The description, or `nil`.
    public static func firstDifference(_ actual: String, _ expected: String, label: String) -> String? {
        if actual == expected { return nil }
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(actualLines.count, expectedLines.count) {
            let got = index < actualLines.count ? String(actualLines[index]) : "<end of output>"
            let want = index < expectedLines.count ? String(expectedLines[index]) : "<end of \(label)>"
            if got != want {
                return
                    "\(label) differs at line \(index + 1):\n  expected: \(want.debugDescription)\n  actual:   \(got.debugDescription)"
            }
        }
        return "\(label) differs (same lines, different bytes)"
    }
}
