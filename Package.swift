// swift-tools-version:6.2
//
// Targets are split by what they link (see docs/ARCHITECTURE.md):
//   PromCore        standard library + Synchronization (+ CPromCPU, a header-only shim): the sample store.
//   PromExposition  PromCore: Prometheus text 0.0.4 and OpenMetrics 1.0 writers.
//   CZlib/PromGzip  the system zlib: streaming gzip (deflate) and gunzip (inflate).
//   PromParser      nothing: the streaming text / OpenMetrics parser.
//   PromWorkloads   PromCore: the benchmark workloads W1/W2/W3, shared by promkit and Benchmarks/.
//   PromHTTP        SwiftNIO (+ NIOSSL, ServiceLifecycle): the /metrics handler and server. The only
//                   target that imports NIO; a service that does not serve HTTP never links it.
//   promkit         the command-line kit (render, parse, serve).
// Benchmarks/ and Fuzz/ are separate packages so that library users never resolve their dependencies.
//
// Build flag: `-Xswiftc -DPROM_INTERNAL_CHECKS` compiles the full structural checks (`_checkInvariants()`);
// the test job turns it on.
import PackageDescription

let strictMemorySafety: [SwiftSetting] = [.strictMemorySafety()]

let package = Package(
    name: "swift-prom",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PromCore", targets: ["PromCore"]),
        .library(name: "PromExposition", targets: ["PromExposition"]),
        .library(name: "PromGzip", targets: ["PromGzip"]),
        .library(name: "PromParser", targets: ["PromParser"]),
        .library(name: "PromWorkloads", targets: ["PromWorkloads"]),
        .library(name: "PromHTTP", targets: ["PromHTTP"]),
        .executable(name: "promkit", targets: ["promkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The calling CPU's number, inline from glibc's rseq area (a header-only C shim).
        .target(name: "CPromCPU"),
        .target(name: "PromCore", dependencies: ["CPromCPU"], swiftSettings: strictMemorySafety),
        .target(name: "PromExposition", dependencies: ["PromCore"], swiftSettings: strictMemorySafety),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "PromGzip", dependencies: ["CZlib"], swiftSettings: strictMemorySafety),
        .target(name: "PromParser", swiftSettings: strictMemorySafety),
        .target(name: "PromWorkloads", dependencies: ["PromCore"]),
        .target(
            name: "PromHTTP",
            dependencies: [
                "PromCore", "PromExposition", "PromGzip",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictMemorySafety
        ),
        .executableTarget(
            name: "promkit",
            dependencies: [
                "PromCore", "PromExposition", "PromGzip", "PromParser", "PromWorkloads", "PromHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "PromTestSupport", dependencies: ["PromCore"], path: "Tests/PromTestSupport"),
        .testTarget(name: "PromCoreTests", dependencies: ["PromCore", "PromTestSupport"]),
        .testTarget(
            name: "PromExpositionTests", dependencies: ["PromCore", "PromExposition", "PromParser", "PromTestSupport"]),
        .testTarget(
            name: "PromGzipTests",
            dependencies: ["PromGzip", "PromExposition", "PromCore", "PromParser", "PromWorkloads", "PromTestSupport"]
        ),
        .testTarget(name: "PromParserTests", dependencies: ["PromParser", "PromTestSupport"]),
        .testTarget(
            name: "PromHTTPTests",
            dependencies: [
                "PromHTTP", "PromCore", "PromExposition", "PromGzip",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
