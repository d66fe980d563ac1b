extension SeriesLog {
    /// Checks the log's invariants and traps on the first violation; a no-op without
    /// `-DPROM_INTERNAL_CHECKS`.
    ///
    /// - Parameter expectedLive: The number of series the index holds.
    /// - Complexity: O(n) under the log lock.
    func _checkInvariants(expectedLive: Int) {
        #if PROM_INTERNAL_CHECKS
        withState { state in
            var present = 0
            for position in unsafe state.cells.indices {
                guard let entry = unsafe state.cells[position] else { continue }
                present += 1
                let recorded = unsafe entry._withUnsafeGuaranteedRef { $0.logPosition }
                precondition(recorded == position, "log position \(recorded) recorded for entry \(position)")
            }
            precondition(state.live == expectedLive, "log counts \(state.live) series, the index \(expectedLive)")
            precondition(
                present >= state.live && present <= state.live + 1, "log entries \(present), live \(state.live)")
        }
        #endif
    }
}

extension FamilyCore {
    /// Checks the index, the log and their agreement; a no-op without `-DPROM_INTERNAL_CHECKS`.
    ///
    /// Call it when no other thread changes the family.
    package func _checkInvariants() {
        #if PROM_INTERNAL_CHECKS
        index._checkInvariants()
        log._checkInvariants(expectedLive: index.liveCount)
        #endif
    }
}
