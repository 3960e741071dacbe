import Dispatch
import ReelSimulator

/// Starts simulators for the test targets that talk HTTP to one.
public enum SimulatorServer {
    /// Starts a simulator in-process on a free port. Returns its base URL (`http://127.0.0.1:PORT`) and the
    /// task serving it: cancel the task to stop the server.
    ///
    /// The server runs on its own threads, not the cooperative pool: many tests block a pool thread
    /// (they wait for a subprocess, or decode video), and a server left without a thread to answer
    /// makes clients time out on a busy machine.
    public static func start(_ configuration: SimulatorConfiguration) async throws -> (base: String, server: Task<Void, any Error>) {
        let simulator = Simulator(configuration: configuration)
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let server = Task {
            try await withTaskExecutorPreference(ServerExecutor.shared) {
                try await simulator.run { continuation.yield($0) }
            }
        }
        var iterator = urls.makeAsyncIterator()
        guard let base = await iterator.next() else {
            server.cancel()
            throw SimulatorDidNotStart()
        }
        return (base, server)
    }

    public struct SimulatorDidNotStart: Error {}
}

/// Runs jobs on a Dispatch queue, whose threads multiply when others block, unlike the cooperative pool.
final class ServerExecutor: TaskExecutor {
    static let shared = ServerExecutor()
    private let queue = DispatchQueue(label: "reel.test-servers", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
