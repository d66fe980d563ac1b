import Synchronization

/// A bound counter series: the hot-path handle.
///
/// Increments take no lock and allocate nothing: an integer increment is one relaxed atomic add
/// (about 2 ns uncontended); a fractional one is a compare-and-swap loop on the bits of a `Double`.
/// A negative, zero or NaN increment is ignored: a counter never decreases and never crashes.
///
/// Thread safety: safe to use from any thread. Performance: resolve the handle once (with
/// ``CounterFamily/labels(_:)``) and keep it; a lookup hashes the label values on every call.
@frozen
public struct Counter: @unchecked Sendable {
    @usableFromInline let cell: SeriesCell

    @inlinable
    init(cell: SeriesCell) { self.cell = cell }

    /// The value word of a sharded counter's cell that holds the address of its per-CPU cells (words 0 and 1 are
    /// the integer and floating-point parts).
    @inlinable
    static var shardWord: Int { 2 }

    /// Adds 1.
    @inlinable
    public func inc() { inc(by: 1 as UInt64) }

    /// Adds an integer amount.
    ///
    /// - Parameter amount: The increment; wraps around at 2^64.
    @inlinable
    public func inc(by amount: UInt64) {
        if let shards = cell.shards {
            // Safe: `local` points into the shard cells, which the cell keeps alive.
            unsafe shards.local.pointee.integer.wrappingAdd(amount, ordering: .relaxed)
        } else {
            // Safe: word 0 of a counter cell is its integer count.
            unsafe cell.values[0].wrappingAdd(amount, ordering: .relaxed)
        }
    }

    /// Adds an integer amount; a negative amount is ignored.
    ///
    /// - Parameter amount: The increment.
    @inlinable
    public func inc(by amount: Int) {
        guard amount > 0 else { return }
        inc(by: UInt64(amount))
    }

    /// Adds a floating-point amount. Negative, zero and NaN amounts are ignored; `+Inf` makes the
    /// counter `+Inf`.
    ///
    /// - Parameter amount: The increment.
    @inlinable
    public func inc(by amount: Double) {
        guard amount > 0 else { return }
        if let shards = cell.shards {
            unsafe Counter.addFloat(amount, to: shards.local.pointee.floatBits)
        } else {
            // Safe: word 1 of a counter cell holds the floating-point part.
            unsafe Counter.addFloat(amount, to: cell.values[1])
        }
    }

    @inlinable @inline(__always)
    static func addFloat(_ amount: Double, to bits: borrowing Atomic<UInt64>) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            // A weak exchange fails spuriously or because another thread added first: retry with `original`.
            let (exchanged, original) = bits.weakCompareExchange(
                expected: current, desired: next, successOrdering: .relaxed, failureOrdering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The current value: the integer count plus the floating-point part, summed over shards.
    ///
    /// - Complexity: O(shards).
    public var value: Double { Counter.value(of: cell) }

    package static func value(of cell: SeriesCell) -> Double {
        let parts = Counter.parts(of: cell)
        return parts.float == 0 ? Double(parts.integer) : Double(parts.integer) + parts.float
    }

    /// The integer part alone, when the counter never got a fractional increment (for exact output).
    package static func integerValue(of cell: SeriesCell) -> UInt64? {
        let parts = Counter.parts(of: cell)
        return parts.float == 0 ? parts.integer : nil
    }

    /// The integer and floating-point parts of the value, each summed over shards: the exposition writer prints
    /// the integer alone when the floating-point part is zero (exact output), their sum otherwise.
    ///
    /// Cost: two relaxed loads (inlined into the writer's loop); a sharded counter adds a loop over its cells.
    @inlinable
    package static func parts(of cell: SeriesCell) -> (integer: UInt64, float: Double) {
        let integer = unsafe cell.values[0].load(ordering: .relaxed)
        let float = Double(bitPattern: unsafe cell.values[1].load(ordering: .relaxed))
        guard let shards = cell.shards else { return (integer, float) }
        return shardedParts(integer: integer, float: float, shards)
    }

    @usableFromInline
    static func shardedParts(
        integer: UInt64, float: Double, _ shards: CounterShards
    ) -> (integer: UInt64, float: Double) {
        let sums = shards.sums
        return (integer &+ sums.integer, float + sums.float)
    }
}
