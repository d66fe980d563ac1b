import Dispatch
import PromCore

/// Why a render or one scrape's read of it ended early.
enum RenderFailure: Error, Equatable {
    /// Every scrape left (client gone, or all timed out): the render stopped.
    case cancelled
    /// This scrape's deadline passed.
    case scrapeTimeout
    /// The render itself failed (a compressor error).
    case failed(String)
}

/// What makes two scrapes able to share a render: same format, encoding and family filter.
struct RenderKey: Hashable, Sendable {
    var format: String
    var encoding: MetricsContentEncoding
    var families: Set<String>?
}

/// One render of an exposition, broadcast to every scrape that subscribed to it (coalescing).
///
/// The render thread publishes chunks; each subscriber reads them in order at its own pace. While the render is
/// *joinable* (not finished and at most `replayLimit` bytes produced), every chunk is kept so a late subscriber
/// replays from the start; after that, chunks every subscriber has read are dropped, and the render thread
/// blocks while the slowest subscriber is `window` chunks behind (backpressure). So a render holds at most
/// `replayLimit` bytes plus `window` chunks.
///
/// - Invariant: `state.base == 0` while `state.joinable`; chunk number `n` is `state.chunks[n - state.base]`.
/// - Invariant: a waiting subscriber's continuation is stored under the lock only after checking that nothing is
///   ready, and every path that makes something ready resumes it; continuations resume outside the lock.
///
/// Thread safety: every member is safe to call from any thread; `publish` and `finish` come from one render
/// thread. Performance: one uncontended lock per chunk and subscriber.
final class SharedRender: Sendable {
    struct Subscriber {
        var next: Int
        var waiter: CheckedContinuation<Void, Never>?
        var expired: RenderFailure?
    }

    struct State {
        var chunks: [MetricsChunk] = []
        var base = 0
        var producedBytes = 0
        var joinable = true
        var finished = false
        var failure: RenderFailure?
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriberID = 0
        var rendererWaiting = false

        var producedCount: Int { base + chunks.count }

        /// Drops chunks every subscriber has read, once replay is no longer possible.
        mutating func trim() {
            guard !joinable else { return }
            let oldest = subscribers.values.lazy.map(\.next).min() ?? producedCount
            let drop = oldest - base
            if drop > 0 {
                chunks.removeFirst(drop)
                base += drop
            }
        }

        mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
            var waiters: [CheckedContinuation<Void, Never>] = []
            for (id, subscriber) in subscribers {
                if let waiter = subscriber.waiter {
                    waiters.append(waiter)
                    subscribers[id]?.waiter = nil
                }
            }
            return waiters
        }
    }

    let key: RenderKey
    private let window: Int
    private let replayLimit: Int
    private let state = Locked(State())
    private let rendererWakeup = DispatchSemaphore(value: 0)

    init(key: RenderKey, window: Int, replayLimit: Int) {
        self.key = key
        self.window = max(1, window)
        self.replayLimit = replayLimit
    }

    // MARK: Subscriber side

    /// Adds a subscriber that starts at the first chunk, or returns `nil` when the render can no longer replay.
    func subscribe() -> Int? {
        state.withLock { state in
            guard state.joinable else { return nil }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = Subscriber(next: state.base)
            return id
        }
    }

    /// Removes a subscriber; when it was the last, the render thread stops at its next chunk.
    func unsubscribe(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            let waiter = state.subscribers.removeValue(forKey: id)?.waiter
            state.trim()
            state.rendererWaiting = false
            return waiter
        }
        waiter?.resume()
        rendererWakeup.signal()
    }

    /// Ends a subscriber's reading with `reason` (its deadline, or its task's cancellation).
    func expire(_ id: Int, reason: RenderFailure) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.subscribers[id] != nil, state.subscribers[id]?.expired == nil else { return nil }
            state.subscribers[id]?.expired = reason
            defer { state.subscribers[id]?.waiter = nil }
            return state.subscribers[id]?.waiter
        }
        waiter?.resume()
    }

    /// Whether subscriber `id` has read everything and the render has finished successfully.
    func isExhausted(_ id: Int) -> Bool {
        state.withLock { state in
            state.finished && state.failure == nil
                && state.subscribers[id].map { $0.next == state.producedCount } == true
        }
    }

    /// The next chunk for subscriber `id`, `nil` at the end.
    ///
    /// - Throws: ``RenderFailure``: the subscriber expired, or the render failed.
    func next(_ id: Int) async throws(RenderFailure) -> MetricsChunk? {
        while true {
            switch step(id) {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .failure(let failure): throw failure
            case .wait: await wait(id)
            }
        }
    }

    private enum Step {
        case chunk(MetricsChunk)
        case end
        case failure(RenderFailure)
        case wait
    }

    private func step(_ id: Int) -> Step {
        let (step, wake) = state.withLock { state -> (Step, Bool) in
            guard var subscriber = state.subscribers[id] else { return (.failure(.cancelled), false) }
            if let expired = subscriber.expired { return (.failure(expired), false) }
            if subscriber.next < state.producedCount {
                let chunk = state.chunks[subscriber.next - state.base]
                subscriber.next += 1
                state.subscribers[id] = subscriber
                state.trim()
                let wake = state.rendererWaiting
                state.rendererWaiting = false
                return (.chunk(chunk), wake)
            }
            if let failure = state.failure { return (.failure(failure), false) }
            return (state.finished ? .end : .wait, false)
        }
        if wake { rendererWakeup.signal() }
        return step
    }

    private func wait(_ id: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    guard let subscriber = state.subscribers[id], subscriber.expired == nil,
                        subscriber.next >= state.producedCount, !state.finished
                    else { return true }
                    state.subscribers[id]?.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            expire(id, reason: .cancelled)
        }
    }

    // MARK: Render side

    /// Publishes a chunk, then blocks the calling (render) thread while the slowest subscriber is `window` chunks
    /// behind.
    ///
    /// - Throws: ``RenderFailure/cancelled`` when no subscriber is left: the render should stop.
    func publish(_ chunk: MetricsChunk) throws(RenderFailure) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.chunks.append(chunk)
            state.producedBytes += chunk.count
            if state.joinable && state.producedBytes > replayLimit {
                state.joinable = false
                state.trim()
            }
            return state.takeWaiters()
        }
        for waiter in waiters { waiter.resume() }
        try waitForRoom()
    }

    /// Publishes the last chunk (if any) and ends the render successfully.
    func finish(last chunk: MetricsChunk?) {
        end(last: chunk, failure: nil)
    }

    /// Ends the render with a failure; subscribers that have not read everything get it.
    func fail(_ failure: RenderFailure) {
        end(last: nil, failure: failure)
    }

    /// The chunks held right now (for tests of the memory bound).
    var retainedChunkCount: Int { state.withLock { $0.chunks.count } }

    /// Whether a new scrape may still join.
    var isJoinable: Bool { state.withLock { $0.joinable } }

    private func end(last chunk: MetricsChunk?, failure: RenderFailure?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if let chunk, chunk.count > 0 {
                state.chunks.append(chunk)
                state.producedBytes += chunk.count
            }
            state.finished = true
            state.failure = failure
            state.joinable = false
            state.trim()
            return state.takeWaiters()
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForRoom() throws(RenderFailure) {
        while true {
            let room = state.withLock { state -> Bool? in
                guard let oldest = state.subscribers.values.lazy.filter({ $0.expired == nil }).map(\.next).min()
                else { return nil }
                if state.producedCount - oldest < window { return true }
                state.rendererWaiting = true
                return false
            }
            guard let room else { throw .cancelled }
            if room { return }
            // The timeout re-checks for subscribers that expired without reading (no signal comes from them).
            _ = rendererWakeup.wait(timeout: .now() + .milliseconds(20))
        }
    }
}
