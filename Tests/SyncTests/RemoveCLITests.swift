import Foundation
import SQLite
import Testing
import TestSupport

/// `reel rm`: the official delete, the library's own removal, and what needs saying first.
@Suite struct RemoveCLITests {
    @Test func deleteOnTheRemoteKeepsTheCopyAndPurgeRemovesIt() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 3)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let id = try #require(try await fixture.manifest(media: false).first?.id.lowercased())
        #expect(try await fixture.reel(["tag", "add", "keep", id]).status == 0)

        let asked = try await fixture.reel(["rm", id, "--remote"])
        #expect(asked.status == 64 && asked.stderr == "reel: add -y to delete without being asked\n", "\(asked.stderr)")
        let removed = try await fixture.reel(["rm", id, "--remote", "-y"])
        #expect(removed.status == 0 && removed.stdout == "deleted \(id) from remote sim\n", "\(removed.stdout)\(removed.stderr)")
        #expect(try await !fixture.manifest(media: false).contains { $0.id.lowercased() == id }, "gone from the remote")
        let kept = try await fixture.reel(["show", id, "--json"])
        let object = try JSONSerialization.jsonObject(with: kept.stdoutData) as? [String: Any]
        #expect(object?["remote_missing_at"] is String && object?["tags"] as? [String] == ["keep"], "kept here, marked: \(kept.stdout)")

        let purged = try await fixture.reel(["rm", String(id.prefix(8)), "--purge", "-y"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(try await fixture.reel(["show", id]).status == 66)
        #expect(try await fixture.reel(["search", "--count", "tag:keep"]).stdout == "0\n")
        let db = try Connection(path: fixture.root + "/catalog.sqlite", mode: .readWrite)
        try db.execute("INSERT INTO generation_fts (generation_fts, rank) VALUES ('integrity-check', 1)")
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM media WHERE generation_id NOT IN (SELECT id FROM generations)") == 0)
    }

    @Test func remotesWithoutADeleteCallAndMissingFlags() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 1)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let id = try #require(try await fixture.manifest(media: false).first?.id.lowercased())
        let refused = try await fixture.reel(["rm", id, "--remote", "-y"])
        #expect(refused.status == 69 && refused.stderr.contains("has no delete call"), "\(refused.stderr)")
        #expect(try await fixture.reel(["show", id]).status == 0, "nothing deleted")
        let nothing = try await fixture.reel(["rm", id])
        #expect(nothing.status == 64 && nothing.stderr.contains("--remote"), "\(nothing.stderr)")
        let unknown = try await fixture.reel(["rm", "deadbeef", "--purge", "-y"])
        #expect(unknown.status == 66)
    }
}
