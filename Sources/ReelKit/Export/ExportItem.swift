import Catalog
import ContentStore
import Foundation
import Media

/// One generation an export places: the stored video it copies and what its name and metadata are made of.
struct ExportItem: Sendable {
    let hit: SearchHit
    /// The stored video (the unwatermarked copy first).
    let videoPath: String
    let videoSHA256: String
    let videoSize: Int64
    /// The clip's extension, from what libavformat read of it.
    let ext: String

    var generation: GenerationRecord { hit.summary.generation }

    init?(hit: SearchHit, store: ContentStore) {
        guard let sha = hit.videoSHA256, let digest = Digest(hex: sha) else { return nil }
        self.hit = hit
        videoPath = store.path(for: digest)
        videoSHA256 = sha
        videoSize = hit.videoSize ?? 0
        ext = Self.fileExtension(hit.summary.video)
    }

    private static let quickTimeBrand = Array("\"qt  \"".utf8)

    /// The extension players expect for what the file is (the store keeps no names).
    static func fileExtension(_ video: MediaInfoRecord?) -> String {
        guard let video, let container = video.container else { return "bin" }
        let formats = Set(container.split(separator: ","))
        if formats.contains("mp4") {
            // One demuxer reads MP4 and QuickTime; the brand tells them apart.
            return video.probeJSON.utf8.contains(Self.quickTimeBrand) ? "mov" : "mp4"
        }
        if formats.contains("matroska") {
            let webVideo: Set<String> = ["vp8", "vp9", "av1"]
            let webAudio: Set<String> = ["opus", "vorbis"]
            let isWebM = video.videoCodec.map(webVideo.contains) ?? true && video.audioCodec.map(webAudio.contains) ?? true
            return isWebM ? "webm" : "mkv"
        }
        let known = ["mpegts": "ts", "avi": "avi", "flv": "flv", "gif": "gif", "mpeg": "mpg", "ogg": "ogv"]
        return formats.lazy.compactMap { known[String($0)] }.first ?? "bin"
    }

    /// The values the name template sees.
    func nameFields(index: Int) -> ExportNameFields {
        let g = generation
        return ExportNameFields(
            id: g.uid, prompt: g.displayText, created: g.createdAt.flatMap(Timestamp.date(from:)), model: g.model,
            aspect: g.aspect, resolution: g.resolution, duration: hit.summary.video?.durationSeconds ?? g.durationSeconds,
            state: g.state.rawValue, remote: g.remote, tags: hit.tags, index: index, ext: ext)
    }
}

/// What embedding and sidecars need beyond a search hit: the generation's media files, read once.
struct ExportDetails: Sendable {
    let media: [MediaJSON]
    let video: MediaInfoRecord?

    init(item: ExportItem, library: Library) throws(ReelError) {
        (media, video) = try library.mediaJSON(generationID: item.generation.id)
    }

    /// Where the clip came from, without the query of a signed link (it expires, and it is a credential).
    var sourceURL: String? {
        let videos = media.filter { $0.role == MediaRole.videoRaw.rawValue } + media.filter { $0.role == MediaRole.video.rawValue }
        guard let url = videos.lazy.compactMap(\.remote_url).first else { return nil }
        guard var parts = URLComponents(string: url) else { return nil }
        parts.query = nil
        parts.fragment = nil
        parts.user = nil
        parts.password = nil
        return parts.string
    }

    /// The stored thumbnail, when it is a JPEG (what MP4 cover art holds).
    var thumbnailJPEG: String? {
        guard let path = media.first(where: { $0.role == MediaRole.thumbnail.rawValue && $0.state == MediaState.stored.rawValue })?.path,
            let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 3)) ?? Data()
        return head == Data([0xFF, 0xD8, 0xFF]) ? path : nil
    }
}

extension ExportItem {
    /// The container tags `--embed-metadata` writes, in a fixed order.
    func embeddedTags(_ details: ExportDetails) -> [EmbeddedMetadata.Tag] {
        let g = generation
        let text = g.displayText
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let origin = "reel:\(g.remote ?? "local")/\(g.remoteID ?? g.uid)"
        let comment = [origin, g.model.map { "model: \($0)" }, details.sourceURL.map { "source: \($0)" }]
            .compactMap { $0 }.joined(separator: "\n")
        let tags: [(String, String?)] = [
            ("title", String(firstLine.prefix(255))),
            ("description", text),
            ("synopsis", text),
            ("comment", comment),
            ("date", g.createdAt),
            ("genre", hit.tags.joined(separator: ", ")),
        ]
        return tags.compactMap { key, value in
            guard let value, !value.isEmpty else { return nil }
            return EmbeddedMetadata.Tag(key: key, value: value)
        }
    }

    /// The sidecar: every field `show --json` prints (with the media files and their metadata), the tags, the
    /// remote's own payload, and the export format's version. Keys are sorted so that the same item always
    /// gives the same bytes (that is how a re-run knows nothing changed).
    func sidecarJSON(_ details: ExportDetails, fileName: String) throws(ReelError) -> [UInt8] {
        var fields = GenerationJSON(summary: GenerationSummary(generation: generation, video: details.video))
        fields.tags = hit.tags
        fields.media = details.media
        fields.last_seen_at = nil  // bookkeeping of sync: it would rewrite every sidecar after each sync
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(fields)) as? [String: Any] ?? [:]
            object["reel_export_version"] = Exporter.formatVersion
            object["file"] = fileName
            if let raw = generation.rawJSON, let payload = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) {
                object["remote_payload"] = payload
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return Array(data) + [0x0A]
        } catch {
            throw ReelError("could not write the sidecar of \(generation.uid): \(error)", status: .failure)
        }
    }

    /// The manifest's record of this clip: the fields of `search --json`, with `path` relative to the folder.
    func manifestRecord(store: ContentStore, relativePath: String) -> SearchRecord {
        var record = SearchRecord(hit: hit, store: store)
        record.path = relativePath
        record.generation.last_seen_at = nil
        return record
    }
}

extension String.UTF8View {
    /// Whether `needle` occurs in these bytes (Foundation's `contains` bridges to NSString: slow on long text).
    func contains(_ needle: [UInt8]) -> Bool {
        withContiguousStorageIfAvailable { Self.find(needle, in: $0) } ?? Array(self).withUnsafeBufferPointer { Self.find(needle, in: $0) }
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, let base = haystack.baseAddress, haystack.count >= needle.count else { return needle.isEmpty }
        for i in 0...(haystack.count - needle.count) where haystack[i] == first {
            if memcmp(base + i, needle, needle.count) == 0 { return true }
        }
        return false
    }
}
