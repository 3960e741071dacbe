#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Places files outside the store (exports) so that a crash never leaves half a file under a final
/// name: each file is made under a temporary name in its final folder, then renamed over.
public enum FilePlacement {
    /// What temporary names start with; a later run removes leftovers of an interrupted one.
    public static let temporaryPrefix = ".reel-part-"

    /// What a path holds, from `lstat` (a symbolic link is described, not followed).
    public struct Identity: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case file, directory, symbolicLink, other }
        public let kind: Kind
        public let device: UInt64
        public let inode: UInt64
        public let size: Int64
    }

    /// What is at `path`, or nil when nothing is.
    public static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind: Identity.Kind =
            switch info.st_mode & S_IFMT {
            case S_IFREG: .file
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            default: .other
            }
        return Identity(kind: kind, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size))
    }

    /// The target of the symbolic link at `path`, or nil when it is not one.
    public static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Creates `path` and every missing parent (mode 0755), like `mkdir -p`.
    /// A symbolic link to a folder counts as a folder (the caller decides whether it may be followed).
    public static func makeDirectories(_ path: String) throws(StoreError) {
        if isFolder(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path, !parent.isEmpty { try makeDirectories(parent) }
        guard mkdir(path, 0o755) == 0 || (errno == EEXIST && isFolder(path)) else {
            throw .system("creating the folder", path)
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Makes `target` by running `make` on a fresh temporary path beside it, then renaming that over
    /// `target`. On any failure the temporary file is removed and `target` is left as it was.
    public static func place(_ target: String, _ make: (String) throws -> Void) throws {
        let temporary = temporaryPath(beside: target)
        do {
            try make(temporary)
            guard rename(temporary, target) == 0 else { throw StoreError.system("moving into place", target) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A hard link to `source` at `target`; fails with `EXDEV` across filesystems.
    public static func link(_ source: String, to target: String) throws(StoreError) {
        guard Glibc.link(source, target) == 0 else { throw .system("linking", target) }
    }

    /// A symbolic link to `source` at `target`.
    public static func symbolicLink(_ source: String, to target: String) throws(StoreError) {
        guard symlink(source, target) == 0 else { throw .system("linking", target) }
    }

    /// A new file at `target` (which must not exist) with the bytes of `source`, flushed to disk.
    public static func copy(_ source: String, to target: String) throws(StoreError) {
        let input = try FileDescriptor(path: source, flags: O_RDONLY)
        let output = try FileDescriptor(path: target, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        input.adviseSequential()
        var copied: Int64 = 0
        let size = try input.size()
        // copy_file_range lets the kernel (or a reflinking filesystem) move the bytes without a round trip.
        while copied < size {
            let n = copyFileRange?(input.raw, nil, output.raw, nil, Int(min(size - copied, 1 << 30)), 0) ?? { errno = ENOSYS; return -1 }()
            if n > 0 {
                copied += Int64(n)
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else if errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP {
                try copyByReading(input, to: output)
                copied = try output.size()
                break
            } else {
                throw .system("writing", target)
            }
        }
        guard copied == size else { throw StoreError(.sizeMismatch(expected: size, actual: copied), path: target, operation: "copying") }
        try output.sync()
        try output.close()
    }

    /// A new file at `target` (which must not exist) holding `bytes`, flushed to disk.
    public static func write(_ bytes: [UInt8], to target: String) throws(StoreError) {
        let output = try FileDescriptor(path: target, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        do {
            try bytes.withUnsafeBytes { try output.writeAll($0) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .system("writing", target)
        }
        try output.sync()
        try output.close()
    }

    /// Flushes a file written by someone else (libavformat) to disk.
    public static func syncFile(_ path: String) throws(StoreError) {
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        try file.sync()
        try file.close()
    }

    /// Flushes a folder's entries (new names, renames) to disk.
    public static func syncFolder(_ path: String) throws(StoreError) {
        try syncDirectory(path)
    }

    /// Removes a file or symbolic link; nothing there is not an error.
    public static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system("removing", path) }
    }

    /// Removes `path` if it is an empty folder; says whether it did.
    @discardableResult
    public static func removeEmptyFolder(_ path: String) -> Bool {
        rmdir(path) == 0
    }

    /// The folder that holds `path` ("/" for top-level paths, "." for a bare name).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func temporaryPath(beside target: String) -> String {
        let folder = parentDirectory(of: target)
        let name = target.utf8.lastIndex(of: UInt8(ascii: "/")).map { target[target.index(after: $0)...] } ?? target[...]
        // The final extension stays at the end: libavformat picks a muxer by it.
        let ext = name.utf8.lastIndex(of: UInt8(ascii: ".")).map { String(name[$0...]) } ?? ""
        let random = String(UInt64.random(in: 1 << 60..<UInt64.max), radix: 36)
        return folder + "/" + temporaryPrefix + random + (ext.utf8.count <= 16 ? ext : "")
    }

    /// glibc's `copy_file_range`, which Swift's Glibc module does not export (it needs `_GNU_SOURCE`).
    private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    private static let copyFileRange: CopyFileRange? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "copy_file_range") else { return nil }
        return unsafeBitCast(symbol, to: CopyFileRange.self)
        #else
        return nil
        #endif
    }()

    private static func copyByReading(_ input: FileDescriptor, to output: FileDescriptor) throws(StoreError) {
        guard lseek(input.raw, 0, SEEK_SET) == 0, ftruncate(output.raw, 0) == 0, lseek(output.raw, 0, SEEK_SET) == 0 else {
            throw .system("copying", output.path)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try input.read(into: buffer)
            if n == 0 { return }
            try output.writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }
}

/// An exclusive `flock` on a folder, held until released or deinitialised: two exports into one folder
/// would each rewrite the other's ledger.
public final class FolderLock {
    private let folder: FileDescriptor

    /// Takes the lock, or returns nil when another process holds it.
    public init?(_ path: String) throws(StoreError) {
        folder = try FileDescriptor(path: path, flags: O_RDONLY | O_DIRECTORY)
        guard flock(folder.raw, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return nil }
            throw .system("locking", path)
        }
    }
}
