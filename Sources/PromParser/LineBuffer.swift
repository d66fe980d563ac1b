#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits fed chunks into lines, holding at most one unfinished line.
///
/// A line that lies wholly inside the current chunk is parsed in place; only a line split across chunks is copied
/// into `carry`. Every line handed out is followed in memory by a `\n` sentinel: the chunk's own line feed, or one
/// appended to `carry` (also for a last line without a line feed). The grammar loops stop at that sentinel instead
/// of testing bounds.
///
/// - Invariant: `carry` never holds more than `maxLineLength + 1` bytes (line plus sentinel).
/// - Invariant: `chunkPosition <= chunk.count`.
/// - Invariant: `lineBase` is `nil` or the address of the current line in `chunk`/`carry`, which are not mutated
///   while it is set (`@safe`: the pointer is only dereferenced through `lineView`, within the line).
@usableFromInline @safe struct _LineBuffer {
    enum Next {
        /// A line is ready at `line`.
        case line
        /// The chunk is used up; feed more input (or finish).
        case needMoreInput
        /// Finished and every line was handed out.
        case endOfInput
        /// The line being assembled is longer than the limit.
        case lineTooLong
    }

    let maxLineLength: Int
    var chunk: [UInt8] = []
    var chunkPosition = 0
    var carry: [UInt8] = []
    var finished = false

    /// Where the current line lives: `carry` or `chunk`, `lineStart..<lineEnd`, with `storage[lineEnd] == '\n'`.
    var lineInCarry = false
    var lineStart = 0
    var lineEnd = 0
    /// The address of `storage[lineStart]` while a line is current (`nil` otherwise), for the accessors' views.
    @usableFromInline var lineBase: UnsafeRawPointer? = nil
    /// Whether the current line ended with a real line feed (false only for a last line at end of input).
    var lineHadNewline = true
    /// Lines handed out so far (the 1-based number of the current line).
    var lineNumber = 0
    /// Changes whenever bytes that an earlier line was read from may change or go away: at every `feed` and when a
    /// line in `carry` is released. While it stays the same, the lines handed out since it last changed are still
    /// in place in `chunk`, except the current one when it is in `carry` (see `_LabelMemory`).
    var generation = 0

    init(maxLineLength: Int) {
        self.maxLineLength = maxLineLength
    }

    /// Takes a new chunk; any unread rest of the previous chunk is kept in front of it.
    mutating func feed(_ bytes: [UInt8]) {
        precondition(!finished, "ExpositionParser.feed(_:) called after finish()")
        releaseCarriedLine()
        generation &+= 1
        unsafe lineBase = nil
        // Unread bytes of the previous chunk may hold whole lines, so they are joined with the new chunk rather
        // than put into `carry` (which only ever holds part of one line, and only once the chunk is used up).
        assert(carry.isEmpty || chunkPosition == chunk.count)
        if chunkPosition < chunk.count {
            chunk = Array(chunk[chunkPosition...]) + bytes
        } else {
            chunk = bytes
        }
        chunkPosition = 0
    }

    /// Takes a copy of a new chunk, into the reused `chunk` storage; any unread rest of the previous chunk is kept
    /// in front of it.
    mutating func feed(copying bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "ExpositionParser.feed(_:) called after finish()")
        releaseCarriedLine()
        generation &+= 1
        unsafe lineBase = nil
        assert(carry.isEmpty || chunkPosition == chunk.count)
        let rest = chunk.count - chunkPosition
        let needed = rest + bytes.count
        // Reuse the storage unless it is much larger than needed (after one huge chunk), so that memory stays in
        // proportion to the chunks fed.
        if chunk.capacity > 4 * needed && chunk.capacity > 1 << 20 {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(needed)
            fresh.append(contentsOf: chunk[chunkPosition...])
            chunk = fresh
        } else if rest == 0 {
            chunk.removeAll(keepingCapacity: true)
        } else if chunkPosition > 0 {
            chunk.removeSubrange(0..<chunkPosition)
        }
        _append(bytes, to: &chunk)
        chunkPosition = 0
    }

    mutating func finish() {
        finished = true
    }

    /// Advances to the next line.
    ///
    /// - Complexity: amortised O(line length); the line feed search uses `memchr`. A line that lies in the chunk
    ///   (the common case) takes the inlined path; one that is assembled in `carry` the outlined `carryLine`.
    @inline(__always) mutating func nextLine() -> Next {
        if lineInCarry { releaseCarriedLine() }
        let newline = chunkPosition < chunk.count ? findNewline() : nil
        guard carry.isEmpty, let newline else { return carryLine(upTo: newline) }
        guard newline - chunkPosition <= maxLineLength else { return .lineTooLong }
        lineInCarry = false
        lineStart = chunkPosition
        lineEnd = newline
        lineHadNewline = true
        chunkPosition = newline + 1
        lineNumber += 1
        // Safe: chunk is not empty (it holds the line feed); the address stays valid until chunk is mutated.
        unsafe lineBase = unsafe chunk.withUnsafeBytes { $0.baseAddress! } + lineStart
        return .line
    }

    /// `nextLine` for a line that continues a part in `carry` or has no line feed in the chunk (`newline` is `nil`):
    /// the part in the chunk goes into `carry`.
    @inline(never) private mutating func carryLine(upTo newline: Int?) -> Next {
        let end = newline ?? chunk.count
        guard carry.count + (end - chunkPosition) <= maxLineLength else { return .lineTooLong }
        if end > chunkPosition {
            carry.append(contentsOf: chunk[chunkPosition..<end])
        }
        if let newline {
            chunkPosition = newline + 1
            lineHadNewline = true
        } else {
            chunkPosition = chunk.count
            guard finished, !carry.isEmpty else { return finished ? .endOfInput : .needMoreInput }
            lineHadNewline = false
        }
        carry.append(UInt8(ascii: "\n"))
        lineInCarry = true
        lineStart = 0
        lineEnd = carry.count - 1
        lineNumber += 1
        // Safe: carry holds at least the sentinel; the address stays valid until carry is mutated.
        unsafe lineBase = unsafe carry.withUnsafeBytes { $0.baseAddress! }
        return .line
    }

    /// The number of the line that is too long, for the error.
    var pendingLineNumber: Int { lineNumber + 1 }

    private mutating func releaseCarriedLine() {
        if lineInCarry {
            generation &+= 1
            unsafe lineBase = nil
            carry.removeAll(keepingCapacity: true)
            lineInCarry = false
            lineStart = 0
            lineEnd = 0
        }
    }

    @inline(__always) private func findNewline() -> Int? {
        unsafe chunk.withUnsafeBytes { buffer in
            // Safe: chunkPosition < chunk.count, so the searched range lies inside the buffer.
            let start = unsafe buffer.baseAddress! + chunkPosition
            guard let found = unsafe memchr(start, Int32(UInt8(ascii: "\n")), buffer.count - chunkPosition) else {
                return nil
            }
            return unsafe UnsafeRawPointer(found) - buffer.baseAddress!
        }
    }

    /// The current line's bytes including the trailing `\n` sentinel (empty after the end of input).
    ///
    /// The view points into `chunk` or `carry`, which are not mutated while `self` is borrowed: it is valid as long
    /// as the caller's borrow of the buffer lasts, and must not be used after the next mutation.
    @unsafe func lineBytes() -> UnsafeRawBufferPointer {
        let storage = unsafe (lineInCarry ? carry : chunk).withUnsafeBytes { unsafe $0 }
        guard lineEnd < storage.count else { return unsafe UnsafeRawBufferPointer(start: nil, count: 0) }
        // Safe: lineStart <= lineEnd < storage.count.
        return unsafe UnsafeRawBufferPointer(rebasing: storage[lineStart...lineEnd])
    }

    /// The bytes `start..<end` of the current line (offsets into the line), with the lifetime of `lineBytes()`.
    @inlinable @unsafe func lineView(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        guard let base = unsafe lineBase else { return unsafe UnsafeRawBufferPointer(start: nil, count: 0) }
        // Safe: the parser only makes references with lineStart + end <= lineEnd < storage.count.
        return unsafe UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    /// Calls `body` with the current line's bytes including the trailing `\n` sentinel.
    @safe func withLine<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let storage = lineInCarry ? carry : chunk
        return unsafe storage.withUnsafeBytes { buffer in
            // After the end of input there is no line: hand out an empty buffer.
            guard lineEnd < buffer.count else { return unsafe body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            // Safe: lineStart <= lineEnd < buffer.count and buffer[lineEnd] is the sentinel.
            return unsafe body(UnsafeRawBufferPointer(rebasing: buffer[lineStart...lineEnd]))
        }
    }
}
