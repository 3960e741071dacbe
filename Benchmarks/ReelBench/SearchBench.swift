// The in-process halves of scripts/bench-search.
import Catalog
import Foundation
import Media
import ReelKit
import SQLite

enum SearchBench {
    /// Opens the catalog as reel does, then runs the SQL in $REEL_BENCH_SQL, if set: for experiments such as
    /// REEL_BENCH_SQL="PRAGMA mmap_size = 1000000000" (or "DROP TRIGGER generations_fts_insert" for a build).
    static func open(_ path: String, create: Bool = false) throws -> Catalog {
        let catalog = try Catalog.open(path: path, create: create)
        if let sql = ProcessInfo.processInfo.environment["REEL_BENCH_SQL"], !sql.isEmpty { try catalog.db.execute(sql) }
        return catalog
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func readLines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.isEmpty }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `search-build CATALOG N SEED EN ZH`: N generations into CATALOG through reel's own `Catalog` (so the
    /// "reel" tokenizer indexes them, by the insert trigger), 10,000 per transaction. Prints one JSON object:
    /// rows, seconds, rows_per_s (the inserts and commits only, not generating the records), and sizes.
    static func build(catalogPath: String, count: Int, seed: UInt64, english: String, chinese: String) throws {
        let corpus = SearchCorpus(english: try readLines(english), chinese: try readLines(chinese))
        let catalog = try open(catalogPath, create: true)
        var rng = SplitMix64(seed: seed)
        var inserting: UInt64 = 0
        var generating: UInt64 = 0
        let batchSize = 10_000
        var index = 0
        while index < count {
            let t0 = now()
            var batch: [GenerationRecord] = []
            batch.reserveCapacity(batchSize)
            for i in index..<min(count, index + batchSize) { batch.append(corpus.record(index: i, count: count, &rng)) }
            let t1 = now()
            _ = try catalog.transaction { try catalog.insert(batch) }
            inserting += now() - t1
            generating += t1 - t0
            index += batch.count
        }
        let t2 = now()
        try catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let checkpoint = now() - t2
        let seconds = Double(inserting) / 1e9
        var result = try sizes(catalog)
        result["rows"] = count
        result["seconds"] = seconds
        result["rows_per_s"] = seconds > 0 ? Double(count) / seconds : 0
        result["generate_seconds"] = Double(generating) / 1e9
        result["checkpoint_seconds"] = Double(checkpoint) / 1e9
        print(json(result))
    }

    /// The full-text index's size against the prompt text it covers.
    ///
    /// `index_bytes` is what FTS5 stores: the inverted index (generation_fts_data, its blocks), the per-row
    /// token counts bm25 needs (generation_fts_docsize) and the segment index (generation_fts_idx), each as
    /// the B-tree pages it takes (dbstat), and the logical bytes beside. The index keeps no copy of the
    /// text (external content), so that is all of it.
    static func sizes(_ catalog: Catalog) throws -> [String: Any] {
        let db = catalog.db
        var result: [String: Any] = [:]
        result["text_bytes"] = try db.scalar(Int64.self, "SELECT sum(length(CAST(prompt AS BLOB))) FROM generations") ?? 0
        result["data_bytes"] = try db.scalar(Int64.self, "SELECT sum(length(block)) FROM generation_fts_data") ?? 0
        result["docsize_bytes"] = try db.scalar(Int64.self, "SELECT sum(length(sz)) + 8 * count(*) FROM generation_fts_docsize") ?? 0
        let pageSize = try db.scalar(Int64.self, "PRAGMA page_size") ?? 4096
        let pageCount = try db.scalar(Int64.self, "PRAGMA page_count") ?? 0
        result["catalog_bytes"] = pageSize * pageCount
        if let pages = try? db.prepare(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'generation_fts%' OR name LIKE 'generations%' GROUP BY name")
        {
            var tables: [String: Int64] = [:]
            for (name, bytes) in try pages.map({ row in (row[0] ?? "", row[1] ?? Int64(0)) }) { tables[name] = bytes }
            result["pages"] = tables
            result["index_pages_bytes"] = tables.filter { $0.key.hasPrefix("generation_fts_") }.values.reduce(0, +)
        }
        result["segments"] = try db.scalar(Int64.self, "SELECT count(*) FROM generation_fts_idx") ?? 0
        return result
    }

    /// `search CATALOG QUERIES REPS`: each line of QUERIES is `class<TAB>query[<TAB>…]`. Each query runs once
    /// to warm up, then REPS times timed: compile, then the top 20 by relevance with what listings show.
    /// Prints one JSON object per query: class, query, hits, total (matches, counted untimed) and ms.
    ///
    /// With $REEL_BENCH_WINDOW=W it times ``windowedSearch`` instead: a proposal, not what reel does.
    static func search(catalogPath: String, queriesPath: String, repetitions: Int) throws {
        let catalog = try open(catalogPath)
        let window = Int(ProcessInfo.processInfo.environment["REEL_BENCH_WINDOW"] ?? "") ?? 0
        for line in try readLines(queriesPath) {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 2 else { continue }
            let text = columns[1]
            var times: [Double] = []
            var hits = 0
            for repetition in 0...repetitions {
                let t0 = now()
                let query = try SearchQuery.compile(text)
                let found = try window > 0
                    ? windowedSearch(catalog, match: query.match, filter: query.filter, window: window, limit: 20)
                    : catalog.search(match: query.match, filter: query.filter, sort: .relevance, limit: 20)
                let elapsed = Double(now() - t0) / 1e6
                if repetition > 0 { times.append(elapsed) }
                hits = found.count
            }
            let query = try SearchQuery.compile(text)
            let total = try catalog.searchCount(match: query.match, filter: query.filter)
            print(json(["class": columns[0], "query": text, "hits": hits, "total": total, "ms": times]))
        }
    }

    /// A proposal for Catalog.searchIDs, measured here before it is made: when the words match more than
    /// `window` generations, rank (bm25, ties newest) only the `window` most recently added of them, which
    /// FTS5 reads straight from the end of its doclists; otherwise search as reel does. It bounds the work of
    /// a first page to about `window` rank computations and row lookups, whatever the words match; the
    /// price is that a first page for a very common word is the best of the recent matches, not of all.
    static func windowedSearch(
        _ catalog: Catalog, match: String?, filter: GenerationFilter, window: Int, limit: Int
    ) throws -> [SearchHit] {
        guard let match else { return try catalog.search(match: nil, filter: filter, sort: .relevance, limit: limit) }
        let probe = try catalog.db.prepare(
            "SELECT count(*) FROM (SELECT 1 FROM generation_fts WHERE generation_fts MATCH ? LIMIT ?)")
        try probe.bind([match, window + 1] as [any SQLiteBindable])
        let many: Int = try probe.step()?[0] ?? 0
        guard many > window else { return try catalog.search(match: match, filter: filter, sort: .relevance, limit: limit) }
        let s = try catalog.db.prepare(
            """
            SELECT g.id FROM (SELECT rowid AS id, rank FROM generation_fts WHERE generation_fts MATCH ?
                              ORDER BY rowid DESC LIMIT ?) w
            JOIN generations g ON g.id = w.id WHERE (\(filter.sql))
            ORDER BY w.rank, g.created_at DESC, g.id DESC LIMIT ?
            """)
        try s.bind([SQLiteValue.text(match), .integer(Int64(window))] + filter.parameters + [.integer(Int64(limit))])
        let ids: [Int64] = try s.map { row in row[0] ?? 0 }
        // The filter kept too few of the window: the whole search, as reel does it.
        guard ids.count == limit else { return try catalog.search(match: match, filter: filter, sort: .relevance, limit: limit) }
        let marks = ids.map(String.init).joined(separator: ", ")
        let hits = try catalog.search(match: nil, filter: GenerationFilter(sql: "g.id IN (\(marks))"), sort: .relevance, limit: limit)
        let byID = Dictionary(uniqueKeysWithValues: hits.map { ($0.summary.generation.id, $0) })
        return ids.compactMap { byID[$0] }
    }

    /// `search-plan CATALOG QUERY`: the SQL of the id step and SQLite's plan for it, to see where time goes.
    static func plan(catalogPath: String, text: String) throws {
        let catalog = try open(catalogPath)
        let query = try SearchQuery.compile(text)
        print("match: \(query.match ?? "nil")\nfilter: \(query.filter.sql) \(query.filter.parameters)")
        let source = query.match == nil
            ? "FROM generations g WHERE \(query.filter.sql)"
            : "FROM generation_fts JOIN generations g ON g.id = generation_fts.rowid WHERE generation_fts MATCH ? AND (\(query.filter.sql))"
        let order = query.match == nil ? "g.created_at DESC, g.id DESC" : "generation_fts.rank, g.created_at DESC, g.id DESC"
        let sql = "SELECT g.id \(source) ORDER BY \(order) LIMIT 20"
        let s = try catalog.db.prepare("EXPLAIN QUERY PLAN " + sql)
        try s.bind((query.match.map { [SQLiteValue.text($0)] } ?? []) + query.filter.parameters)
        for row in try s.map({ row in (row[1] ?? Int64(0), row[3] ?? "") }) { print("  \(row.0) \(row.1)") }
    }

    /// `search-sql CATALOG REPS SQL [TEXT…]`: runs SQL (on a connection with reel's tokenizer, so it may touch
    /// generation_fts) once, then REPS times; prints the rows of the first run (at most 5) and the p50 and
    /// the slowest in ms. TEXT arguments are bound to ?1, ?2…; for trying other shapes of a query.
    static func sql(catalogPath: String, repetitions: Int, sql: String, parameters: [String]) throws {
        let catalog = try open(catalogPath)
        let s = try catalog.db.prepare(sql)
        var times: [Double] = []
        for repetition in 0...repetitions {
            let t0 = now()
            try s.bind(parameters)
            let rows = try s.map { row in (0..<row.count).map { "\(row.value(at: $0))" }.joined(separator: " | ") }
            if repetition == 0 {
                for row in rows.prefix(5) { print("  \(row)") }
                print("  (\(rows.count) rows)")
            } else {
                times.append(Double(now() - t0) / 1e6)
            }
        }
        times.sort()
        if !times.isEmpty {
            print(String(format: "p50 %.2f ms, max %.2f ms", times[times.count / 2], times[times.count - 1]))
        }
    }
}
