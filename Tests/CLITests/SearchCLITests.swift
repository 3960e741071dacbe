import Foundation
import Testing
import TestSupport

/// `reel search` as scripts and people use it: every output form, the exit status of a bad query.
@Suite struct SearchCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    /// A library with three real clips, found by the words of their file names (titles are indexed).
    func library() throws {
        #expect(try reel("init").status == 0)
        for name in ["mb__rotate-buck-bunny.mp4", "ax__bbb_642x642_768kbps_30fps_vp9.webm", "ax__h265_bframes.mp4"] {
            try reel.folder.copy(Fixtures.corpus(name), as: "in/\(name)")
        }
        let imported = try reel("import", reel.folder.file("in"))
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    @Test func everyOutputForm() throws {
        try library()
        let json = try reel("search", "bunny", "--json")
        #expect(json.status == 0, "\(json.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        let first = try #require(array.first)
        #expect(first["title"] as? String == "mb__rotate-buck-bunny.mp4")
        #expect(first["width"] as? Int == 1080 && first["height"] as? Int == 1920 && first["codec"] as? String == "h264")
        let path = try #require(first["path"] as? String)
        #expect(FileManager.default.contentsEqual(atPath: path, andPath: Fixtures.corpus("mb__rotate-buck-bunny.mp4")))
        for field in ["id", "created_at", "state", "prompt", "tags", "duration", "size", "sha256"] {
            #expect(first[field] != nil, "\(field) in --json")
        }

        let lines = try reel("search", "--jsonl").stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })

        let csv = try reel("search", "--csv", "--sort", "size-").stdout.split(separator: "\n").map(String.init)
        #expect(csv.count == 4)
        #expect(csv[0].hasPrefix("id,created_at,state,prompt,title,tags,"))
        let sizeColumn = try #require(csv[0].split(separator: ",").firstIndex(of: "size"))
        let sizes = csv.dropFirst().map { Int($0.split(separator: ",", omittingEmptySubsequences: false)[sizeColumn]) ?? -1 }
        #expect(sizes == sizes.sorted(by: >) && sizes.allSatisfy { $0 > 0 }, "\(sizes)")

        let formatted = try reel("search", "vp9", "--format", "{short_id}\\t{width}x{height}\\t{codec}")
        #expect(formatted.stdout.hasSuffix("\t642x642\tvp9\n"), "\(formatted.stdout)")
        #expect(formatted.stdout.split(separator: "\t").first?.count == 8)

        let paths = try reel("search", "--paths", "-0")
        let files = paths.stdout.split(separator: "\0").map(String.init)
        #expect(files.count == 3 && paths.stdout.hasSuffix("\0") && !paths.stdout.contains("\n"))
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0) })

        #expect(try reel("search", "--count").stdout == "3\n")
        #expect(try reel("search", "--count", "h:>=1080").stdout == "1\n")
        #expect(try reel("search", "--count", "-bunny").stdout == "2\n", "a leading dash negates, it is no option")
        #expect(try reel("search", "--count", "codec:hevc|vp9", "aspect:square").stdout == "1\n")
        #expect(try reel("search", "--limit", "1", "--offset", "1", "--jsonl").stdout.split(separator: "\n").count == 1)

        let table = try reel("search", "bbb")
        #expect(table.status == 0 && table.stdout.hasPrefix("ID"))
        #expect(table.stdout.contains("642x642"))
    }

    /// Commands that read no media never load libav* (it is loaded on first use): the dynamic loader's own
    /// trace shows which libraries a process opened.
    @Test func searchingLoadsNoMediaLibraries() throws {
        try library()
        let search = try reel("search", "bunny", "--count", environment: ["LD_DEBUG": "libs"])
        #expect(search.stdout == "1\n")
        #expect(search.stderr.contains("libsqlite3"), "the trace is there: \(search.stderr.prefix(200))")
        #expect(!search.stderr.contains("libavformat") && !search.stderr.contains("libavcodec"))
        let probe = try reel("probe", Fixtures.corpus("ax__sample.mp4"), environment: ["LD_DEBUG": "libs"])
        #expect(probe.status == 0 && probe.stderr.contains("libavformat"), "probe loads it when it needs it")
    }

    @Test func badQueriesAndOptionsExit64WithOneLine() throws {
        try library()
        expectOneLineError(try reel("search", "neon", "foo:bar"), status: 64, contains: "column 6 (\"foo:bar\"): unknown field")
        expectOneLineError(try reel("search", "(neon"), status: 64, contains: "column 1")
        expectOneLineError(try reel("search", "dur:>fast"), status: 64, contains: "not a duration")
        #expect(try reel("search", "--format", "{nope}").status == 64)
        #expect(try reel("search", "--sort", "sideways").status == 64)
        #expect(try reel("search", "--jsno").status == 64)
        #expect(try reel("search", "--json", "--csv").status == 64)
    }

    /// Nothing a user types reaches SQLite as syntax: invalid UTF-8, quotes, SQL, a 10,000-character query.
    @Test func hostileArgumentsAreSearchedForOrRefused() throws {
        try library()
        let hostile = [
            "'); DROP TABLE generations; --", "\"", "NEAR(a b)", "*", "^x", String(repeating: "词", count: 10_000),
            String(repeating: "a", count: 10_000), "tag:'; DELETE FROM tags; --",
        ]
        for query in hostile {
            let result = try reel("search", query, "--count")
            #expect(result.status == 0 || result.status == 64, "\(query.prefix(30)): \(result.stderr)")
            #expect(!result.stderr.contains("SQL") && !result.stderr.contains("fts5"), "\(result.stderr)")
        }
        // Bytes that are not UTF-8, through a shell: Swift reads them as U+FFFD.
        let raw = try Shell.run(
            "/bin/sh", ["-c", "\"$0\" search \"$(printf 'neon\\377\\376')\" --count", Fixtures.reelBinary],
            environment: ["REEL_LIBRARY": reel.library, "PATH": "/usr/bin:/bin"], check: false)
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(try reel("search", "--count").stdout == "3\n", "nothing changed")
        #expect(try reel("verify").status == 0)
    }
}
