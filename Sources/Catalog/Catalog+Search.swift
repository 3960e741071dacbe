import SQLite

/// The orders a search can return.
public enum SearchSort: String, Sendable, CaseIterable {
    /// Best full-text match first (bm25), ties newest first; newest first when the query has no words.
    case relevance
    case createdDescending = "created-"
    case createdAscending = "created+"
    case durationDescending = "dur-"
    case durationAscending = "dur+"
    case sizeDescending = "size-"
    case random
}

/// One generation a search found, with what listings show of it.
public struct SearchHit: Sendable, Equatable {
    public var summary: GenerationSummary
    /// The stored video's blob (the unwatermarked copy first) and its size, when there is one.
    public var videoSHA256: String?
    public var videoSize: Int64?
    /// The user's tags, sorted.
    public var tags: [String]
}

extension Catalog {
    /// Generations matching `match` (an FTS5 expression, already escaped) and `filter`, in `sort` order.
    ///
    /// Two steps: the ids of the page (index, filter and order only), then the rows that show them, so a
    /// query that matches 100,000 generations reads the details of 20.
    public func search(
        match: String?, filter: GenerationFilter, sort: SearchSort = .relevance, limit: Int = -1, offset: Int = 0
    ) throws(CatalogError) -> [SearchHit] {
        let ids = try searchIDs(match: match, filter: filter, sort: sort, limit: limit, offset: offset)
        let found = try hitsByID(ids)
        return ids.compactMap { found[$0] }
    }

    /// How many generations match.
    public func searchCount(match: String?, filter: GenerationFilter) throws(CatalogError) -> Int {
        try sqlite {
            let s = try db.prepare("SELECT count(*) \(Self.searchSource(match: match, filter: filter))")
            try s.bind(Self.searchParameters(match: match, filter: filter))
            return try s.step()?[0] ?? 0
        }
    }

    /// The ids of the generations matching, in order: what `search` then reads.
    public func searchIDs(
        match: String?, filter: GenerationFilter, sort: SearchSort = .relevance, limit: Int = -1, offset: Int = 0
    ) throws(CatalogError) -> [Int64] {
        let order: String
        switch sort {
        case .relevance where match != nil: order = "generation_fts.rank, g.created_at DESC, g.id DESC"
        case .relevance, .createdDescending: order = "g.created_at DESC, g.id DESC"
        case .createdAscending: order = "g.created_at IS NULL, g.created_at, g.id"
        case .durationDescending: order = "\(Self.durationSQL) DESC NULLS LAST, g.created_at DESC"
        case .durationAscending: order = "\(Self.durationSQL) IS NULL, \(Self.durationSQL), g.created_at DESC"
        case .sizeDescending: order = "\(Self.sizeSQL) DESC NULLS LAST, g.created_at DESC"
        case .random: order = "random()"
        }
        return try sqlite {
            let s = try db.prepare(
                "SELECT g.id \(Self.searchSource(match: match, filter: filter)) ORDER BY \(order) LIMIT ? OFFSET ?")
            try s.bind(Self.searchParameters(match: match, filter: filter) + [.integer(Int64(limit)), .integer(Int64(offset))])
            return try s.map { row in row[0] ?? 0 }
        }
    }

    /// Prompts (with the title, as indexed) with the words of `match` between `open` and `close`.
    public func highlightedPrompts(match: String, ids: [Int64], open: String, close: String) throws(CatalogError) -> [Int64: String] {
        try sqlite {
            let s = try db.prepare(
                "SELECT highlight(generation_fts, 0, ?, ?) FROM generation_fts WHERE generation_fts MATCH ? AND rowid = ?")
            var result: [Int64: String] = [:]
            for id in ids {
                try s.bind([open, close, match, id] as [any SQLiteBindable])
                if let row = try s.step(), let text: String = row[0] { result[id] = text }
            }
            return result
        }
    }

    private static func searchSource(match: String?, filter: GenerationFilter) -> String {
        match == nil
            ? "FROM generations g WHERE (\(filter.sql))"
            : "FROM generation_fts JOIN generations g ON g.id = generation_fts.rowid WHERE generation_fts MATCH ? AND (\(filter.sql))"
    }

    private static func searchParameters(match: String?, filter: GenerationFilter) -> [SQLiteValue] {
        (match.map { [SQLiteValue.text($0)] } ?? []) + filter.parameters
    }

    static let videoMedia = """
        (SELECT id FROM media WHERE generation_id = g.id AND role IN ('video_raw', 'video') AND state = 'stored'
         ORDER BY role = 'video_raw' DESC LIMIT 1)
        """
    static let durationSQL =
        "coalesce((SELECT i.duration_s FROM media m JOIN media_info i ON i.blob_sha256 = m.blob_sha256 WHERE m.id = \(videoMedia)), g.duration_s)"
    static let sizeSQL = "(SELECT b.size FROM media m JOIN blobs b ON b.sha256 = m.blob_sha256 WHERE m.id = \(videoMedia))"

    private func hitsByID(_ ids: [Int64]) throws(CatalogError) -> [Int64: SearchHit] {
        guard !ids.isEmpty else { return [:] }
        return try sqlite {
            let s = try db.prepare(
                """
                SELECT \(GenerationRecord.columns("g")), \(MediaInfoRecord.columns("i")), m.blob_sha256, b.size
                FROM generations g
                LEFT JOIN media m ON m.id = \(Self.videoMedia)
                LEFT JOIN media_info i ON i.blob_sha256 = m.blob_sha256
                LEFT JOIN blobs b ON b.sha256 = m.blob_sha256
                WHERE g.id IN (SELECT value FROM json_each(?))
                """)
            try s.bind([Self.jsonArray(ids)])
            let tags = try self.tags(generationIDs: ids)
            var hits: [Int64: SearchHit] = [:]
            let infoColumns = GenerationRecord.columnNames.count
            let blobColumn = infoColumns + MediaInfoRecord.columnNames.count
            for hit in try s.map({ row -> SearchHit in
                let generation = GenerationRecord(row: row)
                let info = MediaInfoRecord(row: row.dropping(infoColumns))
                return SearchHit(
                    summary: GenerationSummary(generation: generation, video: info.blobSHA256.isEmpty ? nil : info),
                    videoSHA256: row[blobColumn], videoSize: row[blobColumn + 1], tags: tags[generation.id] ?? [])
            }) {
                hits[hit.summary.generation.id] = hit
            }
            return hits
        }
    }
}
