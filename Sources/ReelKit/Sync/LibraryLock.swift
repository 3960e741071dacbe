#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// Keeps two syncs off one library: an exclusive `flock` on `sync.lock` in the library folder, released
/// when the holder closes it or dies (a sync killed with kill -9 leaves no stale lock). The file names
/// the holder, so that the second sync can say who it is waiting for.
public final class LibraryLock {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock of the library at `root`. When another process holds it: throws (exit 75) naming
    /// the holder, or, with `wait`, waits until it is free (`onWait` is called once, with the holder).
    public static func acquire(
        libraryRoot root: String, purpose: String, wait: Bool, onWait: (String) -> Void = { _ in }
    ) async throws(ReelError) -> LibraryLock {
        let path = root + "/sync.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ReelError("cannot open the lock file \(path): \(String(cString: strerror(errno)))", status: .ioError)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw ReelError("cannot lock \(path): \(reason)", status: .ioError)
            }
            let holder = describeHolder(fd)
            guard wait else {
                close(fd)
                throw ReelError("another sync holds this library (\(holder)); wait for it, or run with --wait", status: .busy)
            }
            onWait(holder)
            let taken = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var rc: Int32
                    repeat { rc = flock(fd, LOCK_EX) } while rc != 0 && errno == EINTR
                    continuation.resume(returning: rc == 0)
                }
            }
            guard taken else {
                close(fd)
                throw ReelError("cannot lock \(path): \(String(cString: strerror(errno)))", status: .ioError)
            }
        }
        let note = "pid \(getpid()), \(purpose), since \(Timestamp.now())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
        return LibraryLock(descriptor: fd, path: path)
    }

    private static func describeHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "a process that has not said who it is" : text
    }
}
