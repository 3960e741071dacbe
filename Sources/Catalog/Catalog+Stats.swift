import SQLite

/// Figures about a set of generations (`reel stats`).
public struct CatalogStats: Sendable, Equatable {
    /// How many generations are selected.
    public var generations = 0
    /// Of those, how many have a stored video.
    public var withVideo = 0
    /// Their total duration in seconds: the stored video's own (from its media info) where there is one,
    /// else the duration the remote gave.
    public var durationSeconds = 0.0
    /// The distinct stored files their media refer to, and their total size in bytes.
    public var storedFiles = 0
    public var storeBytes: Int64 = 0
    /// The distinct tags on them.
    public var tags = 0
    /// Counts by state word, by remote (`local` for local imports), by model, by aspect ratio and by month of
    /// creation (`2024-06`); a missing value counts under ``CatalogStats/unknown``. Most first, then by name;
    /// months in calendar order.
    public var byState: [StatsBucket] = []
    public var byRemote: [StatsBucket] = []
    public var byModel: [StatsBucket] = []
    public var byAspect: [StatsBucket] = []
    public var byMonth: [StatsBucket] = []

    /// The name under which generations without a value are counted.
    public static let unknown = "unknown"

    public init() {}
}

/// One line of a breakdown: a value and how many generations have it.
public struct StatsBucket: Sendable, Equatable {
    public var name: String
    public var count: Int

    public init(_ name: String, _ count: Int) {
        self.name = name
        self.count = count
    }
}

extension Catalog {
    /// Counts and totals over the generations matching a filter.
    ///
    /// A few aggregate queries, each one pass over `generations g WHERE filter`: the stored video is found by
    /// the media table's unique (generation, role, ordinal) index, the stored files by a set of distinct hashes.
    /// All in one read transaction, so the figures agree with each other while a sync writes.
    public func stats(filter: GenerationFilter = .all) throws(CatalogError) -> CatalogStats {
        try sqlite {
            // A savepoint is a read transaction of its own, or nests in the caller's.
            try db.execute("SAVEPOINT stats")
            defer { try? db.execute("RELEASE stats") }
            var stats = CatalogStats()
            let where_ = "(\(filter.sql))"

            let totals = try db.prepare(
                """
                SELECT count(*), count(coalesce(vr.id, v.id)),
                       total(coalesce(ir.duration_s, iv.duration_s, g.duration_s))
                FROM generations g
                LEFT JOIN media vr ON vr.generation_id = g.id AND vr.role = 'video_raw' AND vr.ordinal = 0 AND vr.state = 'stored'
                LEFT JOIN media_info ir ON ir.blob_sha256 = vr.blob_sha256
                LEFT JOIN media v ON v.generation_id = g.id AND v.role = 'video' AND v.ordinal = 0 AND v.state = 'stored'
                LEFT JOIN media_info iv ON iv.blob_sha256 = v.blob_sha256
                WHERE \(where_)
                """)
            try totals.bind(filter.parameters)
            if let row = try totals.step() {
                stats.generations = row[0] ?? 0
                stats.withVideo = row[1] ?? 0
                stats.durationSeconds = row[2] ?? 0
            }
            try totals.run()

            let store = try db.prepare(
                """
                SELECT count(*), total(b.size) FROM blobs b WHERE b.sha256 IN (
                    SELECT m.blob_sha256 FROM generations g JOIN media m ON m.generation_id = g.id
                    WHERE m.blob_sha256 IS NOT NULL AND \(where_))
                """)
            try store.bind(filter.parameters)
            if let row = try store.step() {
                stats.storedFiles = row[0] ?? 0
                stats.storeBytes = Int64(row[1] as Double? ?? 0)
            }
            try store.run()

            stats.tags = try db.scalar(
                Int.self,
                """
                SELECT count(DISTINCT gt.tag_id) FROM generations g JOIN generation_tags gt ON gt.generation_id = g.id
                WHERE \(where_)
                """, parameters: filter.parameters) ?? 0

            let unknown = CatalogStats.unknown
            stats.byState = try buckets("g.state", filter)
            stats.byRemote = try buckets("coalesce(g.remote, 'local')", filter)
            stats.byModel = try buckets("coalesce(g.model, '\(unknown)')", filter)
            stats.byAspect = try buckets("coalesce(g.aspect, '\(unknown)')", filter)
            stats.byMonth = try buckets("coalesce(substr(g.created_at, 1, 7), '\(unknown)')", filter, byName: true)
            return stats
        }
    }

    /// Generations matching `filter`, counted by the value of an expression over `g`.
    private func buckets(_ expression: String, _ filter: GenerationFilter, byName: Bool = false) throws -> [StatsBucket] {
        let order = byName ? "1" : "2 DESC, 1"
        let s = try db.prepare("SELECT \(expression), count(*) FROM generations g WHERE (\(filter.sql)) GROUP BY 1 ORDER BY \(order)")
        try s.bind(filter.parameters)
        return try s.map { row in StatsBucket(row[0] ?? CatalogStats.unknown, row[1] ?? 0) }
    }
}
