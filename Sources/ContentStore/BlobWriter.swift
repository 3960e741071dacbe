#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob being written: bytes stream into a temp file in the store and through SHA-256 at once.
///
/// `commit` puts the finished file in place; dropping the writer uncommitted removes the temp file.
public final class BlobWriter {
    private let store: ContentStore
    private let file: FileDescriptor
    private let hasher = SHA256()
    private var committed = false
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    private var writebackStart: Int64 = 0
    /// How much to let pile up in the page cache before asking the kernel to write it out.
    private static let writebackWindow: Int64 = 8 << 20

    /// The temp file's path.
    public var temporaryPath: String { file.path }

    init(store: ContentStore) throws(StoreError) {
        self.store = store
        var random = SystemRandomNumberGenerator()
        let name = String(random.next(), radix: 16) + String(random.next(), radix: 16)
        self.file = try FileDescriptor(
            path: "\(store.temporaryDirectory)/\(name).part", flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
    }

    deinit {
        if !committed { unlink(file.path) }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        precondition(!committed, "write after commit")
        hasher.update(bytes)
        try file.writeAll(bytes)
        size += Int64(bytes.count)
        if size - writebackStart >= Self.writebackWindow {
            file.startWriteback(offset: writebackStart, length: size - writebackStart)
            writebackStart = size
        }
    }

    /// Makes the blob durable and puts it in place. Throws, and leaves nothing behind, when the length differs.
    public func commit(expectedSize: Int64? = nil) throws(StoreError) -> StoredBlob {
        precondition(!committed, "commit twice")
        if let expectedSize, expectedSize != size {
            throw StoreError(.sizeMismatch(expected: expectedSize, actual: size), path: file.path, operation: "storing")
        }
        let digest = hasher.finalize()
        let target = store.path(for: digest)
        if store.contains(digest) {
            try file.close()
            committed = true
            unlink(file.path)
            return StoredBlob(digest: digest, size: size, path: target, isNew: false)
        }
        try file.sync()
        guard fchmod(file.raw, 0o444) == 0 else { throw .system("protecting", file.path) }
        try file.close()
        let folder = String(target.prefix(upTo: target.lastIndex(of: "/")!))
        if mkdir(folder, 0o755) == 0 {
            try syncDirectory(store.objectsDirectory)
        } else if errno != EEXIST {
            throw .system("creating", folder)
        }
        guard rename(file.path, target) == 0 else { throw .system("moving into place", target) }
        committed = true
        try syncDirectory(folder)
        return StoredBlob(digest: digest, size: size, path: target, isNew: true)
    }
}
