/// The state behind ``SeriesLog``'s lock.
struct SeriesLogState {
    var cells: ContiguousArray<SeriesCell?> = []
    var live = 0
    var activeRenders = 0
}

/// The series of one family in creation order: what a render walks.
///
/// A render copies (and retains) a chunk of cells under the lock, then formats them with the lock
/// released, so writers creating series wait at most for one chunk copy.
///
/// - Invariant: `cells[i]?.logPosition == i` for every non-nil entry; `live` counts the non-nil
///   entries. Entries are compacted only when no render is walking the log, so a render's positions
///   stay valid between its chunks.
final class SeriesLog: Sendable {
    private let state = Locked(SeriesLogState())

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
            state.cells.append(cell)
            state.live += 1
            return cell
        }
    }

    /// Appends a cell that does not count against the limit (the overflow series).
    func appendUnlimited(_ cell: SeriesCell) {
        state.withLock { state in
            cell.logPosition = state.cells.count
            state.cells.append(cell)
        }
    }

    /// Drops a cell from the log.
    ///
    /// - Parameter cell: A cell that was appended and not yet removed.
    func remove(_ cell: SeriesCell) {
        state.withLock { state in
            let position = cell.logPosition
            guard position >= 0, position < state.cells.count, state.cells[position] === cell else { return }
            state.cells[position] = nil
            state.live -= 1
            cell.logPosition = -1
        }
    }

    /// Drops every cell.
    func removeAll() {
        state.withLock { state in
            for cell in state.cells { cell?.logPosition = -1 }
            state.cells.removeAll(keepingCapacity: state.activeRenders > 0)
            state.live = 0
        }
    }

    /// Starts a render: compacts removed entries when no other render is walking the log.
    func beginRender() {
        state.withLock { state in
            if state.activeRenders == 0, state.cells.count - state.live > state.cells.count / 4 + 64 {
                var kept = ContiguousArray<SeriesCell?>()
                kept.reserveCapacity(state.live + state.live / 4)
                for cell in state.cells {
                    guard let cell else { continue }
                    cell.logPosition = kept.count
                    kept.append(cell)
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

    /// Copies up to `maxCount` cells from `position` on into `chunk`, retaining them.
    ///
    /// - Parameters:
    ///   - position: Where to continue; 0 at the start of a render.
    ///   - chunk: Emptied, then filled; its capacity is reused.
    ///   - maxCount: The chunk size.
    /// - Returns: The position to continue from; `chunk` is empty at the end.
    func copyChunk(from position: Int, into chunk: inout ContiguousArray<SeriesCell>, maxCount: Int) -> Int {
        chunk.removeAll(keepingCapacity: true)
        return state.withLock { state in
            var position = position
            while position < state.cells.count && chunk.count < maxCount {
                if let cell = state.cells[position] { chunk.append(cell) }
                position += 1
            }
            return position
        }
    }
}
