import PromExposition
import PromTestSupport
import Testing

/// Shortest round-trip number formatting.
@Suite struct NumberFormattingTests {
    @Test func randomFiniteBitPatternsRoundTripBitForBit() {
        var random = SplitMix64(state: 0x5EED)
        var failures: [String] = []
        var checked = 0
        while checked < 100_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            checked += 1
            let text = Rendering.number(value)
            if Double(text)?.bitPattern != value.bitPattern { failures.append("\(value.debugDescription) -> \(text)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func randomValuesOfEveryMagnitudeRoundTrip() {
        var random = SplitMix64(state: 42)
        var failures: [String] = []
        for _ in 0..<100_000 {
            // Values near the fast paths: short decimals, integers, and their neighbours.
            let base =
                Double(random.next() % 2_000_000_000)
                / Double([1, 10, 100, 1000, 10_000, 1_000_000, 8, 3][Int(random.next() % 8)])
            let value = random.next() % 3 == 0 ? base.nextUp : (random.next() % 2 == 0 ? base : -base)
            let text = Rendering.number(value)
            if Double(text)?.bitPattern != value.bitPattern { failures.append("\(value.debugDescription) -> \(text)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func writtenFloatsAreAsShortAsSwiftsShortestDescription() {
        var random = SplitMix64(state: 7)
        var failures: [String] = []
        for _ in 0..<50_000 {
            let value =
                random.next() % 2 == 0
                ? Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
                : Double(random.next() % 10_000_000) / 1000
            let text = Rendering.number(value)
            if significantDigits(text) > significantDigits(value.description) {
                failures.append("\(value.description) -> \(text)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func binaryFractionsPrintAsTheirExactShortestDecimal() {
        let cases: [(Double, String)] = [
            (0.5, "0.5"), (1.25, "1.25"), (-2.5, "-2.5"), (123_456_789.75, "123456789.75"),
            (123_456_790.25, "123456790.25"), (0.015625, "0.015625"), (100.125, "100.125"),
            (0.03125, "0.03125"), (7.0078125, "7.0078125"), (0.0078125, "0.0078125"),
        ]
        for (value, expected) in cases { #expect(Rendering.number(value) == expected, "\(value)") }
        var random = SplitMix64(state: 0xF4AC)
        var failures: [String] = []
        for _ in 0..<100_000 {
            // N / 2^k for k in 1...8 and N across the magnitudes the fast path takes (up to 1e9).
            let value = Double(random.next() % 256_000_000_000) / Double(1 << (1 + random.next() % 8))
            let text = Rendering.number(value)
            let shortest = value.description.hasSuffix(".0") ? String(value.description.dropLast(2)) : value.description
            if Double(text)?.bitPattern != value.bitPattern || (!shortest.contains("e") && text != shortest) {
                failures.append("\(value.debugDescription) -> \(text)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func integralValuesBelowTwoToThe53PrintAsPlainIntegers() {
        var random = SplitMix64(state: 99)
        var failures: [String] = []
        for _ in 0..<100_000 {
            let magnitude = random.next() % (UInt64(1) << (random.next() % 54))
            let value = random.next() % 2 == 0 ? Double(magnitude) : -Double(magnitude)
            let text = Rendering.number(value)
            let expected = (value.sign == .minus ? "-" : "") + String(magnitude)
            if text != expected { failures.append("\(value) -> \(text)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
        #expect(Rendering.number(9_007_199_254_740_991) == "9007199254740991")
        #expect(Rendering.number(-9_007_199_254_740_991) == "-9007199254740991")
    }

    @Test func specialValuesUseTheTextFormatSpellings() {
        #expect(Rendering.number(.nan) == "NaN")
        #expect(Rendering.number(-.nan) == "NaN")
        #expect(Rendering.number(Double(bitPattern: 0x7FF0_0000_0000_0001)) == "NaN")
        #expect(Rendering.number(.infinity) == "+Inf")
        #expect(Rendering.number(-.infinity) == "-Inf")
        #expect(Rendering.number(0) == "0")
        #expect(Rendering.number(-0.0) == "-0")
    }

    @Test func knownValuesHaveTheirShortestText() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (0.25, "0.25"), (-2.5, "-2.5"), (123_456_789.125, "123456789.125"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e-300, "1e-300"), (Double.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1e21, "1e+21"), (0.0001, "0.0001"), (0.000123, "0.000123"),
            (1e-5, "1e-05"), (100, "100"), (1.5, "1.5"), (0.3, "0.3"), (0.1 + 0.2, "0.30000000000000004"),
        ]
        for (value, expected) in cases {
            #expect(Rendering.number(value) == expected, "\(value.debugDescription)")
        }
    }

    @Test func integersPrintExactlyUpToUInt64Max() {
        let buffer = ExpositionBuffer(capacity: 64)
        for value: UInt64 in [0, 9, 10, 99, 100, 12345, 1 << 53 + 1, UInt64.max] {
            buffer.removeAll()
            NumberFormatting.append(value, to: buffer)
            #expect(buffer.string == String(value))
        }
    }

    @Test func integersOfEveryLengthAndAroundEveryPowerOfTenPrintExactly() {
        // The 8-digit word formatter splits at 10^8 and 10^16: test every length, each power of ten and its
        // neighbours, every value below 10^5, and random values with a random number of bits.
        let buffer = ExpositionBuffer(capacity: 64)
        var values: [UInt64] = Array(0..<100_000)
        var power: UInt64 = 1
        for _ in 0...19 {
            values += [power &- 1, power, power &+ 1, power / 2 &* 3]
            if power > UInt64.max / 10 { break }
            power *= 10
        }
        var random = SplitMix64(state: 0xD1_6175)
        for _ in 0..<200_000 { values.append(random.next() >> (random.next() % 64)) }
        var failures: [String] = []
        for value in values {
            buffer.removeAll()
            // Start at odd offsets too: the formatter stores whole 8-byte words.
            if value % 3 == 0 { buffer.append([UInt8(ascii: "x")]) }
            NumberFormatting.append(value, to: buffer)
            let expected = (value % 3 == 0 ? "x" : "") + String(value)
            if buffer.string != expected { failures.append("\(value) -> \(buffer.string)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    /// Significant digits of a decimal text (`1.2300e+05` → 3), ignoring sign, point, leading zeros and exponent.
    func significantDigits(_ text: String) -> Int {
        let mantissa = text.split(separator: "e").first.map(String.init) ?? text
        var digits = mantissa.filter(\.isNumber)
        while digits.hasPrefix("0") { digits.removeFirst() }
        while digits.hasSuffix("0") { digits.removeLast() }
        return max(digits.count, 1)
    }
}
