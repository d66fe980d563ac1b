/// A value that can be used as a label value without allocation: its UTF-8 bytes are read in place.
///
/// `String`, `Substring` and `StaticString` conform. Native Swift strings are contiguous, so reading their
/// bytes costs nothing; a bridged, non-contiguous string is copied once.
public protocol LabelValue {
    /// Calls `body` with the UTF-8 bytes of the value.
    ///
    /// - Parameter body: Reads the bytes; the buffer must not escape.
    /// - Returns: What `body` returns.
    func withLabelValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension String: LabelValue {
    @inlinable @inline(__always)
    public func withLabelValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try unsafe self.utf8.withContiguousStorageIfAvailable({
            try unsafe body(UnsafeRawBufferPointer($0))
        }) {
            return result
        }
        var copy = self
        return try copy.withUTF8 { try unsafe body(UnsafeRawBufferPointer($0)) }
    }
}

extension Substring: LabelValue {
    @inlinable @inline(__always)
    public func withLabelValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try unsafe self.utf8.withContiguousStorageIfAvailable({
            try unsafe body(UnsafeRawBufferPointer($0))
        }) {
            return result
        }
        var copy = self
        return try copy.withUTF8 { try unsafe body(UnsafeRawBufferPointer($0)) }
    }
}

extension StaticString: LabelValue {
    @inlinable @inline(__always)
    public func withLabelValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if self.hasPointerRepresentation {
            return try unsafe body(UnsafeRawBufferPointer(start: self.utf8Start, count: self.utf8CodeUnitCount))
        }
        return unsafe try String(describing: self).withLabelValueBytes(body)
    }
}
