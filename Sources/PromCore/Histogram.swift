import Synchronization

/// The upper bounds of a histogram family, shared by its handles.
///
/// - Invariant: `bounds` is strictly increasing and finite; the implicit `+Inf` bucket has index
///   `bounds.count`.
@usableFromInline
final class HistogramLayout: Sendable {
    @usableFromInline let bounds: [Double]

    init(bounds: [Double]) { self.bounds = bounds }

    /// The index of the bucket that counts `value`: the first bound `>= value`, or the `+Inf` bucket.
    ///
    /// - Complexity: O(log n); a linear scan for up to 16 bounds.
    @inlinable @inline(__always)
    func bucketIndex(_ value: Double) -> Int {
        unsafe bounds.withUnsafeBufferPointer { bounds in
            if bounds.count <= 16 {
                var index = 0
                // Safe: index < bounds.count in the loop condition.
                while index < bounds.count, unsafe bounds[index] < value { index &+= 1 }
                return index
            }
            var low = 0
            var high = bounds.count
            while low < high {
                let middle = (low &+ high) >> 1
                // Safe: low <= middle < high <= bounds.count.
                if unsafe bounds[middle] < value { low = middle &+ 1 } else { high = middle }
            }
            return low
        }
    }
}

/// A bound histogram series: the hot-path handle.
///
/// An observation increments exactly one bucket (relaxed atomic add) and adds to the sum (a
/// compare-and-swap loop); buckets are cumulated when written. `_count` is the sum of the buckets, so a
/// scrape always sees `_count` equal to the `+Inf` bucket, and buckets that never decrease.
///
/// Thread safety: safe to use from any thread. No lock, no allocation.
@frozen
public struct Histogram: @unchecked Sendable {
    @usableFromInline let cell: SeriesCell
    @usableFromInline let layout: HistogramLayout

    @inlinable
    init(cell: SeriesCell, layout: HistogramLayout) {
        self.cell = cell
        self.layout = layout
    }

    /// Records one observation.
    ///
    /// - Parameter value: The observed value. NaN is counted in the `+Inf` bucket and makes the sum NaN.
    @inlinable
    public func observe(_ value: Double) {
        let bucket = value.isNaN ? layout.bounds.count : layout.bucketIndex(value)
        // Safe: bucket <= bounds.count, and the cell has bounds.count + 1 bucket words then the sum.
        unsafe cell.values[bucket].wrappingAdd(1, ordering: .relaxed)
        unsafe Counter.addFloat(value, to: cell.values[layout.bounds.count + 1])
    }

    /// The observation count and sum.
    public var countAndSum: (count: UInt64, sum: Double) {
        var count: UInt64 = 0
        for bucket in 0...layout.bounds.count {
            count &+= unsafe cell.values[bucket].load(ordering: .relaxed)
        }
        return (count, Double(bitPattern: unsafe cell.values[layout.bounds.count + 1].load(ordering: .relaxed)))
    }
}

extension Histogram {
    /// The per-bucket (not cumulative) counts of a histogram cell, `+Inf` last, then the sum.
    ///
    /// - Parameters:
    ///   - cell: A histogram series cell.
    ///   - bucketCount: The number of finite bounds plus one.
    ///   - index: A bucket index below `bucketCount`.
    /// - Returns: The bucket's count; each bucket is read once per call, with a relaxed load.
    @inlinable
    package static func bucketCount(of cell: SeriesCell, at index: Int) -> UInt64 {
        unsafe cell.values[index].load(ordering: .relaxed)
    }

    /// The sum of a histogram cell with `bucketCount` buckets.
    @inlinable
    package static func sum(of cell: SeriesCell, bucketCount: Int) -> Double {
        Double(bitPattern: unsafe cell.values[bucketCount].load(ordering: .relaxed))
    }
}
