import Foundation
import Media
import SQLite
import Testing
import TestSupport

/// The "reel" FTS5 tokenizer that every connection registers: CJK pairs, folded words, exact matches.
@Suite struct FullTextTests {
    let folder = TemporaryDirectory()

    /// A real database file with an FTS5 table over `lines` that uses the tokenizer.
    func index(_ lines: [String]) throws -> Connection {
        let db = try Connection(path: folder.file("fts-\(UUID().uuidString).sqlite"))
        try db.execute("CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'reel')")
        try db.transaction { () throws(SQLiteError) in
            let insert = try db.prepare("INSERT INTO t (rowid, body) VALUES (?, ?)")
            for (number, line) in lines.enumerated() {
                try insert.bind([number, line])
                try insert.run()
            }
        }
        return db
    }

    func matches(_ db: Connection, _ expression: String) throws -> Set<Int> {
        let statement = try db.prepare("SELECT rowid FROM t WHERE t MATCH ?")
        try statement.bind([expression])
        return Set(try statement.map { row in row[0] ?? -1 })
    }

    /// The tokens of one text, in order, as the index stores them (term, column offset).
    func tokens(_ text: String) throws -> [String] {
        let db = try index([text])
        try db.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
        return try db.prepare("SELECT term FROM v ORDER BY offset").map { row in row[0] ?? "" }
    }

    @Test func cjkRunsBecomePairsAndWordsFold() throws {
        #expect(try tokens("城市夜景") == ["城市", "市夜", "夜景", "景"])
        #expect(try tokens("夜") == ["夜"])
        #expect(try tokens("Neon CAFÉ crème") == ["neon", "cafe", "creme"])
        #expect(try tokens("穿着red裙子，走在街上") == ["穿着", "着", "red", "裙子", "子", "走在", "在街", "街上", "上"])
        #expect(try tokens("サイバーパンク") == ["サイ", "イバ", "バー", "ーパ", "パン", "ンク", "ク"])
        #expect(try tokens("서울의 밤") == ["서울", "울의", "의", "밤"])
    }

    @Test func aRegisteredConnectionAndAPlainOneDisagreeOnlyAboutCJK() throws {
        let db = try index(["a neon city at night", "赛博朋克风格的城市", "霓虹灯下的赛博朋克", "一个人"])
        #expect(try matches(db, FullText.quoted("赛博朋克")) == [1, 2])
        #expect(try matches(db, FullText.quoted("城市")) == [1])
        #expect(try matches(db, FullText.quoted("人")) == [3], "one character, at the end of its run")
        #expect(try matches(db, FullText.quoted("一")) == [3], "one character, starting a pair")
        #expect(try matches(db, FullText.quoted("NEON")) == [0])
        #expect(try matches(db, FullText.quoted("neo", prefix: true)) == [0])
        #expect(try matches(db, FullText.quoted("neon city")) == [0])
        #expect(try matches(db, FullText.quoted("city neon")) == [])
    }

    /// Every quoting of hostile text is one string to FTS5: no syntax error, no operator, no crash.
    @Test func quotedTextIsNeverSyntax() throws {
        let db = try index(["say \"hello\" NEAR the door", "a OR b AND c NOT d", "star * and colon body:"])
        let hostile = [
            "\"", "\"\"", "hello\" OR \"door", "NEAR", "NEAR(a b)", "*", "a*b", "body:", "^start", "(", ")",
            "'); DROP TABLE t; --", "-", "+", "OR", "AND", "NOT", "\u{0}", "a\u{0}b", String(repeating: "词", count: 5000),
        ]
        for text in hostile {
            _ = try matches(db, FullText.quoted(text))
            _ = try matches(db, FullText.quoted(text, prefix: true))
        }
        #expect(try matches(db, FullText.quoted("hello\" NEAR \"the")) == [0], "the quote is part of the phrase")
        #expect(try matches(db, FullText.quoted("OR b AND")) == [1])
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM t") == 3)
    }

    /// Brute force on the real Chinese prompts: for sampled substrings of 1, 2, 3 and more characters of
    /// the CJK runs, the index finds exactly the lines that contain them.
    @Test func chineseSubstringsFindExactlyTheLinesThatContainThem() throws {
        let lines = Fixtures.prompts("zh")
        try #require(lines.count > 900, "the prompt corpus is missing")
        let db = try index(lines)
        var random = SplitMix64(seed: 42)
        var checked = 0
        for length in [1, 2, 3, 4, 6] {
            for _ in 0..<80 {
                let line = Array(lines[Int(random.next() % UInt64(lines.count))])
                guard line.count >= length else { continue }
                let start = Int(random.next() % UInt64(line.count - length + 1))
                let piece = line[start..<start + length]
                guard piece.allSatisfy({ $0.unicodeScalars.allSatisfy(FullText.isCJK) }) else { continue }
                let term = String(piece)
                let expected = Set(lines.indices.filter { lines[$0].contains(term) })
                let found = try matches(db, FullText.quoted(term))
                #expect(found == expected, "\(term): \(found.count) found, \(expected.count) contain it")
                checked += 1
            }
        }
        #expect(checked > 250)
    }
}
