// swift-tools-version:6.1
import PackageDescription

/// The simulator's hot path crosses LVSModel → Schedulers → Simulation (the
/// table's accessors, the director, the engine): full cross-module
/// optimisation lets release builds inline and specialise across them.
let releaseOptimization: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
    name: "lvssim",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LVSModel", targets: ["LVSModel"]),
        .library(name: "Schedulers", targets: ["Schedulers"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .executable(name: "lvssim", targets: ["lvssim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "LVSModel", swiftSettings: releaseOptimization),
        .target(name: "Schedulers", dependencies: ["LVSModel"], swiftSettings: releaseOptimization),
        .target(
            name: "Simulation",
            dependencies: [
                "LVSModel", "Schedulers", "CGSL",
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: releaseOptimization
        ),
        .executableTarget(
            name: "lvssim",
            dependencies: [
                "LVSModel", "Schedulers", "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LVSModelTests",
            dependencies: ["LVSModel", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(name: "SchedulersTests", dependencies: ["Schedulers", "LVSModel"]),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "Schedulers", "LVSModel", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "LVSSimTests",
            dependencies: ["lvssim", "Simulation", "Schedulers", "LVSModel"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
