/// What a remote says of the user's allowance: the web app's generations per month, or the official
/// API's credit balance. Fields a remote does not give are nil.
public struct RemoteUsage: Sendable, Equatable {
    /// Generations made this period (web).
    public var consumed: Int?
    /// Generations the plan allows per period (web).
    public var capacity: Int?
    /// Generations left (web).
    public var available: Int?
    /// The plan's key, e.g. `free`, `standard` (web).
    public var plan: String?
    /// Whether the subscription is active (web).
    public var subscriptionActive: Bool?
    /// The credit balance in US cents (official).
    public var creditCents: Double?

    public init() {}
}
