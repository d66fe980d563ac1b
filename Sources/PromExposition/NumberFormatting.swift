/// Number formatting straight into an ``ExpositionBuffer``: no `String`, no allocation.
///
/// Integers are written with a two-digit table. A `Double` is written as the shortest text that parses
/// back to the same bits: integral values below 2^53 as integers (`42`, `-0`), short exact decimals
/// (`123456789.25`, `0.1`) through a fast path, everything else through the standard library's shortest
/// round-trip formatter (SwiftDtoa) writing into the buffer through `TextOutputStream._writeASCII`.
/// Non-finite values are `NaN`, `+Inf` and `-Inf`, as both text formats spell them.
public enum NumberFormatting {
    /// The longest text any number takes.
    public static let maximumLength = 32

    @usableFromInline
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Appends the decimal digits of `value`.
    ///
    /// - Parameters:
    ///   - value: The integer.
    ///   - buffer: Where the digits go; grows as needed.
    @inlinable
    public static func append(_ value: UInt64, to buffer: ExpositionBuffer) {
        buffer.reserve(20)
        let digits = digitCount(value)
        let start = unsafe buffer.cursor
        var position = digits
        var rest = value
        let pairs = unsafe UnsafeRawPointer(digitPairs.utf8Start)
        while rest >= 100 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            position &-= 2
            // Safe: position >= 0 because digits counted every digit; pair + 1 < 200.
            unsafe (start + position).storeBytes(of: (pairs + pair).load(as: UInt16.self), as: UInt16.self)
        }
        if rest >= 10 {
            position &-= 2
            unsafe (start + position).storeBytes(of: (pairs + Int(rest) &* 2).load(as: UInt16.self), as: UInt16.self)
        } else {
            position &-= 1
            unsafe (start + position).storeBytes(of: UInt8(truncatingIfNeeded: rest) &+ 48, as: UInt8.self)
        }
        buffer.count &+= digits
    }

    /// The number of decimal digits of `value` (1 for 0), without a division loop.
    @inlinable @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        // 1233 / 4096 approximates log10(2); the table lookup corrects the estimate by one.
        let estimate = ((64 &- value.leadingZeroBitCount) &* 1233) >> 12
        let threshold = unsafe integerPowersOfTen.withUnsafeBufferPointer { unsafe $0[estimate] }
        return value >= threshold ? estimate &+ 1 : max(estimate, 1)
    }

    @usableFromInline
    static let integerPowersOfTen: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(UInt64(1)) { product, _ in product * 10 }
    }

    @usableFromInline
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6]

    /// Appends the shortest round-trip text of `value`.
    ///
    /// - Parameters:
    ///   - value: Any `Double`.
    ///   - buffer: Where the text goes; grows as needed.
    /// - Complexity: O(1); about 5 ns on the integer and short-decimal paths, 50 ns otherwise.
    @inlinable
    public static func append(_ value: Double, to buffer: ExpositionBuffer) {
        let magnitude = value.magnitude
        if magnitude < 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            if value.sign == .minus { appendByte(UInt8(ascii: "-"), to: buffer) }
            append(UInt64(magnitude), to: buffer)
            return
        }
        if !value.isFinite {
            appendSpecial(value, to: buffer)
            return
        }
        if magnitude >= 1e-4, magnitude < 1e9 {
            if appendBinaryFraction(value, to: buffer) { return }
            if appendShortDecimal(value, to: buffer) { return }
        }
        appendShortest(value, to: buffer)
    }

    /// Writes a value that is exactly `N / 2^k` with `1 <= k <= 6` (`x.5`, `x.25`, `x.125`, …) as the exact decimal
    /// `N·5^k / 10^k`, found with bit operations instead of divisions.
    ///
    /// The exact decimal is the shortest round-trip text when `N·5^k < 2^53`: a decimal with fewer fraction digits
    /// differs from the value by at least `10^-k`, more than half an ulp (see docs/ARCHITECTURE.md).
    ///
    /// - Returns: `false` (nothing written) when the value is not such a fraction.
    @inlinable @inline(__always)
    static func appendBinaryFraction(_ value: Double, to buffer: ExpositionBuffer) -> Bool {
        guard value.isNormal else { return false }
        let significand = value.significandBitPattern | (1 << 52)
        let shift = significand.trailingZeroBitCount
        // value = (significand >> shift) * 2^(exponent - 52 + shift) = odd / 2^decimals
        let decimals = 52 &- Int(value.exponent) &- shift
        guard decimals >= 1, decimals <= 6 else { return false }
        let odd = significand >> UInt64(shift)
        let (digits, overflow) = odd.multipliedReportingOverflow(by: UInt64(powerOfFive(decimals)))
        guard !overflow, digits < 9_007_199_254_740_992 else { return false }
        if value.sign == .minus { appendByte(UInt8(ascii: "-"), to: buffer) }
        let count = digitCount(digits)
        if count > decimals {
            // Write every digit, then open a gap for the point before the last `decimals` of them.
            append(digits, to: buffer)
            buffer.reserve(1)
            let end = unsafe buffer.cursor
            unsafe (end - decimals + 1).copyMemory(from: end - decimals, byteCount: decimals)
            unsafe (end - decimals).storeBytes(of: UInt8(ascii: "."), as: UInt8.self)
            buffer.count &+= 1
        } else {
            appendByte(UInt8(ascii: "0"), to: buffer)
            appendByte(UInt8(ascii: "."), to: buffer)
            for _ in count..<decimals { appendByte(UInt8(ascii: "0"), to: buffer) }
            append(digits, to: buffer)
        }
        return true
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
            let scale = unsafe powersOfTen.withUnsafeBufferPointer { unsafe $0[decimals] }
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
