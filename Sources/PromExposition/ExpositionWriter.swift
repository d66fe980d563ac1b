import PromCore

/// Writes a registry's exposition in Prometheus text 0.0.4 or OpenMetrics 1.0 into a reused buffer.
///
/// Families come out sorted by name, series in creation order. Each series' label set was escaped
/// once, when it was created, so a render copies bytes and formats numbers; a steady-state render (no
/// series added since the last one) allocates nothing. Histograms are read bucket by bucket and cumulated
/// here: `_count` is the `+Inf` bucket, and no bucket is ever seen to decrease.
///
/// Thread safety: a writer keeps scratch state; use one writer per concurrent scrape. Any number of
/// writers may render the same registry while other threads update it.
/// Performance: about 29 ns per counter series of the W1 workload (225 bytes each, 7.6 GB/s).
@safe
public final class ExpositionWriter {
    /// The format written.
    public let format: ExpositionWriterFormat
    private var chunk = unsafe ContiguousArray<Unmanaged<SeriesCell>>()

    /// Creates a writer.
    ///
    /// - Parameter format: The exposition format.
    public init(format: ExpositionWriterFormat) {
        self.format = format
        unsafe chunk.reserveCapacity(512)
    }

    /// Appends the whole exposition of `registry` to `buffer`.
    ///
    /// - Parameters:
    ///   - registry: What to write.
    ///   - buffer: Where the bytes go; it grows as needed and keeps its capacity between scrapes.
    ///   - include: Which families to write (by registered name); `nil` writes all.
    public func write(_ registry: Registry, into buffer: ExpositionBuffer, include: Set<String>? = nil) {
        write(registry, into: buffer, include: include, flushThreshold: Int.max) { _ in }
    }

    /// Writes the exposition of `registry` in pieces: whenever `buffer` holds `flushThreshold` bytes or
    /// more, `flush` gets it, then the buffer is cleared. The last piece is left in `buffer`.
    ///
    /// Use it to stream a large exposition into a compressor or a socket with bounded memory.
    ///
    /// - Parameters:
    ///   - registry: What to write.
    ///   - buffer: The reused piece buffer.
    ///   - include: Which families to write; `nil` writes all.
    ///   - flushThreshold: The piece size, in bytes.
    ///   - flush: Consumes a piece; an error stops the render and is rethrown.
    /// - Throws: What `flush` throws.
    public func write(
        _ registry: Registry, into buffer: ExpositionBuffer, include: Set<String>? = nil, flushThreshold: Int,
        flush: (ExpositionBuffer) throws -> Void
    ) rethrows {
        for family in registry.sortedFamilies {
            if let include, !include.contains(family.descriptor.name) { continue }
            let rendering = FamilyRendering.of(family)
            try writeFamily(family, rendering, into: buffer, flushThreshold: flushThreshold, flush: flush)
        }
        if format == .openMetrics {
            let eof: StaticString = "# EOF\n"
            unsafe buffer.append(UnsafeRawBufferPointer(start: eof.utf8Start, count: eof.utf8CodeUnitCount))
        }
    }

    private func writeFamily(
        _ family: FamilyCore, _ rendering: FamilyRendering, into buffer: ExpositionBuffer, flushThreshold: Int,
        flush: (ExpositionBuffer) throws -> Void
    ) rethrows {
        let openMetrics = format == .openMetrics
        buffer.append(openMetrics ? rendering.openMetricsHeader : rendering.textHeader)
        let type = family.descriptor.type
        // The sample name of counters and gauges, read once per family rather than retained per series.
        let lineName = type == .counter && openMetrics ? rendering.openMetricsValueName : rendering.textValueName
        try unsafe lineName.withUnsafeBytes { lineName in
            unsafe try family.forEachChunk(&chunk) { cells in
                for index in 0..<cells.count {
                    // Safe: index < cells.count; the cells stay alive for the read section (see forEachChunk).
                    unsafe cells[index]._withUnsafeGuaranteedRef { cell in
                        switch type {
                        case .counter:
                            unsafe writeLine(name: lineName, cell: cell, into: buffer)
                            let parts = Counter.parts(of: cell)
                            if parts.float == 0 {
                                NumberFormatting.append(parts.integer, to: buffer)
                            } else {
                                NumberFormatting.append(Double(parts.integer) + parts.float, to: buffer)
                            }
                            buffer.appendReserved(UInt8(ascii: "\n"))
                        case .gauge:
                            unsafe writeLine(name: lineName, cell: cell, into: buffer)
                            NumberFormatting.append(Gauge.value(of: cell), to: buffer)
                            buffer.appendReserved(UInt8(ascii: "\n"))
                        case .histogram:
                            writeHistogram(cell, rendering, into: buffer)
                        }
                    }
                }
            } between: {
                if buffer.byteCount >= flushThreshold {
                    try flush(buffer)
                    buffer.removeAll()
                }
            }
        }
    }

    /// Writes `name{labels} ` and reserves room for a number and the line feed.
    @inline(__always)
    private func writeLine(name: UnsafeRawBufferPointer, cell: SeriesCell, into buffer: ExpositionBuffer) {
        let labels = unsafe cell.labelBytes
        buffer.reserve(name.count + labels.count + 4 + NumberFormatting.maximumLength)
        unsafe buffer.appendReserved(name)
        if unsafe !labels.isEmpty {
            buffer.appendReserved(UInt8(ascii: "{"))
            unsafe buffer.appendReserved(labels)
            buffer.appendReserved(UInt8(ascii: "}"))
        }
        buffer.appendReserved(UInt8(ascii: " "))
    }

    private func writeHistogram(_ cell: SeriesCell, _ rendering: FamilyRendering, into buffer: ExpositionBuffer) {
        let labels = unsafe cell.labelBytes
        var cumulative: UInt64 = 0
        for (index, bucketLabel) in rendering.bucketLabels.enumerated() {
            cumulative &+= Histogram.bucketCount(of: cell, at: index)
            buffer.reserve(
                rendering.bucketName.count + labels.count + bucketLabel.count + 5 + NumberFormatting.maximumLength)
            unsafe rendering.bucketName.withUnsafeBytes { unsafe buffer.appendReserved($0) }
            buffer.appendReserved(UInt8(ascii: "{"))
            if unsafe !labels.isEmpty {
                unsafe buffer.appendReserved(labels)
                buffer.appendReserved(UInt8(ascii: ","))
            }
            unsafe bucketLabel.withUnsafeBytes { unsafe buffer.appendReserved($0) }
            buffer.appendReserved(UInt8(ascii: "}"))
            buffer.appendReserved(UInt8(ascii: " "))
            NumberFormatting.append(cumulative, to: buffer)
            buffer.appendReserved(UInt8(ascii: "\n"))
        }
        unsafe rendering.sumName.withUnsafeBytes { unsafe writeLine(name: $0, cell: cell, into: buffer) }
        NumberFormatting.append(Histogram.sum(of: cell, bucketCount: rendering.bucketLabels.count), to: buffer)
        buffer.appendReserved(UInt8(ascii: "\n"))
        unsafe rendering.countName.withUnsafeBytes { unsafe writeLine(name: $0, cell: cell, into: buffer) }
        NumberFormatting.append(cumulative, to: buffer)
        buffer.appendReserved(UInt8(ascii: "\n"))
    }
}
