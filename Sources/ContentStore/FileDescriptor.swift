#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor with one owner: it is closed exactly once, on `close()` or in `deinit`.
///
/// `@unchecked Sendable` because `BlobWriter` hands it to its write queue; the writer never touches it
/// while that queue holds work (every other use waits for the queue to drain first).
final class FileDescriptor: @unchecked Sendable {
    private(set) var raw: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0) throws(StoreError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system("opening", path) }
        self.raw = fd
        self.path = path
    }

    private init(raw: Int32, path: String) {
        self.raw = raw
        self.path = path
    }

    deinit {
        if raw >= 0 { Glibc.close(raw) }
    }

    /// A new file at `path` (which must not exist), open for writing and locked (`flock`) before it
    /// appears under that name, so that a file there without a lock is one whose process is gone.
    ///
    /// Made unnamed (`O_TMPFILE`) and linked in once locked, so a process killed in between leaves
    /// nothing; where the filesystem cannot, made under `creating` and renamed once locked.
    static func lockedNewFile(at path: String, creating: String) throws(StoreError) -> FileDescriptor {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        let unnamed = open(directory, 0o20000000 | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o600)  // O_TMPFILE
        if unnamed >= 0 {
            let file = FileDescriptor(raw: unnamed, path: path)
            guard flock(unnamed, LOCK_EX | LOCK_NB) == 0 else { throw .system("locking", path) }
            if linkat(AT_FDCWD, "/proc/self/fd/\(unnamed)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return file }
            guard errno == ENOENT else { throw .system("creating", path) }  // no /proc: the named way
        }
        #endif
        let file = try FileDescriptor(path: creating, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        guard flock(file.raw, LOCK_EX | LOCK_NB) == 0, rename(creating, path) == 0 else {
            let error = StoreError.system("locking", creating)
            unlink(creating)
            throw error
        }
        return FileDescriptor(raw: file.takeRaw(), path: path)
    }

    /// Hands the descriptor to a new owner.
    private func takeRaw() -> Int32 {
        defer { raw = -1 }
        return raw
    }

    /// Closes now, reporting the error that a deferred close would hide (NFS and friends report write errors here).
    func close() throws(StoreError) {
        guard raw >= 0 else { return }
        let fd = raw
        raw = -1
        guard Glibc.close(fd) == 0 else { throw .system("closing", path) }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file. Retries on EINTR.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(StoreError) -> Int {
        while true {
            let n = Glibc.read(raw, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw .system("reading", path) }
        }
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(raw, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("writing", path)
            }
            offset += n
        }
    }

    func sync() throws(StoreError) {
        guard fsync(raw) == 0 else { throw .system("syncing", path) }
    }

    /// Asks the kernel to start writing back a range now, so the final fsync has little left to wait for.
    /// On Linux, POSIX_FADV_DONTNEED starts asynchronous writeback of dirty pages (and drops clean ones,
    /// which keeps a large import from evicting the user's page cache).
    func startWriteback(offset: Int64, length: Int64) {
        #if os(Linux)
        _ = posix_fadvise(raw, off_t(offset), off_t(length), Int32(POSIX_FADV_DONTNEED))
        #endif
    }

    func adviseSequential() {
        #if os(Linux)
        _ = posix_fadvise(raw, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    func size() throws(StoreError) -> Int64 {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw .system("reading the size of", path) }
        return Int64(info.st_size)
    }
}

/// fsyncs a directory so that a rename or a new entry in it survives a power cut.
func syncDirectory(_ path: String) throws(StoreError) {
    let directory = try FileDescriptor(path: path, flags: O_RDONLY | O_DIRECTORY)
    try directory.sync()
    try directory.close()
}
