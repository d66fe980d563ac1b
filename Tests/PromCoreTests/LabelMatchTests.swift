import PromTestSupport
import Testing

@testable import PromCore

/// The label-set compare behind lookups (`FamilyCore.matches`), tested apart from hashing: a lookup whose
/// hash collides with another series must still never be taken for it.
@Suite struct LabelMatchTests {
    private func core(_ labelNames: [String]) throws -> FamilyCore {
        try Registry().counterFamily("m_total", help: "h", labelNames: labelNames).core
    }

    private func matches(_ core: FamilyCore, stored: [String], lookedUp: [String]) -> Bool {
        let cell = core.makeCell(for: stored, hash: 2)
        return core.matches(cell, lookedUp, LabelHasher.hashing(lookedUp).hasEscapable)
    }

    @Test func aRawQuoteCannotSpanTheClosingQuoteAndTheNextLabelName() throws {
        // Stored `x="a",y="bcdef"`: the raw values `a",y=` and `f` cover the same bytes when the compare
        // skips label names, but they are another label set.
        let core = try core(["x", "y"])
        #expect(!matches(core, stored: ["a", "bcdef"], lookedUp: [#"a",y="#, "f"]))
        #expect(matches(core, stored: ["a", "bcdef"], lookedUp: ["a", "bcdef"]))
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
}
