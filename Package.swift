// swift-tools-version: 6.0
import PackageDescription

/// Debian package names for the system libraries, so SwiftPM can say what to install.
let debian = { (names: String...) in [SystemPackageProvider.apt(names)] }

let package = Package(
    name: "reel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reel", targets: ["reel"]),
        .executable(name: "reel-sim", targets: ["reel-sim"]),
        .library(name: "ReelKit", targets: ["ReelKit"]),
        .library(name: "ReelSimulator", targets: ["ReelSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Hummingbird runs on it already; the simulator names its Service protocol and signals.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a module map and a shim header.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: debian("libsqlite3-dev")),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: debian("libcurl4-openssl-dev")),
        // Headers only: the libraries are loaded when first used (CFFmpegLoader), so that commands that
        // read no media (search, tag, stats…) do not pay for binding libav*'s 160 shared libraries at start.
        .systemLibrary(
            name: "CFFmpeg", providers: debian("libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev")),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: debian("libssl-dev")),

        // Swift wrappers: each is the only importer of its C module and owns its handles.
        .target(name: "SQLite", dependencies: ["CSQLite", "CReelFTS"]),
        // reel's FTS5 tokenizer (CJK pairs over unicode61), registered by SQLite on every connection.
        .target(name: "CReelFTS", dependencies: ["CSQLite"]),
        .target(name: "Media", dependencies: ["CFFmpeg", "CFFmpegLoader"]),
        // libav*'s functions, loaded with dlopen on first use (generated: scripts/gen-ffmpeg-loader).
        .target(name: "CFFmpegLoader"),
        .target(name: "ContentStore", dependencies: ["COpenSSL"]),
        .target(name: "HTTP", dependencies: ["CCurl", "ContentStore"]),
        // What the remotes send, decoded into one canonical model (pure Swift).
        .target(name: "RemoteAPI"),

        // The catalog's SQL migrations, embedded in the binary.
        .target(name: "ReelSchema", path: "schema", resources: [.embedInCode("migrations")]),
        // The catalog speaks the canonical model's words (states, media roles).
        .target(name: "Catalog", dependencies: ["SQLite", "ReelSchema", "RemoteAPI"]),

        .target(name: "ReelKit", dependencies: ["Catalog", "ContentStore", "Media", "HTTP", "RemoteAPI", "SQLite"]),
        .executableTarget(
            name: "reel",
            dependencies: ["ReelKit", "Media", "Catalog", "HTTP", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // The API simulator: every remote dialect on one port, with real media and real faults.
        .target(
            name: "ReelSimulator",
            dependencies: [
                "Media", "ContentStore", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "reel-sim",
            dependencies: ["ReelSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // The in-process halves of scripts/bench-*.
        .executableTarget(
            name: "reel-bench", dependencies: ["ContentStore", "Catalog", "Media", "ReelKit", "RemoteAPI", "SQLite"],
            path: "Benchmarks/ReelBench"),

        // Shared by the test targets: temp folders, the corpus, running programs.
        .target(name: "TestSupport", dependencies: ["ReelSimulator"], path: "Tests/TestSupport"),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "Media", "TestSupport"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestSupport"]),
        .testTarget(name: "ContentStoreTests", dependencies: ["ContentStore", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "ReelKitTests", dependencies: ["ReelKit", "Media", "TestSupport"]),
        .testTarget(name: "SyncTests", dependencies: ["reel", "ReelKit", "Catalog", "SQLite", "HTTP", "RemoteAPI", "ContentStore", "ReelSimulator", "Media", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["reel", "ReelSimulator", "SQLite", "ContentStore", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "ContentStore", "ReelSimulator", "TestSupport"]),
        .testTarget(name: "RemoteAPITests", dependencies: ["RemoteAPI", "ReelSimulator", "TestSupport"]),
        .testTarget(name: "ReelSimulatorTests", dependencies: ["ReelSimulator", "Media", "reel-sim", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
