/// What a remote file is to its generation.
public enum MediaRole: String, Sendable, Codable, CaseIterable {
    /// The watermarked video (web and proxy `video.url`).
    case video
    /// The unwatermarked video: `video_raw`, `video.download_url`, the proxy's `download_video_url`
    /// call, and the official API's `assets.video` (it serves no watermark).
    case videoRaw = "video_raw"
    /// A still of the video: `thumbnail`, `video.thumbnail`, official `assets.image`.
    case thumbnail
    /// The video's last frame.
    case lastFrame = "last_frame"
    /// An image the user started from (ordinal 0) or ended on (ordinal 1).
    case sourceImage = "source_image"
}

/// One remote file of a generation, as the remote describes it.
public struct RemoteMedia: Sendable, Equatable, Hashable {
    /// What the file is.
    public var role: MediaRole
    /// Where it is; presigned links expire, so fetch the item again for a fresh one.
    public var url: String
    /// Pixel width, when the remote says (never 0).
    public var width: Int?
    /// Pixel height, when the remote says (never 0).
    public var height: Int?
    /// 0, or 1 for a generation's end image (`image_end_url`, keyframe `frame1`).
    public var ordinal: Int

    /// A file of a generation.
    public init(role: MediaRole, url: String, width: Int? = nil, height: Int? = nil, ordinal: Int = 0) {
        self.role = role
        self.url = url
        self.width = width
        self.height = height
        self.ordinal = ordinal
    }
}
