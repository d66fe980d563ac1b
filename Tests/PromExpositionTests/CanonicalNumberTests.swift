import PromExposition
import Testing

/// The canonical `le` texts, from the OpenMetrics 1.0 specification's examples.
@Suite struct CanonicalNumberTests {
    @Test func specificationExamplesOfBucketBoundsAreCanonical() {
        let bounds: [Double] = [0.0, 0.001, 0.01, 0.1, 0.9, 0.95, 0.99, 0.999, 1.0, 1.7, 10.0]
        let expected = ["0.0", "0.001", "0.01", "0.1", "0.9", "0.95", "0.99", "0.999", "1.0", "1.7", "10.0"]
        #expect(bounds.map(CanonicalNumber.string) == expected)
    }

    @Test func specificationExamplesOfExponentsAreCanonical() {
        let bounds: [Double] = [1e-10, 1e-09, 1e-05, 0.0001, 0.1, 1.0, 100000.0, 1e+06, 1e+10]
        let expected = ["1e-10", "1e-09", "1e-05", "0.0001", "0.1", "1.0", "100000.0", "1e+06", "1e+10"]
        #expect(bounds.map(CanonicalNumber.string) == expected)
    }

    @Test func defaultBucketsAndSpecialValuesAreCanonical() {
        let bounds: [Double] = [
            0.005, 0.025, 2.5, 5, -1, -0.5, 123456.7, 1234567.5, 1.5e-7, .infinity, -.infinity, -0.0,
        ]
        let expected = [
            "0.005", "0.025", "2.5", "5.0", "-1.0", "-0.5", "123456.7", "1.2345675e+06", "1.5e-07", "+Inf", "-Inf",
            "-0.0",
        ]
        #expect(bounds.map(CanonicalNumber.string) == expected)
        #expect(CanonicalNumber.string(.nan) == "NaN")
    }

    @Test func canonicalTextsParseBackToTheSameBound() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = Double(bitPattern: generator.next() & 0x7FFF_FFFF_FFFF_FFFF)
            guard value.isFinite else { continue }
            let text = CanonicalNumber.string(value)
            #expect(Double(text)?.bitPattern == value.bitPattern, "\(value) -> \(text)")
        }
    }
}
