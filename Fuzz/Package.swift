// swift-tools-version: 5.4
// Casebridge's fuzz targets: libFuzzer entry points over what reads untrusted or hand-written input.
//
// A package of its own, beside the main one and depending on it by path, because a fuzz target
// defines `LLVMFuzzerTestOneInput` and no `main` (libFuzzer brings it): it links only when built with
// `-sanitize=fuzzer`, which the main package's `swift build` and `swift test` never see.
// Build and run them with `scripts/fuzz` (see its header).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable module's `main` (so that
// tests can link it) and links the product with `--defsym main=<module>_main`, a symbol a fuzz target
// does not have. The sources are still Swift 6, strict concurrency included (`-swift-version 6`).

import PackageDescription

let swift6: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

let package = Package(
    name: "CasebridgeFuzz",
    dependencies: [
        .package(name: "Casebridge", path: ".."),
    ],
    targets: [
        // What each fuzz target does with one input, and the checks that turn a silent escape into a crash.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "CasebridgeCore", package: "Casebridge")],
            swiftSettings: swift6
        ),
        .executableTarget(name: "fuzz-export", dependencies: ["FuzzSupport"], swiftSettings: swift6),
        .executableTarget(name: "fuzz-nested", dependencies: ["FuzzSupport"], swiftSettings: swift6),
        .executableTarget(name: "fuzz-mapping", dependencies: ["FuzzSupport"], swiftSettings: swift6),
        .executableTarget(name: "fuzz-policy", dependencies: ["FuzzSupport"], swiftSettings: swift6),
        .executableTarget(name: "fuzz-href", dependencies: ["FuzzSupport"], swiftSettings: swift6),
    ]
)
