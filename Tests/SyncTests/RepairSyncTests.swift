import ContentStore
import Foundation
import SQLite
import Testing
import TestSupport

/// The promise of issue 8, end to end: a damaged clip is found, quarantined, fetched again by the next sync,
/// and the library verifies clean, without losing an item or a tag.
@Suite struct RepairSyncTests {
    @Test(arguments: ["web", "proxy"])
    func aCorruptClipIsRepairedAndRestoredBySync(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 8, seed: 3)
        fixture.clock?.advance(by: 600)  // every item has finished
        let first = try await fixture.reel(["sync"])
        #expect(first.status == 0, "\(first.stderr)")
        let manifest = try await fixture.manifest()
        try fixture.expectMirrors(manifest)

        // The first stored video, tagged by the user, damaged on disk.
        let row = try #require(try fixture.catalog().prepare(
            """
            SELECT g.uid, m.blob_sha256, m.role FROM media m JOIN generations g ON g.id = m.generation_id
            WHERE m.role IN ('video', 'video_raw') AND m.state = 'stored' ORDER BY g.uid LIMIT 1
            """
        ).map { ($0[0] ?? "", $0[1] ?? "", $0[2] ?? "") }.first)
        let (uid, sha, role) = row
        #expect(try await fixture.reel(["tag", "add", "keeper", uid]).status == 0)
        let path = ContentStore(root: fixture.root).path(for: try #require(Digest(hex: sha)))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 2048)
        let original = try #require(try handle.read(upToCount: 4))
        try handle.seek(toOffset: 2048)
        try handle.write(contentsOf: original.map { ~$0 })
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: path))

        let found = try await fixture.reel(["verify"])
        #expect(found.status == 65)
        #expect(found.stdout.contains("corrupt: \(sha): the file's bytes hash to "), "\(found.stdout)")

        let repaired = try await fixture.reel(["verify", "--repair"])
        #expect(repaired.status == 65)
        let quarantined = fixture.root + "/quarantine/" + sha
        let lines = repaired.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("quarantined: \(sha): corrupt; moved to \(quarantined)"), "\(lines)")
        #expect(lines.contains("will-refetch: \(uid)/\(role): the next reel sync downloads it again from sim"), "\(lines)")
        #expect(repaired.stderr == "reel: 1 problem found; run reel sync to fetch the marked files again\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: quarantined)) == damaged, "quarantine holds the bad bytes")
        let state = try fixture.catalog().scalar(
            String.self, "SELECT m.state FROM media m JOIN generations g ON g.id = m.generation_id WHERE g.uid = ? AND m.role = ?", uid, role)
        #expect(state == "pending", "marked for download again")
        #expect(try await fixture.reel(["verify"]).status == 0, "after repair the catalog and store agree")

        let resynced = try await fixture.reel(["sync"])
        #expect(resynced.status == 0, "\(resynced.stdout)\(resynced.stderr)")
        try fixture.expectMirrors(manifest)
        #expect(try ContentStore(root: fixture.root).check(try #require(Digest(hex: sha)), expectedSize: nil) == .ok, "the served bytes are back")
        let verified = try await fixture.reel(["verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let tagged = try await fixture.reel(["search", "tag:keeper", "--paths"])
        #expect(tagged.stdout.split(separator: "\n").count == 1, "the item and its tag survived: \(tagged.stdout)\(tagged.stderr)")
        #expect(FileManager.default.fileExists(atPath: tagged.stdout.trimmingCharacters(in: .newlines)), "its video is stored")
        #expect(FileManager.default.fileExists(atPath: quarantined), "sync and gc leave quarantine alone")
        #expect(try await fixture.reel(["gc"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: quarantined))
    }
}
