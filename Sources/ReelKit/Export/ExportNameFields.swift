import Foundation

/// The values a template can use, for one clip.
public struct ExportNameFields: Sendable, Equatable {
    /// The generation's uid (a lowercase UUID, or other id text).
    public var id: String
    public var prompt: String
    /// When the generation was made; nil when unknown.
    public var created: Date?
    public var model: String?
    /// As stored, e.g. `"16:9"` (the name shows `16x9`).
    public var aspect: String?
    /// E.g. `"720p"`.
    public var resolution: String?
    /// In seconds.
    public var duration: Double?
    public var state: String
    /// The remote's name; nil for local imports.
    public var remote: String?
    /// In the order they are to appear in `{tags}`.
    public var tags: [String]
    /// 1-based position in the export.
    public var index: Int
    /// The file's extension, without the dot: `"mp4"`.
    public var ext: String

    public init(
        id: String, prompt: String, created: Date? = nil, model: String? = nil, aspect: String? = nil,
        resolution: String? = nil, duration: Double? = nil, state: String = "", remote: String? = nil,
        tags: [String] = [], index: Int = 1, ext: String = "mp4"
    ) {
        self.id = id
        self.prompt = prompt
        self.created = created
        self.model = model
        self.aspect = aspect
        self.resolution = resolution
        self.duration = duration
        self.state = state
        self.remote = remote
        self.tags = tags
        self.index = index
        self.ext = ext
    }
}
