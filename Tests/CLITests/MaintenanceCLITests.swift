import ContentStore
import Foundation
import SQLite
import Testing
import TestSupport

/// `reel verify`, `gc` and `doctor` as a user runs them, on a library of real imports.
@Suite struct MaintenanceCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    /// A library with three imported clips; returns their blobs' hashes, sorted.
    func library() throws -> [String] {
        #expect(try reel("init").status == 0)
        let files = try ["ax__sample.mp4", "ax__sample.mkv", "ax__bear-vp9.webm"].map { try reel.folder.copy(Fixtures.corpus($0), as: "in/\($0)") }
        #expect(try reel.run(["import"] + files).status == 0)
        return try catalog().prepare("SELECT sha256 FROM blobs ORDER BY sha256").map { $0[0] ?? "" }
    }

    func catalog() throws -> Connection { try Connection(path: reel.library + "/catalog.sqlite", mode: .readWrite) }
    func object(_ sha: String) -> String { "\(reel.library)/objects/\(sha.prefix(2))/\(sha.dropFirst(2))" }

    @Test func verifyRepairAndVerifyAgain() throws {
        let blobs = try library()
        // Corrupt one (its original gone, so nothing can put it back), truncate one, delete one.
        try FileManager.default.removeItem(atPath: reel.folder.file("in"))
        for sha in blobs.prefix(2) { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object(sha)) }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: object(blobs[0])))
        try handle.seek(toOffset: 333)
        try handle.write(contentsOf: [0x5A, 0xA5])
        try handle.close()
        let bad = try Data(contentsOf: URL(fileURLWithPath: object(blobs[0])))
        #expect(truncate(object(blobs[1]), 100) == 0)
        try FileManager.default.removeItem(atPath: object(blobs[2]))

        let found = try reel("verify")
        #expect(found.status == 65)
        let lines = found.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("corrupt: \(blobs[0]): the file's bytes hash to ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("wrong-size: \(blobs[1]): 100 bytes, the catalog says ") })
        #expect(lines.contains("missing: \(blobs[2]): no file at \(object(blobs[2]))"))
        #expect(found.stderr == "reel: 3 problems found\n")

        let json = try reel("verify", "--json")
        #expect(json.status == 65)
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(report["checked"] as? Int == 0 && report["total"] as? Int == 3 && report["clean"] as? Bool == false)
        let problems = try #require(report["problems"] as? [[String: String]])
        #expect(Set(problems.compactMap { $0["kind"] }) == ["corrupt", "wrong-size", "missing"])
        #expect(problems.allSatisfy { $0["subject"] != nil && $0["detail"] != nil })

        let repaired = try reel("verify", "--repair", "--json")
        #expect(repaired.status == 65, "problems were found, even though repaired")
        let repairs = try #require((try JSONSerialization.jsonObject(with: repaired.stdoutData) as? [String: Any])?["repairs"] as? [[String: String]])
        #expect(repairs.filter { $0["kind"] == "quarantined" }.count == 2)
        #expect(repairs.filter { $0["kind"] == "cannot-refetch" }.count == 3, "three local imports with no original: \(repairs)")
        #expect(repairs.contains { $0["kind"] == "forgotten" && $0["subject"] == blobs[2] })
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(reel.library)/quarantine/\(blobs[0])")) == bad, "quarantine holds the bad bytes")
        #expect(try catalog().scalar(Int.self, "SELECT count(*) FROM media WHERE state = 'gone' AND blob_sha256 IS NULL") == 3)
        #expect(try catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 3, "no item is lost")

        let clean = try reel("verify")
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout == "0 files intact (0 B)\n")
    }

    @Test func repairPrintsEachActionOnItsOwnLine() throws {
        let blobs = try library()
        try FileManager.default.removeItem(atPath: object(blobs[0]))
        let result = try reel("verify", "--repair")
        #expect(result.status == 65)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "missing: \(blobs[0]): no file at \(object(blobs[0]))")
        #expect(lines.dropFirst().first?.hasPrefix("restored: \(blobs[0]): put back from \(reel.folder.path)/in/") == true, "\(lines)")
        #expect(lines.last?.hasPrefix("2 files intact (") == true, "\(lines)")
        #expect(try reel("verify").status == 0, "the original gave the bytes back")
    }

    @Test func sampleSinceAndBadDates() throws {
        _ = try library()
        let sample = try reel("verify", "--sample", "2")
        #expect(sample.status == 0 && sample.stdout.hasPrefix("2 files intact"), "\(sample.stdout)")
        let since = try reel("verify", "--since", "-1d")
        #expect(since.status == 0 && since.stdout.hasPrefix("3 files intact"), "\(since.stdout)\(since.stderr)")
        let future = try reel("verify", "--since", "2999-01-01")
        #expect(future.status == 0 && future.stdout.hasPrefix("0 files intact"))
        expectOneLineError(try reel("verify", "--since", "someday"), status: 64, contains: "'someday' is not a date")
        #expect(try reel("verify", "--sample", "0").status == 64)
        #expect(try reel("verify", "--sample", "2", "--since", "today").status == 64)
    }

    /// `reel verify` killed with SIGKILL after it saved its progress: the next run continues from there (it
    /// rehashes only what came after the last save) and reports on the whole store, clean. The store grows
    /// until a verify outlives its first save (half a second), whatever the machine's speed.
    @Test func aKilledVerifyContinuesWhereItStopped() async throws {
        _ = try library()
        let store = ContentStore(root: reel.library)
        var random = SystemRandomNumberGenerator()
        var bytes = (0..<(1 << 17)).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } }
        var blobs = 3
        for round in 0..<5 {
            // 128 MiB more each round, in 1 MiB blobs (random, each with its own first bytes) recorded as
            // imports would record them.
            let db = try catalog()
            for _ in 0..<(128 << round) {
                withUnsafeBytes(of: UInt64(blobs)) { bytes.replaceSubrange(0..<8, with: $0) }
                let stored = try store.put(bytes: bytes)
                try db.run("INSERT INTO blobs (sha256, size, stored_at) VALUES (?, ?, '2026-01-01T00:00:00Z')", stored.digest.hex, stored.size)
                blobs += 1
            }
            #expect(try reel("verify", "--restart").status == 0, "the grown store is clean")
            let verify = try reel.start(["verify", "--restart"])
            var saved = 0
            while verify.isRunning && saved == 0 {
                saved = try catalog().scalar(Int.self, "SELECT checked FROM verify_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1") ?? 0
                try await Task.sleep(for: .milliseconds(5))
            }
            guard verify.isRunning else { continue }  // it finished before its first save: grow and try again
            kill(verify.processIdentifier, SIGKILL)
            verify.waitUntilExit()

            let again = try reel("verify", "--json")
            #expect(again.status == 0, "\(again.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: again.stdoutData) as? [String: Any])
            let resumed = report["resumed"] as? Int ?? 0
            #expect(resumed >= saved && resumed < blobs, "continued after the \(saved) blobs the killed run saved: \(report)")
            #expect(report["total"] as? Int == blobs && report["checked"] as? Int == blobs && report["clean"] as? Bool == true, "\(report)")
            #expect(try catalog().scalar(Int.self, "SELECT count(*) FROM verify_runs WHERE finished_at IS NULL") == 0)
            return
        }
        Issue.record("reel verify of \(blobs) blobs never outlived its first save")
    }

    @Test func gcRemovesOldUnreferencedFilesOnly() throws {
        let blobs = try library()
        let old = Date(timeIntervalSinceNow: -2 * 86_400)
        // A blob row no media row uses, an unrecorded object, and temp files old and young.
        try catalog().run("DELETE FROM media WHERE blob_sha256 = ?", blobs[0])
        let unrecorded = try reel.folder.write("lib/objects/ff/" + String(repeating: "e", count: 62), "unrecorded bytes")
        let oldTemp = try reel.folder.write("lib/tmp/dead.part", "stale")
        let youngTemp = try reel.folder.write("lib/tmp/live.part", "being written")
        let killedTemp = try reel.folder.write("lib/tmp/killed.part", "killed")  // young, but its writer is gone
        for path in [unrecorded, oldTemp] { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path) }
        // A live writer holds its temp file's lock (as BlobWriter does) until it commits.
        let writer = open(youngTemp, O_RDONLY)
        defer { close(writer) }
        #expect(flock(writer, LOCK_EX) == 0)

        let dry = try reel("gc", "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would remove unused-blob: \(object(blobs[0])) ("))
        #expect(dry.stdout.contains("would remove unrecorded-file: \(unrecorded) (16 B)"))
        #expect(dry.stdout.contains("would remove stale-temp: \(oldTemp) (5 B)"))
        #expect(dry.stdout.contains("would remove stale-temp: \(killedTemp) (6 B)"))
        #expect(dry.stdout.contains("\nwould remove 4 items, freeing "), "\(dry.stdout)")
        #expect(dry.stdout.hasSuffix("; kept 1 file younger than a day\n"), "\(dry.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: try reel("gc", "--dry-run", "--json").stdoutData) as? [String: Any])
        let size = try FileManager.default.attributesOfItem(atPath: object(blobs[0]))[.size] as? Int ?? 0
        #expect(json["freedBytes"] as? Int == size + 16 + 5 + 6 && json["dryRun"] as? Bool == true && json["keptYoung"] as? Int == 1)
        for path in [object(blobs[0]), unrecorded, oldTemp, killedTemp] { #expect(FileManager.default.fileExists(atPath: path)) }

        let done = try reel("gc")
        #expect(done.status == 0)
        #expect(done.stdout.split(separator: "\n").filter { $0.hasPrefix("removed ") }.count == 5, "\(done.stdout)")
        for path in [object(blobs[0]), unrecorded, oldTemp, killedTemp] { #expect(!FileManager.default.fileExists(atPath: path)) }
        #expect(FileManager.default.fileExists(atPath: youngTemp))
        #expect(try reel("verify").status == 0)
        #expect(try reel("doctor").status == 0)
    }

    @Test func gcAndRepairRefuseWhileASyncHoldsTheLibrary() throws {
        _ = try library()
        // flock(1) holds the lock as a sync would, from another process.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [reel.library + "/sync.lock", "/bin/sh", "-c", "echo held; read line"]
        let output = Pipe(), input = Pipe()
        holder.standardOutput = output
        holder.standardInput = input
        try holder.run()
        defer { try? input.fileHandleForWriting.close(); holder.waitUntilExit() }
        _ = output.fileHandleForReading.availableData  // "held": the lock is taken
        expectOneLineError(try reel("gc"), status: 75, contains: "another sync holds this library")
        expectOneLineError(try reel("verify", "--repair"), status: 75, contains: "another sync holds this library")
        #expect(try reel("gc", "--dry-run").status == 0, "a dry run changes nothing and needs no lock")
    }

    @Test func doctorHealthyCredentialsAndBrokenForeignKey() throws {
        _ = try library()
        let config = reel.folder.file("config")
        let environment = ["XDG_CONFIG_HOME": config]
        let healthy = try reel.run(["doctor"], environment: environment)
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        #expect(healthy.stdout.hasPrefix("healthy: catalog intact, 3 files recorded, "))

        let credentials = try reel.folder.write("config/reel/credentials", "sim=sk-secret-value\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: credentials)
        let open = try reel.run(["doctor"], environment: environment)
        #expect(open.status == 77)
        #expect(open.stdout == "permissions: \(credentials): the credentials file can be read by others (mode 644), so reel refuses to use it; run `chmod 600 \(credentials)`\n")
        #expect(open.stderr == "reel: 1 finding; see above for what to do\n")
        #expect(!open.stdout.contains("sk-secret-value"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials)

        let db = try catalog()
        try db.execute("PRAGMA foreign_keys = OFF")
        try db.run("INSERT INTO media (generation_id, role, state, updated_at) VALUES (4242, 'thumbnail', 'pending', 'x')")
        let broken = try reel.run(["doctor"], environment: environment)
        #expect(broken.status == 65)
        #expect(broken.stdout.contains(": an orphan: its generation row is gone; run `reel gc` to remove it"), "\(broken.stdout)")
        let json = try reel.run(["doctor", "--json"], environment: environment)
        let findings = (try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])?["findings"] as? [[String: String]]
        #expect(findings?.first?["area"] == "catalog")

        #expect(try reel("gc").stdout.contains("removed orphan-media: media row "))
        #expect(try reel.run(["doctor"], environment: environment).status == 0)
    }
}
