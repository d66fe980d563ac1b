/// Locates shared test inputs in `Tests/Fixtures/`, relative to this source file so that tests run from
/// any working directory.
public enum Fixtures {
    /// The absolute path of `Tests/Fixtures`.
    public static var directory: String {
        let file = #filePath
        let testsDirectory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(
            separator: "/")
        return testsDirectory + "/Fixtures"
    }

    /// The absolute path of the package root (the directory holding `Package.swift`).
    public static var packageRoot: String {
        let file = #filePath
        return file.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    }

    /// The absolute path of a fixture.
    ///
    /// - Parameter name: A file name inside `Tests/Fixtures`.
    /// - Returns: Its path.
    public static func path(_ name: String) -> String { directory + "/" + name }
}
