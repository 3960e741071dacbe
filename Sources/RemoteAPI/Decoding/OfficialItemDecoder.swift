/// Reads an `official` Gen: the prompt and settings live under `request`, files under `assets`.
struct OfficialItemDecoder {
    func decode(_ item: JSONValue) throws(FieldError) -> RemoteGeneration {
        guard item.kind == .object else { throw FieldError(path: "the item", problem: "is not an object: \(item.snippet)") }
        let f = Fields(item)
        let id = try f.requiredIdentifier("id")
        guard let rawState = try f.string("state") else { throw f.error("state", "is missing") }
        let request = try f.object("request", path: "request.")

        var media = MediaList()
        if let assets = try f.object("assets", path: "assets.") {
            // The official API serves no watermark: its video is the raw file.
            media.add(.videoRaw, try assets.media("video", path: "video."))
            media.add(.thumbnail, try assets.media("image", path: "image."))
        }
        let keyframes = try request.map { (r) throws(FieldError) in try Keyframes(r) } ?? Keyframes()
        let requestModel = try request?.string("model")
        media.add(.sourceImage, url: keyframes.startImage)
        media.add(.sourceImage, url: keyframes.endImage, ordinal: 1)

        return RemoteGeneration(
            id: id,
            prompt: try request?.string("prompt", keepEmpty: true) ?? "",
            state: GenerationState(itemWord: rawState),
            rawState: rawState,
            createdAt: try f.time("created_at"),
            // Older objects say `version` where newer ones say `model`.
            model: try f.firstString("model", "version") ?? requestModel,
            aspect: try request?.string("aspect_ratio"),
            resolution: try request?.string("resolution"),
            durationSeconds: try request?.duration("duration"),
            loop: try request?.flag("loop"),
            kind: request == nil ? nil : keyframes.kind,
            parentID: keyframes.parentID,
            failureReason: try f.string("failure_reason"),
            media: media.media,
            rawJSON: item.rawText,
            dialect: .official)
    }
}

/// What `request.keyframes` says: frame0 = a generation is an extension, frame1 = a generation a
/// reverse extension (both name the parent); image frames are the user's source images.
struct Keyframes {
    var parentID: String?
    var startImage: String?
    var endImage: String?

    init() {}

    init(_ request: Fields) throws(FieldError) {
        guard let frames = try request.object("keyframes", path: "keyframes.") else { return }
        var reverseParent: String?
        for (key, path, isEnd) in [("frame0", "frame0.", false), ("frame1", "frame1.", true)] as [(StaticString, String, Bool)] {
            guard let frame = try frames.object(key, path: path) else { continue }
            switch try frame.string("type") {
            case "generation":
                let id = try frame.requiredIdentifier("id")
                if isEnd { reverseParent = id } else { parentID = id }
            case "image":
                let url = try frame.string("url")
                if isEnd { endImage = url } else { startImage = url }
            default:
                // A type this reader does not know (a video keyframe, say): the raw JSON keeps it.
                continue
            }
        }
        parentID = parentID ?? reverseParent
    }

    /// `extend` with a parent generation, `image` with a source image, `text` otherwise.
    var kind: String { parentID != nil ? "extend" : (startImage != nil || endImage != nil ? "image" : "text") }
}
