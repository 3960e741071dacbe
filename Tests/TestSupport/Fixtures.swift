import Foundation

/// Where the real files tests use live.
public enum Fixtures {
    /// The package root, found from this file's path.
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// The media corpus: `$REEL_CORPUS`, or `shared/corpus/media` beside the package.
    public static let corpus: String = {
        if let override = ProcessInfo.processInfo.environment["REEL_CORPUS"], !override.isEmpty { return override }
        return (packageRoot as NSString).deletingLastPathComponent + "/shared/corpus/media"
    }()

    /// How much longer than usual a time bound may be: `$REEL_TEST_TIME_SCALE` (scripts/sanitize sets it, as
    /// a sanitizer makes everything several times slower), else 1. Only the bounds that guard against a
    /// hang use it; nothing asserts speed.
    public static let timeScale: Int = {
        Int(ProcessInfo.processInfo.environment["REEL_TEST_TIME_SCALE"] ?? "").map { max(1, $0) } ?? 1
    }()

    /// The corpus's file names, sorted.
    public static let corpusFiles: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }()

    /// The path of a corpus file.
    public static func corpus(_ name: String) -> String { "\(corpus)/\(name)" }

    /// The real prompts of `shared/corpus/prompts/` (VBench), one per line: `"en"` or `"zh"`, line for line
    /// the same prompts. Empty when the corpus is missing, which the tests that use it then report.
    public static func prompts(_ language: String) -> [String] {
        let path = (corpus as NSString).deletingLastPathComponent + "/prompts/vbench_\(language).txt"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The `reel` executable SwiftPM built beside the test bundle.
    public static let reelBinary = builtProduct("reel")

    /// The `reel-sim` executable.
    public static let simulatorBinary = builtProduct("reel-sim")

    /// An executable product SwiftPM built beside the test bundle.
    public static func builtProduct(_ name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the tests run as `<products>/reelPackageTests.xctest`; on macOS inside a bundle.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return "\(packageRoot)/.build/debug/\(name)"
    }
}
