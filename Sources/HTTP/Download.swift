#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ContentStore
import Dispatch
import Synchronization

/// How a download ended when it did not fail.
public enum DownloadResult: Sendable {
    /// Why a response's body was not stored.
    public enum Reason: Sendable, Equatable {
        /// The status was not 200 (or 206 for a resume): 401/403/404/410 usually mean a stale link.
        case status
        /// The server sent a web page (`text/html`) instead of media: an error page behind a 200.
        case html
        /// The body was empty.
        case empty
        /// A 206 whose range does not continue the partial download.
        case unexpectedRange
    }

    /// The body is in the store. `head` is the final response with an empty body; its status is 206 when
    /// a partial download was continued.
    case stored(StoredBlob, head: HTTPResponse)
    /// Nothing was stored. `bodyPrefix` holds up to 64 KiB of what the server sent, for a message.
    case refused(status: Int, reason: Reason, head: HTTPResponse, bodyPrefix: [UInt8])
}

/// The bytes an interrupted download had received, kept in a file under the store's temporary folder,
/// with the validator that lets a later request continue them (`Range` + `If-Range`).
///
/// Pass it to `HTTPClient.download(_:into:maxBytes:resumeFrom:keepPartial:)`, which takes over the file
/// (and deletes it) whatever happens; or call `discard()`. Its fields are plain values, so a caller may
/// record them and build one again with `init`.
public struct PartialDownload: Sendable, Equatable {
    /// The file holding the first `size` bytes.
    public let path: String
    /// How many bytes the file holds.
    public let size: Int64
    /// The response's strong ETag, if it had one.
    public let etag: String?
    /// The response's Last-Modified, if it had one.
    public let lastModified: String?

    /// A partial download; `path` must name a file holding the first `size` bytes of the resource.
    public init(path: String, size: Int64, etag: String?, lastModified: String?) {
        self.path = path
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }

    /// What to send as `If-Range`: the ETag if it is strong (a weak one may not be used there), else the date.
    public var validator: String? {
        if let etag, !etag.hasPrefix("W/") { return etag }
        return lastModified
    }

    /// Deletes the file.
    public func discard() {
        unlink(path)
    }
}

/// The blob writer of one download. The caller makes it (copying in a partial's bytes), the loop thread
/// writes the body into it, and the caller commits or drops it.
///
/// `@unchecked Sendable` because it crosses threads twice, never shared: the loop thread touches it only
/// between receiving the job and resuming the job's continuation, and the caller only before submitting
/// and after that resume, which orders the two.
final class DownloadSink: @unchecked Sendable {
    let store: ContentStore
    private var writer: BlobWriter?
    /// Bytes in the writer before the current response's body: the resumed prefix, or 0.
    private(set) var offset: Int64
    /// The validator the prefix was fetched under; nil when not resuming.
    let validator: String?

    /// A writer, holding the bytes of `partial` when they can be continued. The partial's file is deleted.
    init(store: ContentStore, resumingFrom partial: PartialDownload?, limit: Int64) throws(HTTPError) {
        self.store = store
        let writer = try Self.storing { () throws(StoreError) in try store.makeWriter() }
        var offset: Int64 = 0
        var validator: String?
        if let partial {
            defer { partial.discard() }
            if let partialValidator = partial.validator, partial.size > 0, partial.size < limit {
                // Rehash the bytes already here: the new writer's digest must cover the whole file.
                let copied = try Self.storing { () throws(StoreError) in try Self.copy(partial.path, into: writer) }
                if copied == partial.size {
                    offset = copied
                    validator = partialValidator
                }
            }
        }
        self.writer = writer
        self.offset = offset
        self.validator = validator
        // The partial's file was shorter than recorded (or unreadable): start over.
        if offset == 0 && writer.size > 0 { try restart() }
    }

    private static func storing<T>(_ work: () throws(StoreError) -> T) throws(HTTPError) -> T {
        do { return try work() } catch { throw HTTPError(.storage, error.description) }
    }

    /// Copies a file into a writer; returns how many bytes it held (0 when it is gone).
    private static func copy(_ path: String, into writer: BlobWriter) throws(StoreError) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? total : -1 }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            total += Int64(n)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        try writer!.write(bytes)
    }

    /// Drops what was written and starts a new temp file (the server sent the whole file after all).
    func restart() throws(HTTPError) {
        writer = nil
        writer = try Self.storing { () throws(StoreError) in try store.makeWriter() }
        offset = 0
    }

    /// Commits, refuses or fails, per the loop's outcome. Blocks on the disk: run off the cooperative pool.
    func finish(_ outcome: TransferOutcome, keepPartial: Bool) throws(HTTPError) -> DownloadResult {
        defer { writer = nil }
        guard let head = outcome.head else { throw outcome.error ?? HTTPError(.other, "no response") }
        if let error = outcome.error {
            let resumable: Bool = switch error.kind {
            case .connectionLost, .timedOut, .cancelled, .couldNotConnect: true
            default: false
            }
            guard keepPartial, resumable, outcome.verdict == .keep, head[header: "accept-ranges"] != "none" else { throw error }
            throw error.with(partial: keepBytes(head))
        }
        switch outcome.verdict {
        case .keep:
            do {
                let blob = try writer!.commit(expectedSize: outcome.expectedTotal)
                return .stored(blob, head: head)
            } catch {
                if case .sizeMismatch = error.kind { throw HTTPError(.connectionLost, error.description) }
                throw HTTPError(.storage, error.description)
            }
        case .refuse(let reason):
            return .refused(status: head.status, reason: reason, head: head, bodyPrefix: outcome.bodyPrefix)
        case .undecided:
            return .refused(status: head.status, reason: .empty, head: head, bodyPrefix: [])
        }
    }

    /// Keeps the temp file's bytes under a name of our own (a hard link, so nothing is copied) before
    /// the writer, dropped, removes its name.
    private func keepBytes(_ head: HTTPResponse) -> PartialDownload? {
        guard let temporaryPath = writer?.temporaryPath else { return nil }
        var etag = head[header: "etag"]
        var lastModified = head[header: "last-modified"]
        if etag == nil && lastModified == nil, let validator {
            // A 206 without validators: the bytes still came under the one we sent.
            if validator.hasPrefix("\"") { etag = validator } else { lastModified = validator }
        }
        guard etag.map({ !$0.hasPrefix("W/") }) == true || lastModified != nil else { return nil }
        var random = SystemRandomNumberGenerator()
        let path = "\(store.temporaryDirectory)/\(String(random.next(), radix: 16)).\(ContentStore.partialSuffix)"
        guard link(temporaryPath, path) == 0 else { return nil }
        writer = nil  // the last reference: waits for queued writes, then unlinks the writer's own name
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else {
            unlink(path)
            return nil
        }
        return PartialDownload(path: path, size: Int64(info.st_size), etag: etag, lastModified: lastModified)
    }
}

/// Runs blocking file work (copying a partial, fsync on commit) on a Dispatch worker, so that it does
/// not hold one of the few cooperative threads.
///
/// The result comes back through a `Mutex` as well as the continuation. The continuation alone orders
/// the worker's writes before the task's reads, but ThreadSanitizer does not see that hand-over on Linux
/// and reported the fields of a `DownloadSink` made here as racing; the lock is a release/acquire it
/// sees, at the price of one uncontended lock.
func offload<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let handover = Handover<Result<T, E>>()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async {
            handover.put(Result(catching: work))
            continuation.resume()
        }
    }
    return try handover.take().get()
}

/// One value passed from one thread to another under a lock.
private final class Handover<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)

    func put(_ value: Value) { slot.withLock { $0 = value } }

    /// The value put; only called after `put` (the continuation's resume follows it).
    func take() -> Value { slot.withLock { $0.take()! } }
}
