import Foundation

/// What renders an item needs besides the item: links, the moment, whether links are held back.
struct RenderContext {
    let links: Links
    let now: Date
    let step: TimeInterval
    let fullSizeMedia: Bool
    /// The item just completed and its files are "not ready" for this showing.
    var withholdLinks = false

    func stage(_ g: SimGeneration) -> SimGeneration.Stage { g.stage(at: now, step: step) }

    /// Seconds until the item is done, for `estimate_wait_seconds`.
    func remaining(_ g: SimGeneration) -> Int? {
        guard let finished = g.finishedAt(step: step), finished > now else { return nil }
        return Int(finished.timeIntervalSince(now).rounded(.up))
    }

    /// The links `dialect` shows for `g` in this showing: what `MediaFile.exposed` lists, and nothing
    /// while the item is not completed or its links are held back.
    func shown(_ g: SimGeneration, in dialect: Dialect) -> ShownLinks {
        let ready = stage(g) == .completed && !withholdLinks
        return ShownLinks(files: MediaFile.exposed(by: g, in: dialect, ready: ready), generation: g, links: links, now: now)
    }
}

/// The links one dialect shows for one item: a renderer asks this for each link it could place, and
/// places none that this does not give.
struct ShownLinks {
    let files: [MediaFile]
    let generation: SimGeneration
    let links: Links
    let now: Date

    /// The file's URL, or nil when the dialect does not show it now.
    subscript(_ file: MediaFile) -> String? {
        files.contains(file) ? links.url(file, of: generation, now: now) : nil
    }

    /// `image_url` and `image_end_url`, as web and proxy items carry their keyframe images.
    var keyframeMembers: [(String, JSON)] {
        [("image_url", self[.source]), ("image_end_url", self[.sourceEnd])].compactMap { name, url in url.map { (name, .string($0)) } }
    }
}

/// `web`: the web app's API behind a thin proxy.
enum WebDialect {
    static func state(_ stage: SimGeneration.Stage) -> String {
        switch stage {
        case .queued: "pending"
        case .running: "processing"
        case .completed: "completed"
        case .failed: "failed"
        }
    }

    static func item(_ g: SimGeneration, _ c: RenderContext) -> JSON {
        let (w, h) = g.videoSize(fullSize: c.fullSizeMedia)
        let shown = c.shown(g, in: .web)
        let media = { (url: String?) -> JSON in
            url.map { .object([("url", .string($0)), ("width", .int(Int64(w))), ("height", .int(Int64(h)))]) } ?? .null
        }
        // Legacy items name their thumbnail (if any) inside `video`; later ones in a top-level object.
        let video = shown[.watermarked].map { url -> JSON in
            .object([
                ("url", .string(url)), ("width", .int(Int64(w))), ("height", .int(Int64(h))),
                ("thumbnail", g.quirks.legacyWeb ? .string(shown[.thumbnail]) : .null),
            ])
        }
        var members: [(String, JSON)] = [
            ("id", .string(g.id)),
            ("prompt", .string(g.prompt)),
            ("state", .string(state(c.stage(g)))),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: 6))),
            ("video", video ?? .null),
            ("liked", .bool(g.liked)),
            ("estimate_wait_seconds", .int(c.remaining(g))),
        ]
        if !g.quirks.legacyWeb {
            members.append(("thumbnail", media(shown[.thumbnail])))
            members.append(("last_frame", media(shown[.lastFrame])))
            members.append(("video_raw", media(shown[.raw])))
        }
        return .object(members + shown.keyframeMembers)
    }
}

/// `proxy`: an aggregator's own format, with the quirks such hosts have.
enum ProxyDialect {
    static let models = ["ray-v1", "ray-v2", "ray-v3"]

    static func item(_ g: SimGeneration, _ c: RenderContext) -> JSON {
        let stringly = g.quirks.stringlyProxy
        // Some hosts send "" for null and numbers as strings.
        let none: JSON = stringly ? .string("") : .null
        let number = { (n: Int) -> JSON in stringly ? .string(String(n)) : .int(Int64(n)) }
        let (w, h) = g.videoSize(fullSize: c.fullSizeMedia)
        let shown = c.shown(g, in: .proxy)
        // Signing costs a hash: one link serves both fields. Some hosts leave it out of the item
        // (download_video_url still gives it).
        let raw = g.quirks.emptyDownloadURL ? nil : shown[.raw]
        let video: JSON
        if let url = shown[.watermarked] {
            video = .object([
                ("url", .string(url)), ("width", number(w)), ("height", number(h)),
                ("thumbnail", .string(shown[.thumbnail] ?? "")),
                ("download_url", .string(raw ?? "")),
            ])
        } else {
            let zero: JSON = stringly ? .string("") : .int(0)
            video = .object([("url", .string("")), ("width", zero), ("height", zero), ("thumbnail", .string("")), ("download_url", .string(""))])
        }
        let media = { (url: String?) -> JSON in url.map { .object([("url", .string($0)), ("width", number(w)), ("height", number(h))]) } ?? none }
        let members: [(String, JSON)] = [
            ("id", .string(g.id)),
            ("prompt", .string(g.prompt)),
            ("state", .string(WebDialect.state(c.stage(g)))),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: g.quirks.fractionDigits))),
            ("video", video),
            ("video_raw", media(raw)),
            ("liked", g.liked.map { .bool($0) } ?? none),
            ("estimate_wait_seconds", c.remaining(g).map(number) ?? none),
            ("thumbnail", media(shown[.thumbnail])),
            ("last_frame", media(shown[.lastFrame])),
            ("server_id", .string("srv-\(g.taskNumber % 7)")),
            ("batch_id", .string(String(g.id.prefix(8)))),
            ("queue_state", c.stage(g) == .queued ? .string("waiting") : none),
        ]
        return .object(members + shown.keyframeMembers)
    }

    /// The batch envelope's task status for a stage.
    static func taskStatus(_ g: SimGeneration, _ c: RenderContext) -> String {
        switch c.stage(g) {
        case .queued: g.createdAt > c.now.addingTimeInterval(-c.step / 2) ? "SUBMITTED" : "QUEUED"
        case .running: "IN_PROGRESS"
        case .completed: "SUCCESS"
        case .failed: "FAILURE"
        }
    }

    static func task(_ g: SimGeneration, _ c: RenderContext) -> JSON {
        let stage = c.stage(g)
        let submit = Int64(g.createdAt.timeIntervalSince1970)
        let start = g.lifeStart.map { Int64($0.addingTimeInterval(c.step).timeIntervalSince1970) } ?? submit
        let finish = g.finishedAt(step: c.step).map { Int64($0.timeIntervalSince1970) } ?? submit
        let progress = switch stage {
        case .queued: "0%"
        case .running: "50%"
        case .completed, .failed: "100%"
        }
        return .object([
            ("id", .int(Int64(g.taskNumber))),
            ("task_id", .string(g.id)),
            ("platform", .string("luma")),
            ("action", .string(g.kind == .extend ? "LUMA_EXTEND" : "LUMA_VIDEO")),
            ("status", .string(taskStatus(g, c))),
            ("fail_reason", .string(stage == .failed ? g.failureReason ?? "" : "")),
            ("progress", .string(progress)),
            ("submit_time", .int(submit)),
            ("start_time", .int(stage == .queued ? 0 : start)),
            ("finish_time", .int(stage == .completed || stage == .failed ? finish : 0)),
            ("data", item(g, c)),
        ])
    }
}

/// `official`: the vendor's public API.
enum OfficialDialect {
    static let models = ["ray-1-6", "ray-2", "ray-flash-2"]

    static func state(_ stage: SimGeneration.Stage) -> String {
        switch stage {
        case .queued: "queued"
        case .running: "dreaming"
        case .completed: "completed"
        case .failed: "failed"
        }
    }

    static func generation(_ g: SimGeneration, _ c: RenderContext) -> JSON {
        let stage = c.stage(g)
        let shown = c.shown(g, in: .official)
        var keyframes: [(String, JSON)] = []
        if g.kind == .extend, let parent = g.parentID {
            keyframes.append(("frame0", .object([("type", .string("generation")), ("id", .string(parent))])))
        } else if let url = shown[.source] {
            keyframes.append(("frame0", .object([("type", .string("image")), ("url", .string(url))])))
        }
        if let url = shown[.sourceEnd] {
            keyframes.append(("frame1", .object([("type", .string("image")), ("url", .string(url))])))
        }
        let model = models[g.model]
        return .object([
            ("id", .string(g.id)),
            ("generation_type", .string("video")),
            ("state", .string(state(stage))),
            ("failure_reason", stage == .failed ? .string(g.failureReason) : .null),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: g.quirks.fractionDigits))),
            ("assets", .object([
                ("video", .string(shown[.raw])),
                ("image", .string(shown[.thumbnail])),
                ("progress_video", .null),
            ])),
            (g.quirks.officialVersionField ? "version" : "model", .string(model)),
            ("request", .object([
                ("generation_type", .string("video")),
                ("prompt", .string(g.prompt)),
                ("aspect_ratio", .string(g.aspect)),
                ("loop", .bool(g.loop)),
                ("model", .string(model)),
                ("resolution", .string(g.resolution)),
                ("duration", .string("\(g.durationSeconds)s")),
                ("keyframes", keyframes.isEmpty ? .null : .object(keyframes)),
                ("callback_url", .null),
            ])),
        ])
    }
}
