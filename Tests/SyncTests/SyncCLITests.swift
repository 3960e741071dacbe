import Foundation
import ReelKit
import SQLite
import Testing
import TestSupport

/// `reel sync` as a user runs it: the real binary against an in-process simulator.
@Suite struct SyncCLITests {
    @Test func summaryProgressAndJSON() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 30)
        let result = try await fixture.reel(["sync", "--no-media"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sim: 30 new, 0 updated, 0 finished, 0 failed; 0 files"), "\(result.stdout)")
        #expect(result.stderr.contains("sim: page 1: 30 seen, 30 new, 0 updated"), "a line per page off a terminal: \(result.stderr)")
        fixture.clock?.advance(by: 60)
        let json = try await fixture.reel(["sync", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(object["remote"] as? String == "sim" && object["status"] as? String == "finished")
        #expect(object["new"] as? Int == 0 && object["failed"] as? Int == 0)
        #expect((object["downloaded"] as? Int ?? 0) > 30 && (object["bytes"] as? Int ?? 0) > 0)
        for field in ["updated", "finished", "seconds", "seen", "running", "missing", "pendingFiles"] {
            #expect(object[field] != nil, "\(field) in the JSON summary")
        }
        let verify = try await fixture.reel(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func wrongKeyMissingKeyAndRemoteDown() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 5)
        let refused = try await fixture.reel(["sync"], key: "sk-not-this-one")
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("reel: remote sim refused the API key from the environment variable REEL_SIM_KEY (HTTP 401"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("sk-not-this-one") && !refused.stdout.contains("sk-not-this-one"))

        let missing = try await fixture.reel(["sync"], key: "")
        #expect(missing.status == 77 && missing.stderr.contains("no API key for remote sim"), "\(missing.stderr)")

        let port = try closedPort()
        let added = try await fixture.reel(["remote", "add", "down", "--dialect", "web", "--url", "http://127.0.0.1:\(port)", "--key-env", "REEL_SIM_KEY"])
        #expect(added.status == 0)
        let down = try await fixture.reel(["sync", "down", "--retries", "1"])
        #expect(down.status == 69, "\(down.stderr)")
        #expect(down.stderr.contains("reel: remote down (http://127.0.0.1:\(port)) is unavailable"), "\(down.stderr)")
        #expect(!down.stderr.contains("Fatal error"))
    }

    @Test func secondSyncIsRefusedOrWaits() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 8)
        var lock: LibraryLock? = try await LibraryLock.acquire(libraryRoot: fixture.root, purpose: "a test", wait: false)
        let busy = try await fixture.reel(["sync"])
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("another sync holds this library (pid \(getpid()), a test, since"), "\(busy.stderr)")
        #expect(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 0)

        // Released only once the second sync says it waits: a fixed sleep lost that race on a loaded machine.
        let stderrPath = fixture.folder.file("waiting.stderr")
        let waiting = try fixture.start(["sync", "--wait", "--no-media"], stderrTo: stderrPath)
        var said = ""
        for _ in 0..<1200 where waiting.isRunning && !said.contains("waiting for another sync to finish") {
            try await Task.sleep(for: .milliseconds(50))
            said = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        }
        #expect(said.contains("waiting for another sync to finish"), "\(said)")
        #expect(waiting.isRunning, "it waits while the lock is held")
        #expect(lock != nil)
        lock = nil  // released: the waiting sync goes on
        await fixture.waitForExit(waiting)
        #expect(waiting.terminationStatus == 0, "\((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
        #expect(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 8)
    }

    /// kill -9 or Ctrl-C in the middle of fetching files, then sync again: everything is there and verify
    /// is clean. Ctrl-C stops cleanly (exit 130, the run recorded as interrupted); after kill -9 the next
    /// sync finds the run still `running` and marks it interrupted.
    @Test(arguments: [SIGKILL, SIGINT])
    func stoppedSyncContinues(signal: Int32) async throws {
        let fixture = try await SyncFixture(dialect: signal == SIGKILL ? "proxy" : "web", count: 70, seed: 3)
        fixture.clock?.advance(by: 60)
        let process = try fixture.start(["sync", "--jobs", "1"])
        try await waitForStoredFiles(fixture, atLeast: 12, while: process)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let status = try fixture.catalog().scalar(String.self, "SELECT status FROM sync_runs")
        if signal == SIGKILL {
            #expect(process.terminationReason == .uncaughtSignal, "killed mid-sync")
            #expect(status == "running")
        } else {
            #expect(process.terminationStatus == 130)
            #expect(status == "interrupted")
        }

        let again = try await fixture.reel(["sync"])
        #expect(again.status == 0, "\(again.stderr)")
        try fixture.expectMirrors(try await fixture.manifest())
        let runs = try fixture.catalog().prepare("SELECT status FROM sync_runs ORDER BY id").map { $0[0] ?? "" } as [String]
        #expect(runs == ["interrupted", "finished"])
        let verify = try await fixture.reel(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// Readers see whole items while a sync writes: a completed item always comes with its media rows.
    @Test func readersNeverSeeHalfAnItem() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 400, seed: 8)
        let process = try fixture.start(["sync", "--no-media"])
        let catalogPath = Library.catalogPath(in: fixture.root)
        // On a thread of its own: on a busy machine the cooperative pool may not get back to a sleeping
        // test until the sync is over.
        let (reads, halves) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                guard let reader = try? Connection(path: catalogPath, mode: .readOnly) else {
                    return continuation.resume(returning: (0, 1))
                }
                var reads = 0
                var halves = 0
                while process.isRunning {
                    let half = (try? reader.scalar(
                        Int.self,
                        """
                        SELECT count(*) FROM generations g WHERE g.state = 'completed'
                        AND NOT EXISTS (SELECT 1 FROM media m WHERE m.generation_id = g.id AND m.role = 'video_raw')
                        """)) ?? -1
                    if half != 0 { halves += 1 }
                    reads += 1
                    usleep(2000)
                }
                continuation.resume(returning: (reads, halves))
            }
        }
        #expect(halves == 0, "a reader saw completed items without their files' rows")
        #expect(process.terminationStatus == 0)
        #expect(reads > 1, "the reader ran while the sync wrote")
        #expect(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 400)
    }

    private func waitForStoredFiles(_ fixture: SyncFixture, atLeast count: Int, while process: Process) async throws {
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            let stored = (try? fixture.catalog().scalar(Int.self, "SELECT count(*) FROM media WHERE state = 'stored'")) ?? 0
            if stored >= count { return }
        }
    }

    /// A port nothing listens on.
    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
