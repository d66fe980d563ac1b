import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One cache line holding the number of readers inside a section on one CPU slot and epoch.
@usableFromInline
struct ReaderCount: ~Copyable {
    @usableFromInline let value = Atomic<Int>(0)
    private let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
}

/// Lock-free read sections with deferred reclamation (sleepable-RCU style), so that label lookups take
/// no lock while writers can still free a replaced hash table or a removed series.
///
/// A reader brackets its lock-free accesses with ``enter()`` and ``leave(_:)``: it counts itself in a
/// per-CPU, per-epoch slot. A writer that unlinked something calls ``synchronize()``: it flips the epoch
/// and waits until every reader counted in the previous epoch has left. Readers that enter after the flip
/// already see the unlinked state.
///
/// - Invariant: `slots` holds `2 * slotCount` padded counters; `slotCount` is a power of two and
///   `slotMask == slotCount - 1`. A counter is only incremented and decremented, by the same reader, on
///   the slot returned by `enter()`; the sum of one epoch's counters is the number of readers in it.
/// - Invariant (ordering): `enter()` increments with `.sequentiallyConsistent`, and `synchronize()` issues a
///   sequentially consistent fence after the writer's unlinking stores, before it reads the counters. By the
///   fence rules, a reader whose increment the writer did not see reads the state after the unlinking.
///   On other architectures than x86-64, `enter()` adds an explicit fence; there the locked increment is
///   already a full barrier.
///
/// Performance: `enter()` + `leave(_:)` cost two uncontended atomic adds on a CPU-local line (taking them out of
/// a W1 lookup saved about 1.5 ns of its 48–49); `synchronize()` is for rare writers (table growth, removal) and may
/// wait for readers.
@usableFromInline
@safe
final class ReadSections: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutablePointer<ReaderCount>
    @usableFromInline let slotMask: Int
    @usableFromInline let epoch = Atomic<Int>(0)
    private let writers = Mutex<Void>(())

    init(slotCount requested: Int = 16) {
        var count = 1
        while count < requested { count <<= 1 }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 64 * 2 * count, alignment: 64)
        let slots = unsafe raw.bindMemory(to: ReaderCount.self, capacity: 2 * count)
        for index in 0..<(2 * count) {
            // Safe: index < 2 * count, the capacity just bound.
            unsafe (slots + index).initialize(to: ReaderCount())
        }
        unsafe self.slots = slots
        self.slotMask = count - 1
    }

    deinit {
        unsafe slots.deinitialize(count: 2 * (slotMask + 1))
        unsafe UnsafeMutableRawPointer(slots).deallocate()
    }

    /// Enters a read section.
    ///
    /// - Returns: The token to pass to ``leave(_:)``.
    @inlinable @inline(__always)
    func enter() -> Int {
        let parity = epoch.load(ordering: .relaxed) & 1
        let token = parity &* (slotMask &+ 1) &+ (currentCPUSlot() & slotMask)
        // Ordering: .sequentiallyConsistent pairs with the fence in synchronize(); the loads of the
        // section cannot move above it.
        // Safe: token < 2 * slotCount.
        unsafe slots[token].value.wrappingAdd(1, ordering: .sequentiallyConsistent)
        #if !arch(x86_64)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        #endif
        return token
    }

    /// Leaves a read section.
    ///
    /// - Parameter token: What ``enter()`` returned.
    @inlinable @inline(__always)
    func leave(_ token: Int) {
        // Ordering: .releasing orders the section's loads before the decrement that synchronize() waits for.
        // Safe: token came from enter().
        unsafe slots[token].value.wrappingSubtract(1, ordering: .releasing)
    }

    /// Waits until every reader that could have seen state unlinked before this call has left its section.
    ///
    /// Call it after unlinking and before freeing. Safe to call from any thread, but not from inside a read
    /// section (it would wait for itself).
    ///
    /// A reader reads the epoch, then increments that epoch's counter; it may be preempted in between and
    /// increment a counter of an epoch that has since been flipped away. So, as SRCU does, this first waits
    /// for the readers counted in the *inactive* epoch (such late readers of an earlier flip), then flips,
    /// then waits for the readers of the epoch that was active.
    func synchronize() {
        writers.withLock { _ in
            // Ordering: the fence orders the caller's unlinking stores before the counter loads below.
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            let active = epoch.load(ordering: .relaxed) & 1
            waitUntilDrained(parity: 1 - active)
            // Ordering: readers entering after the flip use the other epoch's counters.
            epoch.wrappingAdd(1, ordering: .sequentiallyConsistent)
            waitUntilDrained(parity: active)
        }
    }

    private func waitUntilDrained(parity: Int) {
        let base = parity * (slotMask + 1)
        var spins = 0
        while true {
            var inside = 0
            for index in 0...slotMask {
                // Ordering: .sequentiallyConsistent pairs with the readers' increments.
                // Safe: base + index < 2 * slotCount.
                inside &+= unsafe slots[base + index].value.load(ordering: .sequentiallyConsistent)
            }
            if inside == 0 { return }
            spins += 1
            #if canImport(Glibc)
            if spins > 64 { sched_yield() }
            #endif
        }
    }
}
