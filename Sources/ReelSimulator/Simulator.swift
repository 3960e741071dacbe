import ContentStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The API simulator: every remote dialect on one port, over one shared set of generations, with real
/// media and injected faults. See `../shared/API-DIALECTS.md` for what each dialect sends.
public struct Simulator: Sendable {
    public let configuration: SimulatorConfiguration
    let world: World
    let media: MediaFactory

    /// Builds the simulator's data (fast: media is made only when first asked for).
    public init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.world = World(configuration: configuration)
        self.media = MediaFactory(fullSize: configuration.fullSizeMedia)
    }

    /// Serves until the task is cancelled or, with `handleSignals`, until SIGINT or SIGTERM.
    /// `onListening` gets the bound base URL (`http://127.0.0.1:PORT`) once the port is open.
    public func run(handleSignals: Bool = false, onListening: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        let router = Router()
        let secret = SHA256.hash(Array("reel-sim presign \(configuration.seed)".utf8)).hex
        Routes(world: world, media: media, secret: secret).register(on: router)
        var logger = Logger(label: "reel-sim")
        logger.logLevel = .error
        let host = configuration.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "reel-sim"),
            services: configuration.lifeFollowsClock ? [] : [LifeService(world: world)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                await onListening("http://\(shown):\(port)")
            },
            logger: logger)
        if handleSignals {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } else {
            try await app.run()
        }
    }
}

/// Runs `--new-every` and `--delete-every`.
struct LifeService: Service {
    let world: World

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if let every = world.configuration.newEvery {
                group.addTask { await repeatEvery(every) { world.addArrival(now: world.configuration.now()) } }
            }
            if let every = world.configuration.deleteEvery {
                group.addTask { await repeatEvery(every) { world.removeRandom() } }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
    }

    private func repeatEvery(_ seconds: TimeInterval, _ action: @Sendable () -> Void) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(seconds)) } catch { return }
            action()
        }
    }
}
