/// The state behind ``SeriesLog``'s lock.
@safe
struct SeriesLogState {
    /// Each non-nil entry owns one retain of its cell (kept as `Unmanaged` so that copying a chunk for a
    /// render costs no reference counting).
    var cells: ContiguousArray<Unmanaged<SeriesCell>?> = unsafe []
    var live = 0
    var activeRenders = 0
}

/// The series of one family in creation order: what a render walks.
///
/// A render copies a chunk of cell references under the lock, then formats them with the lock released,
/// so writers creating series wait at most for one chunk copy.
///
/// - Invariant: `cells[i]?.logPosition == i` for every non-nil entry; `live` counts the non-nil
///   entries (the overflow series is not counted). Entries are compacted only when no render is walking
///   the log, so a render's positions stay valid between its chunks.
/// - Invariant: every non-nil entry holds one retain, given up when the entry is cleared.
@usableFromInline
final class SeriesLog: @unchecked Sendable {
    private let state = Locked(SeriesLogState())

    deinit {
        state.withLock { state in
            for index in unsafe state.cells.indices { unsafe state.cells[index]?.release() }
        }
    }

    /// Series that exist now.
    var liveCount: Int { state.withLock { $0.live } }

    /// Runs `body` with the state, under the lock (for the invariant checks).
    func withState<R>(_ body: (inout SeriesLogState) -> R) -> R { state.withLock(body) }

    /// Appends a new cell unless the family is at its limit.
    ///
    /// - Parameters:
    ///   - cell: The new cell.
    ///   - limit: The series limit, or `Int.max`.
    /// - Returns: Whether the cell was appended (`false`: the limit was reached).
    @usableFromInline
    func append(_ cell: SeriesCell, limit: Int) -> Bool {
        state.withLock { state in
            guard state.live < limit else { return false }
            cell.logPosition = unsafe state.cells.count
            unsafe state.cells.append(Unmanaged.passRetained(cell))
            state.live += 1
            return true
        }
    }

    /// Appends a cell that does not count against the limit (the overflow series).
    func appendUnlimited(_ cell: SeriesCell) {
        state.withLock { state in
            cell.logPosition = unsafe state.cells.count
            unsafe state.cells.append(Unmanaged.passRetained(cell))
        }
    }

    /// Drops a cell from the log.
    ///
    /// - Parameter cell: A cell that was appended and not yet removed.
    func remove(_ cell: SeriesCell) {
        state.withLock { state in
            let position = cell.logPosition
            guard position >= 0, unsafe position < state.cells.count,
                let entry = unsafe state.cells[position],
                unsafe entry.toOpaque() == Unmanaged.passUnretained(cell).toOpaque()
            else { return }
            unsafe state.cells[position] = nil
            state.live -= 1
            cell.logPosition = -1
            unsafe entry.release()
        }
    }

    /// Drops every cell.
    func removeAll() {
        state.withLock { state in
            for index in unsafe state.cells.indices {
                guard let entry = unsafe state.cells[index] else { continue }
                unsafe entry._withUnsafeGuaranteedRef { $0.logPosition = -1 }
                unsafe entry.release()
                unsafe state.cells[index] = nil
            }
            // While a render walks the log, positions must keep growing (see beginRender()), so the
            // cleared entries stay until the next compaction.
            if state.activeRenders == 0 { unsafe state.cells.removeAll(keepingCapacity: false) }
            state.live = 0
        }
    }

    /// Starts a render: compacts removed entries when no other render is walking the log.
    ///
    /// - Returns: The end of the render's snapshot: the render walks positions below it only. Series
    ///   created during the render come after it (positions only grow while a render is active), so a
    ///   series removed and created again mid-render is written at most once.
    func beginRender() -> Int {
        state.withLock { state in
            if state.activeRenders == 0, unsafe state.cells.count - state.live > state.cells.count / 4 + 64 {
                var kept = unsafe ContiguousArray<Unmanaged<SeriesCell>?>()
                unsafe kept.reserveCapacity(state.live + state.live / 4)
                for index in unsafe state.cells.indices {
                    guard let entry = unsafe state.cells[index] else { continue }
                    unsafe entry._withUnsafeGuaranteedRef { $0.logPosition = unsafe kept.count }
                    unsafe kept.append(entry)
                }
                unsafe state.cells = unsafe kept
            }
            state.activeRenders += 1
            return unsafe state.cells.count
        }
    }

    /// Ends a render started with ``beginRender()``.
    func endRender() {
        state.withLock { $0.activeRenders -= 1 }
    }

    /// Copies up to `maxCount` cell references from `position` on into `chunk`, without retaining them.
    ///
    /// The caller must be inside a read section of the family's ``ReadSections`` from before this call
    /// until it is done with the chunk: a cell dropped from the log stays alive until the index's
    /// `synchronize()`, which waits for that section.
    ///
    /// - Parameters:
    ///   - position: Where to continue; 0 at the start of a render.
    ///   - end: What ``beginRender()`` returned.
    ///   - chunk: Emptied, then filled; its capacity is reused.
    ///   - maxCount: The chunk size.
    /// - Returns: The position to continue from; `chunk` is empty at the end.
    func copyChunk(
        from position: Int, to end: Int, into chunk: inout ContiguousArray<Unmanaged<SeriesCell>>, maxCount: Int
    ) -> Int {
        unsafe chunk.removeAll(keepingCapacity: true)
        return state.withLock { state in
            var position = position
            let limit = unsafe min(end, state.cells.count)
            while unsafe position < limit && chunk.count < maxCount {
                if let cell = unsafe state.cells[position] { unsafe chunk.append(cell) }
                position += 1
            }
            return position
        }
    }
}
