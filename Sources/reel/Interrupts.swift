import Dispatch
import Foundation
import ReelKit

/// Ctrl-C and SIGTERM for long commands: the first one cancels the work, which stops cleanly and keeps
/// what finished; a second one ends the process at once (exit 130).
enum Interrupts {
    /// Runs `body` in a task that SIGINT and SIGTERM cancel.
    static func cancellable<T: Sendable>(_ body: @escaping @Sendable () async throws(ReelError) -> T) async throws(ReelError) -> T {
        let task = Task { () async throws -> T in try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let count = Counter()
            source.setEventHandler {
                if count.increment() > 1 { exit(ReelError.Status.interrupted.rawValue) }
                Terminal.endProgress()
                Terminal.error("stopping: finishing what is in hand (press Ctrl-C again to quit at once)")
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        do {
            return try await task.value
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError("\(error)", status: .failure)
        }
    }

    /// Counts signals across the handler's runs.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.withLock { value += 1; return value } }
    }
}
