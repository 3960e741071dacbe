import Catalog
import ContentStore
import Foundation

/// A search result as programs read it (`--json`, `--jsonl`, `--csv`, `--format`): the fields of `show --json`
/// (without `media`) and the stored video's facts. Field names are stable.
public struct SearchRecord: Encodable, Sendable {
    public var generation: GenerationJSON
    public let fps: Double?
    public let codec: String?
    public let size: Int64?
    public let sha256: String?
    /// The stored video file, when there is one.
    public var path: String?

    /// The record of `hit`, whose `path` is the stored video's in `store`.
    public init(hit: SearchHit, store: ContentStore) {
        generation = GenerationJSON(summary: hit.summary)
        generation.tags = hit.tags
        fps = hit.summary.video?.fps
        codec = hit.summary.video?.videoCodec
        size = hit.videoSize
        sha256 = hit.videoSHA256
        path = hit.videoSHA256.flatMap(Digest.init(hex:)).map(store.path(for:))
    }

    private enum VideoKeys: String, CodingKey { case fps, codec, size, sha256, path }

    public func encode(to encoder: any Encoder) throws {
        try generation.encode(to: encoder)
        var container = encoder.container(keyedBy: VideoKeys.self)
        try container.encodeIfPresent(fps, forKey: .fps)
        try container.encodeIfPresent(codec, forKey: .codec)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encodeIfPresent(sha256, forKey: .sha256)
        try container.encodeIfPresent(path, forKey: .path)
    }

    /// Every field, in the order CSV prints them.
    public static let fieldNames = [
        "id", "short_id", "created_at", "state", "prompt", "title", "tags", "remote", "remote_id", "origin", "model",
        "aspect", "resolution", "duration", "width", "height", "fps", "codec", "liked", "size", "sha256", "path",
        "raw_state", "loop", "kind", "parent_id", "failure_reason", "last_seen_at", "remote_missing_at",
    ]

    /// Every field as text, for CSV and templates: absent values are empty, tags are space-separated.
    public var textFields: [String: String] {
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "" }
        let g = generation
        return [
            "id": g.id, "short_id": String(g.id.prefix(8)), "created_at": text(g.created_at), "state": g.state,
            "prompt": g.prompt, "title": text(g.title), "tags": g.tags.joined(separator: " "), "remote": text(g.remote),
            "remote_id": text(g.remote_id), "origin": g.origin, "model": text(g.model), "aspect": text(g.aspect),
            "resolution": text(g.resolution), "duration": g.duration.map { String(format: "%.3f", $0) } ?? "",
            "width": text(g.width), "height": text(g.height), "fps": fps.map { String(format: "%.3f", $0) } ?? "",
            "codec": text(codec), "liked": text(g.liked), "size": text(size), "sha256": text(sha256), "path": text(path),
            "raw_state": text(g.raw_state), "loop": text(g.loop), "kind": text(g.kind), "parent_id": text(g.parent_id),
            "failure_reason": text(g.failure_reason), "last_seen_at": text(g.last_seen_at),
            "remote_missing_at": text(g.remote_missing_at),
        ]
    }

    /// The CSV columns: every field but `short_id` (a prefix of `id`).
    public static let csvColumns = fieldNames.filter { $0 != "short_id" }

    /// The CSV header line, without its line break.
    public static var csvHeader: String { csvColumns.joined(separator: ",") }

    /// This record as one CSV line (RFC 4180), without its line break.
    public var csvLine: String {
        let fields = textFields
        return Self.csvColumns.map { Self.quoteCSV(fields[$0] ?? "") }.joined(separator: ",")
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
    public static func quoteCSV(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
