import Catalog
import Foundation
import ReelSchema
import SQLite
import Testing
import TestSupport

@Suite struct CatalogTests {
    let folder = TemporaryDirectory()
    var path: String { folder.file("catalog.sqlite") }

    func generation(_ uid: String, prompt: String = "") -> GenerationRecord {
        var g = GenerationRecord(uid: uid, origin: .local, state: .completed, firstSeenAt: "2026-01-01T00:00:00.000Z")
        g.prompt = prompt
        g.createdAt = "2026-01-01T00:00:00.000Z"
        return g
    }

    @Test func createsEveryTableInWALWithForeignKeys() throws {
        let catalog = try Catalog.open(path: path, create: true)
        #expect(try catalog.schemaVersion() == CatalogSchema.latestVersion)
        #expect(try catalog.db.scalar(Int64.self, "PRAGMA application_id") == Int64(CatalogSchema.applicationID))
        #expect(try catalog.db.scalar(String.self, "PRAGMA journal_mode") == "wal")
        #expect(try catalog.db.scalar(Int.self, "PRAGMA foreign_keys") == 1)
        let tables = try catalog.db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')").map { $0[0] as String? }
        for table in ["remotes", "generations", "media", "blobs", "media_info", "tags", "generation_tags", "sync_runs",
                      "generation_fts", "generation_search"] {
            #expect(tables.contains(table), "missing \(table)")
        }
    }

    @Test func reopeningKeepsDataAndRunsNoMigrationTwice() throws {
        do {
            let catalog = try Catalog.open(path: path, create: true)
            try catalog.insert(generation("aaaa"))
        }
        let catalog = try Catalog.open(path: path)
        #expect(try catalog.generationCount() == 1)
        #expect(try catalog.schemaVersion() == CatalogSchema.latestVersion)
    }

    @Test func everyMigrationFileIsRegisteredInOrder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot + "/schema/migrations")
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == CatalogSchema.migrations.map(\.fileName))
        #expect(CatalogSchema.migrations.map(\.version) == Array(1...CatalogSchema.migrations.count))
        for migration in CatalogSchema.migrations {
            let text = try String(contentsOfFile: Fixtures.packageRoot + "/schema/migrations/" + migration.fileName, encoding: .utf8)
            #expect(text == migration.sql, "the binary embeds \(migration.fileName) as it is on disk")
        }
    }

    @Test func aCatalogFromANewerReelIsRefusedAndLeftAlone() throws {
        do {
            let catalog = try Catalog.open(path: path, create: true)
            try catalog.db.execute("PRAGMA user_version = 99")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: CatalogError.self) { _ = try Catalog.open(path: path) }
        #expect(error?.description.contains("newer reel") == true)
        #expect(error?.description.contains("99") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func anotherProgramsDatabaseIsRefusedAndLeftAlone() throws {
        do {
            let other = try Connection(path: path)
            try other.execute("CREATE TABLE photos (id INTEGER); INSERT INTO photos VALUES (1);")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: CatalogError.self) { _ = try Catalog.open(path: path, create: true) }
        #expect(error?.description.contains("not a reel catalog") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aFileThatIsNotSQLiteIsRefused() throws {
        try folder.write("catalog.sqlite", "{\"this\": \"is json\"}\n" + String(repeating: "x", count: 5000))
        let error = #expect(throws: CatalogError.self) { _ = try Catalog.open(path: path) }
        #expect(error?.description == "\(path) is not a reel catalog (not an SQLite database)")
    }

    @Test func aMissingCatalogIsReportedAsMissing() throws {
        let error = #expect(throws: CatalogError.self) { _ = try Catalog.open(path: path) }
        guard case .missing = error else { Issue.record("expected .missing, got \(String(describing: error))"); return }
        #expect(!FileManager.default.fileExists(atPath: path), "opening without create makes no file")
    }

    @Test func generationsRoundTripWithEveryField() throws {
        let catalog = try Catalog.open(path: path, create: true)
        var g = generation("eaf962b3-f279-4247-9d7d-c27c741e07cb", prompt: "magic girl, 魔法少女")
        g.remoteID = g.uid
        g.rawState = "completed"
        g.model = "ray-2"
        g.aspect = "16:9"
        g.resolution = "720p"
        g.durationSeconds = 5.04
        g.loop = false
        g.kind = "text"
        g.liked = true
        g.failureReason = nil
        g.rawJSON = #"{"id":"eaf962b3","unknown_field":[1,2]}"#
        let id = try catalog.insert(g)
        g.id = id
        #expect(try catalog.generation(id: id) == g)
    }

    @Test func invalidRowsAreRejectedBySchemaConstraints() throws {
        let catalog = try Catalog.open(path: path, create: true)
        var bad = generation("x")
        bad.rawJSON = "{not json"
        #expect(throws: CatalogError.self) { try catalog.insert(bad) }
        let orphan = MediaRecord(generationID: 999, role: .video, state: .pending, updatedAt: "t")
        #expect(throws: CatalogError.self) { try catalog.upsert(orphan) }  // foreign key
        var stored = MediaRecord(generationID: try catalog.insert(generation("y")), role: .video, state: .stored, updatedAt: "t")
        #expect(throws: CatalogError.self) { try catalog.upsert(stored) }  // stored needs a blob
        stored.blobSHA256 = String(repeating: "a", count: 64)
        #expect(throws: CatalogError.self) { try catalog.upsert(stored) }  // and the blob must be recorded
        #expect(try catalog.generationCount() == 1)
    }

    @Test func mediaUpsertKeepsOneRowPerRole() throws {
        let catalog = try Catalog.open(path: path, create: true)
        let id = try catalog.insert(generation("g1"))
        var m = MediaRecord(generationID: id, role: .video, state: .pending, updatedAt: "t1")
        m.remoteURL = "https://cdn.example/v.mp4"
        try catalog.upsert(m)
        let sha = String(repeating: "b", count: 64)
        try catalog.insertBlob(BlobRecord(sha256: sha, size: 10, storedAt: "t2"))
        var stored = MediaRecord(generationID: id, role: .video, state: .stored, updatedAt: "t2")
        stored.blobSHA256 = sha
        try catalog.upsert(stored)
        let rows = try catalog.media(generationID: id)
        #expect(rows.count == 1)
        #expect(rows[0].state == .stored && rows[0].blobSHA256 == sha)
        #expect(rows[0].remoteURL == "https://cdn.example/v.mp4", "a later row without a URL keeps the known one")
        #expect(try catalog.generation(holding: sha, role: .video)?.uid == "g1")
    }

    @Test func uidPrefixesResolveByRange() throws {
        let catalog = try Catalog.open(path: path, create: true)
        for uid in ["abc1", "abc2", "abd0", "b000"] { try catalog.insert(generation(uid)) }
        #expect(try catalog.generations(uidPrefix: "abc").map(\.uid) == ["abc1", "abc2"])
        #expect(try catalog.generations(uidPrefix: "abd").map(\.uid) == ["abd0"])
        #expect(try catalog.generations(uidPrefix: "c").isEmpty)
        #expect(try catalog.generations(uidPrefix: "%").isEmpty, "LIKE wildcards mean nothing here")
    }

    // MARK: Full-text index

    /// FTS5's own check of an external-content index against its content (the view).
    func ftsIsConsistent(_ catalog: Catalog) -> Bool {
        (try? catalog.db.execute("INSERT INTO generation_fts (generation_fts, rank) VALUES ('integrity-check', 1)")) != nil
    }

    func matches(_ catalog: Catalog, _ query: String) throws -> [String] {
        let s = try catalog.db.prepare(
            """
            SELECT g.uid FROM generation_fts JOIN generations g ON g.id = generation_fts.rowid
            WHERE generation_fts MATCH ? ORDER BY g.uid
            """)
        try s.bind([query])
        return try s.map { row in row[0] ?? "" }
    }

    func tag(_ catalog: Catalog, _ generationID: Int64, _ name: String) throws {
        try catalog.db.run("INSERT INTO tags (name, created_at) VALUES (?, 't') ON CONFLICT DO NOTHING", name)
        try catalog.db.run(
            "INSERT INTO generation_tags (generation_id, tag_id, added_at) SELECT ?, id, 't' FROM tags WHERE name = ?",
            generationID, name)
    }

    /// The bulk insert (benchmarks build a million rows with it): every row, indexed as one by one would be,
    /// and all or none of a batch.
    @Test func bulkInsertIndexesEveryRowAndIsAllOrNothing() throws {
        let catalog = try Catalog.open(path: path, create: true)
        let prompts = ["neon city", "赛博朋克的城市", "a kitten", "Café crème"]
        let batch = (0..<2_000).map { generation("b\($0)", prompt: prompts[$0 % prompts.count] + " \($0)") }
        let inserted = try catalog.transaction { try catalog.insert(batch) }
        #expect(inserted == 2_000)
        #expect(try catalog.generationCount() == 2_000)
        #expect(try matches(catalog, "neon").count == 500)
        #expect(try matches(catalog, "\"城市\"").count == 500)
        #expect(try matches(catalog, "cafe").count == 500)
        #expect(try catalog.generation(uid: "b1997")?.prompt == "赛博朋克的城市 1997")
        #expect(ftsIsConsistent(catalog))

        let clash = [generation("new-1", prompt: "fine"), generation("b7", prompt: "a uid already there")]
        #expect(throws: CatalogError.self) { try catalog.transaction { try catalog.insert(clash) } }
        #expect(try catalog.generationCount() == 2_000, "nothing of a failed batch stays")
        #expect(try catalog.generation(uid: "new-1") == nil)
        #expect(try catalog.insert([generation("new-2", prompt: "after a failure")]) == 1, "the staging table is empty again")
        #expect(try matches(catalog, "failure") == ["new-2"])
        #expect(ftsIsConsistent(catalog))
    }

    @Test func fullTextFollowsPromptsAndTagsThroughEveryChange() throws {
        let catalog = try Catalog.open(path: path, create: true)
        let neon = try catalog.insert(generation("n", prompt: "Neon city at night, rain"))
        let cat = try catalog.insert(generation("c", prompt: "A kitten in motion"))
        #expect(try matches(catalog, "neon") == ["n"])
        try tag(catalog, neon, "favourite")
        try tag(catalog, neon, "draft")
        try tag(catalog, cat, "favourite")
        #expect(try matches(catalog, "favourite") == ["c", "n"])
        #expect(ftsIsConsistent(catalog))

        try catalog.db.run("UPDATE tags SET name = 'best' WHERE name = 'favourite'")
        #expect(try matches(catalog, "best") == ["c", "n"])
        #expect(try matches(catalog, "favourite").isEmpty)
        try catalog.db.run("UPDATE generations SET prompt = 'Neon town' WHERE id = ?", neon)
        #expect(try matches(catalog, "city").isEmpty)
        #expect(try matches(catalog, "town") == ["n"])
        try catalog.db.run("DELETE FROM tags WHERE name = 'draft'")  // cascades to generation_tags
        #expect(try matches(catalog, "draft").isEmpty)
        #expect(try matches(catalog, "best") == ["c", "n"])
        try catalog.db.run("DELETE FROM generations WHERE id = ?", neon)  // cascades to its tags
        #expect(try matches(catalog, "best") == ["c"])
        #expect(ftsIsConsistent(catalog))
    }

    @Test func theConsistencyCheckDetectsACorruptIndex() throws {
        // The check above must be able to fail: remove a row with the wrong text, as a broken trigger would.
        let catalog = try Catalog.open(path: path, create: true)
        let id = try catalog.insert(generation("x", prompt: "original words"))
        try catalog.db.run(
            "INSERT INTO generation_fts (generation_fts, rowid, prompt, tags) VALUES ('delete', ?, 'other words', '')", id)
        #expect(!ftsIsConsistent(catalog))
    }
}
