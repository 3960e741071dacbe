import Catalog
import Foundation
import Media
import ReelKit

/// A generation as `ls --json` and `show --json` print it. Field names are stable: scripts rely on them.
struct GenerationJSON: Encodable {
    let id: String
    let remote: String?
    let remote_id: String?
    let origin: String
    let prompt: String
    let title: String?
    let state: String
    let raw_state: String?
    let created_at: String?
    let model: String?
    let aspect: String?
    let resolution: String?
    let duration: Double?
    let loop: Bool?
    let kind: String?
    let parent_id: String?
    let failure_reason: String?
    let liked: Bool?
    let width: Int?
    let height: Int?
    /// When the remote was last seen listing it, and since when it no longer does (`sync --full`).
    let last_seen_at: String
    let remote_missing_at: String?
    /// The user's tags, by name.
    var tags: [String] = []
    var media: [MediaJSON]?

    init(summary: GenerationSummary) {
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

/// One media file of a generation in `show --json`.
struct MediaJSON: Encodable {
    let role: String
    let state: String
    let sha256: String?
    let size: Int64?
    let path: String?
    let source_path: String?
    let remote_url: String?
    let probe: MediaInfo?
}
