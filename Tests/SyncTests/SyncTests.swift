import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI
import SQLite
import Testing
import TestSupport

@Suite struct SyncTests {
    /// A full sync equals what the remote serves; items still running are picked up once they finish.
    @Test(arguments: ["web", "proxy", "official"])
    func fullSyncMirrorsTheRemoteAndPicksUpStateChanges(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 60, seed: 5)
        let first = try await fixture.sync()
        #expect(first.new == 60 && first.failed == 0, "\(first.failures)")
        #expect(first.running > 0, "the seeded set has items still in progress")
        try fixture.expectMirrors(try await fixture.manifest())

        fixture.clock?.advance(by: 60)  // every moving item reaches its outcome
        let second = try await fixture.sync()
        #expect(second.finished == first.running, "\(second)")
        #expect(second.new == 0 && second.failed == 0 && second.running == 0, "\(second.failures)")
        try fixture.expectMirrors(try await fixture.manifest())
        if dialect == "web" {
            let posters = try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM media WHERE source_path = 'poster frame of the video'")
            #expect(posters ?? 0 > 0, "some web items have no thumbnail: reel made them from the video")
        }
        // Media hosts never see the API key.
        #expect(try await fixture.stats()["media_requests_with_authorization"] as? Int == 0)
    }

    @Test func keepWatermarkedKeepsBothVideos() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 12)
        let summary = try await fixture.sync { $0.keepWatermarked = true }
        #expect(summary.failed == 0, "\(summary.failures)")
        try fixture.expectMirrors(try await fixture.manifest(), keepWatermarked: true)
    }

    /// New items at the head are fetched and the walk stops at the first full page of known items.
    @Test(arguments: ["web", "proxy", "official"])
    func incrementalSyncFetchesNewItemsAndStopsEarly(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 320)
        try await fixture.sync { $0.media = false }
        fixture.clock?.advance(by: 60)
        try await fixture.sync { $0.media = false }
        let (path, field) = switch dialect {
        case "web": ("/api/generations/create", "prompt")
        case "proxy": ("/luma/generations", "user_prompt")
        default: ("/dream-machine/v1/generations/video", "prompt")
        }
        for n in 1...5 {
            let created = try await fixture.api(.post, path, json: #"{"\#(field)":"new clip \#(n)"}"#)
            #expect((200..<300).contains(created.status), "\(created.text)")
        }
        var pages = 0
        let summary = try await fixture.sync({ $0.media = false }) { event, progress in
            if event == .page { pages = progress.pages }
        }
        #expect(summary.new == 5)
        #expect(summary.seen < 320, "stopped before the end: saw \(summary.seen)")
        #expect(pages <= 3, "two pages and one look back at the head, not \(pages)")
        try fixture.expectMirrors(try await fixture.manifest(media: false), media: false)

        // Once the new items finish, a sync with nothing to do reads one page.
        fixture.clock?.advance(by: 60)
        #expect(try await fixture.sync { $0.media = false }.finished == 5)
        let idle = try await fixture.sync({ $0.media = false }) { event, progress in
            if event == .page { pages = progress.pages }
        }
        #expect(idle.new == 0 && idle.updated == 0 && pages == 1, "\(idle) after \(pages) pages")
    }

    /// Tags (the user's data) survive every kind of re-sync, and an update changes only remote fields.
    @Test(arguments: ["web", "proxy", "official"])
    func tagsAndNotesSurviveResyncs(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 30, seed: 5)
        try await fixture.sync { $0.media = false }
        let catalog = try Catalog.open(path: Library.catalogPath(in: fixture.root))
        let newest = try catalog.summaries(limit: 10).map(\.generation.id)
        let tagged = try catalog.addTags([try TagName("Keeper"), try TagName("style:noir")], to: newest, at: "2026-01-01T00:00:00.000Z")
        #expect(tagged.links == 20)
        let completed = GenerationFilter(sql: "g.state = ?", parameters: [.text("completed")])
        let completedCount = try catalog.count(matching: completed)
        #expect(completedCount > 0)
        try catalog.addTags([try TagName("done")], matching: completed, at: "2026-01-01T00:00:00.000Z")
        let db = catalog.db
        try db.execute("UPDATE generations SET note = 'mine', title = 'my title'")
        fixture.clock?.advance(by: 60)
        let updated = try await fixture.sync()
        #expect(updated.updated > 0, "moving items changed state")
        try await fixture.sync { $0.full = true }
        let counts = Dictionary(uniqueKeysWithValues: try catalog.tagCounts().map { ($0.name, $0.count) })
        #expect(counts["keeper"] == 10 && counts["style:noir"] == 10)
        #expect(counts["done"] == completedCount, "tagged by a filter, kept although more items completed since")
        let newestTags = try catalog.tags(generationIDs: newest)
        #expect(newestTags.count == 10)
        #expect(newestTags.values.allSatisfy { $0.contains("keeper") })
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations WHERE note = 'mine' AND title = 'my title'") == 30)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generation_fts WHERE generation_fts MATCH 'keeper'") == 10)
        try db.execute("INSERT INTO generation_fts (generation_fts) VALUES ('integrity-check')")
        try db.execute("INSERT INTO generation_fts (generation_fts, rank) VALUES ('integrity-check', 1)")
        try fixture.expectMirrors(try await fixture.manifest())
    }

    /// Items arriving at the head and vanishing anywhere while the list is paged never make a finished
    /// sync miss an item that was listed all along: on the simulator's clock (`--new-every`,
    /// `--delete-every`), and at the client's pace (a few arrivals and deletions before every page),
    /// which shifts the list under every page whatever the machine's load.
    @Test(arguments: [("web", false), ("web", true), ("proxy", true), ("official", true)])
    func shiftingOffsetsAndDeletionsWhilePaging(dialect: String, atClientPace: Bool) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 600, realClock: true) {
            if atClientPace {
                $0.churnPerListPage = (new: 1, deleted: 2)
            } else {
                $0.newEvery = 0.003
                $0.deleteEvery = 0.002
            }
        }
        // The churn runs on the simulator's own timers: wait until it shows before paging under it.
        let initial = Set(try await fixture.manifest(media: false).map(\.id))
        for _ in 0..<200 where Set(try await fixture.manifest(media: false).map(\.id)) == initial {
            try await Task.sleep(for: .milliseconds(20))
        }
        var deletedWhilePaging = 0
        for round in 0..<2 {
            let before = Set(try await fixture.manifest(media: false).map(\.id))
            let summary = try await fixture.sync {
                $0.media = false
                $0.full = true
                $0.pageSize = 10
            }
            let after = Set(try await fixture.manifest(media: false).map(\.id))
            #expect(summary.failed == 0, "\(summary.failures)")
            let db = try fixture.catalog()
            let listed = Set(try db.prepare("SELECT uid FROM generations WHERE remote_missing_at IS NULL").map { $0[0] ?? "" })
            let missing = Set(try db.prepare("SELECT uid FROM generations WHERE remote_missing_at IS NOT NULL").map { $0[0] ?? "" })
            let throughout = before.intersection(after)
            let missed = throughout.subtracting(listed).count
            #expect(missed == 0, "round \(round): missed items listed all along")
            let wronglyMissing = missing.intersection(after).count
            #expect(wronglyMissing == 0, "round \(round): items still listed were marked missing")
            deletedWhilePaging += before.count - throughout.count
        }
        // On a loaded machine the simulator's timers may not get a thread while the sync pages.
        if atClientPace { #expect(deletedWhilePaging > 0, "items were deleted while paging") }
    }

    /// Server errors, rate limits, resets, cut-off bodies and HTML error pages: at most two runs to converge.
    @Test(arguments: ["web", "proxy", "official"])
    func faultsConvergeInAtMostTwoRuns(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 40, seed: 9, faults: "500=0.1,429=0.1,reset=0.05,truncate=0.05,html=0.02")
        let first = try await fixture.sync()
        if first.failed > 0 {
            let second = try await fixture.sync()
            #expect(second.failed == 0, "\(second.failures)")
        }
        try fixture.expectMirrors(try await fixture.manifest())
        let faults = try await fixture.stats()["faults"] as? [String: Int] ?? [:]
        #expect(faults.values.reduce(0, +) > 10, "faults were injected: \(faults)")
    }

    /// Links that expire between the listing and the download are asked for again.
    @Test(arguments: ["web", "proxy", "official"])
    func expiredLinksAreRefreshed(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 20) { $0.linkTTL = 30 }
        fixture.clock?.advance(by: 60)  // every item finished, so the listing and the manifest agree
        let summary = try await fixture.sync { _ in } report: { event, progress in
            if event == .phase && progress.phase == .media { fixture.clock?.advance(by: 120) }
        }
        #expect(summary.failed == 0, "\(summary.failures)")
        try fixture.expectMirrors(try await fixture.manifest())
    }

    /// A clip imported under a file name holding a generation's id merges with that generation.
    @Test func importedClipMergesWithItsGeneration() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 10)
        let manifest = try await fixture.manifest()
        let item = try #require(manifest.first { $0.state == "completed" && $0.media.contains { $0.role == "video_raw" } })
        let detail = try await fixture.api(.get, "/dream-machine/v1/generations/\(item.id)")
        let generation = try DialectDecoder(dialect: .official).item(Data(detail.body))
        let url = try #require(generation.media(.videoRaw)?.url)
        let bytes = try await fixture.client.send(HTTPRequest(url: url)).body
        let file = fixture.folder.file("Downloads/dream \(item.id) final.mp4")
        try FileManager.default.createDirectory(atPath: fixture.folder.file("Downloads"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        var events: [ImportEvent] = []
        Importer(library: try Library.open(at: fixture.root)).run(paths: [file]) { events.append($0) }
        guard case .imported(let uid) = events.first?.outcome else { Issue.record("not imported: \(events)"); return }
        #expect(uid == item.id)

        let summary = try await fixture.sync()
        #expect(summary.failed == 0 && summary.new == 9 && summary.updated == 1, "\(summary)")
        try fixture.expectMirrors(manifest)
        let db = try fixture.catalog()
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations") == 10)
        #expect(try db.scalar(String.self, "SELECT origin FROM generations WHERE uid = ?", item.id) == "remote")
        let videoRows = try db.scalar(
            Int.self, "SELECT count(*) FROM media m JOIN generations g ON g.id = m.generation_id WHERE g.uid = ? AND m.role IN ('video', 'video_raw')",
            item.id)
        #expect(videoRows == 1, "one item, one stored copy")
    }

    /// A proxy host without a list: sync follows the ids reel was given.
    @Test func hostWithoutListRefreshesTrackedIDs() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 25, seed: 5, hasList: false)
        let manifest = try await fixture.manifest()
        let chosen = Array(manifest.prefix(6))
        let library = try Library.open(at: fixture.root)
        let remote = try Remotes(library: library).named("sim")
        #expect(try Remotes(library: library).track(ids: chosen.map(\.id) + [chosen[0].id], on: remote) == 6)
        #expect(throws: ReelError.self) { try Remotes(library: library).track(ids: ["../../etc"], on: remote) }
        let first = try await fixture.sync()
        #expect(first.seen == 6 && first.failed == 0, "\(first.failures)")
        fixture.clock?.advance(by: 60)
        try await fixture.sync()
        try await fixture.sync { $0.full = true }
        try fixture.expectMirrors(try await fixture.manifest().filter { item in chosen.contains { $0.id == item.id } })
    }

    /// `--dry-run` reports what would change and leaves the catalog and the store untouched.
    @Test func dryRunWritesNothing() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 30)
        let catalogBefore = try Data(contentsOf: URL(fileURLWithPath: Library.catalogPath(in: fixture.root)))
        let summary = try await fixture.sync { $0.dryRun = true }
        #expect(summary.new == 30 && summary.changes?.count == 30)
        #expect(summary.changes?.allSatisfy { $0.hasPrefix("new ") } == true)
        let db = try fixture.catalog()
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations") == 0)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM sync_runs") == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/objects").isEmpty)
        _ = catalogBefore
    }

    /// A full sync marks what the remote no longer lists, and keeps it with its files.
    @Test func fullSyncMarksDeletedItemsMissingAndKeepsThem() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 15)
        try await fixture.sync()
        let victim = try #require(try await fixture.manifest().first { $0.state == "completed" })
        #expect(try await fixture.api(.delete, "/dream-machine/v1/generations/\(victim.id)").status == 204)
        let incremental = try await fixture.sync()
        #expect(incremental.missing == 0, "an incremental sync cannot tell")
        let full = try await fixture.sync { $0.full = true }
        #expect(full.missing == 1 && full.failed == 0)
        let db = try fixture.catalog()
        #expect(try db.scalar(String.self, "SELECT remote_missing_at FROM generations WHERE uid = ?", victim.id) != nil)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM media m JOIN generations g ON g.id = m.generation_id WHERE g.uid = ? AND m.state = 'stored'", victim.id) ?? 0 > 0)
        let runs = try db.scalar(Int.self, "SELECT count(*) FROM sync_runs WHERE status = 'finished'")
        #expect(runs == 3)
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = fixture.root
        let shown = try await Shell.runDetached(Fixtures.reelBinary, ["show", victim.id], environment: environment, check: false)
        #expect(shown.status == 0 && shown.stdout.contains("no longer listed by sim since"), "\(shown.stdout)")
    }

    /// A refused key stops the sync with exit status 77 and says where the key came from.
    @Test func wrongKeyIsAPermissionError() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 5)
        do {
            try await fixture.sync(key: "sk-wrong")
            Issue.record("a wrong key synced")
        } catch let error as ReelError {
            #expect(error.status == .permission)
            #expect(error.message.contains("remote sim refused the API key from the environment variable REEL_SIM_KEY"))
            #expect(!error.message.contains("sk-wrong"))
        }
        let db = try fixture.catalog()
        #expect(try db.scalar(String.self, "SELECT status FROM sync_runs") == "failed")
    }
}
