// swift-tools-version:6.1
// A separate package so the root package's `swift build` / `swift test` never
// build the benchmark harness (ordo-one/benchmark and its dependencies).
//
// Run (see docs/benchmarks.md):
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which differs between
/// checkouts (e.g. a worktree): use whatever the root package's folder is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "lvssim-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SchedulerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Schedulers", package: root),
                .product(name: "LVSModel", package: root),
                .product(name: "Simulation", package: root),
            ],
            // The plugin finds benchmark targets whose directory sits in a folder named
            // "Benchmarks": here that is this package's own directory.
            path: "SchedulerBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
