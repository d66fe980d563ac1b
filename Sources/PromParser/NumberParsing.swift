#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Number syntax shared by both formats, and conversion to `Double` / `Int64` without allocating.
///
/// Accepted float syntax (OpenMetrics `number`, and the subset of Go's `ParseFloat` that Prometheus accepts):
/// `[+-] digits [. digits] [(e|E) [+-] digits]`, `[+-] . digits [exponent]`, `[+-] (inf|infinity)` and `nan`, the
/// words case-insensitively. No hex, no underscores, no surrounding spaces. A finite literal beyond the `Double` range
/// is rejected, as Go's `ParseFloat` reports it as an error.
enum _Number {
    /// Classifies a float literal: `nil` when the syntax is invalid, else whether a fast conversion applies.
    ///
    /// - Parameter token: the literal, without surrounding whitespace.
    /// - Returns: the parsed value, or `nil` for invalid syntax or overflow.
    @safe static func parseFloat(_ token: UnsafeRawBufferPointer) -> Double? {
        let count = token.count
        guard count > 0 else { return nil }
        if let value = _parseShortDecimal(token) { return value }
        var index = 0
        var negative = false
        // Safe: index < count in every read below; each read is preceded by a bounds test.
        let first = unsafe token[0]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            index = 1
            guard index < count else { return nil }
        }
        let lead = unsafe token[index] | 0x20
        if lead == UInt8(ascii: "i") {
            let rest = unsafe UnsafeRawBufferPointer(rebasing: token[index...])
            guard _equalsIgnoringCase(rest, "inf") || _equalsIgnoringCase(rest, "infinity") else { return nil }
            return negative ? -.infinity : .infinity
        }
        if lead == UInt8(ascii: "n") {
            guard index == 0, _equalsIgnoringCase(token, "nan") else { return nil }
            return .nan
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponentAdjust = 0
        var sawDigit = false
        var sawNonZero = false
        while index < count, case let digit = unsafe token[index] &- UInt8(ascii: "0"), digit < 10 {
            sawDigit = true
            if digit != 0 || sawNonZero {
                sawNonZero = true
                significantDigits += 1
                if significantDigits <= 19 { mantissa = mantissa &* 10 &+ UInt64(digit) } else { exponentAdjust += 1 }
            }
            index += 1
        }
        if index < count, unsafe token[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, case let digit = unsafe token[index] &- UInt8(ascii: "0"), digit < 10 {
                sawDigit = true
                if digit != 0 || sawNonZero {
                    sawNonZero = true
                    significantDigits += 1
                    if significantDigits <= 19 {
                        mantissa = mantissa &* 10 &+ UInt64(digit)
                        exponentAdjust -= 1
                    }
                } else {
                    exponentAdjust -= 1
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < count, unsafe token[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            guard index < count else { return nil }
            var exponentNegative = false
            let sign = unsafe token[index]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < count, case let digit = unsafe token[index] &- UInt8(ascii: "0"), digit < 10 {
                sawExponentDigit = true
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                index += 1
            }
            guard sawExponentDigit else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        if !sawNonZero { return negative ? -0.0 : 0.0 }
        let decimalExponent = exponent + exponentAdjust
        if significantDigits <= 19, mantissa <= 1 << 53, decimalExponent >= -22, decimalExponent <= 22 {
            // Clinger's fast path: both operands are exact doubles, so one rounding gives the correct result.
            var value = Double(mantissa)
            if decimalExponent < 0 {
                value /= _powersOfTen[-decimalExponent]
            } else {
                value *= _powersOfTen[decimalExponent]
            }
            return negative ? -value : value
        }
        return _slowParse(token)
    }

    /// Whether `token` is `digits` or `digits.digits` of at most 20 bytes: a literal `parseFloat` always accepts
    /// (no sign, exponent or overflow), told without computing its value. For the text format's `le`/`quantile`
    /// check, which needs only validity; `false` says nothing (ask `parseFloat`).
    ///
    /// - Complexity: O(`token.count`), one compare per byte; allocates nothing.
    @inline(__always) @safe static func isPlainDecimal(_ token: UnsafeRawBufferPointer) -> Bool {
        let count = token.count
        guard count > 0 && count <= 20 else { return false }
        var point = -1
        for index in 0..<count {
            // Safe: index < count.
            let byte = unsafe token[index]
            if byte &- UInt8(ascii: "0") < 10 { continue }
            guard byte == UInt8(ascii: "."), point < 0, index > 0, index < count - 1 else { return false }
            point = index
        }
        return true
    }

    /// `digits` or `digits.digits` with at most 19 digits and a value of at most 2^53 (bucket bounds, quantiles):
    /// the integer of all the digits over a power of ten, which is what the general path's Clinger step computes for
    /// these literals (leading and trailing zeros change neither the integer nor the power); `nil` for anything else.
    @inline(__always) @safe private static func _parseShortDecimal(_ token: UnsafeRawBufferPointer) -> Double? {
        let count = token.count
        guard count <= 20 else { return nil }
        var mantissa: UInt64 = 0
        var point = -1
        for index in 0..<count {
            // Safe: index < count.
            let byte = unsafe token[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
            } else if byte == UInt8(ascii: ".") && point < 0 && index > 0 && index < count - 1 {
                point = index
            } else {
                return nil
            }
        }
        // With a point there are count - 1 <= 19 digits, without one at most 19 as well.
        guard count - (point < 0 ? 0 : 1) <= 19, mantissa <= 1 << 53 else { return nil }
        return point < 0 ? Double(mantissa) : Double(mantissa) / _powersOfTen[count - 1 - point]
    }

    /// Parses an integer literal `[+-] digits` into an `Int64`, as Go's `ParseInt(s, 10, 64)` does.
    ///
    /// - Parameter token: the literal.
    /// - Returns: the value, or `nil` for invalid syntax or overflow.
    @safe static func parseInt64(_ token: UnsafeRawBufferPointer) -> Int64? {
        let count = token.count
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        // Safe: every read is at an index below count.
        let first = unsafe token[0]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        var magnitude: UInt64 = 0
        while index < count {
            let digit = unsafe token[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Converts OpenMetrics seconds to milliseconds the way Prometheus does (`int64(s * 1000)`), saturating
    /// instead of wrapping outside the `Int64` range.
    static func milliseconds(fromSeconds seconds: Double) -> Int64 {
        let scaled = (seconds * 1000).rounded(.towardZero)
        if scaled.isNaN { return 0 }
        if scaled >= 9_223_372_036_854_775_808.0 { return .max }
        if scaled <= -9_223_372_036_854_775_808 { return .min }
        return Int64(scaled)
    }

    @inline(never)
    @safe private static func _slowParse(_ token: UnsafeRawBufferPointer) -> Double? {
        // A validated literal is at most one line long; the C library does the correctly rounded conversion.
        let result: Double? = unsafe withUnsafeTemporaryAllocation(of: CChar.self, capacity: token.count + 1) {
            buffer in
            for index in 0..<token.count {
                // Safe: index < token.count < capacity.
                unsafe buffer[index] = CChar(bitPattern: unsafe token[index])
            }
            unsafe buffer[token.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = unsafe strtod(buffer.baseAddress!, &end)
            // The syntax was validated, so strtod consumes the whole literal unless the C locale was replaced by
            // one with another decimal point; treat that as a failure rather than return a wrong value.
            guard unsafe end == buffer.baseAddress! + token.count else { return nil }
            return value
        }
        guard let value = result, value.isFinite else { return nil }
        return value
    }

    /// 10^`exponent` for `0 <= exponent <= 22` (exact doubles).
    @inline(__always) static func powerOfTen(_ exponent: Int) -> Double {
        _powersOfTen[exponent]
    }

    private static let _powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}

/// Whether the bytes equal the ASCII `word` (lower case) ignoring ASCII case.
@safe func _equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
    guard bytes.count == word.utf8CodeUnitCount else { return false }
    // Safe: a StaticString's storage lives for the whole program.
    let expected = unsafe UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
    for index in 0..<bytes.count {
        // Safe: index < bytes.count == expected.count.
        let byte = unsafe bytes[index]
        let lowered = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
        if unsafe lowered != expected[index] { return false }
    }
    return true
}
