import PromCore

/// The bytes of one family that never change between scrapes, rendered once and cached on the family.
final class FamilyRendering: @unchecked Sendable {
    /// `# HELP` / `# TYPE` (/ `# UNIT`) lines, per format.
    let textHeader: [UInt8]
    let openMetricsHeader: [UInt8]
    /// The sample name of a counter or gauge value line, per format.
    let textValueName: [UInt8]
    let openMetricsValueName: [UInt8]
    /// Histograms: `name_bucket`, `name_sum`, `name_count`.
    let bucketName: [UInt8]
    let sumName: [UInt8]
    let countName: [UInt8]
    /// Histograms: `le="<canonical bound>"`, one per bucket, `+Inf` last.
    let bucketLabels: [[UInt8]]

    init(_ descriptor: FamilyDescriptor) {
        let name = descriptor.name
        let familyName = descriptor.openMetricsName
        textHeader = Array(
            ("# HELP \(name) " + FamilyRendering.escapeHelp(descriptor.help, quotes: false) + "\n"
                + "# TYPE \(name) \(descriptor.type.rawValue)\n").utf8)
        var openMetrics = "# HELP \(familyName) " + FamilyRendering.escapeHelp(descriptor.help, quotes: true) + "\n"
        openMetrics += "# TYPE \(familyName) \(descriptor.type.rawValue)\n"
        if let unit = descriptor.unit { openMetrics += "# UNIT \(familyName) \(unit)\n" }
        openMetricsHeader = Array(openMetrics.utf8)
        textValueName = Array(name.utf8)
        openMetricsValueName = Array((descriptor.type == .counter ? familyName + "_total" : name).utf8)
        bucketName = Array((name + "_bucket").utf8)
        sumName = Array((name + "_sum").utf8)
        countName = Array((name + "_count").utf8)
        bucketLabels = (descriptor.buckets + [.infinity]).map { Array("le=\"\(CanonicalNumber.string($0))\"".utf8) }
    }

    /// Escapes help text: `\` and line feed in both formats, `"` too in OpenMetrics.
    static func escapeHelp(_ help: String, quotes: Bool) -> String {
        var escaped = ""
        escaped.reserveCapacity(help.utf8.count)
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quotes: escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// The cached rendering of `family`, made on first use.
    static func of(_ family: FamilyCore) -> FamilyRendering {
        family.renderCache.withLock { cache in
            if let rendering = cache as? FamilyRendering { return rendering }
            let rendering = FamilyRendering(family.descriptor)
            cache = rendering
            return rendering
        }
    }
}
