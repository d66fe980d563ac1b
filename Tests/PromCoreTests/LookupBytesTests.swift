import PromTestSupport
import Testing

@testable import PromCore

/// Lookups of `String` values through their written label set (`FamilyCore.lookUpByBytes`), checked against the
/// other lookup paths (`Substring` values take the label walk) and against the label sets themselves: every lookup
/// finds the one series of its values, whatever path created it.
@Suite struct LookupBytesTests {
    private func core(_ labelNames: [String]) throws -> FamilyCore {
        try Registry().counterFamily("m_total", help: "h", labelNames: labelNames).core
    }

    /// The same bytes as `value` in native (heap) storage, even when short enough for a small string.
    private func native(_ value: String) -> String {
        var copy = String(decoding: Array(value.utf8), as: UTF8.self)
        copy.reserveCapacity(64)
        return copy
    }

    /// What the byte lookup alone answers (a miss there would still be found by `createCell` under the stripe lock, so
    /// lookups through `cell(for:)` cannot tell a byte lookup that misses from one that finds).
    private enum Outcome: Equatable {
        case found(ObjectIdentifier)
        case missing
        case unsupported
    }

    private func byBytes(_ core: FamilyCore, _ values: [String]) -> Outcome {
        guard let joiners = unsafe core.lookupJoiners else { return .unsupported }
        switch unsafe core.lookUpByBytes(values, joiners: joiners, { ObjectIdentifier($0) }) {
        case .found(let cell): return .found(cell)
        case .missing: return .missing
        case .unsupported: return .unsupported
        }
    }

    @Test func everyLabelledFamilyLooksUpByBytes() throws {
        #expect(
            unsafe try core(["type", "task_type", "host_type", "host_id", "host_ip", "host_name"]).lookupJoiners != nil)
        // Joiners of 16 bytes (a 12-character name) are two words; longer ones sit in the table's byte area.
        #expect(unsafe try core(["a", "an_eleven_ch"]).lookupJoiners != nil)
        #expect(unsafe try core(["a", "a_twelve_chars", String(repeating: "n", count: 90)]).lookupJoiners != nil)
        let unlabelled = try Registry().counterFamily("u_total", help: "h", labelNames: []).core
        #expect(unsafe unlabelled.lookupJoiners == nil)
    }

    /// The joiners the table keeps, short and long, are the bytes between a stored set's values.
    @Test func joinersAreTheBytesBetweenStoredValues() throws {
        let names = ["a", "an_eleven_ch", "thirteen_char", "a_twelve_chars", String(repeating: "n", count: 90), "b"]
        let core = try core(names)
        let layout = core.labelLayout
        let words = unsafe layout.words!
        for (label, name) in names.enumerated() {
            let expected = Array(((label > 0 ? "\"," : "") + name + "=\"").utf8)
            let entry = unsafe words + LabelLayout.wordsPerLabel * label
            #expect(unsafe Int(entry[2]) == expected.count)
            #expect(unsafe Int(entry[3]) == expected.count - (label > 0 ? 1 : 0))
            let start =
                expected.count <= 16 ? UnsafeRawPointer(entry) : unsafe UnsafeRawPointer(words) + Int(entry[0])
            #expect(unsafe Array(UnsafeRawBufferPointer(start: start, count: expected.count)) == expected, "\(label)")
        }
        #expect(layout.prefixTotal == names.enumerated().map { ($0 > 0 ? 1 : 0) + $1.utf8.count + 2 }.reduce(0, +))
    }

    /// Random label sets over an alphabet of the bytes that escaping and the raw compare care about: each lookup,
    /// by `String` (small or native) or by `Substring`, finds the series of exactly its values.
    @Test(arguments: [
        ["a", "b"], ["x", "yy", "zzz"], ["a", "a_twelve_chars", "c"], ["a", "thirteen_char"],
        [String(repeating: "n", count: 40), "b"],
        ["only"],
    ])
    func everyLookupFindsTheSeriesOfItsValues(labelNames: [String]) throws {
        let core = try core(labelNames)
        var random = SplitMix64(state: 0x5EED_0000 &+ UInt64(labelNames.count))
        let alphabet: [UInt8] = Array("ab\"\\\n=,".utf8)
        func value() -> String {
            let length =
                Int.random(in: 0...8, using: &random) == 0
                ? Int.random(in: 16...70, using: &random)
                : Int.random(in: 0...4, using: &random)
            return String(
                decoding: (0..<length).map { _ in alphabet.randomElement(using: &random)! }, as: UTF8.self)
        }
        var series: [[String]: ObjectIdentifier] = [:]
        for round in 0..<6_000 {
            let values = (0..<labelNames.count).map { _ in value() }
            let cell: SeriesCell
            switch round % 3 {
            case 0: cell = core.cell(for: values)
            case 1: cell = core.cell(for: values.map(native))
            default: cell = core.cell(for: values.map { $0[...] })
            }
            if let known = series[values] {
                #expect(ObjectIdentifier(cell) == known, "\(values)")
            } else {
                series[values] = ObjectIdentifier(cell)
            }
            let expected = Outcome.found(ObjectIdentifier(cell))
            #expect(byBytes(core, values) == expected, "\(values)")
            #expect(byBytes(core, values.map(native)) == expected, "\(values)")
            #expect(core.seriesCount == series.count, "\(values)")
        }
        // Every series again, by every path.
        for (values, known) in series {
            #expect(ObjectIdentifier(core.cell(for: values)) == known)
            #expect(ObjectIdentifier(core.cell(for: values.map(native))) == known)
            #expect(ObjectIdentifier(core.cell(for: values.map { $0[...] })) == known)
        }
        #expect(Set(series.values).count == series.count)
        #expect(core.seriesCount == series.count)
    }

    /// Stored `x="a",y="bcdef"`: written unescaped, the values `a",y=` and `f` fill the same bytes, but they are another
    /// label set (a raw set holds two quotes per label; these bytes hold one more).
    @Test func aQuotedValueNeverTakesARawSeries() throws {
        let core = try core(["x", "y"])
        let raw = core.cell(for: ["a", "bcdef"])
        for rest in ["", "f", "ef", "def"] {
            let quoted = core.cell(for: [#"a",y=""#, rest])
            #expect(quoted !== raw)
            #expect(core.cell(for: [#"a",y=""#, rest]) === quoted)
        }
        // A value that continues past a stored set's end: the bytes up to the set's length are equal.
        let short = core.cell(for: ["a", "b"])
        #expect(byBytes(core, ["a", #"b"c"#]) == .missing)
        #expect(core.cell(for: ["a", #"b"c"#]) !== short)
        #expect(byBytes(core, ["a", #"b"c"#]) == .found(ObjectIdentifier(core.cell(for: ["a", #"b"c"#]))))
        let backslash = core.cell(for: [#"a\"#, "bcdef"])
        let newline = core.cell(for: ["a\n", "bcdef"])
        #expect(backslash !== raw && newline !== raw && backslash !== newline)
        #expect(core.cell(for: ["a", "bcdef"]) === raw)
        #expect(core.cell(for: [#"a\"#, "bcdef"]) === backslash)
        // Escaped series are found through the label walk inside the byte lookup.
        #expect(byBytes(core, [#"a\"#, "bcdef"]) == .found(ObjectIdentifier(backslash)))
        #expect(byBytes(core, ["a\n", "bcdef"]) == .found(ObjectIdentifier(newline)))
        #expect(byBytes(core, ["a", "bcdef"]) == .found(ObjectIdentifier(raw)))
        #expect(core.seriesCount == 9)
    }

    /// Label sets from 400 to 600 bytes: under the 512-byte buffer they are looked up by bytes, over it by the label
    /// walk; both paths hash alike, so each set is one series whichever path created or finds it.
    @Test(arguments: [["a", "b", "c"], ["a", String(repeating: "n", count: 30), "c"]])
    func labelSetsAroundTheBufferSizeAreOneSeriesByEveryPath(labelNames: [String]) throws {
        let core = try core(labelNames)
        var cells: [ObjectIdentifier] = []
        var outcomes = (found: 0, unsupported: 0)
        for length in 390...600 {
            let values = [
                "v", String(repeating: "x", count: length / 2), String(repeating: "y", count: length - length / 2),
            ]
            let created = length % 2 == 0 ? core.cell(for: values) : core.cell(for: values.map { $0[...] })
            #expect(core.cell(for: values) === created, "\(length)")
            #expect(core.cell(for: values.map(native)) === created, "\(length)")
            #expect(core.cell(for: values.map { $0[...] }) === created, "\(length)")
            switch byBytes(core, values) {
            case .found(let cell):
                #expect(cell == ObjectIdentifier(created), "\(length)")
                outcomes.found += 1
            case .unsupported: outcomes.unsupported += 1
            case .missing: Issue.record("\(length): a byte lookup missed an existing series")
            }
            cells.append(ObjectIdentifier(created))
        }
        #expect(outcomes.found > 50 && outcomes.unsupported > 50)
        #expect(Set(cells).count == cells.count)
        #expect(core.seriesCount == cells.count)
    }

    /// Values one byte, one length or one label away from a stored W1 set never find it.
    @Test func nearMissesOfAW1SetAreOtherSeries() throws {
        let core = try core(["type", "task_type", "host_type", "host_id", "host_ip", "host_name"])
        let stored = [
            "download", "persistent_cache", "strong", String(repeating: "0123456789abcdef", count: 4), "10.0.1.2",
            "host-000001",
        ]
        let cell = core.cell(for: stored)
        var others = 0
        for label in stored.indices {
            var bytes = Array(stored[label].utf8)
            var variants: [[UInt8]] = [bytes + [UInt8(ascii: "x")], Array(bytes.dropLast()), []]
            for index in bytes.indices {
                let original = bytes[index]
                bytes[index] = original ^ 1
                variants.append(bytes)
                bytes[index] = original
            }
            for variant in variants {
                var values = stored
                values[label] = String(decoding: variant, as: UTF8.self)
                guard values != stored else { continue }
                #expect(byBytes(core, values) == .missing, "\(values)")
                #expect(core.cell(for: values) !== cell, "\(values)")
                others += 1
            }
        }
        // Two neighbouring values swapped keep the total length.
        #expect(core.cell(for: [stored[0], stored[2], stored[1]] + stored[3...]) !== cell)
        #expect(core.cell(for: stored) === cell)
        #expect(byBytes(core, stored) == .found(ObjectIdentifier(cell)))
        #expect(core.seriesCount == others + 2)
    }
}
