import Catalog
import RemoteAPI

/// Which files of a generation sync keeps, and where each comes from.
///
/// The unwatermarked video wins (`video_raw`, `video.download_url`, or the proxy's link call); the
/// watermarked one is kept only when it is the only video or the user asks for both. A remote without a
/// thumbnail gets one made from the video (a row with no link). Source images are kept whatever the
/// state; everything else once the generation is completed.
public struct MediaPlan: Sendable {
    /// Keep the watermarked video beside an unwatermarked one (`--keep-watermarked`).
    public var keepWatermarked: Bool

    public init(keepWatermarked: Bool) {
        self.keepWatermarked = keepWatermarked
    }

    /// The media rows a generation should have.
    public func wanted(for g: RemoteGeneration) -> [WantedMedia] {
        var wanted: [WantedMedia] = []
        if g.state == .completed {
            if let raw = g.media(.videoRaw) {
                wanted.append(WantedMedia(role: .videoRaw, remoteURL: raw.url))
            } else if g.needsUnwatermarkedLinkCall {
                wanted.append(WantedMedia(role: .videoRaw, remoteURL: nil))
            }
            if let video = g.media(.video), keepWatermarked || wanted.isEmpty {
                wanted.append(WantedMedia(role: .video, remoteURL: video.url))
            }
            if let thumbnail = g.media(.thumbnail) {
                wanted.append(WantedMedia(role: .thumbnail, remoteURL: thumbnail.url))
            } else if !wanted.isEmpty {
                wanted.append(WantedMedia(role: .thumbnail, remoteURL: nil))
            }
            if let lastFrame = g.media(.lastFrame) {
                wanted.append(WantedMedia(role: .lastFrame, remoteURL: lastFrame.url))
            }
        }
        for source in g.media where source.role == .sourceImage {
            wanted.append(WantedMedia(role: .sourceImage, ordinal: source.ordinal, remoteURL: source.url))
        }
        return wanted
    }

    /// The link a generation offers now for one of its files (nil: none, or one to ask for).
    public func link(for role: MediaRole, ordinal: Int, in g: RemoteGeneration) -> String? {
        wanted(for: g).first { $0.role == role && $0.ordinal == ordinal }?.remoteURL
            ?? (role == .video ? g.media(.video)?.url : nil)
    }
}

extension SyncedFields {
    /// The canonical fields of a remote's generation, in the catalog's forms.
    public init(_ g: RemoteGeneration) {
        self.init(
            prompt: g.prompt, state: g.state, rawState: g.rawState, createdAt: g.createdAt.map(Timestamp.string(from:)),
            model: g.model, aspect: g.aspect, resolution: g.resolution, durationSeconds: g.durationSeconds, loop: g.loop,
            kind: g.kind, parentUID: g.parentID?.lowercased(), failureReason: g.failureReason, liked: g.liked)
    }
}
