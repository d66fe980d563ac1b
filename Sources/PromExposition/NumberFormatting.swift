/// Number formatting straight into an ``ExpositionBuffer``: no `String`, no allocation.
///
/// Integers are written with a two-digit table. A `Double` is written as the shortest text that parses
/// back to the same bits: integral values below 2^53 as integers (`42`, `-0`), short exact decimals
/// (`123456789.25`, `0.1`) through a fast path, everything else through the standard library's shortest
/// round-trip formatter (SwiftDtoa) writing into the buffer through `TextOutputStream._writeASCII`.
/// Non-finite values are `NaN`, `+Inf` and `-Inf`, as both text formats spell them.
///
/// The digit helpers are `@_transparent`: marked `@inline(__always)`, they were still called (not inlined)
/// from the `append` that a client module specialises, which cost 1.5 ns of a W1 value's 16.
public enum NumberFormatting {
    /// The longest text any number takes.
    public static let maximumLength = 32

    /// Appends the decimal digits of `value`.
    ///
    /// Eight digits at a time: a value below 10^8 is turned into eight ASCII digits in one 64-bit word with
    /// three multiply-shift steps (see ``eightDigits(_:)``), so a W1 counter (11 digits) costs one division
    /// and two such words instead of a division per digit pair.
    ///
    /// - Parameters:
    ///   - value: The integer.
    ///   - buffer: Where the digits go; grows as needed.
    @inlinable
    public static func append(_ value: UInt64, to buffer: ExpositionBuffer) {
        // 20 digits at most, plus room for the whole last word stored past the digits.
        buffer.reserve(24)
        buffer.count &+= unsafe writeInteger(value, at: buffer.cursor)
    }

    /// Writes the decimal digits of `value` at `start`, where 24 bytes are reserved.
    ///
    /// - Returns: The number of digits.
    @_transparent @usableFromInline
    static func writeInteger(_ value: UInt64, at start: UnsafeMutableRawPointer) -> Int {
        if value < 100_000_000 { return unsafe appendLeading(UInt32(truncatingIfNeeded: value), at: start) }
        // The digits above the last eight (below 10^12 for any UInt64 / 10^8), then those eight.
        let high = value / 100_000_000
        var written: Int
        if high < 100_000_000 {
            written = unsafe appendLeading(UInt32(truncatingIfNeeded: high), at: start)
        } else {
            let top = high / 100_000_000
            written = unsafe appendLeading(UInt32(truncatingIfNeeded: top), at: start)
            written &+= unsafe appendEight(high &- top &* 100_000_000, at: start + written)
        }
        written &+= unsafe appendEight(value &- high &* 100_000_000, at: start + written)
        return written
    }

    /// Stores the digits of `value` (below 10^8) without leading zeros as one 8-byte word at `target`.
    ///
    /// - Returns: The number of digits (1 to 8); the caller reserved 8 bytes at `target`.
    @_transparent @usableFromInline
    static func appendLeading(_ value: UInt32, at target: UnsafeMutableRawPointer) -> Int {
        let digits = digitCount(UInt64(value))
        if value < 10_000 {
            // Safe: the caller reserved 8 bytes.
            unsafe target.storeBytes(of: fourDigits(value) >> UInt32(8 &* (4 &- digits)), as: UInt32.self)
            return digits
        }
        // The word holds the digits with leading zeros first; shift the zeros out.
        // Safe: the caller reserved 8 bytes.
        unsafe target.storeBytes(of: eightDigits(value) >> UInt64(8 &* (8 &- digits)), as: UInt64.self)
        return digits
    }

    /// Stores exactly eight digits of `value` (below 10^8, leading zeros kept) at `target`.
    ///
    /// - Returns: 8; the caller reserved 8 bytes at `target`.
    @_transparent @usableFromInline
    static func appendEight(_ value: UInt64, at target: UnsafeMutableRawPointer) -> Int {
        // Safe: the caller reserved 8 bytes.
        unsafe target.storeBytes(of: eightDigits(UInt32(truncatingIfNeeded: value)), as: UInt64.self)
        return 8
    }

    /// The eight ASCII digits of `value` (below 10^8, leading zeros included), first digit in the lowest byte.
    ///
    /// Splits the value into two 4-digit halves in 32-bit lanes, each half into two 2-digit quarters in
    /// 16-bit lanes, and each quarter into two digits in bytes, dividing every lane at once by a
    /// multiply-shift that is exact for the lane's range (x / 100 = x·10486 >> 20 for x < 10^4; x / 10 =
    /// x·103 >> 10 for x < 100). No lane's product reaches the next lane.
    @inlinable @inline(__always)
    static func eightDigits(_ value: UInt32) -> UInt64 {
        let whole = UInt64(value)
        let upper = whole / 10_000
        var lanes = upper | ((whole &- upper &* 10_000) << 32)
        let hundreds = ((lanes &* 10486) >> 20) & 0x0000_007F_0000_007F
        lanes = hundreds | ((lanes &- hundreds &* 100) << 16)
        let tens = ((lanes &* 103) >> 10) & 0x000F_000F_000F_000F
        lanes = tens | ((lanes &- tens &* 10) << 8)
        return lanes | 0x3030_3030_3030_3030
    }

    /// The four ASCII digits of `value` (below 10^4, leading zeros included), first digit in the lowest byte:
    /// ``eightDigits(_:)`` without its first step, for short leading parts and fractions.
    @inlinable @inline(__always)
    static func fourDigits(_ value: UInt32) -> UInt32 {
        let hundreds = (value &* 10486) >> 20
        var lanes = hundreds | ((value &- hundreds &* 100) << 16)
        let tens = ((lanes &* 103) >> 10) & 0x000F_000F
        lanes = tens | ((lanes &- tens &* 10) << 8)
        return lanes | 0x3030_3030
    }

    /// The number of decimal digits of `value` (1 for 0), without a division loop.
    @_transparent @usableFromInline
    static func digitCount(_ value: UInt64) -> Int {
        // 1233 / 4096 approximates log10(2); the table lookup corrects the estimate by one.
        let estimate = ((64 &- value.leadingZeroBitCount) &* 1233) >> 12
        let threshold = integerPowerOfTen(estimate)
        return value >= threshold ? estimate &+ 1 : max(estimate, 1)
    }

    /// 10^exponent for an exponent from 0 to 19. A switch rather than a global array: the compiler turns it
    /// into a constant table, with no lazy-initialisation check on every call.
    @inlinable @inline(__always)
    static func integerPowerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        case 9: return 1_000_000_000
        case 10: return 10_000_000_000
        case 11: return 100_000_000_000
        case 12: return 1_000_000_000_000
        case 13: return 10_000_000_000_000
        case 14: return 100_000_000_000_000
        case 15: return 1_000_000_000_000_000
        case 16: return 10_000_000_000_000_000
        case 17: return 100_000_000_000_000_000
        case 18: return 1_000_000_000_000_000_000
        default: return 10_000_000_000_000_000_000
        }
    }

    /// Appends the shortest round-trip text of `value`.
    ///
    /// - Parameters:
    ///   - value: Any `Double`.
    ///   - buffer: Where the text goes; grows as needed.
    /// - Complexity: O(1); about 5 ns on the integer and binary-fraction paths, 50 ns otherwise.
    @inlinable
    public static func append(_ value: Double, to buffer: ExpositionBuffer) {
        // One capacity check for the fast paths: a sign, 16 digits below 2^53, a point and an 8-byte word.
        buffer.reserve(maximumLength)
        let magnitude = value.magnitude
        if magnitude < 9_007_199_254_740_992 {
            let start = unsafe buffer.cursor
            // A sign written here is overwritten by the slower paths below, which write their own.
            // Safe: maximumLength bytes are reserved.
            unsafe start.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            let signLength = value.sign == .minus ? 1 : 0
            // Below 2^53 the signed conversion truncates exactly (one instruction, where `rounded(.towardZero)`
            // calls libm's trunc and the unsigned conversions take several); converting back tells integral
            // values apart.
            let integral = Int64(magnitude)
            if Double(integral) == magnitude {
                let written = unsafe writeInteger(UInt64(integral), at: start + signLength)
                buffer.count &+= signLength &+ written
                return
            }
            if magnitude >= 1e-4, magnitude < 1e9 {
                let written = unsafe writeBinaryFraction(magnitude, at: start + signLength)
                if written > 0 {
                    buffer.count &+= signLength &+ written
                    return
                }
            }
        }
        if !value.isFinite {
            appendSpecial(value, to: buffer)
            return
        }
        if magnitude >= 1e-4, magnitude < 1e9, appendShortDecimal(value, to: buffer) { return }
        appendShortest(value, to: buffer)
    }

    /// Writes a positive value that is exactly `N / 2^k` with `1 <= k <= 6` (`x.5`, `x.25`, `x.125`, …) as the
    /// exact decimal `N·5^k / 10^k`, found with bit operations instead of divisions.
    ///
    /// The exact decimal is the shortest round-trip text when `N·5^k < 2^53`: a decimal with fewer fraction digits
    /// differs from the value by at least `10^-k`, more than half an ulp (see docs/ARCHITECTURE.md).
    ///
    /// - Parameters:
    ///   - magnitude: A positive value below 2^53.
    ///   - start: Where to write; 26 bytes must be reserved.
    /// - Returns: The number of bytes written, or 0 (nothing written) when the value is not such a fraction.
    @_transparent @usableFromInline
    static func writeBinaryFraction(_ magnitude: Double, at start: UnsafeMutableRawPointer) -> Int {
        // The biased exponent from the bits (`Double.exponent` is a call into the runtime).
        let biasedExponent = Int(truncatingIfNeeded: (magnitude.bitPattern >> 52) & 0x7FF)
        guard biasedExponent != 0 else { return 0 }
        let significand = magnitude.significandBitPattern | (1 << 52)
        let shift = significand.trailingZeroBitCount
        // magnitude = (significand >> shift) * 2^(exponent - 52 + shift) = odd / 2^decimals
        let decimals = 52 &- (biasedExponent &- 1023) &- shift
        guard decimals >= 1, decimals <= 6 else { return 0 }
        let odd = significand >> UInt64(shift)
        let (digits, overflow) = odd.multipliedReportingOverflow(by: UInt64(powerOfFive(decimals)))
        guard !overflow, digits < 9_007_199_254_740_992 else { return 0 }
        // odd / 2^decimals = integral + (odd mod 2^decimals)·5^decimals / 10^decimals.
        let written = unsafe writeInteger(odd >> UInt64(decimals), at: start)
        let fraction = (odd & ((1 << UInt64(decimals)) &- 1)) &* UInt64(powerOfFive(decimals))
        // The fraction is below 10^decimals: its 8-digit word ends with exactly `decimals` digits after the
        // zeros that the shift drops.
        // Safe: at most 16 digits, the point and an 8-byte word: 25 of the reserved bytes.
        unsafe (start + written).storeBytes(of: UInt8(ascii: "."), as: UInt8.self)
        if decimals <= 4 {
            let fractionDigits = fourDigits(UInt32(truncatingIfNeeded: fraction)) >> UInt32(8 &* (4 &- decimals))
            unsafe (start + (written &+ 1)).storeBytes(of: fractionDigits, as: UInt32.self)
        } else {
            let fractionDigits = eightDigits(UInt32(truncatingIfNeeded: fraction)) >> UInt64(8 &* (8 &- decimals))
            unsafe (start + (written &+ 1)).storeBytes(of: fractionDigits, as: UInt64.self)
        }
        return written &+ 1 &+ decimals
    }

    /// 5^exponent for an exponent from 1 to 6 (a switch, so that no table is allocated or lazily initialised).
    @inlinable @inline(__always)
    static func powerOfFive(_ exponent: Int) -> Int {
        switch exponent {
        case 1: return 5
        case 2: return 25
        case 3: return 125
        case 4: return 625
        case 5: return 3125
        default: return 15625
        }
    }

    @inlinable @inline(__always)
    static func appendByte(_ byte: UInt8, to buffer: ExpositionBuffer) {
        buffer.reserve(1)
        buffer.appendReserved(byte)
    }

    /// Writes `value` as `int.frac` when it is a decimal with at most six fraction digits.
    @inlinable
    static func appendShortDecimal(_ value: Double, to buffer: ExpositionBuffer) -> Bool {
        let magnitude = value.magnitude
        for decimals in 1...6 {
            let scale = Double(integerPowerOfTen(decimals))
            let scaled = (magnitude * scale).rounded()
            // The division is correctly rounded, as is parsing the decimal: equal means it round-trips.
            guard scaled < 9_007_199_254_740_992, scaled / scale == magnitude else { continue }
            let digits = UInt64(scaled)
            let divisor = UInt64(scale)
            if value.sign == .minus { appendByte(UInt8(ascii: "-"), to: buffer) }
            append(digits / divisor, to: buffer)
            appendByte(UInt8(ascii: "."), to: buffer)
            let fraction = digits % divisor
            var zeros = decimals &- 1
            var probe: UInt64 = 10
            while zeros > 0 && fraction >= probe {
                zeros &-= 1
                probe &*= 10
            }
            for _ in 0..<zeros { appendByte(UInt8(ascii: "0"), to: buffer) }
            append(fraction, to: buffer)
            return true
        }
        return false
    }

    @usableFromInline
    static func appendSpecial(_ value: Double, to buffer: ExpositionBuffer) {
        let text: StaticString = value.isNaN ? "NaN" : (value < 0 ? "-Inf" : "+Inf")
        unsafe buffer.append(unsafe UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @usableFromInline
    static func appendShortest(_ value: Double, to buffer: ExpositionBuffer) {
        var stream = BufferStream(buffer: buffer)
        value.write(to: &stream)
    }
}

/// Lets the standard library's float formatter write ASCII straight into a buffer.
struct BufferStream: TextOutputStream {
    let buffer: ExpositionBuffer

    mutating func write(_ string: String) { buffer.append(string) }

    // The standard library's numeric `write(to:)` calls this with its stack buffer: no String is created.
    mutating func _writeASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        unsafe buffer.append(UnsafeRawBufferPointer(bytes))
    }
}
