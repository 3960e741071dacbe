import SQLite

/// Figures about a set of generations (`reel stats`).
public struct CatalogStats: Sendable, Equatable {
    /// How many generations are selected.
    public var generations = 0
    /// Of those, how many have a stored video.
    public var withVideo = 0
    /// Their total duration in seconds: the stored video's own (from its media info) where there is one,
    /// else the duration the remote gave. The stored video is the unwatermarked one when there are both, as in
    /// ``Catalog/summaries(limit:offset:)``.
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
    /// Generation rows are large (they keep the remote's payload), so they are read once: one pass groups by
    /// model and aspect and sums durations, finding the stored video through the media table's unique
    /// (generation, role, ordinal) index (the watermarked copy is looked up only when there is no other). Remote × state and month are grouped from their indexes when the
    /// filter allows. Store size and tags are read from media and links alone for ``GenerationFilter/all``.
    /// All in one read transaction, so the figures agree with each other while a sync writes.
    public func stats(filter: GenerationFilter = .all) throws(CatalogError) -> CatalogStats {
        try sqlite {
            // A savepoint is a read transaction of its own, or nests in the caller's.
            try db.execute("SAVEPOINT stats")
            defer { try? db.execute("RELEASE stats") }
            let everything = filter == .all
            // The filter always sits where `g` is the only table in scope, so that a name it leaves unqualified
            // cannot meet a column of the same name in media or links (subqueries in FROM are flattened: no cost).
            let selected = "generations g WHERE (\(filter.sql))"
            var stats = CatalogStats()
            var models: [String: Int] = [:], aspects: [String: Int] = [:]
            var remotes: [String: Int] = [:], states: [String: Int] = [:], months: [String: Int] = [:]

            try each(
                """
                SELECT g.model, g.aspect, count(*), count(coalesce(vr.id, v.id)),
                       total(coalesce(ir.duration_s, iv.duration_s, g.duration_s))
                FROM (SELECT g.id, g.model, g.aspect, g.duration_s FROM generations g WHERE (\(filter.sql))) g
                LEFT JOIN media vr ON vr.generation_id = g.id AND vr.role = 'video_raw' AND vr.ordinal = 0 AND vr.state = 'stored'
                LEFT JOIN media_info ir ON ir.blob_sha256 = vr.blob_sha256
                LEFT JOIN media v ON vr.id IS NULL AND v.generation_id = g.id AND v.role = 'video' AND v.ordinal = 0
                    AND v.state = 'stored'
                LEFT JOIN media_info iv ON iv.blob_sha256 = v.blob_sha256
                GROUP BY 1, 2
                """, filter.parameters
            ) { row in
                let count: Int = row[2] ?? 0
                models[row[0] ?? CatalogStats.unknown, default: 0] += count
                aspects[row[1] ?? CatalogStats.unknown, default: 0] += count
                stats.generations += count
                stats.withVideo += row[3] ?? 0
                stats.durationSeconds += row[4] ?? 0
            }
            try each("SELECT g.remote, g.state, count(*) FROM \(selected) GROUP BY g.remote, g.state", filter.parameters) { row in
                remotes[row[0] ?? "local", default: 0] += row[2] ?? 0
                states[row[1] ?? CatalogStats.unknown, default: 0] += row[2] ?? 0
            }
            try each("SELECT substr(g.created_at, 1, 7), count(*) FROM \(selected) GROUP BY 1", filter.parameters) { row in
                months[row[0] ?? CatalogStats.unknown, default: 0] += row[1] ?? 0
            }

            // Distinct blobs: a clip kept by two generations (or as video and thumbnail) counts once.
            let referenced = everything
                ? "SELECT m.blob_sha256 FROM media m WHERE m.blob_sha256 IS NOT NULL"
                : """
                  SELECT m.blob_sha256 FROM (SELECT g.id FROM \(selected)) s JOIN media m ON m.generation_id = s.id
                  WHERE m.blob_sha256 IS NOT NULL
                  """
            try each("SELECT count(*), total(b.size) FROM blobs b WHERE b.sha256 IN (\(referenced))", everything ? [] : filter.parameters) { row in
                stats.storedFiles = row[0] ?? 0
                stats.storeBytes = Int64(row[1] as Double? ?? 0)
            }
            let tags = everything
                ? "SELECT count(DISTINCT gt.tag_id) FROM generation_tags gt"
                : "SELECT count(DISTINCT gt.tag_id) FROM (SELECT g.id FROM \(selected)) s JOIN generation_tags gt ON gt.generation_id = s.id"
            try each(tags, everything ? [] : filter.parameters) { row in stats.tags = row[0] ?? 0 }

            stats.byModel = StatsBucket.mostFirst(models)
            stats.byAspect = StatsBucket.mostFirst(aspects)
            stats.byRemote = StatsBucket.mostFirst(remotes)
            stats.byState = StatsBucket.mostFirst(states)
            stats.byMonth = months.map { StatsBucket($0.key, $0.value) }.sorted { $0.name < $1.name }
            return stats
        }
    }

    /// Runs a query and hands each row to `body`.
    private func each(_ sql: String, _ parameters: [SQLiteValue], _ body: (Row) -> Void) throws(SQLiteError) {
        let s = try db.prepare(sql)
        try s.bind(parameters)
        while let row = try s.step() { body(row) }
    }
}

extension StatsBucket {
    /// Most first, ties by name.
    static func mostFirst(_ counts: [String: Int]) -> [StatsBucket] {
        counts.map { StatsBucket($0.key, $0.value) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
    }
}
