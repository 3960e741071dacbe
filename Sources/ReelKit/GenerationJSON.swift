import Catalog
import ContentStore
import Foundation
import Media
import RemoteAPI

/// A generation as `ls --json`, `show --json` and export sidecars write it. Field names are stable: scripts
/// rely on them.
public struct GenerationJSON: Encodable, Sendable {
    public let id: String
    public let remote: String?
    public let remote_id: String?
    public let origin: String
    public let prompt: String
    public let title: String?
    public let state: String
    public let raw_state: String?
    public let created_at: String?
    public let model: String?
    public let aspect: String?
    public let resolution: String?
    public let duration: Double?
    public let loop: Bool?
    public let kind: String?
    public let parent_id: String?
    public let failure_reason: String?
    public let liked: Bool?
    public let width: Int?
    public let height: Int?
    /// When the remote was last seen listing it, and since when it no longer does (`sync --full`).
    public var last_seen_at: String?
    public let remote_missing_at: String?
    /// The user's tags, by name.
    public var tags: [String] = []
    /// `show`: the generations this one extends, nearest first, as far as the library knows them.
    public var chain: [String]?
    /// `show`: what reel asked for when it made this generation (`reel create`, `reel extend`).
    public var request: CreateRequest?
    public var media: [MediaJSON]?

    /// The fields of `summary`; the duration and size are the stored video's when there is one.
    public init(summary: GenerationSummary) {
        let g = summary.generation
        id = g.uid
        remote = g.remote
        remote_id = g.remoteID
        origin = g.origin.rawValue
        prompt = g.prompt
        title = g.title
        state = g.state.rawValue
        raw_state = g.rawState
        created_at = g.createdAt
        model = g.model
        aspect = g.aspect
        resolution = g.resolution
        duration = summary.video?.durationSeconds ?? g.durationSeconds
        loop = g.loop
        kind = g.kind
        parent_id = g.parentUID
        failure_reason = g.failureReason
        liked = g.liked
        width = summary.video?.width
        height = summary.video?.height
        last_seen_at = g.lastSeenAt
        remote_missing_at = g.remoteMissingAt
    }
}

/// One media file of a generation in `show --json` and export sidecars.
public struct MediaJSON: Encodable, Sendable {
    public let role: String
    /// 1 for a generation's end image, else 0.
    public let ordinal: Int
    public let state: String
    public let sha256: String?
    public let size: Int64?
    public let path: String?
    public let source_path: String?
    public let remote_url: String?
    public let probe: MediaInfo?
}

extension Library {
    /// Every media file of a generation as `show --json` lists it, and the stored video's metadata (the
    /// unwatermarked copy first) when there is one.
    public func mediaJSON(generationID: Int64) throws(ReelError) -> (media: [MediaJSON], video: MediaInfoRecord?) {
        var media: [MediaJSON] = []
        var video: (MediaInfoRecord?, raw: Bool)?
        do {
            for m in try catalog.media(generationID: generationID) {
                let info = try m.blobSHA256.flatMap { try catalog.mediaInfo(sha256: $0) }
                if m.state == .stored, m.role == .videoRaw || (m.role == .video && video == nil) {
                    if video?.raw != true { video = (info, m.role == .videoRaw) }
                }
                let path = m.blobSHA256.flatMap(Digest.init(hex:)).map(store.path(for:))
                media.append(MediaJSON(
                    role: m.role.rawValue, ordinal: m.ordinal, state: m.state.rawValue, sha256: m.blobSHA256,
                    size: try m.blobSHA256.flatMap { try catalog.blob(sha256: $0)?.size }, path: path,
                    source_path: m.sourcePath, remote_url: m.remoteURL, probe: try info?.decodedInfo()))
            }
        } catch let error as CatalogError {
            throw ReelError(error)
        } catch {
            throw ReelError("the catalog holds unreadable media info: \(error)", status: .dataError)
        }
        return (media, video?.0 ?? nil)
    }
}
