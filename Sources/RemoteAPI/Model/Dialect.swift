/// The remote API families reel speaks (see `API-DIALECTS.md`): they describe the same generations
/// with different paths, envelopes, state words and quirks.
public enum Dialect: String, Sendable, Codable, CaseIterable {
    /// The web app's API behind a thin proxy (`/api/generations`).
    case web
    /// An API aggregator's own format (`/luma/generations`, `/luma/tasks`).
    case proxy
    /// The vendor's public API (`/dream-machine/v1`).
    case official
}
