import Dispatch
import Foundation
import ReelKit

/// Ctrl-C and SIGTERM for long commands: the first one cancels the work, which stops cleanly and keeps
/// what finished; a second one ends the process at once (exit 130).
enum Interrupts {
    /// Runs `body` in a task that SIGINT and SIGTERM cancel.
    static func cancellable<T: Sendable>(_ body: @escaping @Sendable () async throws(ReelError) -> T) async throws(ReelError) -> T {
        let task = Task { () async throws -> T in try await body() }
        let handlers = install { task.cancel() }
        defer { uninstall(handlers) }
        do {
            return try await task.value
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError("\(error)", status: .failure)
        }
    }

    /// For synchronous work that polls: the flag the first SIGINT or SIGTERM raises, while `body` runs.
    static func polling<T>(_ body: (_ isCancelled: @escaping @Sendable () -> Bool) throws(ReelError) -> T) throws(ReelError) -> T {
        let raised = Counter()
        let handlers = install { _ = raised.increment() }
        defer { uninstall(handlers) }
        return try body { raised.value > 0 }
    }

    /// Catches SIGINT and SIGTERM: the first runs `cancel` (the work stops cleanly), a second exits at once.
    private static func install(_ cancel: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let count = Counter()
            source.setEventHandler {
                if count.increment() > 1 { exit(ReelError.Status.interrupted.rawValue) }
                Terminal.endProgress()
                Terminal.error("stopping: finishing what is in hand (press Ctrl-C again to quit at once)")
                cancel()
            }
            source.resume()
            return source
        }
    }

    private static func uninstall(_ sources: [DispatchSourceSignal]) {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Counts signals across the handler's runs.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() -> Int { lock.withLock { count += 1; return count } }
        var value: Int { lock.withLock { count } }
    }
}
