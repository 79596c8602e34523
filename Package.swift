// swift-tools-version: 6.1
// Casebridge: stream legacy children's social care exports, check them against the integrity rules,
// and load them into the replacement system's schema.

import PackageDescription

/// The reader's and the staging store's mutable state is confined to the one thread that runs a read,
/// so release builds skip Swift's run-time exclusivity checks there (measured: ~3% of a check's time).
let confinedStateSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// With CASEBRIDGE_OPTIMIZE=1 (scripts/test sets it), Casebridge's own modules build with the optimizer on in a
/// debug build too, with testable imports and every precondition and overflow check: the suite's end-to-end
/// tests generate, read, check and load exports of thousands of records, and unoptimized Swift runs them about
/// three times slower. The tests and the dependencies stay unoptimized, which keeps that build short.
let optimizedSettings: [SwiftSetting] = Context.environment["CASEBRIDGE_OPTIMIZE"] == "1"
    ? [.unsafeFlags(["-O"], .when(configuration: .debug))] : []

/// With CASEBRIDGE_SANITIZER_SUBSET set to the names of test targets (scripts/test sets it for its sanitizer runs,
/// from the tests they run), the package declares only those test targets and the modules they need: a sanitized
/// build then leaves out the report, the scheduler, the command line with ArgumentParser and the test targets it
/// would compile and never run.
let sanitizedTestTargets = Set((Context.environment["CASEBRIDGE_SANITIZER_SUBSET"] ?? "").split(separator: " ").map(String.init))

/// With CASEBRIDGE_SANITIZE set to `thread` or `address` (scripts/test sets it for its sanitizer runs), Casebridge's
/// own modules and tests are compiled and linked with that sanitizer, and the dependencies are not: a sanitized
/// build in the suite's scratch path then reuses its build of swift-crypto and Yams (`swift test --sanitize`
/// would build them again, instrumented: about half of a sanitized build's time). A race or a bad access inside
/// a dependency goes unseen, as one inside libxml2, SQLite or Foundation always did.
let sanitizer = Context.environment["CASEBRIDGE_SANITIZE"].flatMap { ["thread", "address"].contains($0) ? $0 : nil }

let package = Package(
    name: "Casebridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "casebridge", targets: ["casebridge"]),
        // The reading, mapping, staging and checking modules, for the fuzz targets in Fuzz/ (a package
        // of its own that depends on this one by path, so that nothing here links libFuzzer).
        .library(name: "CasebridgeCore", targets: [
            "CasebridgeModel", "CasebridgeMapping", "CasebridgeRead", "CasebridgeStore", "CasebridgeCheck",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries, each through one small system-library target with a shim header.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libpq, PostgreSQL's client library: a target on a PostgreSQL server (COPY for the bulk load).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // The pipeline, one module per stage: model → mapping → read → store → check → load.
        .target(
            name: "CasebridgeModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeMapping",
            dependencies: ["CasebridgeModel", "Yams"],
            resources: [.copy("Resources/legacy-case-export.yaml")],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeRead",
            dependencies: [
                "CasebridgeModel", "CasebridgeMapping", "CLibXML2",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: confinedStateSettings + optimizedSettings
        ),
        .target(
            name: "CasebridgeStore",
            dependencies: [
                "CasebridgeModel", "CasebridgeRead", "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: confinedStateSettings + optimizedSettings
        ),
        .target(
            name: "CasebridgeCheck",
            dependencies: [
                "CasebridgeModel", "CasebridgeMapping", "CasebridgeRead", "CasebridgeStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/policy")],
            swiftSettings: optimizedSettings
        ),
        // The target: its schema and Casebridge's bookkeeping tables in it, and how runs are read back.
        .target(
            name: "CasebridgeTarget",
            dependencies: [
                "CasebridgeModel", "CasebridgeMapping", "CasebridgeStore", "CLibPQ",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/target")],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeLoad",
            dependencies: [
                "CasebridgeModel", "CasebridgeMapping", "CasebridgeRead", "CasebridgeStore", "CasebridgeCheck", "CasebridgeTarget",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeGenerate",
            dependencies: [
                "CasebridgeModel",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeReport",
            dependencies: [
                "CasebridgeModel", "CasebridgeStore", "CasebridgeTarget", "CasebridgeCheck",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimizedSettings
        ),
        .target(
            name: "CasebridgeSchedule",
            dependencies: ["CasebridgeModel", "CasebridgeMapping", "CasebridgeRead", "CasebridgeStore", "CasebridgeTarget", "CasebridgeLoad"],
            swiftSettings: optimizedSettings
        ),
        .executableTarget(
            name: "casebridge",
            dependencies: [
                "CasebridgeCheck", "CasebridgeLoad", "CasebridgeGenerate", "CasebridgeReport", "CasebridgeSchedule",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimizedSettings
        ),

        // What every test target shares: temporary folders and the built-in configuration.
        .target(
            name: "TestSupport",
            dependencies: ["CasebridgeMapping", "CasebridgeCheck", "CasebridgeTarget"],
            path: "Tests/TestSupport"
        ),

        .testTarget(name: "CasebridgeModelTests", dependencies: ["CasebridgeModel", "TestSupport"]),
        .testTarget(name: "CasebridgeMappingTests", dependencies: ["TestSupport", "CasebridgeMapping"]),
        .testTarget(name: "CasebridgeReadTests", dependencies: ["TestSupport", "CasebridgeRead", "CasebridgeMapping"]),
        .testTarget(name: "CasebridgeCheckTests", dependencies: ["TestSupport", "CasebridgeCheck", "CasebridgeGenerate"]),
        .testTarget(name: "CasebridgeLoadTests", dependencies: ["TestSupport", "CasebridgeLoad", "CasebridgeTarget", "CasebridgeGenerate"]),
        .testTarget(name: "CasebridgeGenerateTests", dependencies: ["TestSupport", "CasebridgeGenerate", "CasebridgeModel"]),
        .testTarget(name: "CasebridgeCLITests", dependencies: ["TestSupport", "casebridge", "CasebridgeModel"]),
        .testTarget(name: "CasebridgeScheduleTests", dependencies: ["TestSupport", "CasebridgeSchedule"]),
        // Against a real PostgreSQL server (CASEBRIDGE_TEST_POSTGRES, which scripts/test sets).
        .testTarget(
            name: "CasebridgePostgresTests",
            dependencies: [
                "TestSupport", "CasebridgeLoad", "CasebridgeTarget", "CasebridgeGenerate", "CasebridgeReport", "CasebridgeSchedule",
                "CasebridgeStore", "CasebridgeCheck", "CasebridgeModel",
            ]
        ),
        .testTarget(
            name: "CasebridgeReportTests",
            dependencies: [
                "TestSupport",
                "CasebridgeReport", "CasebridgeLoad", "CasebridgeTarget", "CasebridgeGenerate", "CasebridgeCheck", "CasebridgeStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

if let sanitizer {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=\(sanitizer)"])]
        target.linkerSettings = (target.linkerSettings ?? []) + [.unsafeFlags(["-sanitize=\(sanitizer)"])]
    }
}

if !sanitizedTestTargets.isEmpty {
    let unneeded: Set = ["casebridge", "CasebridgeReport", "CasebridgeSchedule"]
    package.targets.removeAll { unneeded.contains($0.name) || ($0.type == .test && !sanitizedTestTargets.contains($0.name)) }
    package.products.removeAll { $0.name == "casebridge" }
    package.dependencies.removeAll {
        guard case .sourceControl(_, let location, _) = $0.kind else { return false }
        return location.hasSuffix("/swift-argument-parser")
    }
}
