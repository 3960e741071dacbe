#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl
import Synchronization

/// What a caller hands the loop thread: a description of the transfer (no curl objects), a flag for
/// cancellation, and the continuation to resume with the outcome.
struct Job: Sendable {
    let spec: TransferSpec
    let token: CancelToken
    let continuation: CheckedContinuation<TransferOutcome, Never>
}

/// Set by the caller's cancellation handler; read by the loop when the job arrives.
final class CancelToken: Sendable {
    let id: UInt64
    private let flag = Atomic<Bool>(false)

    init(id: UInt64) { self.id = id }

    var isCancelled: Bool { flag.load(ordering: .acquiring) }
    func cancel() { flag.store(true, ordering: .releasing) }
}

/// The one thread that touches libcurl handles. It runs the multi loop (`curl_multi_perform`, then
/// `curl_multi_poll`), and other threads reach it only through the inbox: they append a job or a
/// cancellation under the lock and wake the poll with `curl_multi_wakeup`, the one multi call libcurl
/// allows from any thread. Outcomes go back through the jobs' continuations.
final class TransferLoop: Sendable {
    private struct Inbox {
        var arrivals: [Job] = []
        var cancellations: [UInt64] = []
        var stopping = false
        /// Set once the loop has left: later jobs fail at once.
        var stopped = false
        /// The multi handle's address while the loop runs. An address rather than a pointer: what makes
        /// `curl_multi_wakeup` on it safe is this lock (the loop clears it before freeing the handle).
        var wakeAddress: Int?
    }

    private let inbox = Mutex(Inbox())
    private let nextID = Atomic<UInt64>(0)
    private let thread = Mutex<pthread_t?>(nil)
    let configuration: HTTPClient.Configuration

    init(configuration: HTTPClient.Configuration) {
        self.configuration = configuration
        var handle = pthread_t()
        // The thread holds the loop until it leaves.
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&handle, nil, { context in
            Unmanaged<TransferLoop>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if started == 0 {
            thread.withLock { $0 = handle }
        } else {
            Unmanaged<TransferLoop>.fromOpaque(context).release()
            inbox.withLock { $0.stopped = true }
        }
    }

    /// Runs one transfer and waits for its outcome; cancelling the task cancels the transfer.
    func perform(_ spec: TransferSpec) async -> TransferOutcome {
        let token = CancelToken(id: nextID.wrappingAdd(1, ordering: .relaxed).newValue)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                submit(Job(spec: spec, token: token, continuation: continuation))
            }
        } onCancel: {
            // The flag covers a job not yet picked up; the message covers one already running.
            token.cancel()
            inbox.withLock { inbox in
                inbox.cancellations.append(token.id)
                Self.wake(inbox)
            }
        }
    }

    private func submit(_ job: Job) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopped else { return false }
            inbox.arrivals.append(job)
            Self.wake(inbox)
            return true
        }
        if !accepted { job.continuation.resume(returning: .failed(.shutDown)) }
    }

    private static func wake(_ inbox: borrowing Inbox) {
        if let address = inbox.wakeAddress, let multi = UnsafeMutableRawPointer(bitPattern: address) {
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop: running and queued transfers fail with `.cancelled`. Waits for the thread to leave,
    /// unless called on it.
    func stop() {
        inbox.withLock { inbox in
            inbox.stopping = true
            Self.wake(inbox)
        }
        let taken = thread.withLock { thread in
            let handle = thread
            thread = nil
            return handle
        }
        // Only the first stop waits; the thread may also be stopping itself (never in practice).
        guard let handle = taken else { return }
        if pthread_equal(handle, pthread_self()) != 0 {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }

    // MARK: The loop thread

    private func run() {
        guard let multi = MultiHandle(maxConnectionsPerHost: configuration.maxConnectionsPerHost) else {
            leave(failing: HTTPError(.other, "libcurl could not create a multi handle"))
            return
        }
        inbox.withLock { $0.wakeAddress = Int(bitPattern: multi.raw) }
        // Running transfers by their easy handle's address, and that address by job id.
        var active: [Int: Transfer] = [:]
        var byID: [UInt64: Int] = [:]

        func finish(_ key: Int, code: CURLcode = CURLE_OK, error: HTTPError? = nil) {
            guard let transfer = active.removeValue(forKey: key) else { return }
            byID[transfer.job.token.id] = nil
            curl_multi_remove_handle(multi.raw, transfer.easy.raw)
            transfer.job.continuation.resume(returning: transfer.outcome(code: code, override: error))
        }

        while true {
            let (arrivals, cancellations, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.arrivals.removeAll()
                    inbox.cancellations.removeAll()
                }
                return (inbox.arrivals, inbox.cancellations, inbox.stopping)
            }
            if stopping {
                for job in arrivals { job.continuation.resume(returning: .failed(.shutDown)) }
                for key in Array(active.keys) { finish(key, error: .shutDown) }
                break
            }
            for job in arrivals {
                if job.token.isCancelled {
                    job.continuation.resume(returning: .failed(.cancelled))
                    continue
                }
                switch Transfer.make(job, configuration: configuration) {
                case .failure(let error):
                    job.continuation.resume(returning: .failed(error))
                case .success(let transfer):
                    let key = Int(bitPattern: transfer.easy.raw)
                    let added = curl_multi_add_handle(multi.raw, transfer.easy.raw)
                    guard added == CURLM_OK else {
                        let text = String(cString: curl_multi_strerror(added))
                        job.continuation.resume(returning: .failed(HTTPError(.other, "libcurl: \(text)")))
                        continue
                    }
                    active[key] = transfer
                    byID[job.token.id] = key
                }
            }
            for id in cancellations {
                if let key = byID[id] { finish(key, error: .cancelled) }
            }

            var running: Int32 = 0
            _ = curl_multi_perform(multi.raw, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi.raw, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                finish(Int(bitPattern: easy), code: message.pointee.data.result)
            }
            // Sleeps until a socket is ready, libcurl's next timeout, or a wakeup; the cap only bounds how
            // stale a missed wakeup could leave the inbox.
            _ = curl_multi_poll(multi.raw, nil, 0, 1000, nil)
        }
        // Every easy handle is out of the multi (and freed) by now; the multi handle goes last.
        leave(failing: .shutDown)
        withExtendedLifetime(multi) {}
    }

    /// Closes the inbox (no more wakeups on the multi handle) and fails jobs that came in meanwhile.
    private func leave(failing error: HTTPError) {
        let late = inbox.withLock { inbox in
            inbox.stopped = true
            inbox.wakeAddress = nil
            defer { inbox.arrivals.removeAll() }
            return inbox.arrivals
        }
        for job in late { job.continuation.resume(returning: .failed(error)) }
    }
}
