import Catalog
import Foundation
import SQLite
import Testing
import TestSupport

/// `Catalog.stats` against figures computed here, in Swift, from the rows the test wrote.
@Suite struct CatalogStatsTests {
    /// What the test writes for one generation.
    struct Item {
        var uid: String
        var state: GenerationState
        var remote: String?
        var model: String?
        var aspect: String?
        var createdAt: String?
        var duration: Double?
        /// Blob indexes of the stored unwatermarked video, watermarked video and thumbnail (nil: none).
        var videoRaw: Int?
        var video: Int?
        var thumbnail: Int?
        /// A video row still to download (no blob).
        var pendingVideo: Bool
        var tags: [String]
    }

    struct Blob {
        var sha256: String
        var size: Int64
        var duration: Double?
    }

    let folder = TemporaryDirectory()
    let catalog: Catalog
    let items: [Item]
    let blobs: [Blob]

    /// A small deterministic generator, so a failure repeats.
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ choices: [T]) -> T { choices[next(choices.count)] }
    }

    init() throws {
        catalog = try Catalog.open(path: folder.file("catalog.sqlite"), create: true)
        var random = Generator(state: 42)
        var blobs: [Blob] = []
        for i in 0..<90 {
            let duration: Double? = i % 4 == 3 ? nil : Double(random.next(2000)) / 100 + 1
            blobs.append(Blob(sha256: String(format: "%064x", i), size: Int64(1_000 + random.next(5_000_000)), duration: duration))
        }
        var items: [Item] = []
        for i in 0..<240 {
            let state = random.pick([GenerationState.completed, .completed, .completed, .failed, .running, .queued])
            let month = random.pick(["2023-12", "2024-01", "2024-02", "2024-06", "2024-11"])
            let stored = state == .completed
            items.append(Item(
                uid: String(format: "%08x-0000-4000-8000-000000000000", i), state: state,
                remote: random.pick([nil, "luma", "luma", "hk"]), model: random.pick([nil, "ray-2", "ray-1.6"]),
                aspect: random.pick([nil, "16:9", "9:16", "1:1"]),
                createdAt: random.next(10) == 0 ? nil : "\(month)-1\(random.next(10))T08:00:00.000Z",
                duration: random.pick([nil, 5.0, 9.0, 5.04]),
                // Blobs are shared between items (the same clip twice), which the store size counts once.
                videoRaw: stored && random.next(3) > 0 ? random.next(60) : nil,
                video: stored && random.next(2) == 0 ? random.next(60) : nil,
                thumbnail: stored ? 60 + random.next(20) : nil,
                pendingVideo: !stored && random.next(2) == 0,
                tags: Array(["noir", "keeper", "style:film", "draft"].filter { _ in random.next(4) == 0 })))
        }
        // Blobs 80..<90 are recorded but referenced by nothing (an interrupted import).
        self.items = items
        self.blobs = blobs
        try write()
    }

    private func write() throws {
        let t = "2026-01-01T00:00:00.000Z"
        try catalog.insert(RemoteRecord(name: "luma", dialect: "official", baseURL: "https://a.example", keyEnv: nil, createdAt: t))
        try catalog.insert(RemoteRecord(name: "hk", dialect: "proxy", baseURL: "https://b.example", keyEnv: nil, createdAt: t))
        try catalog.transaction {
            for b in blobs {
                try catalog.insertBlob(BlobRecord(sha256: b.sha256, size: b.size, storedAt: t))
                if let d = b.duration {
                    var info = MediaInfoRecord(blobSHA256: b.sha256, probeJSON: "{}", probedAt: t)
                    info.durationSeconds = d
                    try catalog.upsert(info)
                }
            }
            for item in items {
                var g = GenerationRecord(uid: item.uid, origin: item.remote == nil ? .local : .remote, state: item.state, firstSeenAt: t)
                g.remote = item.remote
                g.remoteID = item.remote == nil ? nil : item.uid
                g.model = item.model
                g.aspect = item.aspect
                g.createdAt = item.createdAt
                g.durationSeconds = item.duration
                let id = try catalog.insert(g)
                for (role, blob) in [(MediaRole.videoRaw, item.videoRaw), (.video, item.video), (.thumbnail, item.thumbnail)] {
                    guard let blob else { continue }
                    var m = MediaRecord(generationID: id, role: role, state: .stored, updatedAt: t)
                    m.blobSHA256 = blobs[blob].sha256
                    try catalog.upsert(m)
                }
                if item.pendingVideo { try catalog.upsert(MediaRecord(generationID: id, role: .video, state: .pending, updatedAt: t)) }
                if !item.tags.isEmpty { try catalog.addTags(try item.tags.map { try TagName($0) }, to: [id], at: t) }
            }
        }
    }

    /// The figures, computed from the test's own rows.
    func expected(_ include: (Item) -> Bool) -> CatalogStats {
        let selected = items.filter(include)
        var stats = CatalogStats()
        stats.generations = selected.count
        stats.withVideo = selected.filter { $0.videoRaw != nil || $0.video != nil }.count
        stats.durationSeconds = selected.reduce(0) { sum, item in
            // The unwatermarked video when there is one (even unprobed), else the watermarked one; as `ls` shows.
            let own = item.videoRaw.map { blobs[$0].duration } ?? item.video.map { blobs[$0].duration } ?? nil
            return sum + (own ?? item.duration ?? 0)
        }
        let referenced = Set(selected.flatMap { [$0.videoRaw, $0.video, $0.thumbnail].compactMap { $0 } })
        stats.storedFiles = referenced.count
        stats.storeBytes = referenced.reduce(0) { $0 + blobs[$1].size }
        stats.tags = Set(selected.flatMap(\.tags)).count
        func buckets(_ key: (Item) -> String, byName: Bool = false) -> [StatsBucket] {
            let counts = Dictionary(grouping: selected, by: key).mapValues(\.count)
            return counts.map { StatsBucket($0.key, $0.value) }.sorted {
                byName ? $0.name < $1.name : ($0.count, $1.name) > ($1.count, $0.name)
            }
        }
        stats.byState = buckets { $0.state.rawValue }
        stats.byRemote = buckets { $0.remote ?? "local" }
        stats.byModel = buckets { $0.model ?? "unknown" }
        stats.byAspect = buckets { $0.aspect ?? "unknown" }
        stats.byMonth = buckets({ $0.createdAt.map { String($0.prefix(7)) } ?? "unknown" }, byName: true)
        return stats
    }

    func expectEqual(_ actual: CatalogStats, _ expected: CatalogStats, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(actual.durationSeconds - expected.durationSeconds) < 1e-6, sourceLocation: sourceLocation)
        var rounded = actual
        rounded.durationSeconds = expected.durationSeconds
        #expect(rounded == expected, sourceLocation: sourceLocation)
    }

    @Test func everythingMatchesWhatWasWritten() throws {
        let stats = try catalog.stats(filter: .all)
        let expectation = expected { _ in true }
        expectEqual(stats, expectation)
        #expect(stats.generations == 240)
        #expect(stats.byMonth.last?.name == "unknown", "months in calendar order; items without a date last")
        // The fixture has what the figures should tell apart.
        #expect(stats.storedFiles < 80, "shared blobs count once; unreferenced ones not at all")
        #expect(stats.byRemote.map(\.name).contains("local"))
        let unprobedRawBesideProbedCopy = items.contains { item in
            guard let raw = item.videoRaw, let copy = item.video else { return false }
            return blobs[raw].duration == nil && blobs[copy].duration != nil
        }
        #expect(unprobedRawBesideProbedCopy, "an unprobed unwatermarked video beside a probed watermarked one")
        let total = try catalog.db.scalar(Int64.self, "SELECT sum(size) FROM blobs") ?? 0
        #expect(stats.storeBytes < total)
    }

    @Test func aFilterSelectsWhatIsCounted() throws {
        let completed = GenerationFilter(sql: "g.state = ?", parameters: [.text("completed")])
        expectEqual(try catalog.stats(filter: completed), expected { $0.state == .completed })
        let lumaInJune = GenerationFilter(
            sql: "g.remote = ? AND g.created_at >= ? AND g.created_at < ?",
            parameters: [.text("luma"), .text("2024-06"), .text("2024-07")])
        expectEqual(try catalog.stats(filter: lumaInJune), expected { $0.remote == "luma" && $0.createdAt?.hasPrefix("2024-06") == true })
        let tagged = GenerationFilter(
            sql: "EXISTS (SELECT 1 FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id WHERE gt.generation_id = g.id AND t.name = ?)",
            parameters: [.text("keeper")])
        expectEqual(try catalog.stats(filter: tagged), expected { $0.tags.contains("keeper") })
    }

    @Test func aFiltersUnqualifiedNamesMeanTheGenerationsColumns() throws {
        // media also has `id` and `state`: the filter must never see it.
        let unqualified = GenerationFilter(sql: "state = ? AND id > ?", parameters: [.text("completed"), .integer(0)])
        expectEqual(try catalog.stats(filter: unqualified), expected { $0.state == .completed })
    }

    @Test func aFilterThatSelectsEverythingAgreesWithAll() throws {
        // `.all` reads store size and tags from media and links alone; any other filter joins the generations.
        #expect(try catalog.stats(filter: GenerationFilter(sql: "g.id > ?", parameters: [.integer(0)])) == catalog.stats(filter: .all))
    }

    @Test func nothingSelectedIsAllZeros() throws {
        let none = GenerationFilter(sql: "g.uid = ?", parameters: [.text("no such id")])
        #expect(try catalog.stats(filter: none) == CatalogStats())
        let empty = try Catalog.open(path: folder.file("empty.sqlite"), create: true)
        #expect(try empty.stats() == CatalogStats())
    }

    @Test func statsInsideATransactionNestsAsASavepoint() throws {
        let inside = try catalog.transaction { try catalog.stats() }
        #expect(inside.generations == 240)
        #expect(!catalog.db.isInTransaction)
    }
}
