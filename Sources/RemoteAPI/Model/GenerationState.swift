/// Where a generation is in its life, in reel's own words.
public enum GenerationState: String, Sendable, Codable, CaseIterable {
    /// Accepted, not started.
    case queued
    /// Being generated.
    case running
    /// Finished; its files may still be a few polls away.
    case completed
    /// Finished without a video.
    case failed
    /// A word reel does not know; `RemoteGeneration.rawState` keeps it.
    case unknown

    /// Whether the generation will not change state again.
    public var isFinal: Bool { self == .completed || self == .failed }

    /// The canonical state for an item's `state` word.
    ///
    /// The words of every dialect are accepted in every dialect (`pending`/`queued`,
    /// `processing`/`dreaming`), whatever the case and surrounding spaces: a proxy that passes the
    /// vendor's words through is still understood. Anything else is `.unknown`.
    public init(itemWord word: String) {
        self = Self.item(word) ?? Self.item(Self.normalized(word)) ?? .unknown
    }

    /// The canonical state for a batch Task's `status` (`NOT_START`, `SUBMITTED`, `QUEUED`,
    /// `IN_PROGRESS`, `SUCCESS`, `FAILURE`); `UNKNOWN` and anything else are `.unknown`.
    public init(taskStatus word: String) {
        self = Self.task(word) ?? Self.task(Self.normalized(word).uppercased()) ?? .unknown
    }

    private static func item(_ word: String) -> Self? {
        switch word {
        case "pending", "queued": .queued
        case "processing", "dreaming": .running
        case "completed": .completed
        case "failed": .failed
        default: nil
        }
    }

    private static func task(_ word: String) -> Self? {
        switch word {
        case "NOT_START", "SUBMITTED", "QUEUED": .queued
        case "IN_PROGRESS": .running
        case "SUCCESS": .completed
        case "FAILURE": .failed
        default: nil
        }
    }

    /// Lowercased, without surrounding spaces: the slow path for words not sent as documented.
    private static func normalized(_ word: String) -> String {
        Substring(word).trimmedSpaces.lowercased()
    }
}
