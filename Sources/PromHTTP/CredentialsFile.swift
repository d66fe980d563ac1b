import PromCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bearer-token file that is read again when it changes, so that a rotated token (a Kubernetes projected
/// service-account token, a secret mounted through a symbolic link that is swapped) takes effect without a
/// restart.
///
/// A request checks the file's identity (device, inode, size, modification time, following symbolic links) at
/// most once per `reloadInterval`; when it changed, the file is read again. A file that cannot be read, or that
/// is empty, keeps the last good token rather than locking every scraper out in the middle of a rotation.
///
/// Thread safety: `Sendable`; a lock guards the cached token. Performance: a clock read per request, plus
/// one `stat` per `reloadInterval` and a read when the file changed.
final class CredentialsFile: Sendable {
    /// The file's identity, compared to notice a change.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    struct State {
        var credentials: [UInt8]
        var identity: Identity?
        var nextCheck: ContinuousClock.Instant
    }

    let path: String
    let reloadInterval: Duration
    private let state: Locked<State>

    /// Reads the file.
    ///
    /// - Throws: ``MetricsAuthentication/LoadError`` when the file cannot be read or holds no token.
    init(path: String, reloadInterval: Duration) throws(MetricsAuthentication.LoadError) {
        self.path = path
        self.reloadInterval = reloadInterval
        let identity = CredentialsFile.identity(of: path)
        let credentials = try CredentialsFile.readToken(path)
        state = Locked(State(credentials: credentials, identity: identity, nextCheck: .now + reloadInterval))
    }

    /// The current token bytes, read again first when the file changed.
    var credentials: [UInt8] {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard now >= state.nextCheck else { return state.credentials }
            state.nextCheck = now + reloadInterval
            let identity = CredentialsFile.identity(of: path)
            guard let identity, identity != state.identity else { return state.credentials }
            // Keep the last good token when the new file is unreadable or empty; look again at the next check.
            guard let fresh = try? CredentialsFile.readToken(path) else { return state.credentials }
            state.credentials = fresh
            state.identity = identity
            return fresh
        }
    }

    /// The token in `path`: its content without surrounding whitespace and line feeds.
    static func readToken(_ path: String) throws(MetricsAuthentication.LoadError) -> [UInt8] {
        let token = Array(try readFile(path).trimmingASCIIWhitespaceAndNewlines().utf8)
        guard !token.isEmpty else {
            throw MetricsAuthentication.LoadError(description: "bearer token file \(path) is empty")
        }
        return token
    }

    static func identity(of path: String) -> Identity? {
        var status = stat()
        guard unsafe stat(path, &status) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = status.st_mtimespec
        #else
        let modified = status.st_mtim
        #endif
        return Identity(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modifiedSeconds: Int(modified.tv_sec), modifiedNanoseconds: Int(modified.tv_nsec))
    }

    /// The file's bytes as UTF-8 (at most 1 MiB).
    static func readFile(_ path: String) throws(MetricsAuthentication.LoadError) -> String {
        let descriptor = unsafe open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MetricsAuthentication.LoadError(description: "cannot open \(path) (errno \(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = unsafe scratch.withUnsafeMutableBytes { unsafe read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw MetricsAuthentication.LoadError(description: "cannot read \(path) (errno \(errno))") }
            if count == 0 { break }
            bytes.append(contentsOf: scratch[0..<count])
            if bytes.count > 1 << 20 {
                throw MetricsAuthentication.LoadError(description: "\(path) is larger than 1 MiB")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func trimmingASCIIWhitespaceAndNewlines() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
