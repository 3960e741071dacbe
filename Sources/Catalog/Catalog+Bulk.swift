import SQLite

extension Catalog {
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
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_generations (\(Self.insertColumns))")
            let stage = try cached(
                """
                INSERT INTO temp.bulk_generations (\(Self.insertColumns))
                VALUES (\(Self.insertPlaceholders))
                """)
            var count = 0
            do {
                for g in records {
                    try stage.bind(Self.insertValues(g))
                    try stage.run()
                    count += 1
                }
                try cached(
                    "INSERT INTO generations (\(Self.insertColumns)) SELECT \(Self.insertColumns) FROM temp.bulk_generations ORDER BY rowid"
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
