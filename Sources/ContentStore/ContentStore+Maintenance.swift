#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file of the store as `stat` sees it, for gc and doctor.
public struct StoreFile: Sendable, Equatable {
    /// Where it is.
    public let path: String
    /// Its length in bytes.
    public let size: Int64
    /// When it was last written (seconds since 1970).
    public let modified: Int
}

extension ContentStore {
    /// Where `repair` moves bytes it takes out of the store. Nothing in reel ever deletes from it: what is
    /// there is the user's to look at and remove.
    public var quarantineDirectory: String { root + "/quarantine" }

    /// Moves a file into `quarantine/` under `name` (or `name.1`, `name.2`, … when taken) and returns its new
    /// path. A hard link then an unlink, so an existing quarantined file is never replaced and a crash leaves
    /// the bytes in one place or both, never none.
    public func quarantine(file path: String, as name: String) throws(StoreError) -> String {
        if mkdir(quarantineDirectory, 0o755) != 0 && errno != EEXIST { throw .system("creating", quarantineDirectory) }
        var attempt = 0
        var target = "\(quarantineDirectory)/\(name)"
        while link(path, target) != 0 {
            guard errno == EEXIST, attempt < 1000 else { throw .system("moving \(path) to", target) }
            attempt += 1
            target = "\(quarantineDirectory)/\(name).\(attempt)"
        }
        try syncDirectory(quarantineDirectory)
        if unlink(path) != 0 { throw .system("removing", path) }
        try syncDirectory((path as String).parentFolder)
        return target
    }

    /// Regular files in `tmp/`: writes in progress, and what killed ones left behind.
    public func temporaryFiles() throws(StoreError) -> [StoreFile] {
        try listDirectory(temporaryDirectory).compactMap { fileInfo("\(temporaryDirectory)/\($0)") }
    }

    /// A regular file's size and time of last write, or nil when it is not there (or not a regular file).
    public func fileInfo(_ path: String) -> StoreFile? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return StoreFile(path: path, size: Int64(info.st_size), modified: Int(info.st_mtim.tv_sec))
    }

    /// Removes one file of the store (an unreferenced object, a stale temp file). Gone already is fine.
    public func removeFile(_ path: String) throws(StoreError) {
        if unlink(path) != 0 && errno != ENOENT { throw .system("removing", path) }
    }
}

extension String {
    /// The folder part of a path.
    fileprivate var parentFolder: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}
