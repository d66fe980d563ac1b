// swift-tools-version:6.2
//
// libFuzzer targets for PromParser; a separate package so that library users never see fuzzer flags.
// Build one target (see README.md):
//   swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --product FuzzParserText
import PackageDescription

let package = Package(
    name: "swift-prom-fuzz",
    dependencies: [.package(name: "swift-prom", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "PromParser", package: "swift-prom")]),
        .executableTarget(name: "FuzzParserText", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzParserOpenMetrics", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzParserSplit", dependencies: ["FuzzSupport"]),
    ]
)
