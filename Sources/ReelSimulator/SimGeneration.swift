import Foundation

/// The simulator's own record of one generation, from which every dialect renders its payload.
struct SimGeneration: Sendable {
    /// Canonical life stages; each dialect has its own words for them.
    enum Stage: String, Sendable { case queued, running, completed, failed }

    enum Kind: String, Sendable { case text, image, extend }

    let id: String
    var prompt: String
    let createdAt: Date
    /// When the item started moving through the stages; nil for items that were already finished at start.
    var lifeStart: Date?
    /// Where a finished item ends up.
    var outcome: Stage
    var failureReason: String?
    var aspect: String
    var resolution: String
    var durationSeconds: Int
    var loop: Bool
    /// 0, 1 or 2: each dialect has its own names for the three model generations.
    var model: Int
    var kind: Kind
    var parentID: String?
    var hasSourceImage: Bool
    var hasEndImage: Bool
    var liked: Bool?
    var hasAudio: Bool
    let mediaSeed: UInt64
    /// Numeric id of the proxy's batch task.
    let taskNumber: Int
    /// Per-item quirk choices, fixed at creation so that repeated fetches agree.
    let quirks: Quirks
    /// Made through the API (its request is kept), rather than seeded.
    var createdThroughAPI = false
    /// Set when a client uploaded the start keyframe image: its bytes are served back.
    var sourceUploadID: String?
    /// Set when a client uploaded the end keyframe image.
    var endUploadID: String?

    /// The client's own upload that `file` serves, if it is a keyframe the client sent as bytes.
    func upload(serving file: MediaFile) -> String? {
        switch file {
        case .source: sourceUploadID
        case .sourceEnd: endUploadID
        default: nil
        }
    }

    struct Quirks: Sendable {
        /// Proxy: `""` for null and numbers as strings.
        var stringlyProxy: Bool
        /// Proxy: `video.download_url` left empty even when completed.
        var emptyDownloadURL: Bool
        /// Web: an older item, with `video.thumbnail` only (null when `webLacksThumbnail`) and no
        /// top-level media objects.
        var legacyWeb: Bool
        /// Web (paid account): carries `video_raw`.
        var webHasRaw: Bool
        /// Official: an older object with `version` instead of `model`.
        var officialVersionField: Bool
        /// Fractional digits in proxy and official times (0 or 3; web always sends 6).
        var fractionDigits: Int
    }

    /// Web: a legacy item whose `video.thumbnail` is null too, so a client must make its own poster
    /// frame. Follows from the media seed rather than a draw of its own, so that adding it changed no
    /// other seeded value.
    var webLacksThumbnail: Bool { quirks.legacyWeb && mediaSeed & 1 == 0 }

    /// The stage at a moment: finished items stay put, moving ones advance one stage per step.
    func stage(at now: Date, step: TimeInterval) -> Stage {
        guard let lifeStart else { return outcome }
        let elapsed = now.timeIntervalSince(lifeStart)
        if elapsed < step { return .queued }
        if elapsed < 2 * step { return .running }
        return outcome
    }

    /// When the item reached its final stage (nil while it has not, or when it always had).
    func finishedAt(step: TimeInterval) -> Date? {
        lifeStart.map { $0.addingTimeInterval(2 * step) }
    }

    /// The video's size as served: the remote's size for the aspect and resolution, an eighth of it when scaled.
    func videoSize(fullSize: Bool) -> (width: Int, height: Int) {
        let short = Int(resolution.dropLast()) ?? 720
        let parts = aspect.split(separator: ":").compactMap { Int($0) }
        let (a, b) = parts.count == 2 ? (parts[0], parts[1]) : (16, 9)
        var width = a >= b ? short * a / b : short
        var height = a >= b ? short : short * b / a
        if !fullSize {
            width /= 8
            height /= 8
        }
        return (max(16, width & ~1), max(16, height & ~1))
    }
}
