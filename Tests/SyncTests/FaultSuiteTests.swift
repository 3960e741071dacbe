import Foundation
import Testing
import TestSupport

/// The fault suite: a remote that fails a third of its answers (500, 429, connection resets, cut-off and
/// slow bodies, HTML error pages), whose links expire in 5 seconds, that makes a generation every second
/// and deletes one every three. Repeated syncs converge to its manifest: every item it lists is in the
/// library with the bytes it serves, what it deleted is kept (marked missing), no blob is corrupt and no
/// item is there twice.
@Suite struct FaultSuiteTests {
    static let faults = "500=0.2,429=0.1,reset=0.05,truncate=0.05,slow=0.02,html=0.02"

    @Test(arguments: ["web", "proxy", "official"])
    func syncsConvergeUnderFaultsExpiringLinksAndAChangingHistory(dialect: String) async throws {
        let fixture = try await SyncFixture(dialect: dialect, count: 30, seed: 17, faults: Self.faults) {
            $0.linkTTL = 5
            $0.newEvery = 1
            $0.deleteEvery = 3
        }
        let clock = try #require(fixture.clock)
        // The world moves on between runs and during each run's downloads (links expire under it).
        for round in 0..<6 {
            clock.advance(by: 4)
            try await fixture.sync { $0.full = round % 2 == 1 } report: { event, progress in
                if event == .phase && progress.phase == .media { clock.advance(by: 6) }
            }
        }
        // Then it stands still (arrivals and deletions follow the simulator's clock): runs until one has
        // nothing left to fail (each run fetches again what failed).
        var runs = 0
        var last = try await fixture.sync { $0.full = true }
        while last.failed > 0 && runs < 6 {
            runs += 1
            last = try await fixture.sync { $0.full = true }
        }
        #expect(last.failed == 0, "converged within \(runs + 1) quiet runs: \(last.failures)")
        try fixture.expectMirrors(try await fixture.manifest(), ignoringMissing: true)

        let db = try fixture.catalog()
        let duplicates = try db.scalar(Int.self, "SELECT count(*) - count(DISTINCT remote_id) FROM generations WHERE remote = 'sim'")
        #expect(duplicates == 0, "no item twice")
        let deleted = try db.scalar(Int.self, "SELECT count(*) FROM generations WHERE remote_missing_at IS NOT NULL") ?? 0
        #expect(deleted > 0, "the remote deleted items the library had, and the library kept them")
        let verify = try await fixture.reel(["verify"])
        #expect(verify.status == 0, "no corrupt blob: \(verify.stdout)")
        let faults = try await fixture.stats()["faults"] as? [String: Int] ?? [:]
        let injected = faults.values.reduce(0, +)
        #expect(injected > 50, "faults were injected: \(faults)")
        print("fault suite: \(dialect): \(injected) faults injected and absorbed \(faults); \(deleted) deleted items kept")
    }
}
