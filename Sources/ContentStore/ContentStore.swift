#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob as the store holds it.
public struct StoredBlob: Sendable, Equatable {
    /// The SHA-256 of the bytes: the blob's name.
    public let digest: Digest
    /// Its length in bytes.
    public let size: Int64
    /// Where the file lives.
    public let path: String
    /// False when the store already held these bytes (nothing new was written).
    public let isNew: Bool
}

/// The outcome of rehashing one blob.
public enum BlobCheck: Sendable, Equatable {
    case ok
    case missing
    case wrongSize(expected: Int64, actual: Int64)
    case wrongHash(actual: Digest)
}

/// Immutable files named by the SHA-256 of their bytes, under `objects/ab/cdef…`.
///
/// Every write goes to a temp file inside the store, is hashed while it streams, checked for length,
/// fsynced, made read-only and renamed into place; the directory is fsynced after. A crash at any moment
/// leaves either the whole object or none (plus a temp file that `gc` removes).
public struct ContentStore: Sendable {
    /// The store's root folder (a library folder).
    public let root: String
    /// Bytes read or written per system call.
    static let chunkSize = 1 << 20

    public init(root: String) {
        self.root = root
    }

    var objectsDirectory: String { root + "/objects" }
    /// Where temp files live while they are written; on the same filesystem as objects/, so rename is atomic.
    public var temporaryDirectory: String { root + "/tmp" }

    /// Creates the store's folders when missing. Costs no fsync when they all exist (every open calls it).
    public func create() throws(StoreError) {
        var created = false
        for path in [root, objectsDirectory, temporaryDirectory] {
            if mkdir(path, 0o755) == 0 {
                created = true
            } else if errno != EEXIST {
                throw .system("creating", path)
            }
        }
        if created { try syncDirectory(root) }
    }

    /// The path where a blob with this digest lives (whether or not it exists).
    public func path(for digest: Digest) -> String {
        let hex = digest.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// True when the store holds a file for this digest.
    public func contains(_ digest: Digest) -> Bool {
        access(path(for: digest), F_OK) == 0
    }

    /// Copies a file into the store.
    ///
    /// - Parameter expectedSize: when given, a file of another length is refused.
    public func put(file source: String, expectedSize: Int64? = nil) throws(StoreError) -> StoredBlob {
        let input = try FileDescriptor(path: source, flags: O_RDONLY)
        input.adviseSequential()
        let writer = try makeWriter()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let n = try input.read(into: buffer)
            if n == 0 { break }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        try input.close()
        return try writer.commit(expectedSize: expectedSize)
    }

    /// Stores a byte buffer.
    public func put(bytes: [UInt8]) throws(StoreError) -> StoredBlob {
        let writer = try makeWriter()
        // withUnsafeBytes rethrows untyped errors, so the typed one is carried out by hand.
        var failure: StoreError?
        bytes.withUnsafeBytes { raw in
            do throws(StoreError) { try writer.write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
        return try writer.commit(expectedSize: Int64(bytes.count))
    }

    /// Starts a streamed write (a download, say). Commit it, or drop it to discard the temp file.
    public func makeWriter() throws(StoreError) -> BlobWriter {
        try BlobWriter(store: self)
    }

    /// Rehashes a blob and compares it with its name and the expected size.
    public func check(_ digest: Digest, expectedSize: Int64?) throws(StoreError) -> BlobCheck {
        let path = path(for: digest)
        guard access(path, F_OK) == 0 else { return .missing }
        let input = try FileDescriptor(path: path, flags: O_RDONLY)
        let size = try input.size()
        if let expectedSize, size != expectedSize { return .wrongSize(expected: expectedSize, actual: size) }
        input.adviseSequential()
        let actual = try Self.hash(input)
        return actual == digest ? .ok : .wrongHash(actual: actual)
    }

    /// The SHA-256 of a file, without storing it.
    public static func hash(file path: String) throws(StoreError) -> Digest {
        let input = try FileDescriptor(path: path, flags: O_RDONLY)
        input.adviseSequential()
        return try hash(input)
    }

    private static func hash(_ input: FileDescriptor) throws(StoreError) -> Digest {
        let hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let n = try input.read(into: buffer)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        return hasher.finalize()
    }

    /// Every file under objects/: its digest when its name is one, and its path.
    public func allObjects() throws(StoreError) -> [(digest: Digest?, path: String)] {
        var result: [(Digest?, String)] = []
        for prefix in try listDirectory(objectsDirectory) {
            let folder = "\(objectsDirectory)/\(prefix)"
            for rest in try listDirectory(folder) {
                result.append((Digest(hex: prefix + rest), "\(folder)/\(rest)"))
            }
        }
        return result
    }

    /// Removes a blob's file (used by gc and repair).
    public func remove(_ digest: Digest) throws(StoreError) {
        let path = path(for: digest)
        if unlink(path) != 0 && errno != ENOENT { throw .system("removing", path) }
    }

    /// The suffix of a blob write's temp file; a partial download kept for resuming ends in `.partial`.
    static let writeSuffix = "part"
    /// A blob write's temp file for the instant between its creation and its lock.
    static let creatingSuffix = "new"
    public static let partialSuffix = "partial"

    /// What was removed from `tmp/`.
    public struct Sweep: Sendable, Equatable {
        public var files = 0
        public var bytes: Int64 = 0
        public init(files: Int = 0, bytes: Int64 = 0) {
            self.files = files
            self.bytes = bytes
        }
    }

    /// Removes what killed or crashed processes left in `tmp/` (see ``isAbandoned(_:keepingPartials:now:)``),
    /// exactly and at any age. Pass `keepingPartials` only while holding the library's sync lock.
    @discardableResult
    public func removeAbandonedTemporaryFiles(keepingPartials: Set<String>? = nil) throws(StoreError) -> Sweep {
        var sweep = Sweep()
        let now = Int(time(nil))
        for file in try temporaryFiles() where isAbandoned(file, keepingPartials: keepingPartials, now: now) {
            if unlink(file.path) == 0 {
                sweep.files += 1
                sweep.bytes += file.size
            }
        }
        return sweep
    }

    /// Whether a file of `tmp/` is what a killed or crashed process left:
    /// - a blob write's temp file that no process holds its lock on (every writer locks its file before it
    ///   takes that name and keeps the lock to commit; the kernel drops it when the process dies, even by
    ///   SIGKILL), and a file a writer was creating (it has that name for an instant) over a minute old;
    /// - with `keepingPartials` (only for a caller holding the library's sync lock, so that no sync is
    ///   between keeping a partial download and recording it): a partial download not in that set, which
    ///   no catalog row would ever resume.
    /// Anything else in `tmp/` (not reel's) is not.
    public func isAbandoned(_ file: StoreFile, keepingPartials: Set<String>?, now: Int) -> Bool {
        if file.path.hasSuffix("." + Self.partialSuffix) {
            guard let keepingPartials else { return false }
            return !keepingPartials.contains(file.path)
        }
        if file.path.hasSuffix("." + Self.writeSuffix) { return !isBeingWritten(file) }
        if file.path.hasSuffix("." + Self.creatingSuffix) { return now - file.modified > 60 }
        return false
    }

    /// Whether a process holds the file's lock: a blob write in progress.
    public func isBeingWritten(_ file: StoreFile) -> Bool {
        !isUnlocked(file.path)
    }

    /// True when no process holds a lock on the file (taking the lock and letting it go at once).
    private func isUnlocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    func listDirectory(_ path: String) throws(StoreError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw .system("listing", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
