import CZlib

/// An error from ``GzipDeflater`` or ``GzipInflater``: what went wrong, zlib's status code and its message.
///
/// zlib failures never trap: every non-success status from `deflate`/`inflate` and their `Init`/`Reset` calls
/// becomes a `GzipError`. `zlibStatus` is zlib's return value (`Z_DATA_ERROR` is -3, `Z_STREAM_ERROR` is -2, …),
/// or `Z_OK` (0) when this library detected the problem itself (a truncated stream, a size limit, a bad level).
/// `message` is zlib's `msg` when zlib set one ("incorrect data check", "invalid block type", …), otherwise a
/// sentence written here.
///
/// Safe to send between threads; a value type.
public struct GzipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of a ``GzipError``. New codes may be added: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidLevel
            case invalidState
            case corruptData
            case truncatedStream
            case sizeLimitExceeded
            case outOfMemory
            case incompatibleZlib
            case zlibFailure
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The compression level is outside `-1...9`.
        public static let invalidLevel = Code(.invalidLevel)
        /// The stream was used out of order, e.g. `compress` after `finish` without `reset()` (`Z_STREAM_ERROR`).
        public static let invalidState = Code(.invalidState)
        /// The compressed input is not a valid gzip stream: bad header, block, CRC or length (`Z_DATA_ERROR`).
        public static let corruptData = Code(.corruptData)
        /// The compressed input ended inside a gzip member, or contained no member at all.
        public static let truncatedStream = Code(.truncatedStream)
        /// Decompressing would produce more than the inflater's `maximumDecompressedSize` bytes.
        public static let sizeLimitExceeded = Code(.sizeLimitExceeded)
        /// zlib could not allocate its state (`Z_MEM_ERROR`).
        public static let outOfMemory = Code(.outOfMemory)
        /// The zlib library linked at run time is incompatible with the headers (`Z_VERSION_ERROR`).
        public static let incompatibleZlib = Code(.incompatibleZlib)
        /// Any other zlib status; see ``GzipError/zlibStatus``.
        public static let zlibFailure = Code(.zlibFailure)

        /// The code's name, e.g. `corruptData`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// zlib's return status (`Z_DATA_ERROR`, …), or `Z_OK` (0) when the error was detected by this library.
    public var zlibStatus: Int32
    /// zlib's message when it set one, otherwise a description written by this library.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - zlibStatus: zlib's return status, or `Z_OK` when the error was not reported by zlib.
    ///   - message: A one-line, human-readable explanation.
    public init(code: Code, zlibStatus: Int32 = Z_OK, message: String) {
        self.code = code
        self.zlibStatus = zlibStatus
        self.message = message
    }

    /// `"<code>: <message>"`, plus the zlib status when zlib reported the error.
    public var description: String {
        zlibStatus == Z_OK ? "\(code): \(message)" : "\(code): \(message) (zlib status \(zlibStatus))"
    }
}

extension GzipError {
    /// Maps a failing zlib status to an error, taking zlib's `msg` from `stream` when it set one.
    ///
    /// - Parameters:
    ///   - status: The status returned by a zlib call; not `Z_OK`/`Z_STREAM_END`.
    ///   - stream: The stream the call used; read only, for its `msg`.
    ///   - operation: The failing call, used when zlib gave no message (e.g. `"deflate"`).
    init(zlibStatus status: Int32, stream: UnsafePointer<z_stream>, operation: String) {
        let code: Code
        switch status {
        case Z_STREAM_ERROR: code = .invalidState
        case Z_DATA_ERROR: code = .corruptData
        case Z_MEM_ERROR: code = .outOfMemory
        case Z_VERSION_ERROR: code = .incompatibleZlib
        default: code = .zlibFailure
        }
        let message: String
        // Safe: zlib sets msg to nil or to a NUL-terminated static string (or one it owns until the next call).
        if let cMessage = unsafe stream.pointee.msg {
            message = unsafe String(cString: cMessage)
        } else {
            message = "\(operation) failed with status \(status)"
        }
        self.init(code: code, zlibStatus: status, message: message)
    }
}
