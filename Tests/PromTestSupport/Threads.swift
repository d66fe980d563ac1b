import Foundation
import Synchronization

/// Runs a closure on several real threads at once (not tasks: the store is meant for contended threads).
public enum Threads {
    /// Starts `count` threads, releases them together, and waits for all of them.
    ///
    /// - Parameters:
    ///   - count: The number of threads.
    ///   - body: Runs on each thread with its index in `0..<count`.
    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let finished = DispatchSemaphore(value: 0)
        let box = Box()
        for index in 0..<count {
            let thread = Thread {
                box.ready.wrappingAdd(1, ordering: .relaxed)
                // Spin until every thread exists, so that they really run at the same time.
                while box.ready.load(ordering: .relaxed) < count { sched_yield() }
                body(index)
                finished.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<count { finished.wait() }
    }

    private final class Box: Sendable {
        let ready = Atomic<Int>(0)
    }
}
