import ContentStore
import Dispatch
import Hummingbird
import Media

/// The files a generation has on the simulator's CDN.
enum MediaFile: String, Sendable, CaseIterable {
    case watermarked, raw, thumbnail, lastFrame, source, sourceEnd

    /// The manifest's role name.
    var role: String {
        switch self {
        case .watermarked: "video"
        case .raw: "video_raw"
        case .thumbnail: "thumbnail"
        case .lastFrame: "last_frame"
        case .source, .sourceEnd: "source_image"
        }
    }

    var contentType: String {
        switch self {
        case .watermarked, .raw: "video/mp4"
        default: "image/jpeg"
        }
    }

    /// Which of the item's images it is: 1 for the end keyframe, 0 for everything else.
    var ordinal: Int { self == .sourceEnd ? 1 : 0 }

    /// The files `dialect` exposes for `g` (nil: every file the CDN serves, the union of all dialects).
    /// The one answer to "which files": each dialect's renderer includes a link only for a file listed
    /// here, and `/_sim/manifest?dialect=` lists exactly these, so the two cannot drift apart.
    /// `ready`: the item is completed (a renderer also passes false while it holds a new item's links back).
    static func exposed(by g: SimGeneration, in dialect: Dialect?, ready: Bool) -> [MediaFile] {
        var files: [MediaFile] = []
        if ready {
            switch dialect {
            case nil, .proxy: files = [.watermarked, .raw, .thumbnail, .lastFrame]
            case .official: files = [.raw, .thumbnail]
            case .web where g.quirks.legacyWeb: files = g.webLacksThumbnail ? [.watermarked] : [.watermarked, .thumbnail]
            case .web: files = [.watermarked, .thumbnail, .lastFrame] + (g.quirks.webHasRaw ? [.raw] : [])
            }
        }
        // The official API names an extend's parent as frame0, in place of a start image.
        let frame0IsParent = dialect == .official && g.kind == .extend && g.parentID != nil
        if g.hasSourceImage && !frame0IsParent { files.append(.source) }
        if g.hasEndImage { files.append(.sourceEnd) }
        return files
    }
}

/// A file ready to serve.
struct MediaBlob: Sendable {
    let bytes: ByteBuffer
    let sha256: String
    let contentType: String

    var etag: String { "\"\(sha256.prefix(32))\"" }
}

/// Makes each generation's media on first request, deterministically, and keeps the most recent in a
/// bounded cache. Concurrent requests for one file share a single encode.
actor MediaFactory {
    private struct Key: Hashable {
        let id: String
        let file: MediaFile
    }

    private let fullSize: Bool
    private let budget: Int
    private var cache: [Key: MediaBlob] = [:]
    private var recency: [Key] = []
    private var cachedBytes = 0
    /// Requests waiting for a file another request is encoding.
    private var waiting: [Key: [CheckedContinuation<MediaBlob, any Error>]] = [:]
    private let encoding = DispatchQueue(label: "reel-sim.encode", attributes: .concurrent)

    init(fullSize: Bool, budgetBytes: Int = 96 << 20) {
        self.fullSize = fullSize
        self.budget = budgetBytes
    }

    func blob(_ file: MediaFile, of generation: SimGeneration) async throws -> MediaBlob {
        let key = Key(id: generation.id, file: file)
        if let hit = cache[key] {
            touch(key)
            return hit
        }
        if waiting[key] != nil {
            return try await withCheckedThrowingContinuation { waiting[key, default: []].append($0) }
        }
        waiting[key] = []
        let spec = clipSpec(generation, file: file)
        let lastFrame = spec.frameCount - 1
        // Encoded on a Dispatch queue and awaited here (no unstructured Task), so the request keeps the
        // executor it runs on and never waits for a thread from a busy pool.
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<MediaBlob, any Error>, Never>) in
            encoding.async { continuation.resume(returning: Result { try Self.encode(file, spec: spec, lastFrame: lastFrame) }) }
        }
        let waiters = waiting.removeValue(forKey: key) ?? []
        if case .success(let blob) = result { insert(blob, for: key) }
        for waiter in waiters { waiter.resume(with: result) }
        return try result.get()
    }

    private func clipSpec(_ g: SimGeneration, file: MediaFile) -> ClipSpec {
        let (width, height) = g.videoSize(fullSize: fullSize)
        return ClipSpec(
            width: width, height: height, duration: Double(g.durationSeconds), fps: fullSize ? 24 : 8,
            audio: g.hasAudio, seed: g.mediaSeed, watermark: file == .watermarked)
    }

    private static func encode(_ file: MediaFile, spec: ClipSpec, lastFrame: Int) throws -> MediaBlob {
        let bytes: [UInt8] = switch file {
        case .watermarked, .raw: try ClipEncoder.mp4(spec)
        case .thumbnail: try ClipEncoder.jpeg(spec, frame: 0)
        case .lastFrame: try ClipEncoder.jpeg(spec, frame: max(0, lastFrame))
        case .source: try ClipEncoder.image(width: spec.width, height: spec.height, seed: spec.seed ^ 0x5EED)
        case .sourceEnd: try ClipEncoder.image(width: spec.width, height: spec.height, seed: spec.seed ^ 0xE0D)
        }
        return MediaBlob(bytes: ByteBuffer(bytes: bytes), sha256: SHA256.hash(bytes).hex, contentType: file.contentType)
    }

    private func touch(_ key: Key) {
        if let index = recency.lastIndex(of: key) { recency.remove(at: index) }
        recency.append(key)
    }

    private func insert(_ blob: MediaBlob, for key: Key) {
        guard cache[key] == nil else { return }
        cache[key] = blob
        recency.append(key)
        cachedBytes += blob.bytes.readableBytes
        while cachedBytes > budget, recency.count > 1 {
            let evicted = recency.removeFirst()
            cachedBytes -= cache.removeValue(forKey: evicted)?.bytes.readableBytes ?? 0
        }
    }
}
