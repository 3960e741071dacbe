import Foundation

/// A fresh folder under the system's temp directory, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The folder's path.
    public let path: String

    public init(_ label: String = "reel-test") {
        let base = FileManager.default.temporaryDirectory.path
        let template = "\(base)/\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { fatalError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        // Undo what tests do to make folders unwritable, then remove everything.
        _ = try? Shell.run("/usr/bin/chattr", ["-R", "-i", path])
        _ = try? Shell.run("/bin/chmod", ["-R", "u+rwX", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes bytes to a file inside the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Copies a file into the folder under a new name and returns its path.
    @discardableResult
    public func copy(_ source: String, as name: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }

    /// Makes a folder refuse new entries, even for root (an immutable attribute there, mode 0555 otherwise).
    public static func makeUnwritable(_ folder: String) throws {
        if geteuid() == 0 {
            try Shell.run("/usr/bin/chattr", ["+i", folder])
        } else {
            try Shell.run("/bin/chmod", ["0555", folder])
        }
    }
}
