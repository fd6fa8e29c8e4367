// swift-tools-version:6.0
// SplitBench: a test bench for A/B-testing machinery (see README.md).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SplitBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "splitbench", targets: ["splitbench"]),
        .library(name: "Distributions", targets: ["Distributions"]),
        .library(name: "Assignment", targets: ["Assignment"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Scenarios", targets: ["Scenarios"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // GSL, the GNU Scientific Library, seen only by `Distributions`.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        // CPU-specific hash kernels (SHA extensions, AVX2) with runtime dispatch, plain C11;
        // also seen only by `Distributions` (`HashKernels`), which keeps the C boundary in one module.
        .target(name: "CHashKernels"),
        .target(name: "Distributions", dependencies: ["CGSL", "CHashKernels"], swiftSettings: strict),
        .target(
            name: "Assignment",
            dependencies: ["Distributions", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "Analysis", dependencies: ["Distributions"], swiftSettings: strict),
        .target(
            name: "Simulation",
            dependencies: ["Distributions", "Assignment", "Analysis"],
            swiftSettings: strict
        ),
        .target(
            name: "Scenarios",
            dependencies: ["Simulation", "Analysis", "Assignment", "Yams", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "Reports", dependencies: ["Simulation", "Analysis"], swiftSettings: strict),
        .executableTarget(
            name: "splitbench",
            dependencies: [
                "Distributions", "Assignment", "Analysis", "Simulation", "Scenarios", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Release-mode micro-benchmarks run by scripts/bench-*.
        .executableTarget(name: "splitbench-bench", dependencies: ["Distributions", "Assignment"], swiftSettings: strict),
        // Fuzz targets for the scenario reader, ruleset loader and CSV reader: libFuzzer under
        // scripts/fuzz (-sanitize=fuzzer -DFUZZING), a replay driver otherwise.
        .executableTarget(name: "splitbench-fuzz", dependencies: ["Assignment", "Simulation", "Scenarios"], swiftSettings: strict),
        .testTarget(name: "DistributionsTests", dependencies: ["Distributions"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "AssignmentTests", dependencies: ["Assignment", .product(name: "Crypto", package: "swift-crypto")],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Analysis", "Assignment", "Distributions"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "Simulation"], swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Simulation"], swiftSettings: strict),
        .testTarget(name: "SplitbenchCLITests", dependencies: ["splitbench"], exclude: ["Snapshots"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
