/// A few bytes kept from one line for later ones (the last sample name), overwritten in place.
///
/// `removeAll(keepingCapacity:)` followed by `append(contentsOf:)` on an array goes through generic range
/// replacement: about 170 instructions for a 40-byte name. `assign(_:)` is one uniqueness test and one `memcpy`.
///
/// Thread-safety: a plain value; use one from one thread at a time.
///
/// - Invariant: `count <= storage.count`; only `storage[0..<count]` is meaningful.
struct _ByteStash {
    private var storage: [UInt8] = []
    /// The number of bytes held.
    private(set) var count = 0

    /// Replaces the bytes held with `bytes`.
    ///
    /// - Complexity: O(`bytes.count`); allocates only when `bytes` is longer than every earlier one.
    @safe mutating func assign(_ bytes: UnsafeRawBufferPointer) {
        let needed = bytes.count
        if storage.count < needed { storage.append(contentsOf: repeatElement(0, count: needed - storage.count)) }
        count = needed
        guard needed > 0 else { return }
        unsafe storage.withUnsafeMutableBytes { target in
            // Safe: target holds storage.count >= needed bytes, and bytes holds needed.
            unsafe target.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: needed)
        }
    }

    /// Calls `body` with the bytes held (valid only during the call; must not escape).
    @safe func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        unsafe storage.withUnsafeBytes { all in
            // Safe: count <= storage.count.
            unsafe body(UnsafeRawBufferPointer(rebasing: all[0..<count]))
        }
    }
}
