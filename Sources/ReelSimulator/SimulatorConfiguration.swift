import Foundation

/// How a simulator behaves. Every field has the command line's default.
public struct SimulatorConfiguration: Sendable {
    /// Address to bind; loopback unless asked otherwise.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one.
    public var port = 0
    /// The bearer token every API call must carry.
    public var apiKey: String
    /// How many generations exist at start.
    public var count = 200
    /// Everything (ids, prompts, media bytes, faults) follows from this.
    public var seed: UInt64 = 1
    /// Prompts to draw from; the built-in English and Chinese set when empty.
    public var prompts: [String] = []
    /// Media at full size, or scaled down (an eighth of each side, 8 fps) so tests stay fast.
    public var fullSizeMedia = false
    /// How long presigned (unwatermarked) links stay valid.
    public var linkTTL: TimeInterval = 3600
    /// How long a created generation spends in each state.
    public var stepSeconds: TimeInterval = 2
    /// Add a new generation at the head of the list this often (nil: never).
    public var newEvery: TimeInterval?
    /// Remove a random generation this often (nil: never).
    public var deleteEvery: TimeInterval?
    /// Run `newEvery`/`deleteEvery` on `clock` (caught up at each request) instead of wall-time timers, so
    /// that a test which moves the clock by hand moves them too, and a stopped clock stops them.
    public var lifeFollowsClock = false
    /// Before answering each list page, add `new` generations at the head and delete `deleted` at random:
    /// `--new-every`/`--delete-every` tied to the client's pace rather than the clock, so that a test
    /// pages through a shifting list whatever the machine's load.
    public var churnPerListPage = (new: 0, deleted: 0)
    /// Injected faults.
    public var faults = FaultSpec()
    /// Hosts without the proxy list route.
    public var proxyList = true
    /// How many polls of a just-completed item still show no link.
    public var linklessPolls = 2
    /// Awaited before each CDN response is made (tests only, in process): lets a test pace a sync's
    /// downloads against something else it does, so that the two overlap whatever the machine's load.
    public var beforeMedia: (@Sendable () async -> Void)?
    /// The simulator's clock. Tests replace it to step through states and link expiry without waiting.
    public var clock: @Sendable () -> Date = { Date() }
    /// The moment the data is made; its dates are spread over the 18 months before it.
    public var epoch: Date

    public init(apiKey: String) {
        self.apiKey = apiKey
        self.epoch = Date()
    }

    /// Now, by the simulator's clock.
    func now() -> Date { clock() }
}
