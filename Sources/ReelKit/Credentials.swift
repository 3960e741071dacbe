import Foundation

/// API keys kept by `reel remote login`: `$XDG_CONFIG_HOME/reel/credentials` (else `~/.config/reel/credentials`),
/// one `NAME=KEY` line per remote, mode 0600. A file that others can read is refused, never used.
public struct CredentialsFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The default location for an environment.
    public static func location(environment: [String: String]) throws(ReelError) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/reel/credentials" }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw ReelError("cannot tell where the credentials file is: HOME is not set", status: .usage)
        }
        return home + "/.config/reel/credentials"
    }

    /// Every stored key, by remote name; empty when there is no file.
    public func read() throws(ReelError) -> [String: String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return [:] }
            throw ReelError("cannot read \(path): \(String(cString: strerror(errno)))", status: .ioError)
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw ReelError("\(path) can be read by others (mode \(mode)); run `chmod 600 \(path)` first", status: .permission)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReelError("cannot read \(path)", status: .ioError)
        }
        var keys: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            keys[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return keys
    }

    /// Stores (or replaces) a remote's key: written to a 0600 temp file, fsynced, renamed over the old one.
    public func store(key: String, for remote: String) throws(ReelError) {
        var keys = try read()
        keys[remote] = key
        try write(keys)
    }

    /// Forgets a remote's key; returns whether there was one.
    @discardableResult
    public func remove(_ remote: String) throws(ReelError) -> Bool {
        var keys = try read()
        guard keys.removeValue(forKey: remote) != nil else { return false }
        try write(keys)
        return true
    }

    private func write(_ keys: [String: String]) throws(ReelError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ReelError("cannot create \(folder): \(error.localizedDescription)", status: .ioError)
        }
        let text = "# reel API keys: NAME=KEY per line. Keep this file private (mode 0600).\n"
            + keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ReelError("cannot write \(temporary): \(String(cString: strerror(errno)))", status: .ioError) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ReelError("cannot write \(path): \(String(cString: strerror(errno)))", status: .ioError)
        }
    }
}
