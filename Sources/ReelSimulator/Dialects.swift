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

    /// Whether the item's files can be listed in this showing.
    func hasFiles(_ g: SimGeneration) -> Bool { stage(g) == .completed && !withholdLinks }
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
        let files = c.hasFiles(g)
        let media = { (url: String) -> JSON in .object([("url", .string(url)), ("width", .int(Int64(w))), ("height", .int(Int64(h)))]) }
        var members: [(String, JSON)] = [
            ("id", .string(g.id)),
            ("prompt", .string(g.prompt)),
            ("state", .string(state(c.stage(g)))),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: 6))),
            ("video", files ? .object([
                ("url", .string(c.links.video(g.id))), ("width", .int(Int64(w))), ("height", .int(Int64(h))),
                ("thumbnail", g.quirks.legacyWeb ? .string(c.links.thumbnail(g.id)) : .null),
            ]) : .null),
            ("liked", .bool(g.liked)),
            ("estimate_wait_seconds", .int(c.remaining(g))),
        ]
        if !g.quirks.legacyWeb {
            members.append(("thumbnail", files ? media(c.links.thumbnail(g.id)) : .null))
            members.append(("last_frame", files ? media(c.links.lastFrame(g.id)) : .null))
            members.append(("video_raw", files && g.quirks.webHasRaw ? media(c.links.raw(g.id, now: c.now)) : .null))
        }
        if g.hasSourceImage { members.append(("image_url", .string(c.links.sourceImage(g)))) }
        if g.hasEndImage { members.append(("image_end_url", .string(c.links.sourceImage(g, end: true)))) }
        return .object(members)
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
        let files = c.hasFiles(g)
        // Signing costs a hash: one link serves both fields.
        let raw = files && !g.quirks.emptyDownloadURL ? c.links.raw(g.id, now: c.now) : ""
        let video: JSON
        if files {
            video = .object([
                ("url", .string(c.links.video(g.id))), ("width", number(w)), ("height", number(h)),
                ("thumbnail", .string(c.links.thumbnail(g.id))),
                ("download_url", .string(raw)),
            ])
        } else {
            let zero: JSON = stringly ? .string("") : .int(0)
            video = .object([("url", .string("")), ("width", zero), ("height", zero), ("thumbnail", .string("")), ("download_url", .string(""))])
        }
        let media = { (url: String) -> JSON in files ? .object([("url", .string(url)), ("width", number(w)), ("height", number(h))]) : none }
        var members: [(String, JSON)] = [
            ("id", .string(g.id)),
            ("prompt", .string(g.prompt)),
            ("state", .string(WebDialect.state(c.stage(g)))),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: g.quirks.fractionDigits))),
            ("video", video),
            ("video_raw", raw.isEmpty ? none : media(raw)),
            ("liked", g.liked.map { .bool($0) } ?? none),
            ("estimate_wait_seconds", c.remaining(g).map(number) ?? none),
            ("thumbnail", media(c.links.thumbnail(g.id))),
            ("last_frame", media(c.links.lastFrame(g.id))),
            ("server_id", .string("srv-\(g.taskNumber % 7)")),
            ("batch_id", .string(String(g.id.prefix(8)))),
            ("queue_state", c.stage(g) == .queued ? .string("waiting") : none),
        ]
        if g.hasSourceImage { members.append(("image_url", .string(c.links.sourceImage(g)))) }
        if g.hasEndImage { members.append(("image_end_url", .string(c.links.sourceImage(g, end: true)))) }
        return .object(members)
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
        let files = c.hasFiles(g)
        var keyframes: [(String, JSON)] = []
        if g.kind == .extend, let parent = g.parentID {
            keyframes.append(("frame0", .object([("type", .string("generation")), ("id", .string(parent))])))
        } else if g.hasSourceImage {
            keyframes.append(("frame0", .object([("type", .string("image")), ("url", .string(c.links.sourceImage(g)))])))
        }
        if g.hasEndImage {
            keyframes.append(("frame1", .object([("type", .string("image")), ("url", .string(c.links.sourceImage(g, end: true)))])))
        }
        let model = models[g.model]
        return .object([
            ("id", .string(g.id)),
            ("generation_type", .string("video")),
            ("state", .string(state(stage))),
            ("failure_reason", stage == .failed ? .string(g.failureReason) : .null),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: g.quirks.fractionDigits))),
            ("assets", .object([
                ("video", files ? .string(c.links.raw(g.id, now: c.now)) : .null),
                ("image", files ? .string(c.links.thumbnail(g.id)) : .null),
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
