import PromTestSupport
import Testing

@testable import PromCore

/// The label-set compare behind lookups (`FamilyCore.matches`), tested apart from hashing: a lookup whose
/// hash collides with another series must still never be taken for it.
@Suite struct LabelMatchTests {
    private func core(_ labelNames: [String]) throws -> FamilyCore {
        try Registry().counterFamily("m_total", help: "h", labelNames: labelNames).core
    }

    /// The label walk's answer, after checking that the byte compare of `lookUpByBytes` (where the family has one)
    /// gives the same.
    private func matches(
        _ core: FamilyCore, stored: [String], lookedUp: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let cell = core.makeCell(for: stored, hash: 2)
        let raw = unsafe LabelSetEncoding.isRaw(cell.labelBytes)
        let walked = core.matches(cell, lookedUp, raw: raw)
        if let joiners = unsafe core.lookupJoiners {
            unsafe withUnsafeTemporaryAllocation(byteCount: FamilyCore.lookupBytesCapacity, alignment: 16) { buffer in
                var hasher = LabelHasher(seed: 1)
                let base = buffer.baseAddress!
                if let length = unsafe core.writeLabelSet(
                    lookedUp, joiners: joiners, longJoiners: !core.labelLayout.joinersAreShort, into: base,
                    hasher: &hasher)
                {
                    let written = unsafe core.matchesWritten(cell, raw: raw, lookedUp, written: base, length: length)
                    #expect(written == walked, "\(stored) \(lookedUp)", sourceLocation: sourceLocation)
                }
            }
        }
        return walked
    }

    @Test func aRawQuoteCannotSpanTheClosingQuoteAndTheNextLabelName() throws {
        // Stored `x="a",y="bcdef"`: the raw values `a",y=` and `f` cover the same bytes when the compare
        // skips label names, but they are another label set.
        let core = try core(["x", "y"])
        #expect(!matches(core, stored: ["a", "bcdef"], lookedUp: [#"a",y="#, "f"]))
        #expect(matches(core, stored: ["a", "bcdef"], lookedUp: ["a", "bcdef"]))
        // Written unescaped, `b"c` continues past the end of the stored `x="a",y="b"`.
        #expect(!matches(core, stored: ["a", "b"], lookedUp: ["a", #"b"c"#]))
        #expect(!matches(core, stored: ["a", #"b"c"#], lookedUp: ["a", "b"]))
        // The same with a next value of every small length (each compare path): only the quote expected before
        // the shifted next value tells the two apart.
        for count in 0...15 {
            let rest = String(repeating: "f", count: count)
            #expect(!matches(core, stored: ["a", "bcde" + rest], lookedUp: [#"a",y="#, rest]), "\(count)")
            #expect(matches(core, stored: ["a", "bcde" + rest], lookedUp: ["a", "bcde" + rest]))
        }
    }

    @Test func aRawBackslashCannotEqualHalfAnEscapeSequence() throws {
        // Stored `x="a\"",y="b"` (x is `a"`): the raw `a\` equals the stored bytes before a quote.
        let core = try core(["x", "y"])
        #expect(!matches(core, stored: [#"a""#, "b"], lookedUp: [#"a\"#, #""b"#]))
        #expect(matches(core, stored: [#"a""#, "b"], lookedUp: [#"a""#, "b"]))
    }

    @Test func randomLabelSetsMatchExactlyWhenEqual() throws {
        // An alphabet rich in the bytes the encoding escapes or uses as structure.
        let alphabet: [String] = ["a", "b", "c", "d", "\"", "\\", "\n", ",", "=", "\",y=\"", "é"]
        var random = SplitMix64(state: 0x5EED_1AB3)
        func value() -> String {
            (0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        let core = try core(["x", "y", "z"])
        var equalPairs = 0
        for _ in 0..<20_000 {
            let stored = [value(), value(), value()]
            // Most lookups are near misses: one value changed, or the stored bytes split at another place
            // (a value swallowing the next label's name and part of its value, as a raw quote could).
            var lookedUp = stored
            switch Int.random(in: 0..<4, using: &random) {
            case 0: lookedUp[Int.random(in: 0..<3, using: &random)] = value()
            case 1:
                let label = Int.random(in: 0..<2, using: &random)
                let next = Array(stored[label + 1])
                let cut = Int.random(in: 0...next.count, using: &random)
                lookedUp[label] += "\",\(["x", "y", "z"][label + 1])=\"" + String(next[..<cut])
                lookedUp[label + 1] = String(next[cut...])
            case 2:
                // `a",y=` then the next value without its first 4 bytes (the length of `,y="`): equal bytes
                // when a compare skips label names.
                let label = Int.random(in: 0..<2, using: &random)
                lookedUp[label] += "\",\(["x", "y", "z"][label + 1])="
                lookedUp[label + 1] = String(decoding: stored[label + 1].utf8.dropFirst(4), as: UTF8.self)
            default: break
            }
            if lookedUp == stored { equalPairs += 1 }
            #expect(
                matches(core, stored: stored, lookedUp: lookedUp) == (lookedUp == stored),
                "stored \(stored), looked up \(lookedUp)")
        }
        #expect(equalPairs > 3_000)
    }

    /// The same bytes as `value` in native (heap) storage, even when short enough for a small string.
    private func native(_ value: String) -> String {
        var copy = String(decoding: Array(value.utf8), as: UTF8.self)
        copy.reserveCapacity(64)
        return copy
    }

    @Test func stringsAreReadInPlaceOnThisPlatform() {
        // The lookup fast path (StringRepresentation) must be in use here; if a toolchain changes the layout,
        // lookups fall back to the public API and this test says so.
        #expect(StringRepresentation.isVerified)
        #expect(StringRepresentation("download").isSmall)
        #expect(StringRepresentation(native("download")).isTailAllocated)
    }

    @Test func inPlaceHashesEqualHashesThroughThePublicAPI() {
        var random = SplitMix64(state: 0x4A5B_6C7D)
        let alphabet: [UInt8] = Array("ab\"\\\n=,é".utf8) + [0, 0x7F]
        for _ in 0..<5_000 {
            let values = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                String(
                    decoding: (0..<Int.random(in: 0...40, using: &random)).map { _ in
                        alphabet.randomElement(using: &random)!
                    }, as: UTF8.self)
            }
            let reference = LabelHasher.hashing(values, seed: 7, readsStrings: false)
            for form in [values, values.map(native), values.map { String($0[...]) }] {
                let inPlace = LabelHasher.hashing(form, seed: 7, readsStrings: true)
                #expect(inPlace.finalized == reference.finalized, "\(values)")
            }
            let substrings = LabelHasher.hashing(values.map { $0[...] }, seed: 7, readsStrings: true)
            #expect(substrings.finalized == reference.finalized)
        }
    }

    @Test func smallValuesMatchExactlyWhateverTheirPlaceInTheLabelSet() throws {
        // Label names of every length put a short value's 16-byte window at the start, the end and the middle
        // of the stored set; values are compared in small and native form, with near misses of one byte or
        // one length, NUL bytes included.
        var random = SplitMix64(state: 0x0BAD_CAFE)
        let alphabet: [UInt8] = Array("abc\"\\\n".utf8) + [0]
        func value() -> [UInt8] {
            (0..<Int.random(in: 0...15, using: &random)).map { _ in
                Int.random(in: 0..<4, using: &random) == 0
                    ? alphabet.randomElement(using: &random)! : UInt8(ascii: "a")
            }
        }
        for round in 0..<400 {
            let names = (0..<Int.random(in: 1...3, using: &random)).map { index in
                String(repeating: "n", count: Int.random(in: 1...12, using: &random)) + "\(index)"
            }
            let core = try core(names)
            for _ in 0..<25 {
                let stored = names.map { _ in value() }
                var lookedUp = stored
                let label = Int.random(in: 0..<names.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !lookedUp[label].isEmpty:
                    lookedUp[label][Int.random(in: 0..<lookedUp[label].count, using: &random)] ^= 1
                case 1: lookedUp[label].append(alphabet.randomElement(using: &random)!)
                case 2 where !lookedUp[label].isEmpty: lookedUp[label].removeLast()
                default: break
                }
                let storedStrings = stored.map { String(decoding: $0, as: UTF8.self) }
                let lookedUpStrings = lookedUp.map { String(decoding: $0, as: UTF8.self) }
                let equal = lookedUpStrings == storedStrings
                #expect(matches(core, stored: storedStrings, lookedUp: lookedUpStrings) == equal, "round \(round)")
                #expect(matches(core, stored: storedStrings, lookedUp: lookedUpStrings.map(native)) == equal)
            }
        }
    }

    @Test func smallValuesOfEveryLengthMatchOnlyThemselvesAtEveryOffset() throws {
        // The word compares of a small value against a raw set (one load up to 6 bytes, two from 7 to 14, the byte
        // compare at 15 or near the set's start), for every length, label place and name length: the value
        // matches itself, and no value one byte, one length or one quote away.
        for nameLength in 1...9 {
            let names = [String(repeating: "n", count: nameLength), "b", "c"]
            let core = try core(names)
            for place in 0..<3 {
                for count in 0...15 {
                    let value = (0..<count).map { UInt8(ascii: "a") + UInt8($0) }
                    var stored = ["s", "tt", "uuu"]
                    stored[place] = String(decoding: value, as: UTF8.self)
                    #expect(matches(core, stored: stored, lookedUp: stored), "\(names) \(stored)")
                    var nearMisses: [[UInt8]] = (0..<count).map { index in
                        var changed = value
                        changed[index] ^= 0x20
                        return changed
                    }
                    nearMisses += [value + [UInt8(ascii: "p")], value + [UInt8(ascii: "\"")], Array(value.dropLast())]
                    nearMisses += [Array(value.dropFirst()), [UInt8(ascii: "\"")] + value]
                    for miss in nearMisses where miss != value {
                        var lookedUp = stored
                        lookedUp[place] = String(decoding: miss, as: UTF8.self)
                        #expect(!matches(core, stored: stored, lookedUp: lookedUp), "\(names) \(stored) \(lookedUp)")
                    }
                }
            }
        }
    }

    @Test func blockEqualityFindsEveryDifferingByte() {
        // Every length up to 70 (16-byte steps, the 8-byte step, the overlapping tail), a difference at each place.
        for count in 0...70 {
            let left = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(
                unsafe left.withUnsafeBytes { a in
                    unsafe left.withUnsafeBytes { b in
                        unsafe LabelSetEncoding.bytesEqual(a.baseAddress, b.baseAddress, count)
                    }
                })
            for place in 0..<count {
                var right = left
                right[place] ^= 0x40
                let equal = unsafe left.withUnsafeBytes { a in
                    unsafe right.withUnsafeBytes { b in
                        unsafe LabelSetEncoding.bytesEqual(a.baseAddress, b.baseAddress, count)
                    }
                }
                #expect(!equal, "count \(count), place \(place)")
            }
        }
    }
}
