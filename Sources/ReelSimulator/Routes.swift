import ContentStore
import Foundation
import Hummingbird

/// Every route of every dialect, the CDN and the oracle, on one router.
struct Routes: Sendable {
    let world: World
    let media: MediaFactory
    let secret: String

    var configuration: SimulatorConfiguration { world.configuration }

    func register(on router: Router<BasicRequestContext>) {
        // web
        router.get("/api/generations") { r, c in await api(r, c, .web) { try webList(r) } }
        router.get("/api/generations/usage") { r, c in await api(r, c, .web) { webUsage() } }
        router.get("/api/generations/{id}") { r, c in await api(r, c, .web) { try webDetail(r, try c.parameters.require("id")) } }
        router.post("/api/generations/create") { r, c in await api(r, c, .web) { try await webCreate(r) } }
        router.post("/api/generations/upload") { r, c in await api(r, c, .web) { try await webUpload(r) } }
        // proxy
        if configuration.proxyList {
            router.get("/luma/generations") { r, c in await api(r, c, .proxy) { try proxyList(r) } }
        }
        router.post("/luma/generations") { r, c in await api(r, c, .proxy) { try await proxyCreate(r, parent: nil) } }
        router.get("/luma/generations/{id}") { r, c in await api(r, c, .proxy) { try proxyDetail(r, try c.parameters.require("id")) } }
        router.post("/luma/generations/{id}/extend") { r, c in
            await api(r, c, .proxy) { try await proxyCreate(r, parent: try c.parameters.require("id")) }
        }
        router.get("/luma/generations/{id}/download_video_url") { r, c in
            await api(r, c, .proxy) { try proxyDownloadURL(r, try c.parameters.require("id")) }
        }
        router.post("/luma/tasks") { r, c in await api(r, c, .proxy) { try await proxyTasks(r) } }
        // official
        router.get("/dream-machine/v1/generations") { r, c in await api(r, c, .official) { officialList(r) } }
        router.get("/dream-machine/v1/generations/{id}") { r, c in
            await api(r, c, .official) { try officialDetail(r, try c.parameters.require("id")) }
        }
        router.post("/dream-machine/v1/generations/video") { r, c in await api(r, c, .official) { try await officialCreate(r) } }
        router.post("/dream-machine/v1/generations") { r, c in await api(r, c, .official) { try await officialCreate(r) } }
        router.delete("/dream-machine/v1/generations/{id}") { r, c in
            await api(r, c, .official) { try officialDelete(try c.parameters.require("id")) }
        }
        router.get("/dream-machine/v1/credits") { r, c in
            await api(r, c, .official) { .json(.object([("credit_balance", .double(world.creditCents))])) }
        }
        // CDN: no auth, faults apply.
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/cdn/v/{id}/{file}", method: method) { r, c in
                await cdn(r) { try await generationFile(try c.parameters.require("id"), name: try c.parameters.require("file")) }
            }
            router.on("/cdn/raw/{id}/video.mp4", method: method) { r, c in
                await cdn(r) { try await rawFile(r, id: try c.parameters.require("id")) }
            }
            router.on("/cdn/uploads/{upload}/image_file.jpg", method: method) { r, c in
                await cdn(r) { try uploadFile(try c.parameters.require("upload")) }
            }
        }
        // The oracle, outside every dialect: no auth, no faults.
        router.get("/_sim/manifest") { r, _ in try await manifestResponse(r) }
        router.get("/_sim/stats") { _, _ in Payload.json(world.stats.json).response(head: false) }
    }

    // MARK: Request plumbing

    private func links(_ request: Request) -> Links {
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        return Links(base: "http://\(host)", secret: secret, ttl: configuration.linkTTL)
    }

    private func context(_ request: Request) -> RenderContext {
        RenderContext(links: links(request), now: configuration.now(), step: world.step, fullSizeMedia: configuration.fullSizeMedia)
    }

    /// Runs an API call: counts it, applies a fault, checks the key, maps errors to the dialect's bodies.
    private func api(_ request: Request, _ context: BasicRequestContext, _ dialect: Dialect, _ handler: () async throws -> Payload)
        async -> Response
    {
        let call = "\(request.method) \(context.endpointPath ?? request.uri.path)"
        world.live(until: configuration.now())
        world.record {
            $0.requests += 1
            $0.calls[call, default: 0] += 1
        }
        let fault = world.fault(for: request.uri.path)
        if let early = FaultResponse.before(fault, dialect: dialect) { return early }
        guard request.headers[.authorization] == "Bearer \(configuration.apiKey)" else {
            return dialect.error(dialect.unauthorizedMessage, status: .unauthorized).response(head: false)
        }
        let payload: Payload
        do {
            payload = try await handler()
        } catch let error as WorldError {
            payload = switch error {
            case .notFound: dialect.error("Generation not found", status: .notFound)
            case .invalid(let message): dialect.error(message, status: .badRequest)
            case .notCompleted: dialect.error("Generation is not completed yet", status: .badRequest)
            case .rateLimited(let seconds):
                {
                    var p = dialect.error("Rate limit exceeded, please retry later", status: .tooManyRequests)
                    p.headers[.retryAfter] = String(seconds)
                    return p
                }()
            }
        } catch {
            payload = dialect.error("\(error)", status: .badRequest)
        }
        return FaultResponse.apply(fault, to: payload, head: false)
    }

    /// Serves a CDN file: counts it (and whether it leaked an API key), faults, HEAD, Range, ETag.
    private func cdn(_ request: Request, _ file: () async throws -> MediaBlob) async -> Response {
        let leaked = request.headers[.authorization] != nil
        world.live(until: configuration.now())
        world.record {
            $0.requests += 1
            $0.mediaRequests += 1
            if leaked { $0.mediaRequestsWithAuthorization += 1 }
        }
        let fault = world.fault(for: request.uri.path)
        if let early = FaultResponse.before(fault, dialect: nil) { return early }
        await configuration.beforeMedia?()
        let blob: MediaBlob
        do {
            blob = try await file()
        } catch let error as CDNError {
            return error.payload.response(head: request.method == .head)
        } catch {
            return Payload.json(.object([("message", .string("\(error)"))]), status: .internalServerError).response(head: false)
        }
        let payload = Self.mediaPayload(blob, request: request)
        return FaultResponse.apply(fault, to: payload, head: request.method == .head)
    }

    static func mediaPayload(_ blob: MediaBlob, request: Request) -> Payload {
        let size = blob.bytes.readableBytes
        var headers = HTTPFields()
        headers[.contentType] = blob.contentType
        headers[.eTag] = blob.etag
        headers[.acceptRanges] = "bytes"
        headers[.lastModified] = "Thu, 20 Jun 2024 06:02:26 GMT"
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        if let match = request.headers[.ifNoneMatch], match == blob.etag || match == "*" {
            return Payload(status: .notModified, headers: headers, body: ByteBuffer())
        }
        // If-Range with another validator means the client's partial copy is stale: send everything.
        let rangeHeader = request.headers[.ifRange].map { $0 == blob.etag } ?? true ? request.headers[.range] : nil
        switch ByteRange(header: rangeHeader, size: size) {
        case .whole:
            return Payload(status: .ok, headers: headers, body: blob.bytes)
        case .part(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            let slice = blob.bytes.getSlice(at: blob.bytes.readerIndex + range.lowerBound, length: range.count) ?? ByteBuffer()
            return Payload(status: .partialContent, headers: headers, body: slice)
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Payload(status: .rangeNotSatisfiable, headers: headers, body: ByteBuffer())
        }
    }

    // MARK: web

    private func webList(_ r: Request) throws -> Payload {
        let c = context(r)
        let items = world.page(offset: max(0, r.intQuery("offset", default: 0)), limit: min(100, max(0, r.intQuery("limit", default: 10))))
        return .json(.object([("data", .array(items.map { render(WebDialect.item, $0, c) }))]))
    }

    private func webDetail(_ r: Request, _ id: String) throws -> Payload {
        guard let g = world.generation(id) else { throw WorldError.notFound }
        return .json(.object([("data", render(WebDialect.item, g, context(r)))]))
    }

    private func webUsage() -> Payload {
        let (consumed, capacity) = world.usage
        let plans: [JSON] = [
            .object([("name", .string("Free")), ("key", .string("free")), ("capacity_per_month", .int(30)),
                     ("monthly_cost_in_cents", .int(0)), ("yearly_cost_in_cents", .int(0))]),
            .object([("name", .string("Standard")), ("key", .string("standard")), ("capacity_per_month", .int(150)),
                     ("monthly_cost_in_cents", .int(2999)), ("yearly_cost_in_cents", .double(28790.4))]),
            .object([("name", .string("Pro")), ("key", .string("pro")), ("capacity_per_month", .int(400)),
                     ("monthly_cost_in_cents", .int(9999)), ("yearly_cost_in_cents", .double(95990.4))]),
        ]
        return .json(.object([("data", .object([
            ("consumed", .int(Int64(consumed))), ("capacity", .int(Int64(capacity))),
            ("available", .int(Int64(max(0, capacity - consumed)))),
            ("subscription", .object([("active", .bool(true)), ("plan", .string("standard")), ("type", .string("monthly"))])),
            ("plans", .array(plans)),
        ]))]))
    }

    private func webCreate(_ r: Request) async throws -> Payload {
        let body = try JSONBody(try await collect(r))
        guard let prompt = try body.string("prompt"), !prompt.isEmpty else { throw WorldError.invalid("prompt is required") }
        var request = CreateRequest(prompt: prompt)
        if let image = try body.string("image"), !image.isEmpty { request.imageURL = image }
        let (consumed, capacity) = world.usage
        guard consumed < capacity else { throw WorldError.invalid("You have used all generations of your plan this month") }
        let g = try world.create(request, now: configuration.now(), enforceLimits: false)
        return .json(.object([("message", .string("Success")), ("data", .array([render(WebDialect.item, g, context(r))]))]))
    }

    private func webUpload(_ r: Request) async throws -> Payload {
        let body = try await collect(r, limit: 20 << 20)
        guard let boundary = r.headers[.contentType].flatMap(Multipart.boundary(in:)),
            let part = Multipart.file(named: "file", in: Array(body.readableBytesView), boundary: boundary)
        else { throw WorldError.invalid("expected a multipart/form-data body with a file field named 'file'") }
        guard !part.bytes.isEmpty else { throw WorldError.invalid("the uploaded file is empty") }
        let id = world.storeUpload(part.bytes, contentType: part.contentType ?? "application/octet-stream")
        let url = links(r).upload(id)
        return .json(.object([("data", .object([
            ("id", .string(id)), ("presigned_url", .string(url + "?X-Amz-Expires=86400&X-Amz-Signature=upload")),
            ("public_url", .string(url)),
        ]))]))
    }

    // MARK: proxy

    private func proxyList(_ r: Request) throws -> Payload {
        let c = context(r)
        let items = world.page(offset: max(0, r.intQuery("offset", default: 0)), limit: min(100, max(0, r.intQuery("limit", default: 10))))
        return .json(.array(items.map { render(ProxyDialect.item, $0, c) }))
    }

    private func proxyDetail(_ r: Request, _ id: String) throws -> Payload {
        guard let g = world.generation(id) else { throw WorldError.notFound }
        return .json(render(ProxyDialect.item, g, context(r)))
    }

    private func proxyCreate(_ r: Request, parent: String?) async throws -> Payload {
        let body = try JSONBody(try await collect(r, limit: 20 << 20))
        guard let prompt = try body.string("user_prompt"), !prompt.isEmpty else { throw WorldError.invalid("user_prompt is required") }
        var request = CreateRequest(prompt: prompt)
        request.parentID = parent
        if let aspect = try body.string("aspect_ratio") {
            guard ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"].contains(aspect) else {
                throw WorldError.invalid("aspect_ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, 9:21")
            }
            request.aspect = aspect
        }
        request.loop = try body.bool("loop") ?? false
        _ = try body.bool("expand_prompt")
        if let duration = try body.string("duration") {
            guard let seconds = ["5s": 5, "10s": 10][duration] else { throw WorldError.invalid("duration must be 5s or 10s") }
            request.durationSeconds = seconds
        }
        if let resolution = try body.string("resolution") {
            guard ["720p", "1080p"].contains(resolution) else { throw WorldError.invalid("resolution must be 720p or 1080p") }
            request.resolution = resolution
        }
        if let model = try body.string("model_name") {
            guard let index = ProxyDialect.models.firstIndex(of: model) else {
                throw WorldError.invalid("model_name must be one of \(ProxyDialect.models.joined(separator: ", "))")
            }
            request.model = index
        }
        let frames = try body.dictionary("keyframes")
        request.imageURL = try imageURL(try body.string("image_url") ?? keyframeURL(frames?["frame0"]), r)
        request.endImageURL = try imageURL(try body.string("image_end_url") ?? keyframeURL(frames?["frame1"]), r)
        let g = try world.create(request, now: configuration.now(), enforceLimits: false)
        var payload = Payload.json(render(ProxyDialect.item, g, context(r)), status: .created)
        payload.headers[.location] = "/luma/generations/\(g.id)"
        return payload
    }

    /// A keyframe or image URL as given: data URLs become uploads the CDN serves back.
    private func imageURL(_ value: String?, _ r: Request) throws -> String? {
        guard let value, !value.isEmpty else { return nil }
        if value.hasPrefix("data:") {
            guard let comma = value.firstIndex(of: ","), value[..<comma].hasSuffix(";base64"),
                let bytes = Data(base64Encoded: String(value[value.index(after: comma)...]))
            else { throw WorldError.invalid("image data URLs must be data:image/…;base64,…") }
            let type = String(value.dropFirst(5).prefix { $0 != ";" })
            return links(r).upload(world.storeUpload(Array(bytes), contentType: type))
        }
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw WorldError.invalid("image URLs must be http(s) or data URLs")
        }
        return value
    }

    private func keyframeURL(_ frame: Any?) throws -> String? {
        guard let frame = frame as? [String: Any] else { return nil }
        guard frame["type"] as? String == "image", let url = frame["url"] as? String else {
            throw WorldError.invalid("keyframes here take {\"type\": \"image\", \"url\": …}")
        }
        return url
    }

    private func proxyDownloadURL(_ r: Request, _ id: String) throws -> Payload {
        guard let g = world.generation(id) else { throw WorldError.notFound }
        // The link the proxy exposes whether or not its item carries it in `download_url`.
        guard let url = context(r).shown(g, in: .proxy)[.raw] else { throw WorldError.notCompleted }
        return .json(.object([("url", .string(url))]))
    }

    private func proxyTasks(_ r: Request) async throws -> Payload {
        let body = try JSONBody(try await collect(r))
        guard let ids = body.object["ids"] as? [String] else { throw WorldError.invalid("ids must be an array of generation ids") }
        let c = context(r)
        let tasks = ids.compactMap(world.generation).map { render(ProxyDialect.task, $0, c) }
        return .json(.object([("code", .string("success")), ("message", .string("")), ("data", .array(tasks))]))
    }

    // MARK: official

    private func officialList(_ r: Request) -> Payload {
        let c = context(r)
        let limit = min(100, max(1, r.intQuery("limit", default: 100)))
        let offset = max(0, r.intQuery("offset", default: 0))
        let items = world.page(offset: offset, limit: limit + 1)
        return .json(.object([
            ("generations", .array(items.prefix(limit).map { render(OfficialDialect.generation, $0, c) })),
            ("count", .int(Int64(min(limit, items.count)))),
            ("has_more", .bool(items.count > limit)),
            ("limit", .int(Int64(limit))),
            ("offset", .int(Int64(offset))),
        ]))
    }

    private func officialDetail(_ r: Request, _ id: String) throws -> Payload {
        guard let g = world.generation(id) else { throw WorldError.notFound }
        return .json(render(OfficialDialect.generation, g, context(r)))
    }

    private func officialCreate(_ r: Request) async throws -> Payload {
        let body = try JSONBody(try await collect(r))
        guard let prompt = try body.string("prompt"), !prompt.isEmpty else { throw WorldError.invalid("prompt is required") }
        var request = CreateRequest(prompt: prompt)
        if let aspect = try body.string("aspect_ratio") {
            guard ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"].contains(aspect) else {
                throw WorldError.invalid("Invalid aspect_ratio: \(aspect)")
            }
            request.aspect = aspect
        }
        request.loop = try body.bool("loop") ?? false
        if let model = try body.string("model") {
            guard let index = OfficialDialect.models.firstIndex(of: model) else { throw WorldError.invalid("Invalid model: \(model)") }
            request.model = index
        }
        if let resolution = try body.string("resolution") {
            guard ["540p", "720p", "1080p"].contains(resolution) else { throw WorldError.invalid("Invalid resolution: \(resolution)") }
            request.resolution = resolution == "540p" ? "720p" : resolution
        }
        if let duration = try body.string("duration") {
            guard let seconds = ["5s": 5, "9s": 10, "10s": 10][duration] else { throw WorldError.invalid("Invalid duration: \(duration)") }
            request.durationSeconds = seconds
        }
        if let frames = try body.dictionary("keyframes") {
            for (name, value) in frames {
                guard ["frame0", "frame1"].contains(name), let frame = value as? [String: Any], let type = frame["type"] as? String
                else { throw WorldError.invalid("Invalid keyframes") }
                switch (type, name) {
                case ("generation", "frame0"):
                    guard let id = frame["id"] as? String else { throw WorldError.invalid("A generation keyframe needs an id") }
                    request.parentID = id
                case ("generation", _):
                    guard let id = frame["id"] as? String else { throw WorldError.invalid("A generation keyframe needs an id") }
                    request.parentID = id  // frame1: reverse extend
                case ("image", _):
                    guard let url = frame["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                        throw WorldError.invalid("An image keyframe needs an http(s) url")
                    }
                    if name == "frame0" { request.imageURL = url } else { request.endImageURL = url }
                default:
                    throw WorldError.invalid("Unknown keyframe type: \(type)")
                }
            }
        }
        let g = try world.create(request, now: configuration.now(), enforceLimits: true)
        return .json(render(OfficialDialect.generation, g, context(r)), status: .created)
    }

    private func officialDelete(_ id: String) throws -> Payload {
        guard world.delete(id) else { throw WorldError.notFound }
        return .empty(.noContent)
    }

    // MARK: CDN

    private struct CDNError: Error {
        let payload: Payload
        static let notFound = CDNError(payload: .json(.object([("message", .string("Not Found"))]), status: .notFound))
    }

    private func generationFile(_ id: String, name: String) async throws -> MediaBlob {
        let files: [String: MediaFile] = [
            "watermarked_video.mp4": .watermarked, "thumbnail.jpg": .thumbnail, "last_frame.jpg": .lastFrame,
            "source.jpg": .source, "source_end.jpg": .sourceEnd,
        ]
        guard let file = files[name], let g = world.generation(id),
            MediaFile.exposed(by: g, in: nil, ready: g.stage(at: configuration.now(), step: world.step) == .completed).contains(file),
            // A client's own upload is served from /cdn/uploads/ instead.
            g.upload(serving: file) == nil
        else { throw CDNError.notFound }
        return try await media.blob(file, of: g)
    }

    private func rawFile(_ r: Request, id: String) async throws -> MediaBlob {
        if let refusal = links(r).refusal(path: r.uri.path, query: r.query, now: configuration.now()) {
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>\(refusal)</Message></Error>"
            var headers = HTTPFields()
            headers[.contentType] = "application/xml"
            throw CDNError(payload: Payload(status: .forbidden, headers: headers, body: ByteBuffer(string: xml)))
        }
        guard let g = world.generation(id), g.stage(at: configuration.now(), step: world.step) == .completed else { throw CDNError.notFound }
        return try await media.blob(.raw, of: g)
    }

    private func uploadFile(_ id: String) throws -> MediaBlob {
        guard let blob = uploadBlob(id) else { throw CDNError.notFound }
        return blob
    }

    private func uploadBlob(_ id: String) -> MediaBlob? {
        world.upload(id).map { MediaBlob(bytes: ByteBuffer(bytes: $0.bytes), sha256: SHA256.hash($0.bytes).hex, contentType: $0.contentType) }
    }

    // MARK: Oracle

    /// Every generation with the files it has: all of them, or with `?dialect=` only those that dialect
    /// exposes for it now (as its renderer decides, held-back links aside).
    private func manifestResponse(_ r: Request) async throws -> Response {
        world.live(until: configuration.now())
        let name = r.query["dialect"]
        let dialect = name.flatMap(Dialect.init(rawValue:))
        if let name, dialect == nil {
            let message = "unknown dialect \"\(name)\": use web, proxy or official, or no dialect for every file"
            return Payload.json(.object([("message", .string(message))]), status: .badRequest).response(head: false)
        }
        // `media=0`: ids, states and prompts only, without making every file (fast for large worlds).
        let withMedia = r.query["media"] != "0"
        let now = configuration.now()
        let generations = world.all()
        let entries = try await withThrowingTaskGroup(of: (Int, JSON).self) { group in
            for (index, g) in generations.enumerated() {
                group.addTask { (index, try await manifestEntry(g, dialect: dialect, now: now, withMedia: withMedia)) }
            }
            var result = [JSON](repeating: .null, count: generations.count)
            for try await (index, entry) in group { result[index] = entry }
            return result
        }
        return Payload.json(.object([("generations", .array(entries))])).response(head: false)
    }

    private func manifestEntry(_ g: SimGeneration, dialect: Dialect?, now: Date, withMedia: Bool) async throws -> JSON {
        let stage = g.stage(at: now, step: world.step)
        var files: [JSON] = []
        for file in withMedia ? MediaFile.exposed(by: g, in: dialect, ready: stage == .completed) : [] {
            // A keyframe is the client's own upload when it sent one (none when that upload is unknown).
            let blob: MediaBlob?
            if let upload = g.upload(serving: file) { blob = uploadBlob(upload) } else { blob = try await media.blob(file, of: g) }
            guard let blob else { continue }
            files.append(.object([
                ("role", .string(file.role)), ("ordinal", .int(Int64(file.ordinal))),
                ("sha256", .string(blob.sha256)), ("size", .int(Int64(blob.bytes.readableBytes))),
            ]))
        }
        return .object([
            ("id", .string(g.id)), ("state", .string(stage.rawValue)), ("prompt", .string(g.prompt)),
            ("created_at", .string(TimeFormat.iso(g.createdAt, digits: 3))), ("media", .array(files)),
        ])
    }

    // MARK: Helpers

    private func render(_ renderer: (SimGeneration, RenderContext) -> JSON, _ g: SimGeneration, _ base: RenderContext) -> JSON {
        var c = base
        c.withholdLinks = world.withholdsLinks(g, now: c.now)
        return renderer(g, c)
    }

    private func collect(_ r: Request, limit: Int = 1 << 20) async throws -> ByteBuffer {
        var request = r
        do {
            return try await request.collectBody(upTo: limit)
        } catch {
            throw WorldError.invalid("the request body is larger than \(limit) bytes")
        }
    }
}
