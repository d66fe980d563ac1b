import PromTestSupport
import Testing

@testable import PromParser

/// The label pass leaves the fingerprints of `le` and `quantile` out of its sum (`_LabelPass.fingerprintSum`) and
/// adds them back only for a sample that keeps them: the group hash must be the plain sum over the kept labels.
@Suite struct LabelPassTests {
    static let names = ["le", "quantile", "a", "job", "lf", "quantilf", "quantile_", "l", "instance_name", "ab"]
    static let values = ["", "1", "0.5", "+Inf", "x", "long_value_of_many_bytes"]

    /// `name="value` pairs joined by commas, and their references.
    static func line(_ pairs: [(String, String)]) -> ([UInt8], [_LabelRef]) {
        var bytes: [UInt8] = []
        var refs: [_LabelRef] = []
        for (name, value) in pairs {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
            let nameStart = bytes.count
            bytes += Array(name.utf8)
            let nameRef = _ByteRef(start: nameStart, end: bytes.count, inScratch: false)
            bytes += Array("=\"".utf8)
            let valueStart = bytes.count
            bytes += Array(value.utf8)
            let valueRef = _ByteRef(start: valueStart, end: bytes.count, inScratch: false)
            bytes.append(UInt8(ascii: "\""))
            refs.append(_LabelRef(name: nameRef, value: valueRef, column: nameStart + 1))
        }
        bytes.append(UInt8(ascii: "\n"))
        return (bytes, refs)
    }

    /// `_nameKey` of a name of at most three bytes (three loads) is its bytes, little-endian, and its length.
    @Test func shortNameKeysAreTheBytesAndTheLength() {
        var random = SplitMix64(state: 0x1abe_1002)
        for _ in 0..<50_000 {
            let count = Int(random.next() % 4)
            let name = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var expected = UInt64(count) << 56
            for (index, byte) in name.enumerated() { expected |= UInt64(byte) << (8 * UInt64(index)) }
            // Behind the name, bytes that must not count.
            let buffer = [0xAA] + name + [0xBB, 0xCC, 0xDD]
            let key = unsafe buffer.withUnsafeBytes { unsafe _nameKey($0.baseAddress, 1, count) }
            #expect(key == expected, "\(name)")
        }
    }

    @Test func groupHashIsTheSumOverTheKeptLabels() {
        var random = SplitMix64(state: 0x1abe_1001)
        var screen = _LabelScreen()
        var labels = _LabelList()
        for _ in 0..<20_000 {
            let count = Int(random.next() % 5)
            let pairs = (0..<count).map { _ in
                (
                    Self.names[Int(random.next() % UInt64(Self.names.count))],
                    Self.values[Int(random.next() % UInt64(Self.values.count))]
                )
            }
            // Duplicate names are an error reported before any group hash is used.
            guard Set(pairs.map(\.0)).count == count else { continue }
            let (line, refs) = Self.line(pairs)
            labels.removeAll()
            for ref in refs { labels.append(ref) }
            let excluded: Int? = count > 0 && random.next() % 3 != 0 ? Int(random.next() % UInt64(count)) : nil
            unsafe line.withUnsafeBytes { line in
                let bytes = unsafe _EntryBytes(line: line, scratch: UnsafeRawBufferPointer(start: nil, count: 0))
                // Twice: the second time every label is taken over from the first, with its record as it was left.
                for reused: UInt64 in [0, ~0] {
                    let pass = screen.run(&labels, bytes, fingerprints: true, reused: reused)
                    var expected: UInt64 = 0
                    for index in 0..<count where index != excluded {
                        expected &+= _labelFingerprint(labels[index], bytes)
                    }
                    #expect(
                        pass.groupHash(excluding: excluded, labels, bytes) == expected, "\(pairs) \(excluded ?? -1)")
                    #expect(pass.leIndex == (pairs.firstIndex { $0.0 == "le" } ?? -1), "\(pairs)")
                    #expect(pass.quantileIndex == (pairs.firstIndex { $0.0 == "quantile" } ?? -1), "\(pairs)")
                }
            }
        }
    }
}
