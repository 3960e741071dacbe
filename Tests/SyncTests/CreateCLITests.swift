import Foundation
import HTTP
import RemoteAPI
import Testing
import TestSupport

/// `reel create` against the simulator, on each dialect: the item is in the library at once, sync follows
/// it to its files, pictures reach the remote the way each dialect takes them, and options a dialect does
/// not take are refused before anything is sent.
@Suite struct CreateCLITests {
    private func show(_ fixture: SyncFixture, _ id: String) async throws -> [String: Any] {
        let result = try await fixture.reel(["show", id, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any] ?? [:]
    }

    private func sha256(_ path: String) throws -> String {
        String(try Shell.run("/usr/bin/sha256sum", [path]).stdout.prefix(64))
    }

    @Test(arguments: ["web", "proxy", "official"])
    func createdItemsAreRecordedAtOnceAndSyncStoresThem(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 2)
        var options: [String] = []
        if dialect == "proxy" { options = ["--aspect", "9:16", "--duration", "10s", "--resolution", "1080p", "--model", "ray-v2", "--loop", "--no-expand-prompt"] }
        if dialect == "official" { options = ["--aspect", "1:1", "--duration", "9s", "--resolution", "1080p", "--model", "ray-2", "--loop"] }
        let result = try await fixture.reel(["create", "a red fox running", "through snow", "--tag", "Fox", "--remote", "sim"] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmingCharacters(in: .newlines)
        let manifest = try await fixture.manifest(media: false)
        #expect(manifest.contains { $0.id.lowercased() == id && $0.prompt == "a red fox running through snow" }, "the remote has it")
        let recorded = try await show(fixture, id)
        #expect(recorded["origin"] as? String == "created" && recorded["state"] as? String == "queued", "\(recorded)")
        #expect(recorded["prompt"] as? String == "a red fox running through snow" && recorded["tags"] as? [String] == ["fox"])
        let asked = recorded["request"] as? [String: Any]
        #expect(asked?["prompt"] as? String == "a red fox running through snow", "the request is kept: \(recorded)")
        if dialect == "proxy" {
            #expect(asked?["aspect"] as? String == "9:16" && asked?["duration"] as? String == "10s" && asked?["model"] as? String == "ray-v2"
                    && asked?["loop"] as? Bool == true && asked?["expand_prompt"] as? Bool == false, "\(asked ?? [:])")
        }
        if dialect == "official" {  // the official answer carries its request; the proxy's documented Item does not
            #expect(recorded["aspect"] as? String == "1:1" && recorded["loop"] as? Bool == true && recorded["model"] as? String == "ray-2", "\(recorded)")
        }
        let found = try await fixture.reel(["search", "--count", "tag:fox"])
        #expect(found.stdout == "1\n", "searchable at once")

        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let done = try await show(fixture, id)
        #expect(done["state"] as? String == "completed" && done["origin"] as? String == "created", "\(done)")
        let media = done["media"] as? [[String: Any]] ?? []
        #expect(media.contains { ($0["role"] as? String)?.hasPrefix("video") == true && $0["state"] as? String == "stored" }, "\(media)")
    }

    @Test(arguments: ["web", "proxy"])
    func aLocalPictureReachesTheRemoteAndComesBackAsTheSourceImage(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 2)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let file = try fixture.pictures(1)[0]
        let result = try await fixture.reel(["create", "from a picture", "--image", file])
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmingCharacters(in: .newlines)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let shown = try await show(fixture, id)
        let image = (shown["request"] as? [String: Any])?["image"] as? String
        #expect(dialect == "web" ? image?.hasPrefix(fixture.base + "/cdn/uploads/") == true : image == file,
                "kept as given (proxy: the file's path, not a data URL), or as uploaded (web): \(image ?? "nil")")
        let media = shown["media"] as? [[String: Any]] ?? []
        let source = media.first { $0["role"] as? String == "source_image" }
        let expected = try sha256(file)
        #expect(source?["state"] as? String == "stored" && source?["sha256"] as? String == expected,
                "the uploaded bytes come back from the remote as the source image: \(media)")
    }

    /// Start and end keyframes: local files on a proxy (sent inline), URLs on the official API (here the
    /// simulator's own uploads, so the bytes can be followed); both pictures come back and are stored, the
    /// end one as ordinal 1.
    @Test(arguments: ["proxy", "official"])
    func keyframesReachTheRemoteAndBothPicturesAreStored(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 3)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let files = try fixture.pictures(2)
        var given = files
        if dialect == "official" {
            given = []
            for file in files {
                let form = MultipartForm(field: "file", fileName: "frame.jpg", fileType: "image/jpeg", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                let response = try await fixture.client.send(HTTPRequest(
                    .post, url: fixture.base + "/api/generations/upload", headers: [("Content-Type", form.contentType)], body: form.body,
                    bearerToken: fixture.key))
                let data = (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["data"] as? [String: Any]
                given.append(try #require(data?["public_url"] as? String))
            }
        }
        let result = try await fixture.reel(["create", "from the first frame to the last", "--image", given[0], "--end-image", given[1]])
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmingCharacters(in: .newlines)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let shown = try await show(fixture, id)
        let request = shown["request"] as? [String: Any]
        #expect(request?["image"] as? String == given[0] && request?["end_image"] as? String == given[1], "kept as given: \(request ?? [:])")
        #expect(shown["kind"] as? String == "image", "\(shown)")
        let media = shown["media"] as? [[String: Any]] ?? []
        for (ordinal, file) in files.enumerated() {
            let picture = media.first { $0["role"] as? String == "source_image" && $0["ordinal"] as? Int == ordinal }
            let sent = try sha256(file)
            #expect(picture?["state"] as? String == "stored" && picture?["sha256"] as? String == sent,
                    "keyframe \(ordinal) comes back as sent: \(media)")
        }
        let text = try await fixture.reel(["show", id])
        #expect(text.stdout.contains("end_image  "), "\(text.stdout)")
        try fixture.expectMirrors(try await fixture.manifest())
    }

    /// The remote's own words for a refusal it makes at once (moderation), on every dialect: exit 65,
    /// nothing recorded, nothing made.
    @Test(arguments: ["web", "proxy", "official"])
    func aModerationRefusalShowsTheRemotesMessage(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 1)
        let result = try await fixture.reel(["create", "something NSFW please"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("reel: ") && result.stderr.contains("flagged by our moderation system"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty)
        #expect(try await fixture.manifest(media: false).count == 1, "nothing was made")
        #expect(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 0, "nothing was recorded")
    }

    @Test func optionsADialectDoesNotTakeAreRefusedBeforeAnythingIsSent() async throws {
        let cases: [(String, [String], String)] = [
            ("web", ["--aspect", "16:9"], "web remotes take no --aspect (only a prompt and --image)"),
            ("web", ["--end-image", "https://example.com/a.jpg"], "web remotes take no --end-image"),
            ("proxy", ["--duration", "9s"], "--duration 9s: proxy remotes take 5s, 10s"),
            ("proxy", ["--model", "ray-2"], "--model ray-2: proxy remotes take ray-v1, ray-v2, ray-v3"),
            ("official", ["--expand-prompt"], "official remotes take no --expand-prompt"),
            ("official", ["--resolution", "4k"], "--resolution 4k: official remotes take 540p, 720p, 1080p"),
            ("official", ["--image", "start.jpg"], "the official API takes picture URLs only"),
            ("proxy", ["--image", "ftp://example.com/a.jpg"], "a picture is an http(s) URL or a local file"),
            ("proxy", ["--image", "missing.jpg"], "missing.jpg: no such file"),
        ]
        var fixtures: [String: SyncFixture] = [:]
        for (dialect, options, message) in cases {
            let fixture: SyncFixture
            if let known = fixtures[dialect] { fixture = known } else {
                fixture = try await SyncFixture(dialect: dialect, count: 1)
                fixtures[dialect] = fixture
            }
            let before = try await fixture.manifest(media: false).count
            let result = try await fixture.reel(["create", "a prompt"] + options)
            #expect([64, 66].contains(result.status) && result.stderr.hasPrefix("reel: ") && result.stderr.contains(message),
                    "\(dialect) \(options): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            let after = try await fixture.manifest(media: false).count
            #expect(after == before, "nothing was made")
        }
        let fixture = try #require(fixtures["web"])
        let empty = try await fixture.reel(["create", "  "])
        #expect(empty.status == 64 && empty.stderr.contains("the prompt is empty"), "\(empty.stderr)")
        let refused = try await fixture.reel(["create", "a prompt"], key: "sk-wrong")
        #expect(refused.status == 77 && !refused.stderr.contains("sk-wrong"), "\(refused.stderr)")
    }

    @Test(arguments: ["web", "official"])
    func waitShowsTheStateThenStoresTheVideo(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 1, realClock: true) { $0.stepSeconds = 0.3 }
        let result = try await fixture.reel(["create", "a cat on a windowsill", "--wait"])
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require(result.stdout.split(separator: "\t").first.map(String.init))
        #expect(result.stdout == "\(id)\tcompleted and stored\n", "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first == "reel: created \(id) on sim", "\(result.stderr)")
        #expect(lines.contains { $0.contains("\(id.prefix(8)): completed, 0:0") }, "a line per state off a terminal: \(result.stderr)")
        let media = try await show(fixture, id)["media"] as? [[String: Any]] ?? []
        #expect(media.contains { ($0["role"] as? String)?.hasPrefix("video") == true && $0["state"] as? String == "stored" }, "\(media)")
        #expect(try await fixture.reel(["verify"]).status == 0)
    }

    @Test func aFailedGenerationSaysWhyAndExits1() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 1, realClock: true) { $0.stepSeconds = 0.3 }
        let result = try await fixture.reel(["create", "this one will fail", "--wait"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("failed on sim: ") && !result.stderr.contains("gave no reason"), "the remote's reason: \(result.stderr)")
        let id = try #require(result.stderr.split(separator: " ").dropFirst(2).first.map(String.init))
        let recorded = try await show(fixture, id)
        #expect(recorded["state"] as? String == "failed", "\(recorded)")
        let again = try await fixture.reel(["wait", id])
        #expect(again.status == 1 && again.stderr.contains("failed on sim"), "\(again.stderr)")
    }

    /// `reel wait` with several ids watches them together: on a proxy one batch call a round (never the detail
    /// call), then one sync; a failure among them is reported with its reason and the others are stored.
    @Test func severalGenerationsAreWatchedTogether() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 1, realClock: true) { $0.stepSeconds = 0.4 }
        var ids: [String] = []
        for prompt in ["a red kite", "this one will fail", "a blue kite"] {
            let made = try await fixture.reel(["create", prompt])
            #expect(made.status == 0, "\(made.stderr)")
            ids.append(made.stdout.trimmingCharacters(in: .newlines))
        }
        let before = try await fixture.stats()["calls"] as? [String: Int] ?? [:]
        let result = try await fixture.reel(["wait"] + ids.map { String($0.prefix(8)) })
        #expect(result.status == 1, "\(result.stderr)")
        let stored = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(stored == ["\(ids[0])\tcompleted and stored", "\(ids[2])\tcompleted and stored"], "\(result.stdout)")
        #expect(result.stderr.contains("reel: generation \(ids[1].prefix(8)) failed on sim: "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("reel: 1 of 3 generations did not complete\n"), "\(result.stderr)")
        let after = try await fixture.stats()["calls"] as? [String: Int] ?? [:]
        let batches = after["POST /luma/tasks", default: 0] - before["POST /luma/tasks", default: 0]
        let details = after["GET /luma/generations/{id}", default: 0] - before["GET /luma/generations/{id}", default: 0]
        #expect(batches >= 1 && details == 0, "one batch call a round for all three: \(batches) batches, \(details) details; \(after)")
        for id in [ids[0], ids[2]] {
            let media = try await show(fixture, id)["media"] as? [[String: Any]] ?? []
            #expect(media.contains { ($0["role"] as? String)?.hasPrefix("video") == true && $0["state"] as? String == "stored" }, "\(media)")
        }
        #expect(try await show(fixture, ids[1])["state"] as? String == "failed")
    }

    @Test func aRateLimitIsWaitedOutAndNothingIsMadeTwice() async throws {
        // The official simulator allows 10 running generations: the 11th create gets a 429 with Retry-After.
        let fixture = try await SyncFixture(dialect: "official", count: 0, realClock: true) { $0.stepSeconds = 0.4 }
        for n in 1...11 {
            let result = try await fixture.reel(["create", "clip \(n)"])
            #expect(result.status == 0, "create \(n): \(result.stderr)")
        }
        let manifest = try await fixture.manifest(media: false)
        #expect(manifest.count == 11, "each create made exactly one generation")
    }

    @Test func waitForALocalImportOrAnUnknownIdIsAClearError() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 1)
        let unknown = try await fixture.reel(["wait", "deadbeef"])
        #expect(unknown.status == 66 && unknown.stderr.hasPrefix("reel: "), "\(unknown.stderr)")
    }

    /// Ctrl-C while waiting keeps the generation tracked; a later sync stores it.
    @Test func anInterruptedWaitLeavesTheItemForSync() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 1)  // a hand-moved clock: it stays queued
        let log = fixture.folder.file("wait.log")
        let process = try fixture.start(["create", "a slow one", "--wait"], stderrTo: log)
        var said = ""
        for _ in 0..<400 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if said.contains(": queued, ") { break }
        }
        #expect(said.contains("reel: created "), "\(said)")
        kill(process.processIdentifier, SIGINT)
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("Ctrl-C did not stop the wait")
        }
        await fixture.waitForExit(process)
        #expect(process.terminationStatus == 130, "\(said)")
        let id = try #require(said.split(separator: "\n").first?.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(try await show(fixture, id)["state"] as? String == "queued", "tracked")

        fixture.clock?.advance(by: 3600)
        let sync = try await fixture.reel(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let media = try await show(fixture, id)["media"] as? [[String: Any]] ?? []
        #expect(media.contains { ($0["role"] as? String)?.hasPrefix("video") == true && $0["state"] as? String == "stored" }, "\(media)")
    }

    @Test(arguments: ["proxy", "official"])
    func extensionsRecordTheirParentAndShowListsTheChain(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 1)
        let first = try await fixture.reel(["create", "a fox in the snow"])
        let a = first.stdout.trimmingCharacters(in: .newlines)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let second = try await fixture.reel(["extend", String(a.prefix(8)), "the fox looks back"])
        #expect(second.status == 0, "\(second.stderr)")
        let b = second.stdout.trimmingCharacters(in: .newlines)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let third = try await fixture.reel(["extend", b, "and runs on"])
        #expect(third.status == 0, "\(third.stderr)")
        let c = third.stdout.trimmingCharacters(in: .newlines)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()

        let shown = try await show(fixture, c)
        #expect(shown["parent_id"] as? String == b && shown["chain"] as? [String] == [b, a] && shown["kind"] as? String == "extend", "\(shown)")
        let text = try await fixture.reel(["show", c])
        #expect(text.stdout.contains("chain    \(c.prefix(8)) ← \(b.prefix(8)) ← \(a.prefix(8))"), "\(text.stdout)")
        let settled = try await fixture.reel(["sync", "--json", "--no-media"])
        let summary = try JSONSerialization.jsonObject(with: settled.stdoutData) as? [String: Any]
        #expect(summary?["updated"] as? Int == 0, "the recorded parent is no change for a remote that does not name it: \(settled.stdout)")
        #expect(try await show(fixture, b)["parent_id"] as? String == a, "still recorded after syncs")
    }

    @Test func theWebCannotExtendAndALocalImportIsNotARemotesGeneration() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 2)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let any = try #require(try await fixture.manifest(media: false).first?.id.lowercased())
        let web = try await fixture.reel(["extend", any, "more"])
        #expect(web.status == 64 && web.stderr.contains("web remotes cannot extend"), "\(web.stderr)")
        _ = try await fixture.reel(["import", Fixtures.corpus("mb__video.mp4")])
        let local = try await fixture.reel(["search", "--format", "{id}", "mb__video"])
        let localID = local.stdout.trimmingCharacters(in: .newlines)
        let refused = try await fixture.reel(["extend", localID, "more"])
        #expect(refused.status == 66 && refused.stderr.contains("local import"), "\(refused.stderr)")
    }
}
