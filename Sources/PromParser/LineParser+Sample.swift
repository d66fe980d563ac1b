extension _LineParser {
    /// Parses a sample line: `name{labels} value [timestamp] [# {exemplar labels} value [timestamp]]`.
    ///
    /// Text 0.0.4 (Prometheus' grammar): blanks and tabs between tokens, optional commas between label pairs, a
    /// trailing comma, an integer millisecond timestamp. OpenMetrics (its ABNF): single spaces, no whitespace in
    /// braces, float-seconds timestamps and exemplars.
    mutating func parseSample(into entry: inout _ParsedEntry) throws(PromParseError) {
        entry.kind = .sample
        if current != UInt8(ascii: "{") {
            entry.nameColumn = position + 1
            entry.name = scanMetricName(lastName: &entry.lastMetricName, repeated: &entry.nameRepeated)
            entry.hasName = true
        }
        var separated = false
        if isText {
            let before = position
            skipBlanks()
            separated = position > before
        }
        if current == UInt8(ascii: "{") {
            if entry.hasName {
                try parseSampleLabels(into: &entry)
            } else {
                entry.labelMemory.forget()
                try parseLabels(into: &entry, exemplar: false)
            }
            separated = isText
            if isText { skipBlanks() }
        } else {
            entry.labelMemory.forget()
        }
        guard entry.hasName else {
            throw failure(at: 0, "metric name not set while parsing: \(_goQuoted(_array(slice(0, length))))")
        }
        if !isText {
            guard current == UInt8(ascii: " ") else { throw expected("value after metric", at: position) }
            position &+= 1
        } else if !separated {
            throw expected("value after metric", at: position)
        }
        entry.valueColumn = position + 1
        entry.value = try scanFloat(what: "value after metric")
        // Most lines end after the value: only the rest goes to the outlined suffix parsers.
        if atEnd { return }
        if isText {
            try parseTextTimestamp(into: &entry)
        } else {
            try parseOpenMetricsSuffix(into: &entry)
        }
    }

    /// Reads a float token at `position`; an empty token is reported as a missing `what`.
    @inline(__always)
    mutating func scanFloat(what: @autoclosure () -> String) throws(PromParseError) -> Double {
        // Fast path for the common forms `digits` and `digits.digits` (at most 19 digits, exact as a double, so the
        // result is the one the general algorithm's Clinger path gives); anything else goes the general way.
        let start = position
        var index = start
        var mantissa: UInt64 = 0
        var digit = byte(index) &- UInt8(ascii: "0")
        if digit < 10 {
            repeat {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                index &+= 1
                digit = byte(index) &- UInt8(ascii: "0")
            } while digit < 10
            var fractionDigits = 0
            let sawPoint = byte(index) == UInt8(ascii: ".")
            if sawPoint {
                let fractionStart = index &+ 1
                index = fractionStart
                digit = byte(index) &- UInt8(ascii: "0")
                while digit < 10 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    index &+= 1
                    digit = byte(index) &- UInt8(ascii: "0")
                }
                fractionDigits = index &- fractionStart
            }
            let terminator = byte(index)
            let digitCount = index &- start &- (sawPoint ? 1 : 0)
            if (terminator == UInt8(ascii: " ") || terminator == UInt8(ascii: "\n")
                || (isText && terminator == UInt8(ascii: "\t"))) && digitCount <= 19 && mantissa <= 1 << 53
                && (fractionDigits > 0 || !sawPoint)
            {
                position = index
                return fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / _Number.powerOfTen(fractionDigits)
            }
        }
        return try scanFloatSlow(what: what())
    }

    /// `scanFloat` by the general algorithm.
    mutating func scanFloatSlow(what: String) throws(PromParseError) -> Double {
        let start = position
        let end = tokenEnd(from: start, stopAtTab: isText)
        guard end > start else { throw expected(what, at: start) }
        guard let value = _Number.parseFloat(slice(start, end)) else {
            throw failure(
                at: start,
                "expected a float, got \(_goQuoted(_array(slice(start, end)))) while parsing: "
                    + _goQuoted(_array(slice(0, end))))
        }
        position = end
        return value
    }

    /// Reads an OpenMetrics timestamp (a real number of seconds, no Inf/NaN) at `position`.
    mutating func scanSeconds(what: String) throws(PromParseError) -> Double {
        let start = position
        let value = try scanFloat(what: what)
        guard value.isFinite, !(byte(start) | 0x20 == UInt8(ascii: "n")) else {
            throw failure(at: start, "invalid \(what) \(_goQuoted(_array(slice(start, position))))")
        }
        return value
    }

    private mutating func parseTextTimestamp(into entry: inout _ParsedEntry) throws(PromParseError) {
        skipBlanks()
        if atEnd { return }
        let start = position
        let end = tokenEnd(from: start, stopAtTab: true)
        guard let milliseconds = _Number.parseInt64(slice(start, end)) else {
            throw failure(
                at: start,
                "expected an integer timestamp, got \(_goQuoted(_array(slice(start, end)))) while parsing: "
                    + _goQuoted(_array(slice(0, end))))
        }
        entry.hasTimestamp = true
        entry.timestampMilliseconds = milliseconds
        entry.timestampSeconds = Double(milliseconds) / 1000
        position = end
        skipBlanks()
        guard atEnd else { throw expected("next entry after timestamp", at: position) }
    }

    private mutating func parseOpenMetricsSuffix(into entry: inout _ParsedEntry) throws(PromParseError) {
        if atEnd { return }
        guard current == UInt8(ascii: " ") else { throw expected("timestamp or exemplar", at: position) }
        position &+= 1
        if current != UInt8(ascii: "#") {
            let seconds = try scanSeconds(what: "timestamp")
            entry.hasTimestamp = true
            entry.timestampSeconds = seconds
            entry.timestampMilliseconds = _Number.milliseconds(fromSeconds: seconds)
            if atEnd { return }
            guard current == UInt8(ascii: " ") else { throw expected("exemplar or end of line", at: position) }
            position &+= 1
            guard current == UInt8(ascii: "#") else { throw expected("exemplar after timestamp", at: position) }
        }
        try parseExemplar(into: &entry)
    }

    /// ` # {labels} value [timestamp]`, starting at the `#`.
    private mutating func parseExemplar(into entry: inout _ParsedEntry) throws(PromParseError) {
        position &+= 1
        guard current == UInt8(ascii: " ") else { throw expected("space after exemplar marker", at: position) }
        position &+= 1
        guard current == UInt8(ascii: "{") else { throw expected("exemplar labels", at: position) }
        try parseLabels(into: &entry, exemplar: true)
        guard current == UInt8(ascii: " ") else { throw expected("space after exemplar labels", at: position) }
        position &+= 1
        entry.hasExemplar = true
        entry.exemplarValue = try scanFloat(what: "value after exemplar labels")
        if atEnd { return }
        guard current == UInt8(ascii: " ") else { throw expected("exemplar timestamp", at: position) }
        position &+= 1
        let seconds = try scanSeconds(what: "exemplar timestamp")
        entry.exemplarHasTimestamp = true
        entry.exemplarTimestampSeconds = seconds
        entry.exemplarTimestampMilliseconds = _Number.milliseconds(fromSeconds: seconds)
        guard atEnd else { throw expected("end of line after exemplar timestamp", at: position) }
    }

    /// Parses `{...}` at `position`; a quoted string followed by `,` or `}` names the metric (UTF-8 name
    /// extension), except in an exemplar.
    mutating func parseLabels(into entry: inout _ParsedEntry, exemplar: Bool) throws(PromParseError) {
        position &+= 1
        if isText { skipBlanks() }
        if current == UInt8(ascii: "}") {
            position &+= 1
            return
        }
        if exemplar { entry.exemplarLabels.makeWritable() } else { entry.labels.makeWritable() }
        try unsafe parseLabelPairs(into: &entry, exemplar: exemplar)
    }

    /// `parseLabels` for a sample whose name precedes the braces: each label that is written as in the last sample
    /// line (at the same index) is taken over from `entry.labelMemory` instead of scanned, and the section is
    /// recorded there (see `_LabelMemory`).
    private mutating func parseSampleLabels(into entry: inout _ParsedEntry) throws(PromParseError) {
        let brace = position
        position &+= 1
        if isText { skipBlanks() }
        if current == UInt8(ascii: "}") {
            position &+= 1
            entry.labelMemory.forget()
            return
        }
        entry.labels.makeWritable()
        if let section = unsafe entry.labelMemory.section(in: generation) {
            let memory = entry.labelMemory
            let (shared, common) = unsafe sharedLabels(from: brace, section, entry)
            if shared > 0 {
                let stop = recordedExtent(of: shared - 1, entry).stop
                entry.labels.reuse(shared, shiftedBy: brace - memory.brace)
                entry.reusedLabels = shared >= 64 ? ~0 : (1 << UInt64(shared)) &- 1
                position = stop + brace - memory.brace
                if shared == memory.total {
                    recordLabels(brace: brace, into: &entry)
                    return
                }
            }
            // Label `shared` is known to differ; the bytes in common with the recorded line may still cover its name
            // (`knownNameLength`). When it is the recorded line's last one (a histogram bucket's `le`), the section
            // likely ends with it: it is read here when it is a plain pair. The labels after it are compared one by
            // one.
            var next = shared
            let matched = shared < memory.reusable ? common - (entry.labels.startOfStored(shared) - memory.brace) : 0
            if shared + 1 == memory.total {
                switch try parsePlainLabel(
                    into: &entry, knownName: knownNameLength(of: shared, entry, matched: matched))
                {
                case .closed:
                    recordLabels(brace: brace, into: &entry)
                    return
                case .continues: next = shared + 1
                case .notPlain: break
                }
            }
            // Safe: the recorded line is still in place (same generation); its labels' offsets are from its start.
            try unsafe parseLabelPairs(
                into: &entry, exemplar: false, recordedLine: section - memory.brace, from: next,
                comparingFrom: shared + 1, matched: next == shared ? matched : 0)
        } else {
            try unsafe parseLabelPairs(into: &entry, exemplar: false)
        }
        recordLabels(brace: brace, into: &entry)
    }

    /// What `parsePlainLabel` did.
    enum PlainLabel {
        /// It read a label pair and the closing brace.
        case closed
        /// It read a label pair and a separator; more labels follow.
        case continues
        /// The label does not start as a plain pair (a quoted name, or no `=` or `"` where they belong): nothing
        /// was read, `position` is unchanged.
        case notPlain
    }

    /// Reads the label pair at `position` and the separator after it as `parseLabelPairs` does (the same calls in
    /// the same order, so the same labels and errors), for a label with a legacy name; anything else is left to
    /// `parseLabelPairs` untouched. Inlined: a histogram bucket line takes over every label but its last, `le`, and
    /// reads that one here instead of in a call of the general loop.
    @inline(__always) private mutating func parsePlainLabel(
        into entry: inout _ParsedEntry, knownName: Int
    ) throws(PromParseError) -> PlainLabel {
        let start = position
        let name: _ByteRef
        if knownName > 0 {
            position = start + knownName
            name = _ByteRef(start: start, end: position, inScratch: false)
        } else {
            guard _isLabelNameStart(current) else { return .notPlain }
            name = scanName(metric: false)
        }
        if isText { skipBlanks() }
        guard current == UInt8(ascii: "=") else {
            position = start
            return .notPlain
        }
        position &+= 1
        if isText { skipBlanks() }
        guard current == UInt8(ascii: "\"") else {
            position = start
            return .notPlain
        }
        let value = try scanQuoted(into: &entry, what: "label value")
        entry.labels.append(_LabelRef(name: name, value: value, column: start + 1))
        if isText { skipBlanks() }
        return try labelSeparatorEndsLabels(exemplar: false) ? .closed : .continues
    }

    /// Where label `index` of the recorded line starts, where parsing went on after it and its separator, and the
    /// end of the bytes read for them (offsets in the recorded line): in text, when the labels went on, the
    /// separator's scan read the first byte of the next label too.
    @inline(__always) private func recordedExtent(
        of index: Int, _ entry: _ParsedEntry
    ) -> (start: Int, stop: Int, readEnd: Int) {
        let memory = entry.labelMemory
        let start = entry.labels.startOfStored(index)
        // Offsets within the recorded line (at most Int32.max): the sums do not overflow.
        let isLast = index &+ 1 == memory.total
        let stop = isLast ? memory.brace &+ memory.sectionEnd : entry.labels.startOfStored(index &+ 1)
        return (start, stop, isLast || !isText ? stop : stop &+ 1)
    }

    /// How many leading labels of the section at `brace` are written as in the recorded line, whose `{` is at
    /// `section`, and how many bytes the two sections have in common from their braces on: one comparison.
    @inline(__always) @unsafe private func sharedLabels(
        from brace: Int, _ section: UnsafeRawPointer, _ entry: _ParsedEntry
    ) -> (labels: Int, common: Int) {
        let memory = entry.labelMemory
        // Safe: brace < length, the current line holds length - brace bytes from it and the recorded one sectionEnd.
        let common = unsafe _commonPrefixLength(
            line.baseAddress! + brace, section, min(memory.sectionEnd, length - brace))
        // recordedExtent(of:_:) over the stored records at once: the label `count` is shared when the bytes it and
        // its separator were read from (up to the next label's start, or the section's end) are in common.
        let total = memory.total
        let sectionEnd = memory.brace + memory.sectionEnd
        let readsNext = isText ? 1 : 0
        let labels = unsafe entry.labels.withUnsafeStoredSlots(upTo: total) { slots in
            var count = 0
            while count < memory.reusable {
                // Safe: count + 1 < total == slots.count when not the last label.
                let readEnd =
                    count + 1 == total ? sectionEnd : unsafe slots[count + 1].ref.column - 1 + readsNext
                guard readEnd - memory.brace <= common else { break }
                count += 1
            }
            return count
        }
        return (labels, common)
    }

    /// The length of the name of the recorded line's label `index` when the `matched` bytes at `position`, which
    /// equal that label's first bytes, cover its name and the `="` after it; otherwise 0.
    ///
    /// The recorded name was scanned as a legacy name (its value starts two bytes after it, so neither a quoted
    /// name nor blanks came between), so every byte of it is a name byte and the byte after it, `=`, is not: a scan
    /// of the same bytes at `position` ends after as many bytes, followed by the same `="`.
    ///
    /// - Precondition: label `index` of the recorded line is still in the label storage (the current line has
    ///   not gone past it) and `index < entry.labelMemory.reusable` (it lies in the line), or `matched` is 0.
    @inline(__always) private func knownNameLength(of index: Int, _ entry: _ParsedEntry, matched: Int) -> Int {
        guard matched > 2 else { return 0 }
        let recorded = entry.labels.storedLabel(index)
        let nameCount = recorded.name.count
        guard recorded.value.start == recorded.name.end + 2 && nameCount + 2 <= matched else { return 0 }
        // "Two bytes apart" means `="` only for two line offsets. An unescaped name or value lives in the scratch
        // buffer, whose offsets are not line offsets; but the scratch holds only unescaped earlier tokens of the line,
        // each shorter than its escaped form, so a scratch offset stays below the line offset of anything after those
        // tokens and the test above cannot pass by coincidence. (A guard here measured +10 instructions per W1 sample.)
        assert(!recorded.name.inScratch && !recorded.value.inScratch, "scratch offsets two bytes apart by coincidence")
        return nameCount
    }

    /// Takes over label `index` of the recorded line (which starts at `recordedLine`) when the bytes at `position`
    /// are those it and its separator were read from; then `position` is where parsing continues after them.
    /// Otherwise `matched` is set to the number of bytes at `position` found equal to the recorded label's first
    /// bytes (see `knownNameLength`).
    @inline(__always) @unsafe private mutating func takeOverLabel(
        _ index: Int, from recordedLine: UnsafeRawPointer, into entry: inout _ParsedEntry, matched: inout Int
    ) -> Bool {
        let (start, stop, readEnd) = recordedExtent(of: index, entry)
        // Offsets within the lines (at most Int32.max): the sums do not overflow.
        let count = readEnd &- start
        guard position &+ count <= length else { return false }
        // Safe: the recorded line holds readEnd bytes; the current one length bytes (compared only within them).
        matched = unsafe _matchLength(line.baseAddress.unsafelyUnwrapped + position, recordedLine + start, count)
        guard matched == count else { return false }
        entry.labels.reuseNext(shiftedBy: position &- start)
        if index < 64 { entry.reusedLabels |= 1 << UInt64(index) }
        position &+= stop &- start
        return true
    }

    /// What `takeOverRest` found.
    enum RestOfSection {
        /// The rest of the section was taken over.
        case taken
        /// The bytes differ after `common` of them; `labelMayRepeat` tells whether label `index` and its separator
        /// may still be taken over on their own (the bytes in common cover them, or nothing was compared).
        case differs(common: Int, labelMayRepeat: Bool)
    }

    /// Takes over labels `index` to the last of the recorded line (which starts at `recordedLine`) when the bytes
    /// at `position` are those they and their separators were read from, up to the end of the section: the same
    /// test as `takeOverLabel` for each of them, in one comparison. Then `position` is after the section.
    ///
    /// - Precondition: `index < entry.labelMemory.total` and every recorded label lies in the line (`reusable ==
    ///   total`); labels `0..<index` of this line are in the list.
    @inline(__always) @unsafe private mutating func takeOverRest(
        from index: Int, _ recordedLine: UnsafeRawPointer, into entry: inout _ParsedEntry
    ) -> RestOfSection {
        let memory = entry.labelMemory
        let start = entry.labels.startOfStored(index)
        // Offsets within the lines (at most Int32.max): the sums do not overflow.
        let end = memory.brace &+ memory.sectionEnd
        let count = end &- start
        guard position &+ count <= length else { return .differs(common: 0, labelMayRepeat: true) }
        // Safe: the recorded line holds `end` bytes; the current one length bytes (compared only within them).
        let common = unsafe _matchLength(line.baseAddress.unsafelyUnwrapped + position, recordedLine + start, count)
        guard common == count else {
            return .differs(
                common: common, labelMayRepeat: common >= recordedExtent(of: index, entry).readEnd &- start)
        }
        let delta = position &- start
        var label = index
        while label < memory.total {
            entry.labels.reuseNext(shiftedBy: delta)
            if label < 64 { entry.reusedLabels |= 1 << UInt64(label) }
            label &+= 1
        }
        position &+= count
        return .taken
    }

    /// Records the label section that ends at `position` and started at `brace` in `entry.labelMemory`.
    @inline(__always) private func recordLabels(brace: Int, into entry: inout _ParsedEntry) {
        let total = entry.labels.count
        // Labels point into the scratch buffer only when it holds something (a sample's name before the braces never
        // does).
        let reusable = entry.scratch.isEmpty ? total : entry.labels.countInLine()
        // Safe: brace < length; the view is used only while the line's bytes stay in place (see _LabelMemory).
        unsafe entry.labelMemory.record(
            section: line.baseAddress! + brace, brace: brace, generation: generation, total: total,
            reusable: reusable, sectionEnd: position - brace)
    }

    /// The label pairs of `parseLabels`, from the first byte of a label name to the closing brace; with a
    /// `recordedLine` (the start of the line `entry.labelMemory` describes, still in place), each label written as
    /// there is taken over instead of scanned.
    ///
    /// Parsing starts at label `first` (the labels before it are already in `entry.labels`); labels from
    /// `comparingFrom` on are compared with the recorded line's, first all the rest of the section at once
    /// (`takeOverRest`).
    private mutating func parseLabelPairs(
        into entry: inout _ParsedEntry, exemplar: Bool, recordedLine: UnsafeRawPointer? = nil, from first: Int = 0,
        comparingFrom firstCompared: Int = 0, matched firstMatched: Int = 0
    ) throws(PromParseError) {
        var index = first
        var comparingFrom = firstCompared
        // The number of bytes at `position` known to equal the first bytes of the recorded line's label `index`.
        var matched = firstMatched
        while true {
            if index == comparingFrom, let recordedLine = unsafe recordedLine,
                entry.labelMemory.reusable == entry.labelMemory.total, index < entry.labelMemory.total
            {
                // The first label compared, and each after one that differed in its own bytes: all the rest of the
                // section at once (the two series of a W1 host differ only in their first label). When label `index`
                // itself differs, the comparison stands for its own (`matched`); otherwise it is compared on its own
                // and the labels after it one by one.
                switch unsafe takeOverRest(from: index, recordedLine, into: &entry) {
                case .taken: return
                case .differs(let common, let labelMayRepeat):
                    if !labelMayRepeat {
                        matched = common
                        comparingFrom = index &+ 1
                    }
                }
            }
            if let recordedLine = unsafe recordedLine, index >= comparingFrom, index < entry.labelMemory.reusable,
                unsafe takeOverLabel(index, from: recordedLine, into: &entry, matched: &matched)
            {
                if index &+ 1 == entry.labelMemory.total { return }
                index &+= 1
                continue
            }
            let knownName =
                unsafe recordedLine != nil && index < entry.labelMemory.reusable
                ? knownNameLength(of: index, entry, matched: matched) : 0
            matched = 0
            index &+= 1
            let start = position
            let first = current
            let name: _ByteRef
            if knownName > 0 {
                // The name, then `="` (see `knownNameLength`): the checks below would find the same. Only sample
                // labels are compared with the recorded line's.
                assert(!exemplar)
                name = _ByteRef(start: start, end: start &+ knownName, inScratch: false)
                position = start &+ knownName &+ 1
                let value = try scanQuoted(into: &entry, what: "label value")
                entry.labels.append(_LabelRef(name: name, value: value, column: start &+ 1))
                if isText { skipBlanks() }
                if try labelSeparatorEndsLabels(exemplar: exemplar) { return }
                continue
            }
            if _isLabelNameStart(first) {
                name = scanName(metric: false)
            } else if first == UInt8(ascii: "\"") && allowsQuotedNames {
                name = try scanQuoted(into: &entry, what: "label name")
            } else {
                throw expected("label name", at: start)
            }
            if isText { skipBlanks() }
            let next = current
            if first == UInt8(ascii: "\"") && (next == UInt8(ascii: ",") || next == UInt8(ascii: "}")) && !exemplar {
                guard !entry.hasName else {
                    throw failure(
                        at: start, "metric name already set while parsing: \(_goQuoted(_array(slice(0, position))))")
                }
                entry.name = name
                entry.hasName = true
                entry.nameColumn = start + 1
                entry.lastMetricName.removeAll(keepingCapacity: true)
            } else {
                guard next == UInt8(ascii: "=") else { throw expected("equal", at: position) }
                position &+= 1
                if isText { skipBlanks() }
                guard current == UInt8(ascii: "\"") else { throw expected("label value", at: position) }
                let value = try scanQuoted(into: &entry, what: "label value")
                let label = _LabelRef(name: name, value: value, column: start + 1)
                if exemplar { entry.exemplarLabels.append(label) } else { entry.labels.append(label) }
                if isText { skipBlanks() }
            }
            if try labelSeparatorEndsLabels(exemplar: exemplar) { return }
        }
    }

    /// Consumes what follows a label pair; returns `true` after the closing brace.
    @inline(__always) private mutating func labelSeparatorEndsLabels(exemplar: Bool) throws(PromParseError) -> Bool {
        let separator = current
        if separator == UInt8(ascii: "}") {
            position &+= 1
            return true
        }
        if separator == UInt8(ascii: ",") {
            position &+= 1
            if isText {
                skipBlanks()
                // Text 0.0.4 allows one trailing comma.
                if current == UInt8(ascii: "}") {
                    position &+= 1
                    return true
                }
            }
            return false
        }
        // Prometheus accepts label pairs without a comma between them in the text format.
        if isText && (_isLabelNameStart(separator) || (separator == UInt8(ascii: "\"") && allowsQuotedNames)) {
            return false
        }
        throw expected("comma or brace close", at: position)
    }
}
