/// Reads a `web` or `proxy` Item (the two share one shape; the proxy adds fields and quirks).
struct LumaItemDecoder {
    let dialect: Dialect

    /// Decodes `item`; `prefix` places its fields in messages (`data.` inside a batch Task).
    func decode(_ item: JSONValue, prefix: String = "") throws(FieldError) -> RemoteGeneration {
        guard item.kind == .object else {
            throw FieldError(path: prefix.isEmpty ? "the item" : String(prefix.dropLast()), problem: "is not an object: \(item.snippet)")
        }
        let f = Fields(item, prefix: prefix)
        let id = try f.requiredIdentifier("id")
        guard let rawState = try f.string("state") else { throw f.error("state", "is missing") }

        // `video` is null until completed, and an object with an empty url while a proxy has no file.
        var video: MediaField?
        var videoThumbnail: String?
        var downloadURL: String?
        if let object = try f.object("video", path: "video.") {
            if let url = try object.string("url") {
                video = MediaField(url: url, width: try object.dimension("width"), height: try object.dimension("height"))
            }
            videoThumbnail = try object.media("thumbnail", path: "thumbnail.")?.url
            downloadURL = try object.string("download_url")
        } else if let url = try f.string("video") {
            video = MediaField(url: url)
        }

        var media = MediaList()
        media.add(.video, video)
        // `video_raw` carries its own size; `video.download_url` is the same file at the video's size.
        media.add(.videoRaw, try f.media("video_raw", path: "video_raw."))
        media.add(.videoRaw, downloadURL.map { MediaField(url: $0, width: video?.width, height: video?.height) })
        // The top-level object wins over `video.thumbnail`: it has a size.
        media.add(.thumbnail, try f.media("thumbnail", path: "thumbnail."))
        media.add(.thumbnail, url: videoThumbnail)
        media.add(.lastFrame, try f.media("last_frame", path: "last_frame."))
        let image = try f.string("image_url")
        media.add(.sourceImage, url: image)
        media.add(.sourceImage, url: try f.string("image_end_url"), ordinal: 1)

        return RemoteGeneration(
            id: id,
            prompt: try f.string("prompt", keepEmpty: true) ?? "",
            state: GenerationState(itemWord: rawState),
            rawState: rawState,
            createdAt: try f.time("created_at"),
            // Not in the documented Item; read when a host adds them.
            model: try f.firstString("model", "model_name"),
            aspect: try f.string("aspect_ratio"),
            resolution: try f.string("resolution"),
            durationSeconds: try f.duration("duration"),
            loop: try f.flag("loop"),
            // Without an image, a text item and an extension look the same: say nothing.
            kind: image != nil ? "image" : nil,
            failureReason: try f.string("failure_reason"),
            liked: try f.flag("liked"),
            estimateWaitSeconds: try f.seconds("estimate_wait_seconds"),
            media: media.media,
            rawJSON: item.rawText,
            dialect: dialect)
    }
}
