import Foundation
import SQLite
import Testing
import TestSupport

/// A library with three imported clips, for the tag and stats commands.
struct TaggedLibrary {
    let reel = Reel(folder: TemporaryDirectory())
    /// The three ids, in the order of `files`.
    let ids: [String]
    static let files = ["mb__video.mp4", "ax__sample.mp4", "ax__sample.mkv"]
    static let named = "eaf962b3-f279-4247-9d7d-c27c741e07cb"

    init() throws {
        _ = try reel("init")
        let paths = [
            try reel.folder.copy(Fixtures.corpus(Self.files[0]), as: "in/\(Self.named).mp4"),
            Fixtures.corpus(Self.files[1]), Fixtures.corpus(Self.files[2]),
        ]
        let imported = try reel.run(["import", "-q"] + paths)
        #expect(imported.status == 0, "\(imported.stderr)")
        let list = try JSONSerialization.jsonObject(with: try reel("ls", "--json").stdoutData) as? [[String: Any]] ?? []
        // Each imported item's title is its file name.
        var byFile: [String: String] = [:]
        for item in list { byFile[item["title"] as? String ?? ""] = item["id"] as? String }
        ids = [byFile["\(Self.named).mp4"] ?? "", byFile[Self.files[1]] ?? "", byFile[Self.files[2]] ?? ""]
    }

    func short(_ index: Int) -> String { String(ids[index].prefix(8)) }

    /// FTS5's check of the full-text index against prompts and tags (through reel's SQLite module: the
    /// sqlite3 program lacks reel's tokenizer).
    func indexIsExact() throws -> Bool {
        let db = try Connection(path: reel.library + "/catalog.sqlite", mode: .readWrite)
        do {
            try db.execute("INSERT INTO generation_fts (generation_fts, rank) VALUES ('integrity-check', 1)")
            return true
        } catch {
            return false
        }
    }
}

@Suite struct TagCLITests {
    @Test func addListShowRemoveRename() throws {
        let lib = try TaggedLibrary()
        let reel = lib.reel
        #expect(!lib.ids.contains(""), "three items imported: \(lib.ids)")

        let added = try reel("tag", "add", "Noir", "style:Film", lib.short(0), lib.ids[1])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "tagged 2 generations with noir, style:film\n")
        let again = try reel("tag", "add", "NOIR", "#noir", lib.short(0), lib.short(2))
        #expect(again.stdout == "tagged 2 generations with noir (1 already had it)\n")

        #expect(try reel("tag", "ls").stdout == "noir\t3\nstyle:film\t2\n", "name<TAB>count off a terminal")
        let json = try JSONSerialization.jsonObject(with: try reel("tag", "ls", "--json", "--sort", "count").stdoutData) as? [[String: Any]]
        #expect(json?.map { $0["name"] as? String } == ["noir", "style:film"])
        #expect(json?.map { $0["count"] as? Int } == [3, 2])

        let shown = try reel("show", lib.short(0))
        #expect(shown.stdout.contains("\ntags     noir style:film\n"), "\(shown.stdout)")
        let shownJSON = try JSONSerialization.jsonObject(with: try reel("show", lib.short(0), "--json").stdoutData) as? [String: Any]
        #expect(shownJSON?["tags"] as? [String] == ["noir", "style:film"])
        let untagged = try JSONSerialization.jsonObject(with: try reel("show", lib.short(2), "--json").stdoutData) as? [String: Any]
        #expect(untagged?["tags"] as? [String] == ["noir"])
        let listed = try JSONSerialization.jsonObject(with: try reel("ls", "--json").stdoutData) as? [[String: Any]] ?? []
        let listedTags = Dictionary(uniqueKeysWithValues: listed.map { ($0["id"] as? String ?? "", $0["tags"] as? [String] ?? ["?"]) })
        #expect(listedTags == [lib.ids[0]: ["noir", "style:film"], lib.ids[1]: ["noir", "style:film"], lib.ids[2]: ["noir"]])

        #expect(try reel("tag", "rm", "noir", lib.short(0)).stdout == "removed noir from 1 generation\n")
        #expect(try reel("tag", "rename", "style:film", "film").stdout == "renamed style:film to film (2 generations)\n")
        let merged = try reel("tag", "rename", "Film", "noir")
        #expect(merged.stdout == "merged film into noir: noir is on 3 generations now (2 from film, 1 of them had both)\n")
        #expect(try reel("tag", "rename", "NOIR", "noir").stdout == "the tag is named noir already; nothing changed\n")
        #expect(try reel("tag", "ls").stdout == "noir\t3\n")
        #expect(try lib.indexIsExact())

        let all = try reel("tag", "rm", "noir", "--all")
        #expect(all.stdout == "removed noir from 3 generations\n", "off a terminal nothing asks: \(all.stderr)")
        let empty = try reel("tag", "ls")
        #expect(empty.status == 0 && empty.stdout.isEmpty, "a tag on nothing is gone")
        #expect(try reel("tag", "add", "everything", "--query", "", "--all").stdout == "tagged 3 generations with everything\n")
        #expect(try lib.indexIsExact())
    }

    @Test func idLikeWordsAndTheHashEscape() throws {
        let lib = try TaggedLibrary()
        let reel = lib.reel
        // "decade" is hex: as a tag it reads as an id that matches nothing, unless written #decade.
        expectOneLineError(try reel("tag", "add", "decade", lib.short(1)), status: 66, contains: "no generation matches 'decade' (to use it as a tag, write #decade)")
        #expect(try reel("tag", "add", "#decade", "cafe", lib.short(1)).stdout == "tagged 1 generation with decade, cafe\n")
        expectOneLineError(try reel("tag", "add", lib.short(0), lib.short(1)), status: 64, contains: "'\(lib.short(0))' is a generation id in the place of a tag")
        // An id after the tags that matches nothing is named.
        expectOneLineError(try reel("tag", "add", "noir", "0123456789"), status: 66, contains: "no generation with id 0123456789")
        expectOneLineError(try reel("tag", "rm", "noir", lib.short(1), "abcdef99"), status: 66, contains: "no generation with id abcdef99")
        expectOneLineError(try reel("tag", "add", "noir", "sunset"), status: 64, contains: "no generation id given")
        expectOneLineError(try reel("tag", "add", "noir"), status: 64, contains: "no generation id given")
        #expect(try reel("tag", "ls").stdout == "cafe\t1\ndecade\t1\n", "nothing changed by the refused commands")
    }

    @Test func badInputIsOneLineWithAUsageStatus() throws {
        let lib = try TaggedLibrary()
        let reel = lib.reel
        let id = lib.short(0)
        expectOneLineError(try reel("tag", "add", "two words", id), status: 64, contains: "\"two words\" is not a tag name: it contains whitespace")
        expectOneLineError(try reel("tag", "add", "line\nbreak", id), status: 64, contains: "is not a tag name")
        expectOneLineError(try reel("tag", "add", "--", "-draft", id), status: 64, contains: "it starts with -")
        expectOneLineError(try reel("tag", "add", String(repeating: "x", count: 65), id), status: 64, contains: "longer than 64 characters")
        expectOneLineError(try reel("tag", "add", "x", "--query", ""), status: 64, contains: "add --all to mean that")
        expectOneLineError(try reel("tag", "add", "x", "--all", "--query", "neon"), status: 64, contains: "either --query or --all")
        expectOneLineError(try reel("tag", "add", "--all"), status: 64, contains: "give one or more tags")
        expectOneLineError(try reel("tag", "rename", "ghost", "x"), status: 66, contains: "no tag named \"ghost\"")
        expectOneLineError(try reel("tag", "rename", "ghost", "a b"), status: 64, contains: "is not a tag name")
        #expect(try reel("tag", "ls").stdout.isEmpty)
        #expect(try lib.indexIsExact())
    }

    /// On a terminal, a change by query says how many generations it touches and asks; `-y` does not ask.
    @Test func askingOnATerminal() throws {
        let lib = try TaggedLibrary()
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = lib.reel.library
        environment["NO_COLOR"] = "1"
        // script(1) gives reel a terminal for stdin and stderr; the answer is typed into it.
        func onTerminal(_ command: String, answer: String) throws -> Shell.Result {
            try Shell.run("/usr/bin/script", ["-qec", "\(Fixtures.reelBinary) \(command)", "/dev/null"],
                          environment: environment, stdin: Data(answer.utf8), check: false)
        }
        let declined = try onTerminal("tag add keeper --all", answer: "n\n")
        #expect(declined.status == 1)
        #expect(declined.stdout.contains("tag 3 generations with keeper? [y/N]"), "\(declined.stdout)")
        #expect(declined.stdout.contains("reel: nothing changed"))
        #expect(try lib.reel("tag", "ls").stdout.isEmpty)
        let accepted = try onTerminal("tag add keeper --all", answer: "y\n")
        #expect(accepted.status == 0 && accepted.stdout.contains("tagged 3 generations with keeper"))
        let unasked = try onTerminal("tag rm keeper --all -y", answer: "")
        #expect(unasked.status == 0 && !unasked.stdout.contains("[y/N]"))
        #expect(unasked.stdout.contains("removed keeper from 3 generations"))
    }
}

extension TagCLITests {
    /// `--query` selects with the search language; the tags are searchable at once.
    @Test func tagByQueryAndSearchTheTags() throws {
        let lib = try TaggedLibrary()
        let reel = lib.reel
        let mkv = try reel("tag", "add", "Container:MKV", "--query", "mkv")
        #expect(mkv.stdout == "tagged 1 generation with container:mkv\n", "\(mkv.stderr)")
        #expect(try reel("tag", "add", "sample", "--query", "sample -mkv").stdout == "tagged 1 generation with sample\n")
        #expect(try reel("search", "--count", "tag:container:*").stdout == "1\n")
        #expect(try reel("search", "--count", "container").stdout == "1\n", "a tag's words are in the full-text index")
        #expect(try reel("search", "--count", "#sample OR #container:mkv").stdout == "2\n")
        #expect(try reel("tag", "rm", "sample", "--query", "-tag:sample").stdout.contains("removed sample from 0 generations"))
        #expect(try reel("tag", "rm", "sample", "--query", "tag:sample").stdout == "removed sample from 1 generation\n")
        expectOneLineError(try reel("tag", "add", "x", "--query", "dur:>>5"), status: 64, contains: "bad query at column 1")
        #expect(try reel("tag", "ls").stdout == "container:mkv\t1\n")
        #expect(try lib.indexIsExact())
    }
}

@Suite struct StatsCLITests {
    @Test func statsAsJSONAndText() throws {
        let lib = try TaggedLibrary()
        let reel = lib.reel
        _ = try reel("tag", "add", "noir", "keeper", lib.short(0), lib.short(1))
        let result = try reel("stats", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        #expect(Set(json.keys) == [
            "generations", "with_video", "duration_seconds", "stored_files", "store_bytes", "tags",
            "by_state", "by_remote", "by_model", "by_aspect", "by_month",
        ])
        #expect(json["generations"] as? Int == 3)
        #expect(json["with_video"] as? Int == 3)
        #expect(json["tags"] as? Int == 2)
        #expect(json["by_state"] as? [String: Int] == ["completed": 3])
        #expect(json["by_remote"] as? [String: Int] == ["local": 3])
        #expect(json["by_model"] as? [String: Int] == ["unknown": 3])
        #expect((json["by_month"] as? [String: Int])?.values.reduce(0, +) == 3)
        // Each imported file is one blob: the store holds the three files' bytes.
        let sizes = try TaggedLibrary.files.map { try FileManager.default.attributesOfItem(atPath: Fixtures.corpus($0))[.size] as? Int ?? 0 }
        #expect(json["stored_files"] as? Int == 3)
        #expect(json["store_bytes"] as? Int == sizes.reduce(0, +))
        // The duration is the stored videos' own, as `ls --json` reports each.
        let listed = try JSONSerialization.jsonObject(with: try reel("ls", "--json").stdoutData) as? [[String: Any]] ?? []
        let durations = listed.compactMap { $0["duration"] as? Double }.reduce(0, +)
        #expect(abs((json["duration_seconds"] as? Double ?? 0) - durations) < 0.01)

        let keepers = try JSONSerialization.jsonObject(with: try reel("stats", "tag:keeper", "--json").stdoutData) as? [String: Any]
        #expect(keepers?["generations"] as? Int == 2, "a query counts what it matches")
        let others = try JSONSerialization.jsonObject(with: try reel("stats", "-tag:keeper", "--json").stdoutData) as? [String: Any]
        #expect(others?["generations"] as? Int == 1, "a leading dash negates, it is no option")
        expectOneLineError(try reel("stats", "foo:bar"), status: 64, contains: "unknown field")

        let text = try reel("stats")
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("generations  3\n"), "\(text.stdout)")
        #expect(text.stdout.contains("\nstate\n  completed  3\n"))
        #expect(text.stdout.contains("\nremote\n  local      3\n"))
        #expect(text.stdout.contains("tags         2\n"))
    }

    @Test func anEmptyLibraryIsAllZeros() throws {
        let reel = Reel(folder: TemporaryDirectory())
        _ = try reel("init")
        let json = try JSONSerialization.jsonObject(with: try reel("stats", "--json").stdoutData) as? [String: Any]
        #expect(json?["generations"] as? Int == 0 && json?["store_bytes"] as? Int == 0)
        #expect(json?["by_state"] as? [String: Int] == [:])
        expectOneLineError(try Reel(folder: TemporaryDirectory())("stats"), status: 66, contains: "no library at")
    }
}
