/// An error found while parsing an exposition, with the position where it was found.
///
/// `description` renders it as `LINE:COL: message`, the form `promkit parse` prints. Syntax errors read like
/// Prometheus' own: `expected label value, got "x" (INVALID) while parsing: "foo{a=x"`.
///
/// Thread-safety: a plain value; safe to use from any thread.
public struct PromParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of rule was broken.
    public enum Kind: Hashable, Sendable {
        /// The bytes do not follow the format's grammar (tokens, escapes, numbers, UTF-8).
        case syntax
        /// The bytes are well formed but break a rule of the format's data model (suffixes, ordering, values).
        case semantic
        /// A line is longer than `ParserOptions.maxLineLength`.
        case lineTooLong
        /// The input ended where more was required (OpenMetrics without `# EOF`).
        case unexpectedEnd
    }

    /// The kind of error.
    public var kind: Kind
    /// 1-based line number of the offending line.
    public var line: Int
    /// 1-based byte column of the offending token within its line.
    public var column: Int
    /// A human-readable message without the position.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: the kind of error.
    ///   - line: 1-based line number.
    ///   - column: 1-based byte column.
    ///   - message: the message without the position.
    public init(kind: Kind, line: Int, column: Int, message: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
    }

    /// `LINE:COL: message`.
    public var description: String { "\(line):\(column): \(message)" }
}

/// Formats bytes the way Go's `%q` does, for quoting tokens in error messages.
///
/// Printable ASCII and valid multi-byte UTF-8 stay as they are; `"` and `\` are escaped; line feed, tab and carriage
/// return use their short escapes; any other control byte or invalid UTF-8 byte becomes `\xNN`.
///
/// - Parameter bytes: the bytes to quote.
/// - Returns: the quoted text, including the surrounding double quotes.
func _goQuoted(_ bytes: some Collection<UInt8>) -> String {
    var out = "\""
    let array = Array(bytes)
    var index = 0
    while index < array.count {
        let byte = array[index]
        switch byte {
        case UInt8(ascii: "\""): out += "\\\""
        case UInt8(ascii: "\\"): out += "\\\\"
        case UInt8(ascii: "\n"): out += "\\n"
        case UInt8(ascii: "\t"): out += "\\t"
        case UInt8(ascii: "\r"): out += "\\r"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
        case 0x80...:
            let length = _utf8SequenceLength(array, at: index)
            if length > 0 {
                out += String(decoding: array[index..<index + length], as: UTF8.self)
                index += length
                continue
            }
            out += _hexEscape(byte)
        default:
            out += _hexEscape(byte)
        }
        index += 1
    }
    return out + "\""
}

private func _hexEscape(_ byte: UInt8) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
}

/// The length of the valid UTF-8 sequence starting at `index`, or 0 when the bytes there are not valid UTF-8.
func _utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length: Int
    var lowerBound: UInt8 = 0x80
    var upperBound: UInt8 = 0xBF
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; lowerBound = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED: length = 3; upperBound = 0x9F
    case 0xF0: length = 4; lowerBound = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; upperBound = 0x8F
    default: return 0
    }
    guard index + length <= bytes.count else { return 0 }
    let second = bytes[index + 1]
    guard second >= lowerBound && second <= upperBound else { return 0 }
    for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
        return 0
    }
    return length
}
