// Helpers shared by the benchmark targets: pre-built W1 label values (ours and the peer's shape), the peer's
// W1 populate, resident memory from /proc, and a pthread runner for the 2-thread hot-path cases.
import Glibc
import PromCore
import PromWorkloads
import Prometheus
import Synchronization

/// W1 label values for series `0..<count`, built before any measurement so that only the store's work is timed.
public struct W1Values {
    /// `values[i]`: the six label values of series i, in W1's label-name order.
    public let values: [[String]]
    /// `increments[i]`: W1's float increment of series i.
    public let increments: [Double]

    public init(count: Int) {
        var values = [[String]]()
        values.reserveCapacity(count)
        var increments = [Double]()
        increments.reserveCapacity(count)
        for series in 0..<count {
            values.append(W1.labelValues(series: series))
            increments.append(W1.increment(series: series))
        }
        self.values = values
        self.increments = increments
    }

    /// The same values as swift-prometheus label pairs.
    public func peerLabels() -> [[(String, String)]] {
        values.map { Array(zip(W1.labelNames, $0)) }
    }
}

/// swift-prometheus's side of the workloads, through its public labelled API.
public enum Peer {
    /// Creates every W1 series with `makeCounter(name:labels:help:)` and increments it once by W1's float.
    ///
    /// Quadratic in the series count (each new label set copies the family's dictionary): 10k series take
    /// seconds, 100k about 4 minutes.
    @available(
        *, deprecated,
        message: "calls swift-prometheus's deprecated makeCounter(name:labels:help:), as WORKLOADS.md names it"
    )
    public static func populateW1(
        _ registry: PrometheusCollectorRegistry, labels: [[(String, String)]], increments: [Double]
    ) {
        for series in labels.indices {
            registry.makeCounter(name: W1.name, labels: labels[series], help: W1.help).increment(by: increments[series])
        }
    }

    /// The labelled lookup of H `lookup_inc` for the peer.
    @available(
        *, deprecated,
        message: "calls swift-prometheus's deprecated makeCounter(name:labels:help:), as WORKLOADS.md names it"
    )
    @inline(__always)
    public static func lookup(
        _ registry: PrometheusCollectorRegistry, _ labels: [(String, String)]
    ) -> Prometheus.Counter {
        registry.makeCounter(name: W1.name, labels: labels, help: W1.help)
    }
}

/// Resident set size of this process in bytes, from `/proc/self/statm` (its second field, in pages).
public func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, Int32(line.count), file) != nil else { return -1 }
    let fields = String(cString: line).split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return -1 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Nanoseconds from a monotonic clock.
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// A counter for the raw-atomic baseline: one `Atomic<UInt64>` per cache line, so that "different" cells in the
/// 2-thread case do not share a line.
public final class PaddedAtomics: Sendable {
    private let cells: [PaddedCell]
    public init(count: Int) { cells = (0..<count).map { _ in PaddedCell() } }
    @inline(__always)
    public func add(_ index: Int) { cells[index].value.wrappingAdd(1, ordering: .relaxed) }
    public func load(_ index: Int) -> UInt64 { cells[index].value.load(ordering: .relaxed) }
}

struct CacheLinePad {
    var a: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
}

final class PaddedCell: Sendable {
    // Classes are allocated separately (16-byte aligned); padding on both sides keeps `value` alone on its line.
    let before = CacheLinePad()
    let value = Atomic<UInt64>(0)
    let after = CacheLinePad()
}

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

private final class StartGate: Sendable {
    let arrived = Atomic<Int>(0)
    let parties: Int
    init(parties: Int) { self.parties = parties }
    func arriveAndWait() {
        arrived.wrappingAdd(1, ordering: .acquiringAndReleasing)
        while arrived.load(ordering: .acquiring) < parties {}
    }
}

/// What ``runThreads(_:_:)`` measured.
public struct ThreadRun: Sendable {
    /// Each thread's CPU time (CLOCK_THREAD_CPUTIME_ID) spent in `body`, in nanoseconds.
    public let cpuNanoseconds: [UInt64]
    /// Monotonic time from the first thread leaving the start gate to the last thread finishing `body`, in
    /// nanoseconds: the threads' common run, without thread creation, the gate's spin or the joins.
    public let wallNanoseconds: UInt64
}

/// Runs `body(threadIndex)` on `count` new pthreads that start together (a spin gate), joins them, and returns
/// each thread's CPU time in `body` and the wall time of their common run.
///
/// The wall time starts after the gate: creating, starting and joining threads on this 2-vCPU VM took 0.1–0.8 ms,
/// which swamped 1M operations of 2 ns (two-thread rows moved between 1.8 and 2.6 ns per operation from run to run).
@discardableResult
public func runThreads(_ count: Int, _ body: @escaping (Int) -> Void) -> ThreadRun {
    let gate = StartGate(parties: count)
    // Per thread: CPU time, wall start, wall end.
    let times = UnsafeMutablePointer<UInt64>.allocate(capacity: 3 * count)
    times.initialize(repeating: 0, count: 3 * count)
    defer { times.deallocate() }
    var handles = [pthread_t]()
    handles.reserveCapacity(count)
    for index in 0..<count {
        let box = Unmanaged.passRetained(
            ThreadBody {
                gate.arriveAndWait()
                let wallStart = monotonicNanoseconds()
                let start = threadCPUNanoseconds()
                body(index)
                times[3 * index] = threadCPUNanoseconds() - start
                times[3 * index + 2] = monotonicNanoseconds()
                times[3 * index + 1] = wallStart
            })
        var handle = pthread_t()
        let status = pthread_create(
            &handle, nil,
            { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        precondition(status == 0, "pthread_create failed: \(status)")
        handles.append(handle)
    }
    for handle in handles { pthread_join(handle, nil) }
    var first = UInt64.max
    var last: UInt64 = 0
    for index in 0..<count {
        first = min(first, times[3 * index + 1])
        last = max(last, times[3 * index + 2])
    }
    // One array, as before this measured the wall time: the two-thread rows' malloc counts stay the same.
    return ThreadRun(cpuNanoseconds: (0..<count).map { times[3 * $0] }, wallNanoseconds: last - first)
}

/// CPU time of the calling thread, in nanoseconds.
@inline(__always)
public func threadCPUNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// True when the environment variable is set to a non-empty value other than "0".
public func environmentFlag(_ name: String) -> Bool {
    guard let value = getenv(name) else { return false }
    let string = String(cString: value)
    return !string.isEmpty && string != "0"
}
