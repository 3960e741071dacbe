#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// A blob being written: bytes stream into a temp file in the store and through SHA-256 at once.
///
/// Hashing runs on the caller's thread while a serial queue writes the previous chunks, so storing
/// costs about as much as hashing alone on two cores. `commit` puts the finished file in place;
/// dropping the writer uncommitted removes the temp file.
public final class BlobWriter {
    private let store: ContentStore
    private let file: FileDescriptor
    private let hasher = SHA256()
    private let writes = DispatchQueue(label: "reel.content-store.write")
    /// Chunks queued but not yet written; bounds the memory a fast producer can use.
    private let slots = DispatchSemaphore(value: 4)
    private let firstFailure = FirstFailure()
    private var committed = false
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    /// How much to let pile up in the page cache before asking the kernel to write it out.
    private static let writebackWindow: Int64 = 8 << 20

    /// The temp file's path.
    public let temporaryPath: String

    init(store: ContentStore) throws(StoreError) {
        self.store = store
        var random = SystemRandomNumberGenerator()
        let name = String(random.next(), radix: 16) + String(random.next(), radix: 16)
        // Locked while its writer lives (the lock goes with the descriptor, also on SIGKILL): a `.part`
        // nobody holds a lock on is a dead writer's (see `removeAbandonedTemporaryFiles`).
        temporaryPath = "\(store.temporaryDirectory)/\(name).\(ContentStore.writeSuffix)"
        file = try FileDescriptor.lockedNewFile(
            at: temporaryPath, creating: "\(store.temporaryDirectory)/\(name).\(ContentStore.creatingSuffix)")
    }

    deinit {
        writes.sync {}
        if !committed { unlink(temporaryPath) }
    }

    /// Appends bytes. A write error from an earlier chunk is reported here or by `commit`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        precondition(!committed, "write after commit")
        if let failure = firstFailure.value { throw failure }
        hasher.update(bytes)
        let chunk = [UInt8](bytes)
        let start = size
        size += Int64(bytes.count)
        slots.wait()
        writes.async { [file, slots, firstFailure] in
            defer { slots.signal() }
            guard firstFailure.value == nil else { return }
            do throws(StoreError) {
                try chunk.withUnsafeBufferPointer { (buffer) throws(StoreError) in try file.writeAll(UnsafeRawBufferPointer(buffer)) }
                let end = start + Int64(chunk.count)
                // Crossing a window boundary: start writeback of the window just filled.
                if end / Self.writebackWindow > start / Self.writebackWindow {
                    let windowStart = (end / Self.writebackWindow - 1) * Self.writebackWindow
                    file.startWriteback(offset: windowStart, length: Self.writebackWindow)
                }
            } catch {
                firstFailure.record(error)
            }
        }
    }

    /// Makes the blob durable and puts it in place. Throws, and leaves nothing behind, when the length differs.
    public func commit(expectedSize: Int64? = nil) throws(StoreError) -> StoredBlob {
        precondition(!committed, "commit twice")
        writes.sync {}
        if let failure = firstFailure.value { throw failure }
        if let expectedSize, expectedSize != size {
            throw StoreError(.sizeMismatch(expected: expectedSize, actual: size), path: temporaryPath, operation: "storing")
        }
        let digest = hasher.finalize()
        let target = store.path(for: digest)
        if store.contains(digest) {
            try file.close()
            committed = true
            unlink(temporaryPath)
            return StoredBlob(digest: digest, size: size, path: target, isNew: false)
        }
        try file.sync()
        guard fchmod(file.raw, 0o444) == 0 else { throw .system("protecting", temporaryPath) }
        try file.close()
        let folder = String(target.prefix(upTo: target.lastIndex(of: "/")!))
        if mkdir(folder, 0o755) == 0 {
            try syncDirectory(store.objectsDirectory)
        } else if errno != EEXIST {
            throw .system("creating", folder)
        }
        guard rename(temporaryPath, target) == 0 else { throw .system("moving into place", target) }
        committed = true
        try syncDirectory(folder)
        return StoredBlob(digest: digest, size: size, path: target, isNew: true)
    }
}

/// The first error the write queue met, shared between it and the writer.
private final class FirstFailure: Sendable {
    private let stored = Mutex<StoreError?>(nil)

    var value: StoreError? { stored.withLock { $0 } }

    func record(_ error: StoreError) {
        stored.withLock { $0 = $0 ?? error }
    }
}
