// swift-tools-version:6.2
//
// The benchmark package of swift-prom, separate from the root package so that library users never resolve
// package-benchmark or swift-prometheus. Run from this directory:
//
//   swift package --allow-writing-to-package-directory benchmark --no-progress
//
// Thresholds (mallocCountTotal only) live in Thresholds/<swift-version>/; see docs/BENCHMARKS.md and
// scripts/check-benchmark-thresholds.sh, scripts/update-benchmark-thresholds.sh.
import PackageDescription

let benchmarkDependencies: [Target.Dependency] = [
    .product(name: "Benchmark", package: "benchmark"),
    .product(name: "PromCore", package: "swift-prom"),
    .product(name: "PromExposition", package: "swift-prom"),
    .product(name: "PromWorkloads", package: "swift-prom"),
    .product(name: "Prometheus", package: "swift-prometheus"),
    "BenchSupport",
]

let package = Package(
    name: "swift-prom-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named so that the identity does not depend on the checkout directory name.
        .package(name: "swift-prom", path: ".."),
        // The MallocInterposer trait gives exact malloc counts; without it resolution needs a package that is
        // not mirrored here (docs/BENCHMARKS.md).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "PromCore", package: "swift-prom"),
                .product(name: "PromWorkloads", package: "swift-prom"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // zlib alone, for the "render+gzip vs zlib alone" comparison (the root's CZlib is not a product).
        .systemLibrary(
            name: "CBenchZlib",
            path: "Sources/CBenchZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/StoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ExpositionBenchmarks",
            dependencies: benchmarkDependencies + [
                "CBenchZlib",
                .product(name: "PromGzip", package: "swift-prom"),
            ],
            path: "Benchmarks/ExpositionBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ParserBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PromCore", package: "swift-prom"),
                .product(name: "PromExposition", package: "swift-prom"),
                .product(name: "PromParser", package: "swift-prom"),
                .product(name: "PromWorkloads", package: "swift-prom"),
                "BenchSupport",
            ],
            path: "Benchmarks/ParserBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
