/// The OpenMetrics canonical rendering of `le` and `quantile` label values: Go's `%g` of the shortest
/// round-trip digits, with `.0` appended when there is neither a decimal point nor an exponent
/// (`0.005`, `1.0`, `100000.0`, `1e+06`, `1e-05`, `+Inf`).
///
/// Used at registration, not on the hot path.
public enum CanonicalNumber {
    /// The canonical text of `value`.
    ///
    /// - Parameter value: A bucket bound or quantile.
    /// - Returns: Its canonical rendering.
    public static func string(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exponent) = shortestDigits(value.magnitude)
        let sign = value < 0 ? "-" : ""
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentText = exponent < 0 ? "-" + pad(-exponent) : "+" + pad(exponent)
            return sign + mantissa + "e" + exponentText
        }
        let pointPosition = exponent + 1
        var text: String
        if pointPosition <= 0 {
            text = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            text = digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointPosition)
            text = digits[..<index] + "." + digits[index...]
        }
        return sign + text
    }

    private static func pad(_ exponent: Int) -> String {
        exponent < 10 ? "0\(exponent)" : "\(exponent)"
    }

    /// The shortest round-trip significant digits of a positive finite value and its decimal exponent
    /// (the power of ten of the first digit).
    static func shortestDigits(_ value: Double) -> (digits: String, exponent: Int) {
        let text = value.description
        let parts = text.split(separator: "e")
        var exponent = parts.count > 1 ? Int(parts[1])! : 0
        let mantissa = parts[0]
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(pieces[0])
        let fractionPart = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = integerPart + fractionPart
        exponent += integerPart.count - 1
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, exponent)
    }
}
