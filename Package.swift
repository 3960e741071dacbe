// swift-tools-version: 6.0
import PackageDescription

/// Debian package names for the system libraries, so SwiftPM can say what to install.
let debian = { (names: String...) in [SystemPackageProvider.apt(names)] }

let package = Package(
    name: "reel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reel", targets: ["reel"]),
        .library(name: "ReelKit", targets: ["ReelKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a module map and a shim header.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: debian("libsqlite3-dev")),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: debian("libcurl4-openssl-dev")),
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: debian("libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev")),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: debian("libssl-dev")),

        // Swift wrappers: each is the only importer of its C module and owns its handles.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "Media", dependencies: ["CFFmpeg"]),
        .target(name: "ContentStore", dependencies: ["COpenSSL"]),
        .target(name: "HTTP", dependencies: ["CCurl"]),

        // The catalog's SQL migrations, embedded in the binary.
        .target(name: "ReelSchema", path: "schema", resources: [.embedInCode("migrations")]),
        .target(name: "Catalog", dependencies: ["SQLite", "ReelSchema"]),

        .target(name: "ReelKit", dependencies: ["Catalog", "ContentStore", "Media", "HTTP", "SQLite"]),
        .executableTarget(
            name: "reel",
            dependencies: ["ReelKit", "Media", "Catalog", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // The in-process halves of scripts/bench-*.
        .executableTarget(name: "reel-bench", dependencies: ["ContentStore"], path: "Benchmarks/ReelBench"),

        // Shared by the test targets: temp folders, the corpus, running programs.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestSupport"]),
        .testTarget(name: "ContentStoreTests", dependencies: ["ContentStore", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "ReelKitTests", dependencies: ["ReelKit", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["reel", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
