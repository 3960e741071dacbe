import ContentStore
import Foundation
import ReelKit
import SQLite
import Synchronization
import Testing
import TestSupport

/// Issue 8, the bad-input suite at the level a user sees: `reel sync` (the real binary) against a remote
/// that means harm. The remote speaks `web` (list, detail, the key check) from a `TinyServer`; its list
/// holds one good item, whose real MP4 is served correctly, and one bad item per case. Every case must
/// fail that item alone with a clear line (or take it as the data it is), exit as documented (1 for a
/// failed item, 69 for a list reel cannot read), and leave the rest whole: the good item stored, `reel
/// verify` clean, nothing in `tmp/`, no file from outside (such as /etc/passwd) in the store.
@Suite(.timeLimit(.minutes(6 * Fixtures.timeScale))) struct HostileRemoteTests {
    /// One bad item and what reel must say about it.
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case wrongTypes, wrongTypesEvenTheID, deeplyNested, hugePrompt, invalidUTF8
        case fileLink, redirectToFile, redirectToFTP, redirectToAnotherHost
        case htmlPage, notMedia, largerThanTheLimit, growsPastTheLimit, absurdContentLength

        var testDescription: String { rawValue }

        /// What the failure line for the bad item holds; nil when reel takes the item.
        var failure: String? {
            switch self {
            case .wrongTypes, .wrongTypesEvenTheID: "the remote sent an item reel cannot read"
            case .deeplyNested: "the JSON nests deeper than 512 levels"
            case .hugePrompt, .invalidUTF8, .redirectToAnotherHost: nil
            case .fileLink, .redirectToFile, .redirectToFTP: "a scheme other than http or https"
            case .htmlPage: "the media host sent a web page instead of the file (HTTP 200)"
            case .notMedia: "is not media libavformat can read"
            case .largerThanTheLimit, .growsPastTheLimit: "video is larger than the limit of 1 MB (--max-file-size)"
            case .absurdContentLength: "video is larger than the limit of 2 GiB (--max-file-size)"
            }
        }

        /// The id the failure names ("?" when the item's id is unreadable).
        var failedID: String { self == .wrongTypesEvenTheID ? "?" : HostileRemote.badID }
    }

    @Test(arguments: Case.allCases)
    func oneBadItemFailsAloneWithAClearLine(_ hostile: Case) async throws {
        let remote = try HostileRemote()
        defer { remote.stop() }
        let bad = HostileRemote.badID
        let media = remote.server.base + "/media/bad.mp4"
        var item = HostileRemote.completed(id: bad, prompt: "the bad one", video: media)
        var reply: TinyServer.Reply?
        var arguments: [String] = []
        switch hostile {
        case .wrongTypes:
            item = Array(#"{"id":"\#(bad)","prompt":42,"state":["completed"],"created_at":true,"video":7,"thumbnail":1,"last_frame":"x","video_raw":[],"liked":{},"estimate_wait_seconds":[1],"image_url":false,"duration":{},"loop":"sometimes"}"#.utf8)
        case .wrongTypesEvenTheID:
            item = Array(#"{"id":{"x":1},"prompt":[],"state":1.5,"created_at":{},"video":[1],"liked":[]}"#.utf8)
        case .deeplyNested:
            // 100,000 levels: the parser reads 512 and passes over the rest, so only this item fails.
            let depth = 100_000
            item = Array(#"{"id":"\#(bad)","state":"completed","extra":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth)
                + Array(repeating: UInt8(ascii: "]"), count: depth) + Array("}".utf8)
        case .hugePrompt:
            item = HostileRemote.completed(id: bad, prompt: String(repeating: "a tiny cat dances ", count: 10 << 20 / 18), video: media)
            reply = HostileRemote.mp4(Fixtures.corpus("ax__sample_av1.mp4"))
        case .invalidUTF8:
            item = HostileRemote.completed(id: bad, prompt: "PROMPT", video: media)
            item.replace(Array("PROMPT".utf8), with: Array("bad \u{1}".utf8) + [0xFF, 0xFE, 0xC3] + Array(" bytes".utf8))
            reply = HostileRemote.mp4(Fixtures.corpus("ax__sample_av1.mp4"))
        case .fileLink:
            item = HostileRemote.completed(id: bad, prompt: "the bad one", video: "file:///etc/passwd")
        case .redirectToFile:
            reply = .redirect("file:///etc/passwd")
        case .redirectToFTP:
            reply = .redirect("ftp://127.0.0.1:\(remote.server.port)/bad.mp4")
        case .redirectToAnotherHost:
            reply = .redirect(remote.cdn.base + "/clip.mp4")
        case .htmlPage:
            let page = Array("<!doctype html><html><body>Sign in to continue</body></html>".utf8)
            reply = .head("200 OK", ["Content-Type: text/html; charset=utf-8", "Content-Length: \(page.count)"], body: page)
        case .notMedia:
            var random = SystemRandomNumberGenerator()
            let noise = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &random) }
            reply = .head("200 OK", ["Content-Type: video/mp4", "Content-Length: \(noise.count)"], body: noise)
        case .largerThanTheLimit, .growsPastTheLimit:
            let body = [UInt8](repeating: 7, count: 3 << 20)
            let length = hostile == .largerThanTheLimit ? ["Content-Length: \(body.count)"] : []
            reply = .head("200 OK", ["Content-Type: video/mp4"] + length, body: body)
            arguments = ["--max-file-size", "1MB"]
        case .absurdContentLength:
            // Held open: a client that believed it would wait for a petabyte.
            reply = .head("200 OK", ["Content-Type: video/mp4", "Content-Length: 1000000000000000"], stall: true)
        }
        remote.serve(items: [HostileRemote.good(remote), item], media: ["/media/bad.mp4": reply].compactMapValues { $0 })

        let sync = try await remote.reel(["sync", "--json", "--retries", "1"] + arguments)
        let summary = try #require(try JSONSerialization.jsonObject(with: sync.stdoutData) as? [String: Any], "\(sync.stdout)\(sync.stderr)")
        let failures = summary["failures"] as? [[String: Any]] ?? []
        if let expected = hostile.failure {
            #expect(sync.status == 1, "a failed item exits 1: \(sync.stderr)")
            #expect(failures.count == 1, "\(failures)")
            let failure = try #require(failures.first)
            #expect(failure["id"] as? String == hostile.failedID)
            let error = failure["error"] as? String ?? ""
            #expect(error.contains(expected) && !error.contains("\n"), "one clear line: \(failure)")
        } else {
            #expect(sync.status == 0 && failures.isEmpty, "\(sync.stderr)")
        }
        try await remote.expectGoodItemIntact()

        switch hostile {
        case .hugePrompt:
            let prompt = try remote.catalog().scalar(String.self, "SELECT prompt FROM generations WHERE uid = ?", bad)
            #expect(prompt?.utf8.count == 10 << 20 / 18 * 18, "the prompt kept whole")
        case .invalidUTF8:
            let prompt = try remote.catalog().scalar(String.self, "SELECT prompt FROM generations WHERE uid = ?", bad)
            let all = try remote.catalog().prepare("SELECT uid, prompt FROM generations").map { "\($0[0] as String? ?? "")=\($0[1] as String? ?? "")" }
            #expect(prompt == "bad \u{1}\u{FFFD}\u{FFFD}\u{FFFD} bytes", "invalid bytes read as U+FFFD: \(all)")
        case .redirectToAnotherHost:
            let cdn = remote.cdn.requests
            #expect(cdn.count == 1 && cdn.allSatisfy { $0.headers["authorization"] == nil }, "the key never reaches another host: \(cdn)")
            #expect(try remote.storedSHA(of: bad) == ContentStore.hash(file: Fixtures.corpus("ax__sample_av1.mp4")).hex)
        default:
            if hostile.failure != nil {
                #expect(try remote.catalog().scalar(Int.self, "SELECT count(*) FROM media WHERE state = 'stored' AND generation_id IN (SELECT id FROM generations WHERE uid <> ?)", HostileRemote.goodID) == 0, "nothing of the bad item was stored")
            }
        }
        // The API calls carried the key; no media request did.
        #expect(remote.server.requests.filter { $0.path.hasPrefix("/api/") }.allSatisfy { $0.headers["authorization"] == "Bearer \(HostileRemote.key)" })
        #expect(remote.server.requests.filter { $0.path.hasPrefix("/media/") }.allSatisfy { $0.headers["authorization"] == nil })
    }

    /// A page cut off, and one cut off inside a container past the depth the parser reads.
    @Test(arguments: ["cut off", "cut off deep"])
    func aListPageReelCannotReadFailsTheSyncAndKeepsWhatWasThere(_ page: String) async throws {
        let remote = try HostileRemote()
        defer { remote.stop() }
        remote.serve(items: [HostileRemote.good(remote)])
        let first = try await remote.reel(["sync"])
        #expect(first.status == 0, "\(first.stderr)")
        try await remote.expectGoodItemIntact()

        let depth = 100_000
        let body = page == "cut off deep"
            ? Array(#"{"data":[{"id":"\#(HostileRemote.badID)","state":"completed","extra":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth)
                + Array(repeating: UInt8(ascii: "]"), count: depth / 2)
            : Array(#"{"data":[{"id":"00000000-0000-4000-8000-00000000000a","prompt":"cut off here"#.utf8)
        remote.serve(page: body)
        let sync = try await remote.reel(["sync", "--full", "--retries", "1"])
        #expect(sync.status == 69, "\(sync.stderr)")
        let lines = sync.stderr.split(separator: "\n").filter { $0.hasPrefix("reel: ") }
        let why = "the body is not valid JSON"
        #expect(lines.contains { $0.contains("remote bad") && $0.contains("the list did not decode") && $0.contains(why) }, "\(sync.stderr)")
        let db = try remote.catalog()
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations") == 1)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations WHERE remote_missing_at IS NOT NULL") == 0, "nothing marked missing")
        #expect(try db.scalar(String.self, "SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1") == "failed")
        try await remote.expectGoodItemIntact()
    }

    /// 100,000 items on one page (the remote ignores `limit`): read, written and summed in bounded time
    /// and memory. The figures go to stderr (and, with `/usr/bin/time`, the peak resident memory).
    @Test func aPageOfAHundredThousandItems() async throws {
        let remote = try HostileRemote()
        defer { remote.stop() }
        let count = 100_000
        let items = (0..<count).map { n in
            Array(#"{"id":"item-\#(n)","prompt":"generation number \#(n)","state":"failed","created_at":"2024-06-20T06:02:26.278000Z","video":null,"failure_reason":"hostile"}"#.utf8)
        }
        remote.serve(items: [HostileRemote.good(remote)] + items)
        let time = FileManager.default.isExecutableFile(atPath: "/usr/bin/time") ? ["/usr/bin/time", "-v"] : []
        let started = ContinuousClock.now
        let sync = try await remote.reel(["sync", "--json"], wrapper: time)
        let elapsed = ContinuousClock.now - started
        #expect(sync.status == 0, "\(sync.stderr.suffix(2000))")
        let summary = try JSONSerialization.jsonObject(with: sync.stdoutData) as? [String: Any]
        #expect(summary?["seen"] as? Int == count + 1 && summary?["new"] as? Int == count + 1)
        #expect(try remote.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == count + 1)
        let peak = sync.stderr.split(separator: "\n").first { $0.contains("Maximum resident set size") }
            .flatMap { $0.split(separator: ":").last }.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        FileHandle.standardError.write(Data("hostile 100k page: \(elapsed), peak RSS \(peak.map { "\($0 / 1024) MiB" } ?? "unmeasured")\n".utf8))
        #expect(elapsed < .seconds(300 * Fixtures.timeScale), "bounded time")
        if let peak { #expect(peak < 1_500_000, "bounded memory: \(peak / 1024) MiB") }
        try await remote.expectGoodItemIntact()
    }
}

/// A remote that speaks `web` (list with offset, limit ignored; detail; the key check) from a
/// `TinyServer`, media from a route table, and a second server (`cdn`) that only records what reaches it.
final class HostileRemote: Sendable {
    static let key = "hostile-key"
    static let goodID = "00000000-0000-4000-8000-000000000001"
    static let badID = "00000000-0000-4000-8000-000000000002"
    /// The good item's video: a real MP4 of the corpus.
    static let goodVideo = Fixtures.corpus("ax__sample.mp4")

    let folder = TemporaryDirectory()
    let server: TinyServer
    let cdn: TinyServer
    private let state = Shared()

    /// What the remote serves now; the server's threads read it, the test changes it.
    private final class Shared: Sendable {
        let served = Mutex(Served())
    }

    private struct Served: Sendable {
        /// Each item's JSON text.
        var items: [[UInt8]] = []
        /// A list page sent as it is, whatever the offset.
        var page: [UInt8]?
        var media: [String: TinyServer.Reply] = [:]
    }

    var root: String { folder.file("lib") }

    init() throws {
        let state = state
        let good = Self.mp4(Self.goodVideo)
        server = TinyServer.answering { request in Self.answer(request, state.served.withLock { $0 }, good: good) }
        let clip = Self.mp4(Fixtures.corpus("ax__sample_av1.mp4"))
        cdn = TinyServer { _ in clip }
        _ = try Library.create(at: root)
        try Remotes(library: try Library.open(at: root)).add(name: "bad", dialect: "web", url: server.base, keyEnv: "REEL_BAD_KEY", hasList: true)
    }

    func stop() {
        server.stop()
        cdn.stop()
    }

    /// Serves these items (offset honoured, limit ignored) and these media paths besides the good video.
    func serve(items: [[UInt8]], media: [String: TinyServer.Reply] = [:]) {
        state.served.withLock { $0 = Served(items: items, page: nil, media: media) }
    }

    /// Serves this body for every list page.
    func serve(page: [UInt8]) {
        state.served.withLock { $0.page = page }
    }

    private static func answer(_ request: TinyServer.Seen, _ served: Served, good: TinyServer.Reply) -> TinyServer.Reply {
        let path = request.path
        if path == "/media/good.mp4" { return good }
        if let reply = served.media[path] { return reply }
        guard path.hasPrefix("/api/generations") else { return json("404 Not Found", Array(#"{"message":"no such file"}"#.utf8)) }
        guard request.headers["authorization"] == "Bearer \(key)" else {
            return json("401 Unauthorized", Array(#"{"message":"Invalid API key"}"#.utf8))
        }
        if let query = path.split(separator: "?").dropFirst().first {
            if let page = served.page { return json("200 OK", page) }
            let offset = query.split(separator: "&").first { $0.hasPrefix("offset=") }.flatMap { Int($0.dropFirst(7)) } ?? 0
            let items = served.items.dropFirst(offset)
            var body = Array(#"{"data":["#.utf8)
            body.reserveCapacity(items.reduce(16) { $0 + $1.count + 1 })
            for (n, item) in items.enumerated() {
                if n > 0 { body.append(UInt8(ascii: ",")) }
                body += item
            }
            return json("200 OK", body + Array("]}".utf8))
        }
        let id = String(path.dropFirst("/api/generations/".count))
        guard let item = served.items.first(where: { $0.starts(with: Array(#"{"id":"\#(id)""#.utf8)) }) else {
            return json("404 Not Found", Array(#"{"message":"not found"}"#.utf8))
        }
        return json("200 OK", Array(#"{"data":"#.utf8) + item + Array("}".utf8))
    }

    private static func json(_ status: String, _ body: [UInt8]) -> TinyServer.Reply {
        .head(status, ["Content-Type: application/json", "Content-Length: \(body.count)"], body: body)
    }

    /// A 200 carrying a file's bytes as `video/mp4`.
    static func mp4(_ path: String) -> TinyServer.Reply {
        let bytes = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        return .head("200 OK", ["Content-Type: video/mp4", "Content-Length: \(bytes.count)"], body: bytes)
    }

    /// A completed web item with this prompt and video link.
    static func completed(id: String, prompt: String, video: String) -> [UInt8] {
        let quoted = (try? JSONSerialization.data(withJSONObject: prompt, options: [.fragmentsAllowed])) ?? Data("\"\"".utf8)
        return Array(#"{"id":"\#(id)","prompt":"#.utf8) + quoted + Array(
            #","state":"completed","created_at":"2024-06-20T06:02:26.278000Z","video":{"url":"\#(video)","width":640,"height":360,"thumbnail":null},"liked":null,"estimate_wait_seconds":null}"#
                .utf8)
    }

    /// The good item, whose video this server serves correctly.
    static func good(_ remote: HostileRemote) -> [UInt8] {
        completed(id: goodID, prompt: "a good clip of a bunny", video: remote.server.base + "/media/good.mp4")
    }

    /// Runs `reel` on this library with the remote's key.
    func reel(_ arguments: [String], wrapper: [String] = []) async throws -> Shell.Result {
        try await runReel(arguments, library: root, configHome: folder.file("config"), environment: ["REEL_BAD_KEY": Self.key], wrapper: wrapper)
    }

    func catalog() throws -> Connection {
        try Connection(path: Library.catalogPath(in: root), mode: .readOnly)
    }

    /// The SHA-256 of the stored video of generation `uid`.
    func storedSHA(of uid: String) throws -> String? {
        try catalog().scalar(
            String.self,
            "SELECT m.blob_sha256 FROM media m JOIN generations g ON g.id = m.generation_id WHERE g.uid = ? AND m.role = 'video' AND m.state = 'stored'",
            uid)
    }

    /// The good item is stored with the served bytes, `reel verify` is clean, `tmp/` is empty and no file
    /// from outside the remote (/etc/passwd) is in the store.
    func expectGoodItemIntact(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try storedSHA(of: Self.goodID) == ContentStore.hash(file: Self.goodVideo).hex, "the good video stored", sourceLocation: sourceLocation)
        let verify = try await reel(["verify"])
        #expect(verify.status == 0, "verify: \(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
        #expect(leftovers(store: root).isEmpty, "temp files left: \(leftovers(store: root))", sourceLocation: sourceLocation)
        let store = ContentStore(root: root)
        let passwd = try ContentStore.hash(file: "/etc/passwd")
        #expect(!FileManager.default.fileExists(atPath: store.path(for: passwd)), "/etc/passwd is not in the store", sourceLocation: sourceLocation)
    }
}
