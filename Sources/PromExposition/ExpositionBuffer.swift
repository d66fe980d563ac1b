/// The mutable state of an ``ExpositionBuffer``, kept behind a pointer.
///
/// A class's `var` properties are checked for exclusive access at run time on every write (about 10 ns
/// per access through the runtime's access set); state behind a pointer is not, and the buffer is
/// single-owner by contract.
@usableFromInline
@safe
struct ExpositionBufferState {
    @usableFromInline var storage: UnsafeMutableRawPointer
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    @inlinable
    init(storage: UnsafeMutableRawPointer, count: Int, capacity: Int) {
        unsafe self.storage = storage
        self.count = count
        self.capacity = capacity
    }
}

/// A growable byte buffer that an exposition is written into, reused between scrapes.
///
/// Writers reserve room once per sample line (``reserve(_:)``) and then append without further capacity
/// checks. Clearing keeps the capacity, so a steady-state render allocates nothing.
///
/// - Invariant: `count <= capacity`; `storage` holds `capacity` bytes, of which the first `count` are
///   initialised. `storage` is replaced only when growing and freed in `deinit`.
///
/// Thread safety: not thread-safe; one writer at a time.
@safe
public final class ExpositionBuffer {
    @usableFromInline let state: UnsafeMutablePointer<ExpositionBufferState>

    /// Creates an empty buffer.
    ///
    /// - Parameter capacity: Bytes to preallocate.
    public init(capacity: Int = 64 * 1024) {
        let capacity = max(capacity, 64)
        unsafe state = UnsafeMutablePointer<ExpositionBufferState>.allocate(capacity: 1)
        unsafe state.initialize(
            to: ExpositionBufferState(
                storage: UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16), count: 0,
                capacity: capacity))
    }

    deinit {
        unsafe state.pointee.storage.deallocate()
        unsafe state.deinitialize(count: 1)
        unsafe state.deallocate()
    }

    @usableFromInline
    var count: Int {
        @inline(__always) get { unsafe state.pointee.count }
        @inline(__always) set { unsafe state.pointee.count = newValue }
    }

    /// The number of bytes written.
    @inlinable
    public var byteCount: Int { unsafe state.pointee.count }

    /// The allocated capacity in bytes.
    @inlinable
    public var allocatedCapacity: Int { unsafe state.pointee.capacity }

    /// Forgets the content and keeps the capacity.
    @inlinable
    public func removeAll() { unsafe state.pointee.count = 0 }

    /// Calls `body` with the written bytes; they must not escape.
    ///
    /// - Parameter body: Reads the bytes.
    /// - Returns: What `body` returns.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try unsafe body(UnsafeRawBufferPointer(start: state.pointee.storage, count: state.pointee.count))
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
        if unsafe state.pointee.count &+ extra > state.pointee.capacity { grow(unsafe state.pointee.count + extra) }
    }

    @usableFromInline @inline(never)
    func grow(_ minimum: Int) {
        var newCapacity = unsafe state.pointee.capacity
        while newCapacity < minimum { newCapacity = newCapacity * 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        unsafe fresh.copyMemory(from: state.pointee.storage, byteCount: state.pointee.count)
        unsafe state.pointee.storage.deallocate()
        unsafe state.pointee.storage = fresh
        unsafe state.pointee.capacity = newCapacity
    }

    /// Appends bytes after ``reserve(_:)`` made room for them.
    ///
    /// - Parameter bytes: The bytes; the caller reserved `bytes.count` or more.
    @inlinable @inline(__always)
    public func appendReserved(_ bytes: UnsafeRawBufferPointer) {
        assert(unsafe state.pointee.count + bytes.count <= state.pointee.capacity)
        guard let base = bytes.baseAddress else { return }
        // Safe: the caller reserved room, so count + bytes.count <= capacity.
        unsafe (state.pointee.storage + state.pointee.count).copyMemory(from: base, byteCount: bytes.count)
        unsafe state.pointee.count &+= bytes.count
    }

    /// Appends one byte after ``reserve(_:)`` made room for it.
    @inlinable @inline(__always)
    public func appendReserved(_ byte: UInt8) {
        assert(unsafe state.pointee.count < state.pointee.capacity)
        // Safe: the caller reserved room.
        unsafe (state.pointee.storage + state.pointee.count).storeBytes(of: byte, as: UInt8.self)
        unsafe state.pointee.count &+= 1
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
    var cursor: UnsafeMutableRawPointer { unsafe state.pointee.storage + state.pointee.count }
}
