import Catalog
import ContentStore
import Foundation
import ReelKit
import ReelSchema
import SQLite
import Testing
import TestSupport

/// A library of real imports, and the ways a test damages it.
struct DamageableLibrary {
    let folder = TemporaryDirectory()
    let library: Library

    /// Imports copies of these corpus files (copies, so a test can change an original).
    init(_ names: [String]) throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
        let copies = try names.map { try folder.copy(Fixtures.corpus($0), as: "originals/\($0)") }
        Importer(library: library).run(paths: copies) { _ in }
    }

    var blobs: [BlobRecord] { get throws { try library.catalog.blobs() } }

    func path(_ sha256: String) -> String { library.store.path(for: Digest(hex: sha256)!) }

    /// Flips one byte of a stored (read-only) blob in place; returns the damaged bytes.
    @discardableResult
    func corrupt(_ sha256: String, at offset: UInt64 = 700) throws -> Data {
        let path = path(sha256)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: [byte ^ 0xFF])
        try handle.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func truncate(_ sha256: String, to size: Int64 = 1000) throws {
        let path = path(sha256)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(Glibc.truncate(path, off_t(size)) == 0)
    }

    func delete(_ sha256: String) throws { try FileManager.default.removeItem(atPath: path(sha256)) }

    /// The generation and media row that use a blob.
    func media(of sha256: String) throws -> (GenerationRecord, MediaRecord) {
        let generation = try #require(try library.catalog.generation(holding: sha256, role: .video))
        let media = try #require(try library.catalog.media(generationID: generation.id).first)
        return (generation, media)
    }

    func lock() async throws -> LibraryLock {
        try await LibraryLock.acquire(libraryRoot: library.root, purpose: "a test", wait: false)
    }
}

/// Sets a file's modification time `seconds` in the past.
func age(_ path: String, by seconds: Int) throws {
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -Double(seconds))], ofItemAtPath: path)
}

let fourVideos = ["ax__sample.mp4", "ax__sample.mkv", "ax__bear-vp9.webm", "mp4ff__prog_8s.mp4"]

@Suite struct VerifyScopeTests {
    @Test func anInterruptedVerifyContinuesWithTheRemainder() throws {
        let lib = try DamageableLibrary(fourVideos)
        let total = try lib.blobs.count
        #expect(total == 4)
        let damaged = try lib.blobs[0].sha256
        try lib.corrupt(damaged)

        // Stop after two files, as Ctrl-C would.
        var seen = 0
        let error = #expect(throws: ReelError.self) {
            try Verifier(library: lib.library).run(isCancelled: { seen >= 2 }, progress: { _, _ in seen += 1 })
        }
        #expect(error?.status == .interrupted)
        #expect(error?.message.contains("interrupted after 2 of 4 files") == true, "\(error?.message ?? "")")
        let saved = try #require(try lib.library.catalog.unfinishedVerifyRun())
        #expect(saved.position == (try lib.blobs[1].sha256), "the position is the last blob looked at")

        var progress: [Int] = []
        let resumed = try Verifier(library: lib.library).run(progress: { done, _ in progress.append(done) })
        #expect(progress == [3, 4], "only the remainder is rehashed")
        #expect(resumed.resumed == 2 && resumed.total == 4)
        #expect(resumed.checked == 3, "intact files of both attempts count")
        #expect(resumed.problems.map(\.subject) == [damaged], "the first attempt's problem is kept: \(resumed.problems)")
        #expect(try lib.library.catalog.unfinishedVerifyRun() == nil, "a finished run is closed")

        var again = 0
        let fresh = try Verifier(library: lib.library).run(progress: { _, _ in again += 1 })
        #expect(again == 4 && fresh.resumed == 0, "after a finished run the next starts over")

        _ = try #require(throws: ReelError.self) {
            try Verifier(library: lib.library).run(isCancelled: { true })
        }
        var restarted = 0
        _ = try Verifier(library: lib.library).run(scope: .all(restart: true), progress: { _, _ in restarted += 1 })
        #expect(restarted == 4, "--restart ignores the interrupted run")
    }

    @Test func sampleAndSince() throws {
        let lib = try DamageableLibrary(fourVideos)
        let sample = try Verifier(library: lib.library).run(scope: .sample(2))
        #expect(sample.total == 2 && sample.checked == 2 && sample.isClean)
        let all = try Verifier(library: lib.library).run(scope: .sample(10))
        #expect(all.total == 4, "a sample larger than the library is the library")

        let old = try lib.blobs.prefix(3).map(\.sha256)
        for sha in old { try lib.library.catalog.db.run("UPDATE blobs SET stored_at = '2024-03-01T10:00:00.000Z' WHERE sha256 = ?", sha) }
        let since = try Verifier(library: lib.library).run(scope: .since(try DateArgument.start(of: "2024-06")))
        #expect(since.total == 1 && since.checked == 1)
        #expect(try Verifier(library: lib.library).run(scope: .since(try DateArgument.start(of: "2024-03-01T09:00:00Z"))).total == 4)
        #expect(try Verifier(library: lib.library).run(scope: .since(try DateArgument.start(of: "2024-03-01T11:00:00Z"))).total == 1)
        #expect(try Verifier(library: lib.library).run(scope: .since(try DateArgument.start(of: "-7d"))).total == 1)

        let bad = #expect(throws: ReelError.self) { try DateArgument.start(of: "last tuesday") }
        #expect(bad?.status == .usage)
        #expect(try lib.library.catalog.unfinishedVerifyRun() == nil, "sample and since runs leave no run to resume")
    }
}

@Suite struct RepairTests {
    @Test func repairQuarantinesMarksForDownloadAndKeepsRowsAndTags() async throws {
        let lib = try DamageableLibrary(fourVideos)
        let catalog = lib.library.catalog
        _ = try Remotes(library: lib.library).add(name: "sim", dialect: "web", url: "http://127.0.0.1:9", keyEnv: nil)
        let blobs = try lib.blobs.map(\.sha256)
        let (corrupt, truncated, missing, restorable) = (blobs[0], blobs[1], blobs[2], blobs[3])
        // The corrupt one belongs to a remote's item (whose original is gone), tagged by the user.
        let (remoteItem, remoteOriginal) = try lib.media(of: corrupt)
        try catalog.db.run("UPDATE generations SET remote = 'sim', origin = 'remote', remote_id = uid WHERE id = ?", remoteItem.id)
        try FileManager.default.removeItem(atPath: try #require(remoteOriginal.sourcePath))
        _ = try catalog.addTags([try TagName("keeper")], to: [remoteItem.id], at: Timestamp.now())
        // The truncated one's original changed since the import: nothing can give it back.
        let (truncatedItem, truncatedMedia) = try lib.media(of: truncated)
        try Data("edited".utf8).write(to: URL(fileURLWithPath: try #require(truncatedMedia.sourcePath)))

        let badBytes = try lib.corrupt(corrupt)
        try lib.truncate(truncated)
        try lib.delete(missing)
        try lib.corrupt(restorable)

        let report = try Verifier(library: lib.library).run()
        #expect(Set(report.problems.map(\.kind)) == [.wrongHash, .wrongSize, .missingFile])
        let actions = try Repairer(library: lib.library, holding: try await lib.lock()).repair(report.problems)
        let lines = actions.map(\.description)

        // Corrupt, remote: quarantined with its bad bytes, row pending, generation and tag intact.
        let quarantined = lib.library.store.quarantineDirectory + "/" + corrupt
        #expect(lines.contains("quarantined: \(corrupt): corrupt; moved to \(quarantined)"), "\(lines)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: quarantined)) == badBytes)
        #expect(!FileManager.default.fileExists(atPath: lib.path(corrupt)))
        #expect(lines.contains("will-refetch: \(remoteItem.uid)/video: the next reel sync downloads it again from sim"), "\(lines)")
        let remoteMedia = try #require(try catalog.media(generationID: remoteItem.id).first)
        #expect(remoteMedia.state == .pending && remoteMedia.blobSHA256 == nil && remoteMedia.attempts == 0)
        #expect(remoteMedia.lastError?.contains("moved to \(quarantined)") == true)
        #expect(try catalog.generation(id: remoteItem.id)?.prompt == remoteItem.prompt)
        #expect(try catalog.tags(generationID: remoteItem.id) == ["keeper"])
        #expect(try catalog.blob(sha256: corrupt) == nil && (try catalog.mediaInfo(sha256: corrupt)) == nil)

        // Truncated, local, original changed: quarantined, the row kept as gone, and said so.
        #expect(FileManager.default.fileExists(atPath: lib.library.store.quarantineDirectory + "/" + truncated))
        #expect(lines.contains { $0.hasPrefix("cannot-refetch: \(truncatedItem.uid)/video: a local import: no remote to fetch it from") })
        #expect(try catalog.media(generationID: truncatedItem.id).first?.state == .gone)
        #expect(try catalog.generation(id: truncatedItem.id) != nil)

        // Missing, local, original intact: put back from it. Corrupt with an intact original: the same.
        #expect(lines.contains { $0.hasPrefix("restored: \(missing): put back from ") })
        #expect(lines.contains { $0.hasPrefix("restored: \(restorable): put back from ") })
        #expect(try lib.library.store.check(Digest(hex: missing)!, expectedSize: nil) == .ok)

        let after = try Verifier(library: lib.library).run()
        #expect(after.isClean && after.checked == 2, "\(after.problems)")
    }

    @Test func aVanishedFileOfARemoteItemIsForgottenAndFetchedAgain() async throws {
        let lib = try DamageableLibrary(["ax__sample.mp4"])
        _ = try Remotes(library: lib.library).add(name: "sim", dialect: "web", url: "http://127.0.0.1:9", keyEnv: nil)
        let sha = try lib.blobs[0].sha256
        let (item, media) = try lib.media(of: sha)
        try lib.library.catalog.db.run("UPDATE generations SET remote = 'sim', origin = 'remote', remote_id = uid WHERE id = ?", item.id)
        try FileManager.default.removeItem(atPath: try #require(media.sourcePath))
        try lib.delete(sha)
        let actions = try Repairer(library: lib.library, holding: try await lib.lock()).repair(try Verifier(library: lib.library).run().problems)
        #expect(actions.map(\.description) == [
            "forgotten: \(sha): its file was missing; the catalog no longer records it",
            "will-refetch: \(item.uid)/video: the next reel sync downloads it again from sim",
        ])
        #expect(try lib.library.catalog.blob(sha256: sha) == nil)
        #expect(try Verifier(library: lib.library).run().isClean)
        #expect(try lib.library.catalog.pendingMedia(remote: "sim").map(\.mediaID) == [media.id], "sync will fetch it")
    }
}

@Suite struct GarbageCollectorTests {
    @Test func removesWhatNothingUsesButNothingYoungOrQuarantined() async throws {
        let lib = try DamageableLibrary(["ax__sample.mp4"])
        let store = lib.library.store
        let kept = try lib.blobs[0].sha256
        let day = GarbageCollector.minimumAge
        // An unrecorded object (an import killed before it committed), old and young.
        let oldObject = try store.put(bytes: Array("old unrecorded".utf8))
        try age(oldObject.path, by: day + 60)
        let youngObject = try store.put(bytes: Array("young unrecorded".utf8))
        // A recorded blob no media row uses: removed whatever its age.
        let unused = try store.put(bytes: Array("recorded, unused".utf8))
        try lib.library.catalog.insertBlob(BlobRecord(sha256: unused.digest.hex, size: unused.size, storedAt: Timestamp.now(), verifiedAt: nil))
        // Temp files: one a killed write left a day ago, one a write killed a moment ago (no lock on it),
        // one a running write owns (it holds the lock), one not reel's.
        let oldTemp = try lib.folder.write("lib/tmp/0123.part", "stale bytes")
        try age(oldTemp, by: day + 60)
        let killedTemp = try lib.folder.write("lib/tmp/89ab.part", "killed")
        let live = try store.makeWriter()
        try Array("live bytes".utf8).withUnsafeBytes { bytes throws in try live.write(bytes) }
        let youngTemp = live.temporaryPath
        let foreign = try lib.folder.write("lib/tmp/notes.txt", "someone's notes")
        // Quarantine is the user's.
        let quarantined = try lib.folder.write("lib/quarantine/" + String(repeating: "a", count: 64), "bad bytes")
        try age(quarantined, by: 10 * day)

        let dry = try GarbageCollector(dryRunOf: lib.library).run(dryRun: true)
        #expect(Set(dry.removals.map(\.subject)) == [oldObject.path, unused.path, oldTemp, killedTemp])
        #expect(dry.keptYoung == 3)
        for path in [oldObject.path, youngObject.path, unused.path, oldTemp, killedTemp, youngTemp] {
            #expect(FileManager.default.fileExists(atPath: path), "a dry run removes nothing: \(path)")
        }
        #expect(try lib.library.catalog.blob(sha256: unused.digest.hex) != nil)

        let report = try GarbageCollector(library: lib.library, holding: try await lib.lock()).run(dryRun: false)
        #expect(report.removals == dry.removals)
        #expect(report.freedBytes == Int64(["old unrecorded", "recorded, unused", "stale bytes", "killed"].map(\.utf8.count).reduce(0, +)))
        for path in [oldObject.path, unused.path, oldTemp, killedTemp] { #expect(!FileManager.default.fileExists(atPath: path)) }
        for path in [youngObject.path, youngTemp, foreign, quarantined, lib.path(kept)] { #expect(FileManager.default.fileExists(atPath: path)) }
        _ = try live.commit()
        #expect(try lib.library.catalog.blob(sha256: unused.digest.hex) == nil)
        #expect(try Verifier(library: lib.library).run().isClean)
        #expect(try GarbageCollector(dryRunOf: lib.library).run(dryRun: true).removals.isEmpty, "nothing left to collect")
    }
}

@Suite struct DoctorTests {
    /// Thresholds of zero: these tests are about the library, not about this machine's disk.
    func doctor(_ lib: DamageableLibrary, credentials: String? = nil) throws -> DoctorReport {
        var doctor = Doctor(library: lib.library, credentialsPath: credentials)
        doctor.minimumFreeBytes = 0
        doctor.minimumFreeFraction = 0
        return try doctor.run()
    }

    @Test func healthyPermissionsOrphansAndSpace() throws {
        let lib = try DamageableLibrary(["ax__sample.mp4"])
        let credentials = try lib.folder.write("config/reel/credentials", "sim=sk-test\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials)
        let healthy = try doctor(lib, credentials: credentials)
        #expect(healthy.isHealthy && healthy.status == nil, "\(healthy.findings)")
        #expect(healthy.blobs == 1 && healthy.freeBytes > 0)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: credentials)
        let open = try doctor(lib, credentials: credentials)
        #expect(open.findings.map(\.description) == [
            "permissions: \(credentials): the credentials file can be read by others (mode 644), so reel refuses to use it; run `chmod 600 \(credentials)`",
        ])
        #expect(open.status == .permission)

        // A media row whose generation is gone: written with foreign keys off, as another program might.
        let sha = try lib.blobs[0].sha256
        let db = try Connection(path: Library.catalogPath(in: lib.library.root), mode: .readWrite)
        try db.execute("PRAGMA foreign_keys = OFF")
        try db.run("INSERT INTO media (generation_id, role, blob_sha256, state, updated_at) VALUES (9999, 'thumbnail', ?, 'stored', 'x')", sha)
        let orphanID = try #require(try db.scalar(Int64.self, "SELECT id FROM media WHERE generation_id = 9999"))
        let broken = try doctor(lib, credentials: credentials)
        #expect(broken.findings.map(\.description).contains("catalog: media row \(orphanID): an orphan: its generation row is gone; run `reel gc` to remove it"),
                "\(broken.findings)")
        #expect(broken.status == .dataError, "bad data outranks a permission")

        var space = Doctor(library: lib.library, credentialsPath: nil)
        space.minimumFreeBytes = Int64.max
        #expect(try space.run().findings.last?.area == .space)
    }
}

@Suite struct VerifyMigrationTests {
    @Test func version5IsAddedToAVersion4CatalogAndSafeToRunTwice() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("catalog.sqlite")
        do {
            let db = try Connection(path: path, mode: .readWriteCreate)
            for migration in CatalogSchema.migrations where migration.version <= 4 {
                try db.execute(migration.sql)
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
            try db.execute("PRAGMA application_id = \(CatalogSchema.applicationID)")
            try db.run("INSERT INTO blobs (sha256, size, stored_at) VALUES (?, 5, '2024-01-01T00:00:00.000Z')", String(repeating: "b", count: 64))
        }
        let catalog = try Catalog.open(path: path)
        #expect(try catalog.schemaVersion() == 5 && CatalogSchema.latestVersion == 5)
        #expect(try catalog.blobs().count == 1, "rows survive the migration")
        let run = try catalog.startVerifyRun(at: Timestamp.now())
        #expect(run.position == nil && run.checked == 0)
        let step = try #require(CatalogSchema.migrations.last)
        try catalog.db.execute(step.sql)
        #expect(try catalog.unfinishedVerifyRun() == run, "running the step again changes nothing")
    }
}
