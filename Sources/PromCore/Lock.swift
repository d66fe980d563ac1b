#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of `count` pthread mutexes at stable addresses, for lock striping.
///
/// `Synchronization.Mutex` would be the first choice, but its `sending` closure rules reject handing the
/// store's non-`Sendable` cells (`ManagedBuffer` subclasses, thread-safe by their own invariants) across
/// the lock. This type makes no such claim: callers state what the lock guards.
///
/// - Invariant: the mutexes are initialised in `init`, destroyed in `deinit`, and never move.
/// Performance: an uncontended `withLock` costs two atomic operations (about 20 ns).
@safe
@usableFromInline
final class LockBlock: @unchecked Sendable {
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>
    private let count: Int

    /// Creates `count` unlocked mutexes.
    init(count: Int) {
        self.count = count
        unsafe mutexes = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: count)
        for index in 0..<count {
            // Safe: index < count, the capacity just allocated.
            unsafe (mutexes + index).initialize(to: pthread_mutex_t())
            let result = unsafe pthread_mutex_init(mutexes + index, nil)
            precondition(result == 0, "pthread_mutex_init failed: \(result)")
        }
    }

    deinit {
        for index in 0..<count { _ = unsafe pthread_mutex_destroy(mutexes + index) }
        unsafe mutexes.deinitialize(count: count)
        unsafe mutexes.deallocate()
    }

    /// Runs `body` holding mutex `index`.
    ///
    /// - Parameters:
    ///   - index: Below the block's count.
    ///   - body: Runs under the lock.
    /// - Returns: What `body` returns.
    func withLock<R>(_ index: Int, _ body: () throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count)
        // Safe: index < count.
        unsafe pthread_mutex_lock(mutexes + index)
        defer { unsafe pthread_mutex_unlock(mutexes + index) }
        return try body()
    }
}

/// A value guarded by a lock.
///
/// Thread safety: `withLock` is safe from any thread; the value is only reachable inside it.
@safe
package final class Locked<Value>: @unchecked Sendable {
    private let lock = LockBlock(count: 1)
    private var value: Value

    /// Creates the box.
    package init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    ///
    /// - Parameter body: Reads or changes the value; it must not escape it.
    /// - Returns: What `body` returns.
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock(0) { try body(&value) }
    }
}
