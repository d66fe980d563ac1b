/// The labels of the current entry: a prefix of a storage array that is kept from line to line.
///
/// Clearing sets `count` to 0 and leaves the storage as it is, so that the next line overwrites records in place
/// instead of paying for `removeAll(keepingCapacity:)` on every line; the records past `count` are stale and never
/// read.
///
/// Each record also holds the label's name key and fingerprint for the strict rules (`_LabelScreen`), so that those
/// need no storage of their own; they stay with the record of the same index from one sample to the next.
///
/// Thread-safety: a plain value; use one list from one thread at a time.
///
/// - Invariant: `0 <= count <= storage.count`; only `storage[0..<count]` is meaningful.
@usableFromInline @safe struct _LabelList: RandomAccessCollection {
    /// A label and what the label pass computed for it (`_LabelScreen`).
    @usableFromInline struct Slot {
        @usableFromInline var ref: _LabelRef
        var key: UInt64 = 0
        var fingerprint: UInt64 = 0
    }

    @usableFromInline var storage: [Slot] = []
    /// The number of labels of the current entry.
    @usableFromInline private(set) var count = 0
    /// `storage`'s elements, made unique by `makeWritable()` for the current line, so that `append`, `reuse` and
    /// `reuseNext` store through it without an array store's copy-on-write check (a runtime call each; the label
    /// pass's one `withUnsafeMutableSlots` per sample keeps the array's: through this pointer it compiled to about 55
    /// instructions more per W1 sample). Valid while `writableCount > 0`: `removeAll()`, which the parser calls at the start of
    /// every line (between lines the list may be copied along with the parser), and a growth of the storage reset it.
    private var writable: UnsafeMutablePointer<Slot>? = nil
    /// The number of records at `writable` (`storage.count` when valid), or 0.
    private var writableCount = 0

    init() {}

    @inlinable var startIndex: Int { 0 }
    @inlinable var endIndex: Int { count }

    /// The label at `index` (`0..<count`).
    @inlinable subscript(index: Int) -> _LabelRef {
        precondition(index >= 0 && index < count, "label index out of range")
        return storage[index].ref
    }

    /// Appends a label.
    ///
    /// - Complexity: O(1) amortised; no allocation once the storage has grown to the longest label list.
    @inline(__always) mutating func append(_ label: _LabelRef) {
        if count < writableCount {
            // Safe: count < writableCount, the records at `writable` (see there).
            unsafe writable.unsafelyUnwrapped[count].ref = label
        } else {
            appendToStorage(label)
        }
        count &+= 1
    }

    /// `append` through the array (before `makeWritable()`, or when the storage is full and grows).
    @inline(never) private mutating func appendToStorage(_ label: _LabelRef) {
        if count < storage.count {
            storage[count].ref = label
        } else {
            storage.append(Slot(ref: label))
            // The storage may have moved.
            if writableCount > 0 { makeWritable() }
        }
    }

    /// Makes the storage unique and lets the stores of this line go through `writable`.
    ///
    /// - Complexity: O(1) (one copy-on-write check) unless the storage is shared, then O(storage) for the copy.
    @inline(__always) mutating func makeWritable() {
        // Safe: the pointer is used only while the storage stays unique and in place (see `writable`).
        let (base, count) = unsafe storage.withUnsafeMutableBufferPointer { ($0.baseAddress, $0.count) }
        unsafe writable = base
        writableCount = count
    }

    /// Forgets every label, keeping the storage; stores go through the array again until `makeWritable()`.
    @inline(__always) mutating func removeAll() {
        count = 0
        writableCount = 0
    }

    /// Takes over the first `count` labels of the last line (still in the storage, as `removeAll()` leaves them),
    /// moved by `delta` bytes.
    ///
    /// - Precondition: the list is empty and the last line had at least `count` labels, none in the scratch buffer.
    @inline(__always) mutating func reuse(_ count: Int, shiftedBy delta: Int) {
        precondition(self.count == 0 && count <= storage.count)
        if delta != 0 {
            if count <= writableCount {
                // Safe: count <= writableCount, the records at `writable`.
                for index in 0..<count { unsafe writable.unsafelyUnwrapped[index].ref.shift(by: delta) }
            } else {
                for index in 0..<count { storage[index].ref.shift(by: delta) }
            }
        }
        self.count = count
    }

    /// Takes over the next label of the last line (still in the storage, as `removeAll()` leaves it), moved by
    /// `delta` bytes.
    ///
    /// - Precondition: the last line had more than `count` labels, and label `count` lies in the line.
    @inline(__always) mutating func reuseNext(shiftedBy delta: Int) {
        precondition(count < storage.count)
        if delta != 0 {
            if count < writableCount {
                // Safe: count < writableCount, the records at `writable`.
                unsafe writable.unsafelyUnwrapped[count].ref.shift(by: delta)
            } else {
                storage[count].ref.shift(by: delta)
            }
        }
        count &+= 1
    }

    /// Label `index` of the last line, even after `removeAll()` (until the current line appends over it).
    ///
    /// - Precondition: the last line had more than `index` labels.
    @inline(__always) func storedLabel(_ index: Int) -> _LabelRef {
        storage[index].ref
    }

    /// Where label `index` of the last line started (0-based offset of its name), even after `removeAll()`.
    ///
    /// - Precondition: the last line had more than `index` labels.
    @inline(__always) func startOfStored(_ index: Int) -> Int {
        storage[index].ref.column - 1
    }

    /// Calls `body` with the stored records `0..<limit`, which after `removeAll()` are the last line's (valid only
    /// during the call; must not escape).
    ///
    /// - Precondition: the storage holds `limit` records.
    @inline(__always) func withUnsafeStoredSlots<R>(upTo limit: Int, _ body: (UnsafeBufferPointer<Slot>) -> R) -> R {
        precondition(limit <= storage.count)
        return unsafe storage.withUnsafeBufferPointer { all in
            // Safe: limit <= storage.count.
            unsafe body(UnsafeBufferPointer(rebasing: all[0..<limit]))
        }
    }

    /// The number of leading labels that lie in the line (neither name nor value in the scratch buffer).
    func countInLine() -> Int {
        firstIndex { $0.name.inScratch || $0.value.inScratch } ?? count
    }

    /// Calls `body` with the current labels' records (valid only during the call; must not escape).
    @inline(__always) func withUnsafeSlots<R>(_ body: (UnsafeBufferPointer<Slot>) -> R) -> R {
        unsafe storage.withUnsafeBufferPointer { all in
            // Safe: count <= storage.count.
            unsafe body(UnsafeBufferPointer(rebasing: all[0..<count]))
        }
    }

    /// Calls `body` with the current labels' records, to update their keys and fingerprints (valid only during the
    /// call; must not escape).
    @inline(__always) mutating func withUnsafeMutableSlots<R>(_ body: (UnsafeMutableBufferPointer<Slot>) -> R) -> R {
        let count = self.count
        return unsafe storage.withUnsafeMutableBufferPointer { all in
            // Safe: count <= storage.count.
            unsafe body(UnsafeMutableBufferPointer(rebasing: all[0..<count]))
        }
    }
}
