import ReelSimulator

/// Starts simulators for the test targets that talk HTTP to one.
public enum SimulatorServer {
    /// Starts a simulator in-process on a free port. Returns its base URL (`http://127.0.0.1:PORT`) and the
    /// task serving it: cancel the task to stop the server.
    public static func start(_ configuration: SimulatorConfiguration) async throws -> (base: String, server: Task<Void, any Error>) {
        let simulator = Simulator(configuration: configuration)
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let server = Task { try await simulator.run { continuation.yield($0) } }
        var iterator = urls.makeAsyncIterator()
        guard let base = await iterator.next() else {
            server.cancel()
            throw SimulatorDidNotStart()
        }
        return (base, server)
    }

    public struct SimulatorDidNotStart: Error {}
}
