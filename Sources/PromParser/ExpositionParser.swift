/// A streaming pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0.
///
/// Feed the exposition in chunks of any size, pull entries until the parser needs more input, and call
/// ``finish()`` at the end of input; the entries are the same whatever the chunking:
///
/// ```swift
/// var parser = ExpositionParser(format: .openMetrics)
/// for chunk in chunks {
///     parser.feed(chunk)
///     while let entry = try parser.next() { handle(entry, parser) }
/// }
/// parser.finish()
/// while let entry = try parser.next() { handle(entry, parser) }   // ends with .eof
/// ```
///
/// Modelled on Prometheus' `model/textparse`: ``next()`` returns an entry kind and the accessors read the current
/// entry, valid until the next call to ``next()`` or ``feed(_:)-(Array<UInt8>)``. The parser stores offsets, not
/// copies, and unescapes a label value only when it holds a backslash.
///
/// Performance: a line that lies inside one fed chunk is parsed in place; only a line split across chunks is copied
/// (into a reused carry buffer). Memory is at most one line plus constant state (plus, with
/// ``ParserOptions/Validation/strict``, 8-byte fingerprints of family and label-set names, see `PARSER.md`), and
/// after warm-up the streaming API allocates nothing per sample. Errors carry line and column.
///
/// Thread-safety: a value type with no shared state; use one parser from one thread at a time.
public struct ExpositionParser {
    /// The format being parsed.
    public let format: ExpositionFormat
    /// The parser's settings.
    public let options: ParserOptions

    /// The mutable state, behind one reference: the struct stays a few words, so that a caller that copies it (for
    /// example a closure that captures a `var parser`, which copies it out for every accessor call) copies little.
    /// Copied on write: a copy of the parser never sees the other copy's progress.
    @usableFromInline var _storage: _ParserStorage

    /// Creates a parser.
    ///
    /// - Parameters:
    ///   - format: the exposition format (see ``ExpositionFormat/init(contentType:)``).
    ///   - options: limits and validation level.
    public init(format: ExpositionFormat, options: ParserOptions = ParserOptions()) {
        self.format = format
        self.options = options
        self._storage = _ParserStorage(_ParserCore(format: format, options: options))
    }

    /// The parse state (read-only view, without a copy).
    var _core: _ParserCore {
        _read { yield _storage.core }
    }

    /// The current entry.
    var _entry: _ParsedEntry {
        _read { yield _storage.core._entry }
    }

    /// The line splitter.
    var _input: _LineBuffer {
        _read { yield _storage.core._input }
    }

    /// Makes the state unshared before a mutation.
    @inline(__always) mutating func _makeUnique() {
        if !isKnownUniquelyReferenced(&_storage) {
            _storage = _ParserStorage(_storage.core)
        }
    }

    /// Hands the parser the next chunk of input. The array is retained, not copied; unread bytes of the previous
    /// chunk (normally none, or an unfinished line) are kept.
    ///
    /// - Parameter chunk: the next bytes of the exposition; may be empty.
    /// - Precondition: ``finish()`` was not called.
    /// - Complexity: O(1), or O(rest of the previous chunk) when ``next()`` was not called until it returned `nil`.
    public mutating func feed(_ chunk: [UInt8]) {
        _makeUnique()
        _storage.core._input.feed(chunk)
    }

    /// Hands the parser the next chunk of input, copying it (for buffers that are reused by the caller). The copy
    /// goes into the parser's own chunk buffer, which is reused from one call to the next.
    ///
    /// - Parameter bytes: the next bytes of the exposition; copied before the call returns.
    /// - Precondition: ``finish()`` was not called.
    /// - Complexity: O(n) for the copy.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        _makeUnique()
        unsafe _storage.core._input.feed(copying: bytes)
    }

    /// Marks the end of input; ``next()`` then returns the remaining entries and finally ``PromEntry/eof``.
    public mutating func finish() {
        _makeUnique()
        _storage.core._input.finish()
    }

    /// Advances to the next entry.
    ///
    /// - Returns: the kind of the entry now current, or `nil` when more input is needed (or, after ``finish()``,
    ///   when ``PromEntry/eof`` was already returned).
    /// - Throws: ``PromParseError`` for invalid input. The error is sticky: every later call throws it again.
    /// - Complexity: O(length of the lines consumed).
    public mutating func next() throws(PromParseError) -> PromEntry? {
        _makeUnique()
        return try _storage.core.next()
    }

    /// The 1-based number of the line of the current entry.
    public var lineNumber: Int { _input.lineNumber }
}

/// The reference that holds an ``ExpositionParser``'s state.
///
/// Exclusivity is not checked dynamically: `core` is only mutated by the mutating methods of `ExpositionParser`,
/// which hold exclusive access to the parser and make the storage unique first, and only read by its non-mutating
/// accessors; so no two accesses to one storage's `core` overlap where one of them writes.
@usableFromInline final class _ParserStorage {
    @usableFromInline @exclusivity(unchecked) @safe var core: _ParserCore

    init(_ core: _ParserCore) {
        self.core = core
    }
}

/// The state and logic of ``ExpositionParser``.
@usableFromInline struct _ParserCore {
    let format: ExpositionFormat
    let options: ParserOptions

    @usableFromInline var _input: _LineBuffer
    @usableFromInline var _entry = _ParsedEntry()
    var _openMetrics = _OpenMetricsValidator()
    var _text = _TextValidator()
    var _screen = _LabelScreen()
    var _error: PromParseError? = nil
    var _sawEOFLine = false
    var _returnedEOF = false
    /// Whether a line may take over what the line before it had in common with it (the labels of
    /// `_LabelMemory`, `_ParsedEntry.nameRepeated`, the keys of `_LabelScreen`, the text validator's recent roles).
    /// Tests turn it off to compare the results with and without.
    var _usesLineMemory = true

    init(format: ExpositionFormat, options: ParserOptions) {
        self.format = format
        self.options = options
        // Offsets into a line are kept in 31 bits (_ByteRef); the public `var` may have been set to anything.
        self._input = _LineBuffer(maxLineLength: ParserOptions.clampedLineLength(options.maxLineLength))
    }

    mutating func next() throws(PromParseError) -> PromEntry? {
        if let error = _error { throw error }
        if _returnedEOF { return nil }
        do {
            return try _advance()
        } catch {
            _error = error
            throw error
        }
    }

    private mutating func _advance() throws(PromParseError) -> PromEntry? {
        while true {
            _entry.reset()
            switch _input.nextLine() {
            case .needMoreInput:
                return nil
            case .lineTooLong:
                throw PromParseError(
                    kind: .lineTooLong, line: _input.pendingLineNumber, column: options.maxLineLength + 1,
                    message: "line is longer than the maximum of \(options.maxLineLength) bytes")
            case .endOfInput:
                try _finishInput()
                _returnedEOF = true
                _entry.kind = .eof
                return .eof
            case .line:
                if let kind = try _parseCurrentLine() { return kind }
            }
        }
    }

    private mutating func _finishInput() throws(PromParseError) {
        guard format == .openMetrics, !_sawEOFLine else { return }
        throw PromParseError(
            kind: .unexpectedEnd, line: max(_input.lineNumber, 1), column: 1, message: "data does not end with # EOF")
    }

    @inline(__always) private mutating func _parseCurrentLine() throws(PromParseError) -> PromEntry? {
        // Safe: a line is current, so lineBase points at it in chunk or carry, followed by its '\n' sentinel at
        // lineEnd (_LineBuffer invariant); parsing mutates _entry and the validators, never those arrays, and self
        // keeps them alive.
        let line = unsafe UnsafeRawBufferPointer(start: _input.lineBase, count: _input.lineEnd - _input.lineStart + 1)
        return try _parse(line)
    }

    @inline(__always) @safe
    private mutating func _parse(_ line: UnsafeRawBufferPointer) throws(PromParseError) -> PromEntry? {
        let number = _input.lineNumber
        var parser = _LineParser(
            line: line, lineNumber: number, hadNewline: _input.lineHadNewline, format: format,
            allowsQuotedNames: options.allowsQuotedNames, generation: _input.generation)
        let strict = options.validation == .strict
        if !_usesLineMemory { _forgetEarlierLines() }
        if format == .openMetrics {
            if _sawEOFLine { throw parser.failure(at: 0, "unexpected data after # EOF") }
            if try parser.parseOpenMetricsLine(into: &_entry) {
                _sawEOFLine = true
                if strict { try _openMetrics.finish(line: number) }
                return nil
            }
        } else if try !parser.parseTextLine(into: &_entry) {
            return nil
        }
        if strict && _entry.kind != .comment { try _validate(line, lineNumber: number) }
        return _entry.kind
    }

    /// Drops what the next line could take over from earlier lines (for `_usesLineMemory == false`).
    @inline(never) private mutating func _forgetEarlierLines() {
        _entry.labelMemory.forget()
        _entry.lastMetricName.removeAll()
        _screen = _LabelScreen()
        _text.forgetRecentRoles()
    }

    @safe private mutating func _validate(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(PromParseError) {
        // Safe: the validators read the scratch buffer but never mutate _entry, so its storage stays in place (and
        // alive, owned by self) for the whole call.
        let scratch = unsafe _entry.scratch.withUnsafeBytes { unsafe $0 }
        let bytes = unsafe _EntryBytes(line: line, scratch: scratch)
        if _openMetrics.inBucketRun, try _validateNextBucket(bytes, lineNumber: lineNumber) { return }
        try _validate(bytes, lineNumber: lineNumber)
    }

    /// Checks the current entry when it is the next bucket of a histogram MetricPoint: a sample whose name and
    /// labels are the last sample's (a bucket, `_OpenMetricsValidator.inBucketRun`) but for the value of `le`, so
    /// that its group is the last sample's (see `_LabelScreen.labelsRepeat(but:_:_:reused:)` and
    /// `_OpenMetricsValidator.nextBucket`); returns `false`, having checked nothing, for any other entry.
    ///
    /// Out of line, so that the path of other samples (`_validate`) stays as it was; only called while
    /// `inBucketRun`, which only OpenMetrics sets.
    @inline(never) private mutating func _validateNextBucket(
        _ bytes: _EntryBytes, lineNumber: Int
    ) throws(PromParseError) -> Bool {
        guard _entry.kind == .sample && _entry.nameRepeated && !_entry.hasExemplar && _entry.exemplarLabels.isEmpty,
            _screen.labelsRepeat(
                but: _openMetrics.bucketLeIndex, _entry.labels, bytes, reused: _entry.reusedLabels)
        else { return false }
        try _openMetrics.nextBucket(&_entry, bytes, line: lineNumber)
        return true
    }

    private mutating func _validate(_ bytes: _EntryBytes, lineNumber: Int) throws(PromParseError) {
        if _entry.kind == .sample {
            // One pass screens the label names and (OpenMetrics) fingerprints the labels; the full name check runs
            // only when the screen found two similar names or `__name__`.
            let reused = _entry.reusedLabels
            let pass = _screen.run(&_entry.labels, bytes, fingerprints: format == .openMetrics, reused: reused)
            if format == .openMetrics { _openMetrics.touchGroup(pass.fingerprintSum) }
            if pass.suspicious { try _checkLabelNames(_entry.labels, bytes, line: lineNumber) }
            if !_entry.exemplarLabels.isEmpty { try _checkLabelNames(_entry.exemplarLabels, bytes, line: lineNumber) }
            // `&_entry`: passed by address; a borrowed `_entry` would be copied for the call.
            if format == .openMetrics {
                try _openMetrics.sample(&_entry, bytes, pass: pass, line: lineNumber)
            } else {
                try _text.sample(&_entry, bytes, pass: pass, line: lineNumber)
            }
        } else if format == .openMetrics {
            try _openMetrics.metadata(_entry, bytes, line: lineNumber)
        } else {
            try _text.metadata(_entry, bytes, line: lineNumber)
        }
    }
}
