import ContentStore
import Foundation
import Testing
import TestSupport

/// One file of one item: its role in reel's names, which of the item's images it is, and its bytes.
struct ListedFile: Hashable, CustomStringConvertible {
    let role: String
    let ordinal: Int
    let sha256: String
    let size: Int

    var description: String { "\(role)#\(ordinal) \(sha256.prefix(12)) \(size)B" }
}

/// Where a dialect's item names a file, as a client reads it.
struct Place: Sendable {
    let path: [String]
    let role: String
    var ordinal = 0

    static let web = [
        Place(path: ["video", "url"], role: "video"),
        Place(path: ["video", "thumbnail"], role: "thumbnail"),
        Place(path: ["thumbnail", "url"], role: "thumbnail"),
        Place(path: ["last_frame", "url"], role: "last_frame"),
        Place(path: ["video_raw", "url"], role: "video_raw"),
        Place(path: ["image_url"], role: "source_image"),
        Place(path: ["image_end_url"], role: "source_image", ordinal: 1),
    ]
    static let proxy = web + [Place(path: ["video", "download_url"], role: "video_raw")]
    static let official = [
        Place(path: ["assets", "video"], role: "video_raw"),
        Place(path: ["assets", "image"], role: "thumbnail"),
        Place(path: ["request", "keyframes", "frame0", "url"], role: "source_image"),
        Place(path: ["request", "keyframes", "frame1", "url"], role: "source_image", ordinal: 1),
    ]

    static func of(_ dialect: String) -> [Place] { ["web": web, "proxy": proxy, "official": official][dialect] ?? [] }

    /// The non-empty URL at this place in an item, if any.
    func url(in item: [String: Any]) -> String? {
        var value: Any? = item
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? String).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A dialect's list, every page of it, by id.
func listAll(_ sim: RunningSimulator, _ dialect: String) async throws -> [String: [String: Any]] {
    var items: [[String: Any]] = []
    while true {
        let offset = items.count
        let page: [[String: Any]]
        switch dialect {
        case "web": page = try await sim.get("/api/generations?offset=\(offset)&limit=25").object["data"] as? [[String: Any]] ?? []
        case "proxy": page = try await sim.get("/luma/generations?offset=\(offset)&limit=25").array
        default: page = try await sim.get("/dream-machine/v1/generations?limit=25&offset=\(offset)").object["generations"] as? [[String: Any]] ?? []
        }
        if page.isEmpty { break }
        items += page
    }
    return Dictionary(items.map { ($0["id"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
}

/// `/_sim/manifest` (with `?dialect=` when given): each id's canonical state and files.
func manifest(_ sim: RunningSimulator, dialect: String?) async throws -> [String: (state: String, files: Set<ListedFile>)] {
    let reply = try await sim.get("/_sim/manifest" + (dialect.map { "?dialect=\($0)" } ?? ""), key: .some(nil))
    #expect(reply.status == 200)
    let generations = try #require(reply.object["generations"] as? [[String: Any]])
    var result: [String: (state: String, files: Set<ListedFile>)] = [:]
    for g in generations {
        let media = try #require(g["media"] as? [[String: Any]])
        let files = try media.map { m in
            ListedFile(role: try #require(m["role"] as? String), ordinal: try #require(m["ordinal"] as? Int),
                       sha256: try #require(m["sha256"] as? String), size: try #require(m["size"] as? Int))
        }
        #expect(files.count == Set(files).count, "no file listed twice")
        result[try #require(g["id"] as? String)] = (try #require(g["state"] as? String), Set(files))
    }
    return result
}

/// A dialect's state word in canonical terms.
func canonical(_ word: String?) -> String? {
    ["pending": "queued", "processing": "running", "dreaming": "running"][word ?? ""] ?? word
}

@Suite struct DialectManifestTests {
    /// Every file a dialect's manifest lists is one its payloads link to (fetched, same bytes), and every
    /// link in its payloads is a file its manifest lists: the manifest and the renderers cannot disagree.
    @Test(arguments: ["web", "proxy", "official"])
    func aDialectsManifestIsExactlyWhatItsPayloadsReach(dialect: String) async throws {
        try await withSimulator(count: 60) { sim in
            let listed = try await manifest(sim, dialect: dialect)
            let every = try await manifest(sim, dialect: nil)
            let items = try await listAll(sim, dialect)
            #expect(items.count == 60 && Set(items.keys) == Set(listed.keys))
            var withFiles = 0
            var webWithoutThumbnail = 0
            for (id, item) in items {
                let entry = try #require(listed[id])
                #expect(entry.state == canonical(item["state"] as? String), "\(dialect) \(id): canonical state")
                #expect(entry.state == every[id]?.state && entry.files.isSubset(of: every[id]?.files ?? []), "\(id)")
                // Every place the dialect names a file, plus the proxy's on-request link when download_url is empty.
                var links = Place.of(dialect).compactMap { place in place.url(in: item).map { (place, $0) } }
                if dialect == "proxy", item["state"] as? String == "completed", links.allSatisfy({ $0.0.path != ["video", "download_url"] }) {
                    let reply = try await sim.get("/luma/generations/\(id)/download_video_url")
                    #expect(reply.status == 200, "\(id): completed, so its unwatermarked link is there on request")
                    if let url = reply.object["url"] as? String { links.append((Place(path: ["download_video_url"], role: "video_raw"), url)) }
                }
                // No link in the payload escapes the places above.
                #expect(cdnURLs(in: item, base: sim.base).isSubset(of: Set(links.map(\.1))), "\(dialect) \(id): a link in no known place")
                var reached: Set<ListedFile> = []
                for (place, url) in links {
                    let reply = try await sim.get(url, key: .some(nil))
                    #expect(reply.status == 200, "\(dialect) \(id) \(place.path): \(url)")
                    let bytes = Array(reply.body)
                    reached.insert(ListedFile(role: place.role, ordinal: place.ordinal, sha256: SHA256.hash(bytes).hex, size: bytes.count))
                }
                #expect(reached == entry.files, "\(dialect) \(id): payload reaches \(reached.sorted { "\($0)" < "\($1)" }), manifest lists \(entry.files.sorted { "\($0)" < "\($1)" })")
                if !entry.files.isEmpty { withFiles += 1 }
                let video = item["video"] as? [String: Any]
                if dialect == "web", item["state"] as? String == "completed", item["thumbnail"] == nil, video?["thumbnail"] is NSNull {
                    webWithoutThumbnail += 1
                    #expect(!entry.files.contains { $0.role == "thumbnail" }, "\(id): a client must make this poster frame itself")
                    #expect(every[id]?.files.contains { $0.role == "thumbnail" } == true, "\(id): the other dialects still have one")
                }
            }
            #expect(withFiles >= 40, "most items are completed and have files")
            if dialect == "web" { #expect(webWithoutThumbnail >= 1, "legacy web items without any thumbnail occur in the seeded set") }
        }
    }

    @Test func anUnknownDialectIsRefused() async throws {
        try await withSimulator(count: 3) { sim in
            let reply = try await sim.get("/_sim/manifest?dialect=luma", key: .some(nil))
            #expect(reply.status == 400)
            #expect((reply.object["message"] as? String)?.contains("luma") == true)
        }
    }

    /// Links held back for a just-completed item's first polls are still in the manifest; a client's
    /// upload is the item's source image in every dialect.
    @Test func heldBackLinksAndUploadsInTheManifest() async throws {
        let clock = ManualClock()
        try await withSimulator(count: 2, clock: clock, configure: { $0.stepSeconds = 10 }) { sim in
            let image = Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
            var form = Data("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            form += image + Data("\r\n--XyZ--\r\n".utf8)
            let uploaded = try await sim.request("POST", "/api/generations/upload", body: form,
                                                 headers: ["Content-Type": "multipart/form-data; boundary=XyZ"])
            let publicURL = try #require((uploaded.object["data"] as? [String: Any])?["public_url"] as? String)
            let created = try await sim.post("/api/generations/create", json: ["prompt": "a paper boat", "image": publicURL])
            let id = try #require((created.object["data"] as? [[String: Any]])?.first?["id"] as? String)
            let source = ListedFile(role: "source_image", ordinal: 0, sha256: SHA256.hash(Array(image)).hex, size: image.count)
            clock.advance(by: 20)
            let first = try #require(try await sim.get("/api/generations/\(id)").object["data"] as? [String: Any])
            #expect(first["state"] as? String == "completed" && first["video"] is NSNull, "links held back")
            for dialect in ["web", "proxy", "official"] {
                let files = try #require(try await manifest(sim, dialect: dialect)[id]?.files)
                #expect(files.contains(source), "\(dialect)")
                #expect(files.contains { $0.role == (dialect == "official" ? "video_raw" : "video") }, "\(dialect): held-back links are no part of the manifest")
            }
        }
    }
}

/// Every string in a payload that points at the simulator's CDN.
func cdnURLs(in value: Any, base: String) -> Set<String> {
    switch value {
    case let text as String: text.hasPrefix(base + "/cdn/") ? [text] : []
    case let array as [Any]: array.reduce(into: []) { $0.formUnion(cdnURLs(in: $1, base: base)) }
    case let object as [String: Any]: object.values.reduce(into: []) { $0.formUnion(cdnURLs(in: $1, base: base)) }
    default: []
    }
}
