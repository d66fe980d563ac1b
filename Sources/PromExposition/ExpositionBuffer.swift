/// A growable byte buffer that an exposition is written into, reused between scrapes.
///
/// Writers reserve room once per sample line (``reserve(_:)``) and then append without further capacity
/// checks. Clearing keeps the capacity, so a steady-state render allocates nothing.
///
/// - Invariant: `count <= capacity`; `storage` holds `capacity` bytes, of which the first `count` are
///   initialised. `storage` is replaced only by ``reserve(_:)`` (grow) and freed in `deinit`.
///
/// Thread safety: not thread-safe; one writer at a time.
@safe
public final class ExpositionBuffer {
    @usableFromInline var storage: UnsafeMutableRawPointer
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    /// Creates an empty buffer.
    ///
    /// - Parameter capacity: Bytes to preallocate.
    public init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 64)
        unsafe self.storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
        self.count = 0
    }

    deinit { unsafe storage.deallocate() }

    /// The number of bytes written.
    @inlinable
    public var byteCount: Int { count }

    /// The allocated capacity in bytes.
    @inlinable
    public var allocatedCapacity: Int { capacity }

    /// Forgets the content and keeps the capacity.
    @inlinable
    public func removeAll() { count = 0 }

    /// Calls `body` with the written bytes; they must not escape.
    ///
    /// - Parameter body: Reads the bytes.
    /// - Returns: What `body` returns.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try unsafe body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// A copy of the written bytes.
    public var bytes: [UInt8] { unsafe withUnsafeBytes { unsafe Array($0) } }

    /// The written bytes as a string (for tests and tools).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Makes room for at least `extra` more bytes.
    ///
    /// - Complexity: amortised O(1); O(n) when it grows.
    @inlinable @inline(__always)
    public func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count + extra) }
    }

    @usableFromInline @inline(never)
    func grow(_ minimum: Int) {
        var newCapacity = capacity
        while newCapacity < minimum { newCapacity = newCapacity * 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        unsafe fresh.copyMemory(from: storage, byteCount: count)
        unsafe storage.deallocate()
        unsafe storage = fresh
        capacity = newCapacity
    }

    /// Appends bytes after ``reserve(_:)`` made room for them.
    ///
    /// - Parameter bytes: The bytes; the caller reserved `bytes.count` or more.
    @inlinable @inline(__always)
    public func appendReserved(_ bytes: UnsafeRawBufferPointer) {
        assert(count + bytes.count <= capacity)
        guard let base = bytes.baseAddress else { return }
        // Safe: the caller reserved room, so count + bytes.count <= capacity.
        unsafe (storage + count).copyMemory(from: base, byteCount: bytes.count)
        count &+= bytes.count
    }

    /// Appends one byte after ``reserve(_:)`` made room for it.
    @inlinable @inline(__always)
    public func appendReserved(_ byte: UInt8) {
        assert(count < capacity)
        // Safe: the caller reserved room.
        unsafe (storage + count).storeBytes(of: byte, as: UInt8.self)
        count &+= 1
    }

    /// Appends bytes, growing as needed.
    @inlinable
    public func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        unsafe appendReserved(bytes)
    }

    /// Appends bytes, growing as needed.
    @inlinable
    public func append(_ bytes: [UInt8]) {
        unsafe bytes.withUnsafeBytes { unsafe append($0) }
    }

    /// Appends the UTF-8 bytes of a string, growing as needed.
    public func append(_ string: String) {
        var string = string
        string.withUTF8 { unsafe append(UnsafeRawBufferPointer($0)) }
    }

    /// The address where the next byte goes; valid until the next append or ``reserve(_:)``.
    @inlinable @inline(__always)
    var cursor: UnsafeMutableRawPointer { unsafe storage + count }
}
