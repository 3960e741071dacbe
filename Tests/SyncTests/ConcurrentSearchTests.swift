import Foundation
import Testing
import TestSupport

/// `reel search` in a loop while `reel sync` writes (items and their files): every search succeeds,
/// prints valid JSON, and every clip it names is whole on disk. Its latency under the write load is
/// reported (p50, p99), not asserted: these machines are noisy.
@Suite struct ConcurrentSearchTests {
    @Test func searchesDuringASyncNeverFailAndNeverSeeHalfAnItem() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 120, seed: 12)
        fixture.clock?.advance(by: 3600)
        let sync = try fixture.start(["sync", "--jobs", "2"])
        var latencies: [Double] = []
        var failures: [String] = []
        var sawItems = false
        let queries = [["a"], ["state:completed"], ["has:video", "--sort", "dur-"], ["city", "OR", "night"], ["-state:failed"]]
        var round = 0
        while sync.isRunning || round < 5 {
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
        await fixture.waitForExit(sync)
        #expect(sync.terminationStatus == 0)
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(sawItems && latencies.count > 5, "searches ran while the sync wrote: \(latencies.count)")
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        print("concurrency: \(sorted.count) searches during a sync of 120 items: p50 \(Int(p50)) ms, p99 \(Int(p99)) ms (whole process, debug build)")
    }
}
