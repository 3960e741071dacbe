import Foundation

/// One generation as a remote describes it, in reel's canonical terms, whatever the dialect.
public struct RemoteGeneration: Sendable, Equatable {
    /// The remote's id (a UUID on every known remote).
    public var id: String
    /// What the user asked for; empty when the remote does not say (a task not yet started).
    public var prompt: String
    /// The state in reel's words.
    public var state: GenerationState
    /// The state word exactly as the remote sent it (`dreaming`, `IN_PROGRESS`, …).
    public var rawState: String
    /// When the remote created it (UTC); nil when unset (`0001-01-01T00:00:00Z`, `0`) or absent.
    public var createdAt: Date?
    /// The model name (`ray-2`, `ray-v3`; the official `version` on older objects).
    public var model: String?
    /// `16:9`, `9:16`, …
    public var aspect: String?
    /// `720p`, `1080p`, …
    public var resolution: String?
    /// Requested length in seconds (`"5s"` → 5).
    public var durationSeconds: Double?
    /// Whether the video loops.
    public var loop: Bool?
    /// `text`, `image` (started from a source image) or `extend` (continues `parentID`); nil when
    /// the remote does not say (web and proxy items cannot tell a text item from an extension).
    public var kind: String?
    /// The generation this one extends (keyframe `frame0`) or reverse-extends (`frame1`).
    public var parentID: String?
    /// Why it failed, when it did.
    public var failureReason: String?
    /// The user's like on the remote (web and proxy).
    public var liked: Bool?
    /// The remote's guess of the wait, in seconds.
    public var estimateWaitSeconds: Int?
    /// The files the remote lists: at most one of each role, except source images (ordinal 0 and 1).
    public var media: [RemoteMedia]
    /// The item's JSON exactly as it came (the original bytes), so that fields reel does not know
    /// today are not lost.
    public var rawJSON: String
    /// The dialect it was decoded from.
    public var dialect: Dialect

    /// A generation; decoders fill every field they can.
    public init(
        id: String, prompt: String, state: GenerationState, rawState: String, createdAt: Date? = nil,
        model: String? = nil, aspect: String? = nil, resolution: String? = nil, durationSeconds: Double? = nil,
        loop: Bool? = nil, kind: String? = nil, parentID: String? = nil, failureReason: String? = nil,
        liked: Bool? = nil, estimateWaitSeconds: Int? = nil, media: [RemoteMedia] = [], rawJSON: String,
        dialect: Dialect
    ) {
        self.id = id
        self.prompt = prompt
        self.state = state
        self.rawState = rawState
        self.createdAt = createdAt
        self.model = model
        self.aspect = aspect
        self.resolution = resolution
        self.durationSeconds = durationSeconds
        self.loop = loop
        self.kind = kind
        self.parentID = parentID
        self.failureReason = failureReason
        self.liked = liked
        self.estimateWaitSeconds = estimateWaitSeconds
        self.media = media
        self.rawJSON = rawJSON
        self.dialect = dialect
    }

    /// The first file with a role (for source images, the one with the ordinal).
    public func media(_ role: MediaRole, ordinal: Int = 0) -> RemoteMedia? {
        media.first { $0.role == role && $0.ordinal == ordinal }
    }

    /// The best video to keep: the unwatermarked one when listed, else the watermarked one.
    public var bestVideo: RemoteMedia? { media(.videoRaw) ?? media(.video) }

    /// Whether the unwatermarked link has to be asked for (proxy `download_video_url`): the item is
    /// completed and has a video, but `video.download_url` is empty and there is no `video_raw`.
    public var needsUnwatermarkedLinkCall: Bool {
        dialect == .proxy && state == .completed && media(.video) != nil && media(.videoRaw) == nil
    }
}
