import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A bound gauge series: the hot-path handle.
///
/// `set` is one relaxed atomic store; `inc`/`dec` are a compare-and-swap loop on the bits of a `Double`.
/// No lock, no allocation.
///
/// Thread safety: safe to use from any thread.
@frozen
public struct Gauge: @unchecked Sendable {
    @usableFromInline let cell: SeriesCell

    @inlinable
    init(cell: SeriesCell) { self.cell = cell }

    /// Sets the value.
    ///
    /// - Parameter value: The new value (any `Double`, including NaN and infinities).
    @inlinable
    public func set(_ value: Double) {
        // Safe: word 0 of a gauge cell holds the bits of its value.
        unsafe cell.values[0].store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `amount` (which may be negative).
    ///
    /// - Parameter amount: The change.
    @inlinable
    public func inc(by amount: Double = 1) {
        unsafe Counter.addFloat(amount, to: cell.values[0])
    }

    /// Subtracts `amount`.
    ///
    /// - Parameter amount: The change.
    @inlinable
    public func dec(by amount: Double = 1) { inc(by: -amount) }

    /// Sets the value to the current Unix time in seconds.
    public func setToCurrentTime() {
        #if canImport(Glibc)
        var now = timespec()
        unsafe clock_gettime(CLOCK_REALTIME, &now)
        set(Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
        #else
        set(0)
        #endif
    }

    /// The current value.
    public var value: Double { Gauge.value(of: cell) }

    package static func value(of cell: SeriesCell) -> Double {
        Double(bitPattern: unsafe cell.values[0].load(ordering: .relaxed))
    }
}
