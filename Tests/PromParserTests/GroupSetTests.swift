import PromTestSupport
import Testing

@testable import PromParser

/// `_GroupSet` answers most inserts from its filter and keeps new fingerprints pending: whatever the mix, it must
/// answer exactly as a plain set would.
@Suite struct GroupSetTests {
    @Test func insertsAnswerAsAPlainSetDoes() {
        var random = SplitMix64(state: 0x6A0B_5E7)
        for round in 0..<40 {
            var groups = _GroupSet()
            var reference = Set<UInt64>()
            // Up to 200k keys: the filter grows many times and the pending batch reaches its limit.
            let size = [10, 1_000, 30_000, 200_000][round % 4]
            // A small key space makes repeats common; a wide one makes them rare (filter hits are then false ones).
            let space: UInt64 = round % 3 == 0 ? UInt64(size) : .max
            for _ in 0..<size {
                var key = random.next() % space
                // 0 and 1 are the same key for the exact table; the set must not confuse them either way.
                if random.next() % 1_000 == 0 { key = random.next() % 2 }
                let expected = reference.insert(key == 0 ? 1 : key).inserted
                let inserted = groups.insert(key)
                #expect(inserted == expected, "round \(round)")
                if random.next() % 50_000 == 0 {
                    groups.removeAll()
                    reference.removeAll()
                }
            }
            #expect(groups.count == reference.count)
        }
    }

    @Test func aRepeatAfterManyNewKeysIsFoundWhereverItWaits() {
        // A key inserted early, then many others (it moves from pending into the table and the filter is rebuilt),
        // then the same key again.
        for gap in [0, 1, 63, 64, 65, 1 << 14, (1 << 14) + 1, 100_000] {
            var groups = _GroupSet()
            let first = groups.insert(0xDEAD_BEEF)
            #expect(first)
            var random = SplitMix64(state: UInt64(gap))
            for _ in 0..<gap { _ = groups.insert(random.next() | 2) }
            let again = groups.insert(0xDEAD_BEEF)
            #expect(!again, "gap \(gap)")
        }
    }
}
