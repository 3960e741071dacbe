import Foundation
import Testing
import TestSupport

/// `reel search` in a loop while `reel sync` writes (items and their files): every search succeeds,
/// prints valid JSON, and every clip it names is whole on disk. Its latency under the write load is
/// reported (p50, p99), not asserted: these machines are noisy.
///
/// The simulator lets the sync's downloads through a few at a time, after each search, so that the sync
/// cannot end before the searches have run against it (under a loaded machine a search can take longer
/// than a whole sync of small clips).
@Suite struct ConcurrentSearchTests {
    static let downloadsPerSearch = 8

    @Test func searchesDuringASyncNeverFailAndNeverSeeHalfAnItem() async throws {
        let turnstile = Turnstile(permits: Self.downloadsPerSearch)
        let fixture = try await SyncFixture(dialect: "web", count: 120, seed: 12) { $0.beforeMedia = { await turnstile.pass() } }
        fixture.clock?.advance(by: 3600)
        let sync = try fixture.start(["sync", "--jobs", "2"])
        defer { turnstile.open() }
        var latencies: [Double] = []
        var failures: [String] = []
        var sawItems = false
        var searchesDuringTheSync = 0
        let queries = [["a"], ["state:completed"], ["has:video", "--sort", "dur-"], ["city", "OR", "night"], ["-state:failed"]]
        var round = 0
        while sync.isRunning || round < 5 {
            defer { turnstile.grant(Self.downloadsPerSearch) }
            if sync.isRunning { searchesDuringTheSync += 1 }
            let query = queries[round % queries.count]
            round += 1
            let started = ContinuousClock.now
            let result = try await fixture.reel(["search", "--json"] + query)
            let elapsed = ContinuousClock.now - started
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            guard result.status == 0, let items = try? JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]] else {
                failures.append("\(query): exit \(result.status): \(result.stderr)")
                continue
            }
            sawItems = sawItems || !items.isEmpty
            for item in items {
                guard let path = item["path"] as? String else { continue }
                // A stored clip is in place whole: the store renames a file in only after its last byte.
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
                if size != item["size"] as? Int { failures.append("\(item["id"] ?? "?"): \(path) is \(size) bytes, the catalog says \(item["size"] ?? "nil")") }
            }
        }
        turnstile.open()
        await fixture.waitForExit(sync)
        #expect(sync.terminationStatus == 0)
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // 240 downloads (a clip and a thumbnail each), 8 let through per search: ~30 searches overlap it.
        #expect(sawItems && searchesDuringTheSync >= 20, "searches that ran while the sync wrote: \(searchesDuringTheSync)")
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        print("concurrency: \(searchesDuringTheSync) searches during a sync of 120 items: p50 \(Int(p50)) ms, p99 \(Int(p99)) ms (whole process, debug build)")
    }
}
