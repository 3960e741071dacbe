import Catalog
import Foundation
import Media
import ReelKit
import SQLite
import Testing
import TestSupport

/// The query language against brute force: real prompts, real media, real SQLite.
@Suite struct SearchTests {
    let folder = TemporaryDirectory()
    let library: Library
    var catalog: Catalog { library.catalog }
    static let now = Date(timeIntervalSince1970: 1_781_000_000)  // 2026-06-09T10:13:20Z
    static let utc = TimeZone(identifier: "UTC")!

    init() throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
    }

    @discardableResult
    func insert(_ prompt: String, _ configure: (inout GenerationRecord) -> Void = { _ in }) throws -> Int64 {
        var g = GenerationRecord(uid: UUID().uuidString.lowercased(), origin: .local, state: .completed, firstSeenAt: "2026-01-01T00:00:00.000Z")
        g.prompt = prompt
        configure(&g)
        return try catalog.insert(g)
    }

    func ids(_ query: String) throws -> Set<Int64> {
        let compiled = try SearchQuery.compile(query, now: Self.now, timeZone: Self.utc)
        return Set(try catalog.searchIDs(match: compiled.match, filter: compiled.filter))
    }

    /// Words as the index sees them: letters and digits, folded, with CJK runs apart from other letters.
    static func words(_ text: String) -> [String] {
        let folded = text.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        var words: [String] = []
        var current = ""
        var currentIsCJK = false
        for character in folded {
            let isCJK = character.unicodeScalars.first.map(FullText.isCJK) ?? false
            if character.isLetter || character.isNumber {
                if !current.isEmpty && isCJK != currentIsCJK {
                    words.append(current)
                    current = ""
                }
                current.append(character)
                currentIsCJK = isCJK
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.filter { !($0.unicodeScalars.first.map(FullText.isCJK) ?? false) }
    }

    /// Every prompt of the corpus, English and Chinese, and some with accents: each query's results are
    /// exactly the prompts a scan finds.
    @Test func resultsAreExactlyWhatABruteForceScanFinds() throws {
        let accented = ["Café crème at dawn", "a naïve résumé on a desk", "CAFÉ NOIR in the rain", "Über den Wolken, a façade"]
        let prompts = Fixtures.prompts("en") + Fixtures.prompts("zh") + accented
        try #require(prompts.count > 1800, "the prompt corpus is missing")
        var rowIDs: [Int64] = []
        try catalog.transaction { for p in prompts { rowIDs.append(try insert(p)) } }
        let promptWords = prompts.map(Self.words)
        var random = SplitMix64(seed: 7)
        func pick<T>(_ array: [T]) -> T { array[Int(random.next() % UInt64(array.count))] }
        func expectSame(_ query: String, _ contains: (Int) -> Bool) throws {
            let expected = Set(prompts.indices.filter(contains).map { rowIDs[$0] })
            let found = try ids(query)
            #expect(found == expected, "\(query): found \(found.count), \(expected.count) contain it")
        }

        var queries = 0
        // Chinese: 1, 2, 3, 4 and 6 characters from the CJK runs of real prompts.
        let chinese = Fixtures.prompts("zh")
        for length in [1, 2, 3, 4, 6] {
            for _ in 0..<40 {
                let line = Array(pick(chinese))
                guard line.count >= length else { continue }
                let start = Int(random.next() % UInt64(line.count - length + 1))
                let term = String(line[start..<start + length])
                guard term.unicodeScalars.allSatisfy(FullText.isCJK) else { continue }
                try expectSame(term) { prompts[$0].contains(term) }
                queries += 1
            }
        }
        // English words in mixed case, prefixes and phrases of two and three words.
        let english = Fixtures.prompts("en").map(Self.words).filter { $0.count >= 3 }
        for round in 0..<60 {
            let words = pick(english)
            let word = pick(words)
            let typed = round % 3 == 0 ? word.uppercased() : round % 3 == 1 ? word.capitalized : word
            try expectSame(typed) { promptWords[$0].contains(word) }
            if word.count >= 4 {
                let prefix = String(word.prefix(3))
                try expectSame(prefix + "*") { promptWords[$0].contains { $0.hasPrefix(prefix) } }
            }
            let length = 2 + round % 2
            let start = Int(random.next() % UInt64(words.count - length + 1))
            let phrase = Array(words[start..<start + length])
            try expectSame("\"\(phrase.joined(separator: " "))\"") { index in
                let w = promptWords[index]
                return w.count >= length && (0...(w.count - length)).contains { Array(w[$0..<$0 + length]) == phrase }
            }
            queries += 3
        }
        // Accents fold both ways.
        for (query, word) in [("cafe", "cafe"), ("CAFÉ", "cafe"), ("resume", "resume"), ("naïve", "naive"), ("uber", "uber")] {
            try expectSame(query) { promptWords[$0].contains(word) }
        }
        // Operators over words: AND, OR, NOT, -, parentheses, mixed languages.
        let (a, b) = ("city", "dog")
        let has = { (i: Int, w: String) in promptWords[i].contains(w) }
        try expectSame("\(a) \(b)") { has($0, a) && has($0, b) }
        try expectSame("\(a) OR \(b)") { has($0, a) || has($0, b) }
        try expectSame("\(a) -\(b)") { has($0, a) && !has($0, b) }
        try expectSame("\(a) NOT \(b)") { has($0, a) && !has($0, b) }
        try expectSame("-\(a)") { !has($0, a) }
        try expectSame("(\(a) OR \(b)) -cat") { (has($0, a) || has($0, b)) && !has($0, "cat") }
        try expectSame("城市 OR city") { prompts[$0].contains("城市") || has($0, "city") }
        try expectSame("一个 -狗") { prompts[$0].contains("一个") && !prompts[$0].contains("狗") }
        #expect(queries > 300)
    }

    /// Field conditions against the facts read back: real media from the corpus, imported, plus remote items.
    @Test func everyFieldAndOperatorSelectsWhatItSays() throws {
        var imported: [String] = []
        Importer(library: library).run(paths: [
            Fixtures.corpus("mb__rotate-buck-bunny.mp4"), Fixtures.corpus("ax__bbb_642x642_768kbps_30fps_vp9.webm"),
            Fixtures.corpus("ax__h265_bframes.mp4"),
        ]) { event in
            if case .imported(let uid) = event.outcome { imported.append(uid) }
        }
        try #require(imported.count == 3)
        try catalog.insert(RemoteRecord(name: "luma", dialect: "official", baseURL: "https://api.example", keyEnv: nil, createdAt: "2026-01-01T00:00:00.000Z"))
        let day: TimeInterval = 86_400
        for (index, state) in GenerationState.allCases.enumerated() {
            for copy in 0..<3 {
                try insert("remote item \(index) \(copy)") { g in
                    g.origin = .remote
                    g.remote = "luma"
                    g.remoteID = g.uid
                    g.state = state
                    g.model = ["ray-2", "ray-flash-2", "Ray-1.6"][copy]
                    g.aspect = ["16:9", "9:16", "1:1"][(index + copy) % 3]
                    g.resolution = ["540p", "720p", "1080p"][copy]
                    g.durationSeconds = [5.04, 9.04, 5.5][(index + copy) % 3]
                    g.liked = copy == 0 ? true : copy == 1 ? false : nil
                    g.createdAt = Timestamp.string(from: Self.now.addingTimeInterval(-Double(index * 40 + copy * 3) * day))
                    g.remoteMissingAt = copy == 2 ? "2026-05-01T00:00:00.000Z" : nil
                }
            }
        }
        for uid in imported {
            try catalog.db.run("UPDATE generations SET created_at = ? WHERE uid = ?", Timestamp.string(from: Self.now.addingTimeInterval(-2 * day)), uid)
        }
        try catalog.db.execute("INSERT INTO tags (name, created_at) VALUES ('style:noir', ''), ('style:pop', ''), ('draft', ''), ('café', '')")
        try catalog.db.execute(
            """
            INSERT INTO generation_tags (generation_id, tag_id, added_at)
            SELECT g.id, t.id, '' FROM generations g, tags t
            WHERE (t.name = 'style:noir' AND g.id % 2 = 0) OR (t.name = 'style:pop' AND g.id % 3 = 0) OR (t.name = 'draft' AND g.id % 5 = 0) OR (t.name = 'café' AND g.id % 4 = 1)
            """)

        let facts = try Fact.all(catalog)
        try #require(facts.count == 18)
        let iso = { (date: String) in Timestamp.string(from: ISO8601DateFormatter().date(from: date)!) }
        var cases: [(String, (Fact) -> Bool)] = []
        func add(_ query: String, _ predicate: @escaping (Fact) -> Bool) { cases.append((query, predicate)) }
        add("state:failed") { $0.state == "failed" }
        add("state:done|queued") { $0.state == "completed" || $0.state == "queued" }
        add("-state:completed") { $0.state != "completed" }
        add("model:ray-2") { $0.model == "ray-2" }
        add("model:RAY-1.6") { $0.model == "Ray-1.6" }
        add("model:ray-*") { $0.model?.lowercased().hasPrefix("ray-") == true }
        add("aspect:9:16") { abs(($0.ratio ?? 0) - 9.0 / 16) < 0.01 }
        add("aspect:16:9|1:1") { r in let ratio = r.ratio ?? 0; return abs(ratio / (16.0 / 9) - 1) < 0.01 || abs(ratio - 1) < 0.01 }
        add("aspect:portrait") { ($0.ratio ?? 1) < 0.99 }
        add("aspect:landscape") { ($0.ratio ?? 1) > 1.01 }
        add("aspect:square") { $0.ratio.map { abs($0 - 1) <= 0.01 } ?? false }
        add("res:720p") { $0.resolution == "720p" }
        add("res:1080p") { $0.resolution == "1080p" }
        add("w:1080") { $0.width == 1080 }
        add("h:>=1000") { ($0.height ?? 0) >= 1000 }
        add("w:600..700") { ($0.width ?? 0) >= 599.5 && ($0.width ?? 0) < 700.5 }
        add("dur:>5s") { ($0.duration ?? 0) > 5 }
        add("dur:5s") { ($0.duration ?? 0) >= 4.5 && ($0.duration ?? 0) < 5.5 }
        add("dur:<=5.5s") { ($0.duration ?? 99) <= 5.5 }
        add("dur:..0.1m") { ($0.duration ?? 99) < 0.15 * 60 }
        add("dur:1m..") { ($0.duration ?? 0) >= 30 }
        add("-dur:>5s") { !(($0.duration ?? 0) > 5) }
        add("fps:30") { ($0.fps ?? 0) >= 29.5 && ($0.fps ?? 0) < 30.5 }
        add("fps:<26") { ($0.fps ?? 99) < 26 }
        add("codec:hevc") { $0.codecs.contains("hevc") }
        add("codec:h265|vp9") { $0.codecs.contains("hevc") || $0.codecs.contains("vp9") }
        add("codec:aac") { $0.codecs.contains("aac") }
        add("size:>100KB") { ($0.size ?? 0) > 100_000 }
        add("size:<1MiB") { ($0.size ?? Double.greatestFiniteMagnitude) < 1_048_576 }
        add("liked:yes") { $0.liked == true }
        add("liked:no") { $0.liked != true }
        add("remote:luma") { $0.remote == "luma" }
        add("remote:none") { $0.remote == nil }
        add("created:2026-06") { ($0.created ?? "") >= iso("2026-06-01T00:00:00Z") && ($0.created ?? "") < iso("2026-07-01T00:00:00Z") }
        add("created:>2026-05") { ($0.created ?? "") >= iso("2026-06-01T00:00:00Z") }
        add("created:2026-01-01..2026-03-31") { ($0.created ?? "") >= iso("2026-01-01T00:00:00Z") && ($0.created ?? "") < iso("2026-04-01T00:00:00Z") }
        add("created:-7d..") { ($0.created ?? "") >= Timestamp.string(from: Self.now.addingTimeInterval(-7 * day)) }
        add("created:-7d") { ($0.created ?? "") >= Timestamp.string(from: Self.now.addingTimeInterval(-7 * day)) }
        add("created:-100d..-30d") { c in (c.created ?? "") >= Timestamp.string(from: Self.now.addingTimeInterval(-100 * day)) && (c.created ?? "") < Timestamp.string(from: Self.now.addingTimeInterval(-30 * day)) }
        add("created:today") { ($0.created ?? "") >= iso("2026-06-09T00:00:00Z") && ($0.created ?? "") < iso("2026-06-10T00:00:00Z") }
        add("created:<2026") { ($0.created ?? "9") < iso("2026-01-01T00:00:00Z") }
        add("has:video") { $0.hasVideo }
        add("has:audio") { $0.codecs.contains("aac") || $0.codecs.contains("opus") || $0.codecs.contains("vorbis") || $0.codecs.contains("mp3") }
        add("-has:video") { !$0.hasVideo }
        add("is:downloaded") { $0.hasVideo }
        add("is:missing") { $0.missing }
        add("is:local") { $0.remote == nil }
        add("tag:style:noir") { $0.tags.contains("style:noir") }
        add("#DRAFT") { $0.tags.contains("draft") }
        add("tag:CAFE\u{301}") { $0.tags.contains("café") }
        add("tag:style:*") { $0.tags.contains { $0.hasPrefix("style:") } }
        add("-tag:draft") { !$0.tags.contains("draft") }
        add("noir") { $0.tags.contains("style:noir") }
        add("tag:draft OR liked:yes") { $0.tags.contains("draft") || $0.liked == true }
        add("(state:failed OR state:queued) aspect:9:16") { ($0.state == "failed" || $0.state == "queued") && abs(($0.ratio ?? 0) - 9.0 / 16) < 0.01 }
        add("NOT (liked:yes OR is:missing)") { !($0.liked == true || $0.missing) }
        add("remote item state:failed") { $0.prompt.hasPrefix("remote item") && $0.state == "failed" }
        add("item 3 OR has:audio") { $0.prompt.hasPrefix("remote item 3") || $0.codecs.contains("aac") }
        add("item AND 2") { $0.prompt.hasPrefix("remote item") && $0.prompt.contains(" 2") }
        for (query, predicate) in cases {
            let expected = Set(facts.filter(predicate).map(\.id))
            #expect(try ids(query) == expected, "\(query)")
        }
        // Every condition compiles into one filter that selects the same (what tag --query and stats use).
        for (query, _) in cases {
            let filter = try SearchFilter.make(query: query, now: Self.now)
            let statement = try catalog.db.prepare("SELECT g.id FROM generations g WHERE \(filter.sql)")
            try statement.bind(filter.parameters)
            let selected = Set(try statement.map { row in row[0] ?? Int64(0) })
            let compiled = try SearchQuery.compile(query, now: Self.now)
            #expect(selected == Set(try catalog.searchIDs(match: compiled.match, filter: compiled.filter)), "\(query)")
        }
    }

    @Test func sortLimitAndOffset() throws {
        for (index, prompt) in ["neon city", "neon neon neon city lights", "a city", "neon"].enumerated() {
            try insert(prompt) { $0.createdAt = "2026-0\(index + 1)-01T00:00:00.000Z"; $0.durationSeconds = Double(10 - index) }
        }
        let all = try catalog.searchIDs(match: nil, filter: .all)
        #expect(all == all.sorted(by: >), "newest first without words")
        let neon = try SearchQuery.compile("neon")
        let ranked = try catalog.search(match: neon.match, filter: neon.filter)
        #expect(ranked.first?.summary.generation.prompt == "neon", "the shortest all-neon prompt ranks first (bm25)")
        #expect(ranked.count == 3)
        let byDuration = try catalog.search(match: nil, filter: .all, sort: .durationDescending).map(\.summary.generation.durationSeconds)
        #expect(byDuration == [10, 9, 8, 7])
        let oldest = try catalog.search(match: nil, filter: .all, sort: .createdAscending, limit: 2, offset: 1)
        #expect(oldest.map(\.summary.generation.prompt) == ["neon neon neon city lights", "a city"])
        #expect(try catalog.searchCount(match: neon.match, filter: neon.filter) == 3)
        #expect(Set(try catalog.searchIDs(match: nil, filter: .all, sort: .random)) == Set(all))
    }

    @Test(arguments: [
        ("foo:bar", 1, "unknown field"), ("neon (city", 6, "never closed"), ("neon city)", 10, "closes no"),
        ("\"neon city", 1, "never closed"), ("dur:>5x", 1, "not a duration"), ("created:2024-13-01", 1, "not a date"),
        ("created:2024-02-30", 1, "not a date"), ("state:sleeping", 1, "unknown state"), ("size:lots", 1, "not a size"),
        ("city OR", 6, "nothing after OR"), ("OR city", 1, "OR needs"), ("city -", 6, "no letters"), ("()", 1, "empty"),
        ("aspect:wide", 1, "aspect"), ("dur:..", 1, "at least one end"), ("has:smell", 1, "unknown has"),
        ("neon NOT", 6, "nothing to negate"), ("tag:", 1, "needs a value"), ("model:a||b", 1, "empty alternative"),
        ("w:>=", 1, "needs a value"), ("created:-7x", 1, "not a time ago"), ("!!!", 1, "no letters"),
    ])
    func badQueriesNameTheTokenAndColumn(query: String, column: Int, message: String) throws {
        let error = #expect(throws: QueryError.self) { try SearchQuery.compile(query) }
        #expect(error?.column == column, "\(query): \(error?.description ?? "")")
        #expect(error?.description.contains(message) == true, "\(query): \(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    /// Hostile text is searched for or refused as a query; SQLite never sees it as SQL or FTS syntax, and
    /// nothing changes.
    @Test func hostileInputNeverReachesSQL() throws {
        for prompt in ["say \"hello\" NEAR the door", "Robert'); DROP TABLE generations; --", "a*b NEAR(c d)", "赛博朋克 city"] {
            try insert(prompt)
        }
        let hostile = [
            "'); DROP TABLE generations; --", "\"", "\"\"\"", "NEAR(a b)", "NEAR", "*", "**", "a*b", "^hello", "hello\"",
            "col:umn", "prompt:hello", "generation_fts:x", "{prompt tags}: hello", "a AND", "AND", "NOT NOT x",
            "\u{0}", "x\u{0}y", "\u{FFFD}\u{FFFD}", "tag:'; DELETE FROM tags; --", "model:%", "model:_", "tag:\\",
            "created:9999-12-31..0000-01-01", "dur:1e309s", "size:99999999999999999999TB", "w:-5", "(((((((((((x)))))))))))",
            String(repeating: "a ", count: 5_000), String(repeating: "(", count: 3_000), String(repeating: "词", count: 10_000),
            String(repeating: "-x ", count: 3_000), String(repeating: "x OR ", count: 2_000) + "x",
        ]
        for query in hostile {
            do {
                let compiled = try SearchQuery.compile(query, now: Self.now)
                _ = try catalog.search(match: compiled.match, filter: compiled.filter, limit: 5)
                _ = try catalog.searchCount(match: compiled.match, filter: compiled.filter)
            } catch is QueryError {
                // refused with a message: fine
            } catch {
                Issue.record("\(query.prefix(40)): \(error)")
            }
        }
        #expect(try ids("drop table") .count == 1)
        #expect(try ids("\"hello\" NEAR") .count == 1, "quotes in a phrase are text")
        #expect(try catalog.generationCount() == 4)
        try catalog.db.execute("INSERT INTO generation_fts (generation_fts) VALUES ('integrity-check')")
        #expect(try catalog.db.scalar(String.self, "PRAGMA integrity_check") == "ok")
    }

    /// Found by scripts/fuzz (Fuzz/regressions/query): a quote or a NUL followed by a combining mark is one
    /// Swift Character that equals neither, so escaping Character by Character let it through raw and
    /// FTS5 refused the expression ("unterminated string"). The same held for `%`, `_` and `*` in a
    /// `model:`/`tag:` pattern (LIKE reads scalars). Each is text to search for, never syntax.
    @Test func quotesAndWildcardsCarryingCombiningMarksStayText() throws {
        let quoted = try insert("say V\"\u{0749} then \"\u{0301}x") { $0.model = "_\u{0301}ray" }
        let other = try insert("say V then x") { $0.model = "a\u{0301}ray" }
        for query in ["V\"\u{0749}", "\"\u{0301}x", "\"V\"\"\u{0749}\"", "x\u{0}\u{0301}y", "\u{0}\u{0301}", "V\"\u{0749}*"] {
            do {
                let compiled = try SearchQuery.compile(query, now: Self.now, timeZone: Self.utc)
                _ = try catalog.searchIDs(match: compiled.match, filter: compiled.filter)
                _ = try SearchFilter.make(query: query, now: Self.now)
            } catch is QueryError {
                // refused with a message: fine
            } catch {
                Issue.record("\(query.debugDescription): \(error)")
            }
        }
        #expect(try ids("V\"\u{0749}") == ids("V"), "the quote and the mark are no token: the word is v")
        // `_` + U+0301 is a literal underscore: it must not match any one letter (a) as a LIKE wildcard would.
        #expect(try ids("model:_\u{0301}*") == [quoted])
        #expect(try ids("model:*\u{0301}ray") == [quoted, other])
        #expect(try ids("model:%\u{0301}*").isEmpty)
    }

    /// Found by scripts/fuzz (Fuzz/regressions/query): `-----------------o` (17 NOTs) compiled to SQL that
    /// SQLite's parser refused ("parser stack overflow": its stack is fixed, 100 entries in Debian's
    /// 3.40), an internal error instead of the parser's message. The deepest shapes the parser accepts
    /// must run wherever a query's filter goes (search, count, stats, tag --query), and one level more
    /// is refused with the parser's message.
    @Test func theDeepestQueriesAcceptedRunEverywhere() throws {
        let deepest = 8  // QueryParser.maximumDepth: parentheses, NOTs and the term itself
        let id = try insert("x a b") { $0.aspect = "9:16" }
        _ = try catalog.addTags(try [TagName("t")], to: [id], at: "2026-01-01T00:00:00.000Z")
        // (opening, closing, levels of the depth each adds); the term inside is aspect:portrait.
        let shapes = [
            ("-", "", 1), ("(aspect:portrait OR x ", ")", 1), ("(x aspect:portrait OR ", ")", 1),
            ("-(aspect:portrait OR x ", ")", 2), ("(a OR -(b ", "))", 3), ("((x ", ") OR aspect:9:16)", 2),
        ]
        for (open, close, cost) in shapes {
            let levels = (deepest - 1) / cost
            let query = String(repeating: open, count: levels) + "aspect:portrait" + String(repeating: close, count: levels)
            let compiled = try SearchQuery.compile(query, now: Self.now, timeZone: Self.utc)
            let filter = try SearchFilter.make(query: query, now: Self.now)
            let uses: [(String, () throws -> Void)] = [
                ("search", { _ = try catalog.searchIDs(match: compiled.match, filter: compiled.filter, sort: .durationDescending) }),
                ("count", { _ = try catalog.searchCount(match: compiled.match, filter: compiled.filter) }),
                ("stats", { _ = try catalog.stats(filter: filter) }),
                ("count matching", { _ = try catalog.count(matching: filter) }),
                ("tag add", { _ = try catalog.addTags(try [TagName("u")], matching: filter, at: "2026-01-01T00:00:00.000Z") }),
                ("tag rm", { _ = try catalog.removeTags(try [TagName("t"), TagName("u")], matching: filter) }),
            ]
            for (use, run) in uses {
                do { try run() } catch { Issue.record("\(use) \(query): \(error)") }
            }
            let deeper = open + query + close
            let error = #expect(throws: QueryError.self, "\(deeper)") { try SearchQuery.compile(deeper, now: Self.now) }
            #expect(error?.description.contains("nested too deeply") == true, "\(deeper): \(error?.description ?? "")")
        }
    }
}

/// What a generation is, read back from the catalog in plain SQL, for checking conditions by hand.
struct Fact {
    var id: Int64, prompt: String, state: String, model: String?, ratio: Double?, resolution: String?
    var width: Double?, height: Double?, duration: Double?, fps: Double?, codecs: Set<String>, size: Double?
    var liked: Bool?, remote: String?, created: String?, hasVideo: Bool, missing: Bool, tags: Set<String>

    static func all(_ catalog: Catalog) throws -> [Fact] {
        let rows = try catalog.db.prepare(
            """
            SELECT g.id, g.prompt, g.state, g.model, g.aspect, g.resolution, g.duration_s, g.liked, g.remote, g.created_at,
                   g.remote_missing_at, i.width, i.height, i.rotation, i.duration_s, i.fps, i.video_codec, i.audio_codec, b.size,
                   (SELECT group_concat(t.name, '|') FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id WHERE gt.generation_id = g.id)
            FROM generations g
            LEFT JOIN media m ON m.generation_id = g.id AND m.role IN ('video', 'video_raw') AND m.state = 'stored'
            LEFT JOIN media_info i ON i.blob_sha256 = m.blob_sha256 LEFT JOIN blobs b ON b.sha256 = m.blob_sha256
            """)
        return try rows.map { row in
            let rotated = abs((row[13] as Int?) ?? 0) % 180 == 90
            let w: Double? = rotated ? row[12] : row[11]
            let h: Double? = rotated ? row[11] : row[12]
            let aspect: String? = row[4]
            let sides = aspect?.split(separator: ":").compactMap { Double($0) } ?? []
            let ratio = sides.count == 2 ? sides[0] / sides[1] : w.flatMap { w in h.map { w / $0 } }
            let videoDuration: Double? = row[14]
            return Fact(
                id: row[0] ?? 0, prompt: row[1] ?? "", state: row[2] ?? "", model: row[3], ratio: ratio,
                resolution: row[5] ?? (w.flatMap { w in h.map { "\(Int(min(w, $0)))p" } }),
                width: w, height: h, duration: videoDuration ?? row[6], fps: row[15],
                codecs: Set([row[16], row[17]].compactMap { $0 }), size: row[18], liked: row[7], remote: row[8],
                created: row[9], hasVideo: row[11] as Int? != nil, missing: row[10] as String? != nil,
                tags: Set(((row[19] as String?) ?? "").split(separator: "|").map(String.init)))
        }
    }
}
