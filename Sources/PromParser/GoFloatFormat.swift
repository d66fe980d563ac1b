/// Formats a `Double` as Go's `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that round-trip, in
/// exponent form when the decimal exponent is below -4 or at least 6 (`4.9351e-05`, `324789.3`, `1e+06`), and `+Inf`,
/// `-Inf`, `NaN`.
///
/// - Parameter value: the value.
/// - Returns: the text.
/// - Complexity: O(1); allocates (this is output formatting, not the parsing hot path).
public func goFormatFloat(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    let sign = value.sign == .minus ? "-" : ""
    if value == 0 { return sign + "0" }
    // Swift's description prints the shortest round-trip digits; only the layout differs from Go's.
    let (digits, pointPosition) = _shortestDigits(value.magnitude)
    let exponent = pointPosition - 1
    if exponent < -4 || exponent >= 6 {
        var text = sign + String(digits.first!)
        if digits.count > 1 { text += "." + digits.dropFirst() }
        let magnitude = abs(exponent)
        text += (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        return text
    }
    if pointPosition <= 0 {
        return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
    }
    if pointPosition >= digits.count {
        return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
    }
    let split = digits.index(digits.startIndex, offsetBy: pointPosition)
    return sign + digits[..<split] + "." + digits[split...]
}

/// The significant digits (no leading or trailing zeros) of a finite positive value and the position of the decimal
/// point relative to them (value = 0.DIGITS × 10^pointPosition).
private func _shortestDigits(_ value: Double) -> (digits: String, pointPosition: Int) {
    let text = value.description
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...])!
    }
    var digits = ""
    var pointPosition = 0
    var seenPoint = false
    for character in mantissa {
        if character == "." {
            seenPoint = true
            continue
        }
        if digits.isEmpty && character == "0" {
            if seenPoint { pointPosition -= 1 }
            continue
        }
        digits.append(character)
        if !seenPoint { pointPosition += 1 }
    }
    while digits.last == "0" { digits.removeLast() }
    return (digits, pointPosition + exponent)
}
