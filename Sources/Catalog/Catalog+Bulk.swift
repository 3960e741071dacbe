import SQLite

extension Catalog {
    static let bulkColumns = """
        uid, remote, remote_id, origin, prompt, state, raw_state, created_at, model, aspect, resolution, duration_s, \
        loop, kind, parent_uid, failure_reason, liked, title, note, first_seen_at, last_seen_at, remote_missing_at, raw_json
        """

    /// Inserts many generations at once and returns how many it inserted; all or none of them.
    ///
    /// Each INSERT into `generations` fires the trigger that indexes the row, and a statement with a
    /// trigger opens a statement savepoint, at which FTS5 (3.40) writes out its pending terms as a new
    /// segment: row by row, the index is flushed and merged once per row, four to five times the work of
    /// indexing the same rows in one statement. So the rows go first into a temporary table with no
    /// trigger (one statement prepared once, reused), then into `generations` in one INSERT … SELECT: one
    /// savepoint, and FTS5 flushes only when its buffer fills. Run it in ``transaction(_:)`` to commit
    /// large batches at once.
    @discardableResult
    public func insert(_ records: some Sequence<GenerationRecord>) throws(CatalogError) -> Int {
        try sqlite {
            // Temporary: this connection only, never in the catalog file. Typeless columns keep the values
            // as bound; the STRICT table checks them on the way in.
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_generations (\(Self.bulkColumns))")
            let stage = try cached(
                """
                INSERT INTO temp.bulk_generations (\(Self.bulkColumns))
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)
                """)
            var count = 0
            do {
                for g in records {
                    try stage.bind([
                        g.uid, g.remote, g.remoteID, g.origin.rawValue, g.prompt, g.state.rawValue, g.rawState, g.createdAt,
                        g.model, g.aspect, g.resolution, g.durationSeconds, g.loop, g.kind, g.parentUID, g.failureReason,
                        g.liked, g.title, g.note, g.firstSeenAt, g.lastSeenAt, g.remoteMissingAt, g.rawJSON,
                    ] as [any SQLiteBindable])
                    try stage.run()
                    count += 1
                }
                try cached(
                    "INSERT INTO generations (\(Self.bulkColumns)) SELECT \(Self.bulkColumns) FROM temp.bulk_generations ORDER BY rowid"
                ).run()
            } catch {
                try? db.execute("DELETE FROM temp.bulk_generations")
                throw error
            }
            try cached("DELETE FROM temp.bulk_generations").run()
            return count
        }
    }
}
