/// The state behind ``SeriesLog``'s lock.
struct SeriesLogState {
    /// Each non-nil entry owns one retain of its cell (kept as `Unmanaged` so that copying a chunk for a
    /// render costs no reference counting).
    var cells: ContiguousArray<Unmanaged<SeriesCell>?> = []
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
final class SeriesLog: @unchecked Sendable {
    private let state = Locked(SeriesLogState())

    deinit {
        state.withLock { state in
            for cell in unsafe state.cells { unsafe cell?.release() }
        }
    }

    /// Series that exist now.
    var liveCount: Int { state.withLock { $0.live } }

    /// Appends a new cell unless the family is at its limit.
    ///
    /// - Parameters:
    ///   - limit: The series limit, or `Int.max`.
    ///   - make: Creates the cell; called under the log lock.
    /// - Returns: The cell, or `nil` when the limit was reached.
    func append(limit: Int, _ make: () -> SeriesCell) -> SeriesCell? {
        state.withLock { state in
            guard state.live < limit else { return nil }
            let cell = make()
            cell.logPosition = state.cells.count
            unsafe state.cells.append(Unmanaged.passRetained(cell))
            state.live += 1
            return cell
        }
    }

    /// Appends a cell that does not count against the limit (the overflow series).
    func appendUnlimited(_ cell: SeriesCell) {
        state.withLock { state in
            cell.logPosition = state.cells.count
            unsafe state.cells.append(Unmanaged.passRetained(cell))
        }
    }

    /// Drops a cell from the log.
    ///
    /// - Parameter cell: A cell that was appended and not yet removed.
    func remove(_ cell: SeriesCell) {
        state.withLock { state in
            let position = cell.logPosition
            guard position >= 0, position < state.cells.count,
                let entry = unsafe state.cells[position], unsafe entry.toOpaque() == Unmanaged.passUnretained(cell).toOpaque()
            else { return }
            state.cells[position] = nil
            state.live -= 1
            cell.logPosition = -1
            unsafe entry.release()
        }
    }

    /// Drops every cell.
    func removeAll() {
        state.withLock { state in
            for entry in unsafe state.cells {
                guard let entry = unsafe entry else { continue }
                unsafe entry._withUnsafeGuaranteedRef { $0.logPosition = -1 }
                unsafe entry.release()
            }
            state.cells.removeAll(keepingCapacity: state.activeRenders > 0)
            state.live = 0
        }
    }

    /// Starts a render: compacts removed entries when no other render is walking the log.
    func beginRender() {
        state.withLock { state in
            if state.activeRenders == 0, state.cells.count - state.live > state.cells.count / 4 + 64 {
                var kept = ContiguousArray<Unmanaged<SeriesCell>?>()
                kept.reserveCapacity(state.live + state.live / 4)
                for entry in unsafe state.cells {
                    guard let entry = unsafe entry else { continue }
                    unsafe entry._withUnsafeGuaranteedRef { $0.logPosition = kept.count }
                    unsafe kept.append(entry)
                }
                state.cells = kept
            }
            state.activeRenders += 1
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
    ///   - chunk: Emptied, then filled; its capacity is reused.
    ///   - maxCount: The chunk size.
    /// - Returns: The position to continue from; `chunk` is empty at the end.
    func copyChunk(from position: Int, into chunk: inout ContiguousArray<Unmanaged<SeriesCell>>, maxCount: Int) -> Int {
        chunk.removeAll(keepingCapacity: true)
        return state.withLock { state in
            var position = position
            while position < state.cells.count && chunk.count < maxCount {
                if let cell = unsafe state.cells[position] { unsafe chunk.append(cell) }
                position += 1
            }
            return position
        }
    }
}
