import Catalog
import Foundation
import SQLite
import Testing
import TestSupport

/// Tags through the catalog's API, on real catalog files; the full-text index is checked after every change.
@Suite struct CatalogTagTests {
    let folder = TemporaryDirectory()
    let catalog: Catalog
    let now = "2026-02-03T04:05:06.789Z"

    init() throws {
        catalog = try Catalog.open(path: folder.file("catalog.sqlite"), create: true)
    }

    @discardableResult
    func insert(_ uid: String, prompt: String = "", state: GenerationState = .completed) throws -> Int64 {
        var g = GenerationRecord(uid: uid, origin: .local, state: state, firstSeenAt: "2026-01-01T00:00:00.000Z")
        g.prompt = prompt
        return try catalog.insert(g)
    }

    func names(_ texts: String...) throws -> [TagName] { try texts.map { try TagName($0) } }

    /// FTS5's integrity check, both forms: the index alone, and the index against its content (the view).
    func expectExactIndex(sourceLocation: SourceLocation = #_sourceLocation) {
        let plain = (try? catalog.db.execute("INSERT INTO generation_fts (generation_fts) VALUES ('integrity-check')")) != nil
        let content = (try? catalog.db.execute("INSERT INTO generation_fts (generation_fts, rank) VALUES ('integrity-check', 1)")) != nil
        #expect(plain && content, "the full-text index matches prompts and tags", sourceLocation: sourceLocation)
    }

    /// The uids whose indexed tags match `query` (the `tags` column of the full-text index).
    func tagged(_ query: String) throws -> [String] {
        let s = try catalog.db.prepare(
            """
            SELECT g.uid FROM generation_fts JOIN generations g ON g.id = generation_fts.rowid
            WHERE generation_fts MATCH ? ORDER BY g.uid
            """)
        try s.bind(["tags : " + query])
        return try s.map { row in row[0] ?? "" }
    }

    func counts() throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try catalog.tagCounts().map { ($0.name, $0.count) })
    }

    // MARK: Names

    @Test func namesAreFoldedToOneFormWhateverTheCaseOrComposition() throws {
        #expect(try TagName("Noir").value == "noir")
        #expect(try TagName("#Noir").value == "noir", "a leading # is how a user writes a tag")
        #expect(try TagName("Style:Noir").value == "style:noir", "the namespace is part of the name")
        #expect(try TagName("CAFÉ") == TagName("café"), "non-ASCII letters fold too")
        #expect(try TagName("Cafe\u{301}").value == "caf\u{E9}", "decomposed input is stored composed (NFC)")
        #expect(try TagName("ÆØÅ").value == "æøå")
        #expect(try TagName("赛博朋克").value == "赛博朋克")
        #expect(try TagName("a-b_c.d/e+1").value == "a-b_c.d/e+1")
        #expect(try TagName(String(repeating: "猫", count: 64)).value.count == 64)
    }

    @Test(arguments: [
        ("", "it is empty"), ("#", "nothing follows the #"), ("two words", "whitespace or a control character"),
        ("tab\there", "whitespace"), ("line\nbreak", "whitespace"), ("bell\u{7}", "control character"),
        ("nbsp\u{A0}x", "whitespace"), ("ideographic\u{3000}space", "whitespace"), ("-draft", "it starts with -"),
        ("#-draft", "it starts with -"), ("##double", "it starts with #"),
        (String(repeating: "x", count: 65), "longer than 64 characters"),
    ])
    func badNamesAreRefusedWithAOneLineReason(text: String, reason: String) throws {
        let error = #expect(throws: CatalogError.self) { try TagName(text) }
        let message = error?.description ?? ""
        #expect(message.contains(reason), "\(message)")
        #expect(message.contains("is not a tag name"))
        #expect(!message.contains("\n"), "one line, even for a name with a line break")
    }

    // MARK: Adding

    @Test func addingIsIdempotentAndCaseInsensitive() throws {
        let a = try insert("a", prompt: "neon city")
        let b = try insert("b", prompt: "kitten")
        let c = try insert("c", prompt: "forest")
        let first = try catalog.addTags(try names("Noir"), to: [a, b], at: now)
        #expect(first == TagChange(selected: 2, links: 2, alreadyThere: 0, changedGenerations: 2))
        expectExactIndex()
        let again = try catalog.addTags(try names("noir", "NOIR", "#noir"), to: [a, b, c], at: now)
        #expect(again == TagChange(selected: 3, links: 1, alreadyThere: 2, changedGenerations: 1))
        #expect(try catalog.addTags(try names("noir"), to: [a, b, c], at: now).links == 0)
        #expect(try counts() == ["noir": 3])
        #expect(try catalog.db.scalar(Int.self, "SELECT count(*) FROM tags") == 1)
        #expect(try tagged("noir") == ["a", "b", "c"])
        expectExactIndex()
    }

    @Test func nonASCIINamesAreOneTagInAnyCase() throws {
        let a = try insert("a")
        let b = try insert("b")
        try catalog.addTags(try names("Café"), to: [a], at: now)
        try catalog.addTags(try names("CAFE\u{301}"), to: [b], at: now)
        #expect(try counts() == ["café": 2])
        try catalog.removeTags(try names("CAFÉ"), from: [a])
        #expect(try counts() == ["café": 1])
        expectExactIndex()
    }

    @Test func namespacedTagsAreTheirOwnTags() throws {
        let a = try insert("a")
        try catalog.addTags(try names("style:noir", "noir", "mood:noir"), to: [a], at: now)
        #expect(try catalog.tags(generationID: a) == ["mood:noir", "noir", "style:noir"])
        try catalog.removeTags(try names("noir"), from: [a])
        #expect(try catalog.tags(generationID: a) == ["mood:noir", "style:noir"])
        expectExactIndex()
    }

    @Test func addingRecordsWhenAndTouchesNothingElse() throws {
        let a = try insert("a", prompt: "a neon sign")
        let before = try catalog.generation(id: a)
        try catalog.addTags(try names("x"), to: [a], at: now)
        #expect(try catalog.db.scalar(String.self, "SELECT added_at FROM generation_tags") == now)
        #expect(try catalog.db.scalar(String.self, "SELECT created_at FROM tags") == now)
        #expect(try catalog.generation(id: a) == before)
    }

    @Test func addingToNoGenerationsCreatesNoTag() throws {
        try insert("a")
        let change = try catalog.addTags(try names("orphan"), to: [], at: now)
        #expect(change == TagChange())
        let none = try catalog.addTags(try names("orphan"), matching: GenerationFilter(sql: "g.state = ?", parameters: [.text("queued")]), at: now)
        #expect(none.selected == 0 && none.links == 0)
        #expect(try catalog.tagCounts().isEmpty)
    }

    @Test func thousandsOfIdsGoInOneStatement() throws {
        var ids: [Int64] = []
        try catalog.transaction {
            for i in 0..<40_000 { ids.append(try insert(String(format: "%08x", i))) }
        }
        let change = try catalog.addTags(try names("bulk"), to: ids, at: now)
        #expect(change.links == 40_000, "more ids than SQLite allows parameters: they go as one JSON array")
        #expect(try catalog.removeTags(try names("bulk"), from: Array(ids.prefix(30_000))).links == 30_000)
        #expect(try counts() == ["bulk": 10_000])
        expectExactIndex()
    }

    // MARK: Filters

    @Test func addingAndRemovingByFilterBindsItsParameters() throws {
        for (uid, state) in [("a", GenerationState.failed), ("b", .completed), ("c", .failed), ("d", .running)] {
            try insert(uid, prompt: "clip \(uid)", state: state)
        }
        let failed = GenerationFilter(sql: "g.state = ?", parameters: [.text("failed")])
        #expect(try catalog.count(matching: failed) == 2)
        let added = try catalog.addTags(try names("retry", "check"), matching: failed, at: now)
        #expect(added == TagChange(selected: 2, links: 4, alreadyThere: 0, changedGenerations: 2))
        #expect(try tagged("retry") == ["a", "c"])
        expectExactIndex()

        try catalog.addTags(try names("check"), matching: .all, at: now)
        #expect(try counts() == ["retry": 2, "check": 4])
        let removed = try catalog.removeTags(try names("check"), matching: failed)
        #expect(removed.links == 2 && removed.changedGenerations == 2 && removed.selected == 2)
        #expect(try tagged("check") == ["b", "d"])
        let retry = try catalog.removeTags(try names("retry", "never-made"), matching: .all)
        #expect(retry.links == 2 && retry.unknownTags == ["never-made"])
        #expect(try counts() == ["check": 2], "retry is on nothing now and is gone")
        expectExactIndex()
    }

    @Test func aFiltersUnqualifiedNamesMeanTheGenerationsColumns() throws {
        // json_each has an `id` column and generation_tags a `generation_id`: the filter must see only `g`.
        let a = try insert("a", state: .failed)
        try insert("b")
        let unqualified = GenerationFilter(sql: "id = ? AND state = 'failed'", parameters: [.integer(a)])
        #expect(try catalog.addTags(try names("x", "y"), matching: unqualified, at: now).links == 2)
        #expect(try catalog.removeTags(try names("x"), matching: unqualified).links == 1)
        #expect(try counts() == ["y": 1])
        expectExactIndex()
    }

    @Test func userTextInAFiltersParametersIsNeverSQL() throws {
        try insert("a", state: .failed)
        let hostile = GenerationFilter(sql: "g.prompt = ?", parameters: [.text("'); DROP TABLE tags; --")])
        #expect(try catalog.addTags(try names("x"), matching: hostile, at: now).selected == 0)
        #expect(try catalog.removeTags(try names("x"), matching: hostile).links == 0)
        #expect(try catalog.db.scalar(Int.self, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == 1)
    }

    @Test func aFailingFilterChangesNothing() throws {
        let a = try insert("a")
        try catalog.addTags(try names("kept"), to: [a], at: now)
        let broken = GenerationFilter(sql: "g.no_such_column = ?", parameters: [.integer(1)])
        #expect(throws: CatalogError.self) { try catalog.addTags(try names("new"), matching: broken, at: now) }
        #expect(throws: CatalogError.self) { try catalog.removeTags(try names("kept"), matching: broken) }
        #expect(try counts() == ["kept": 1])
        #expect(!catalog.db.isInTransaction)
        expectExactIndex()
    }

    // MARK: Removing

    @Test func removingDeletesTagsLeftOnNothing() throws {
        let a = try insert("a")
        let b = try insert("b")
        try catalog.addTags(try names("draft", "keep"), to: [a, b], at: now)
        let one = try catalog.removeTags(try names("draft"), from: [a])
        #expect(one == TagChange(selected: 1, links: 1, alreadyThere: 0, changedGenerations: 1))
        #expect(try counts() == ["draft": 1, "keep": 2])
        try catalog.removeTags(try names("Draft"), from: [a, b])
        #expect(try counts() == ["keep": 2])
        #expect(try catalog.db.scalar(Int.self, "SELECT count(*) FROM tags WHERE name = 'draft'") == 0)
        #expect(try tagged("draft").isEmpty)
        let nothing = try catalog.removeTags(try names("keep"), from: [])
        #expect(nothing.links == 0)
        expectExactIndex()
    }

    // MARK: Renaming

    @Test func renamingToANewNameKeepsTheLinks() throws {
        let a = try insert("a")
        let b = try insert("b")
        try catalog.addTags(try names("film"), to: [a, b], at: now)
        let renamed = try catalog.renameTag(try TagName("film"), to: try TagName("Style:Film"))
        #expect(renamed == TagRenaming(merged: false, generations: 2, alreadyTagged: 0, oldName: "film", total: 2))
        #expect(try counts() == ["style:film": 2])
        #expect(try tagged("\"style:film\"") == ["a", "b"])
        expectExactIndex()
    }

    @Test func renamingOntoAnExistingTagMerges() throws {
        let a = try insert("a", prompt: "one")
        let b = try insert("b", prompt: "two")
        let c = try insert("c", prompt: "three")
        try catalog.addTags(try names("favourite"), to: [a, b], at: "2020-01-01T00:00:00.000Z")
        try catalog.addTags(try names("keeper"), to: [b, c], at: now)
        try catalog.addTags(try names("other"), to: [a], at: now)
        let merged = try catalog.renameTag(try TagName("favourite"), to: try TagName("Keeper"))
        #expect(merged == TagRenaming(merged: true, generations: 2, alreadyTagged: 1, oldName: "favourite", total: 3))
        #expect(try counts() == ["keeper": 3, "other": 1])
        #expect(try tagged("favourite").isEmpty)
        #expect(try tagged("keeper") == ["a", "b", "c"])
        #expect(try catalog.tags(generationID: a) == ["keeper", "other"])
        let addedAt = try catalog.db.scalar(
            String.self, "SELECT gt.added_at FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id WHERE t.name = 'keeper' AND gt.generation_id = ?", a)
        #expect(addedAt == "2020-01-01T00:00:00.000Z", "a moved link keeps when it was made")
        expectExactIndex()
    }

    @Test func aCaseOnlyRenameIsAllowed() throws {
        let a = try insert("a")
        try catalog.addTags(try names("noir"), to: [a], at: now)
        let same = try catalog.renameTag(try TagName("NOIR"), to: try TagName("Noir"))
        #expect(same == TagRenaming(merged: false, generations: 1, alreadyTagged: 0, oldName: "noir", total: 1))
        // A name stored with capitals (by another tool, or by hand) is folded by a case-only rename.
        try catalog.db.run("UPDATE tags SET name = 'Noir'")
        expectExactIndex()
        let folded = try catalog.renameTag(try TagName("noir"), to: try TagName("NOIR"))
        #expect(folded.oldName == "Noir" && !folded.merged)
        #expect(try counts() == ["noir": 1])
        expectExactIndex()
    }

    @Test func renamingAnUnknownTagFails() throws {
        let error = #expect(throws: CatalogError.self) { try catalog.renameTag(try TagName("ghost"), to: try TagName("x")) }
        #expect(error?.description == "no tag named \"ghost\"")
        #expect(try catalog.tagCounts().isEmpty)
    }

    // MARK: Reading

    @Test func tagsOfManyGenerationsInOneLookup() throws {
        let a = try insert("a")
        let b = try insert("b")
        let c = try insert("c")
        try catalog.addTags(try names("z", "y"), to: [a], at: now)
        try catalog.addTags(try names("y"), to: [b], at: now)
        let map = try catalog.tags(generationIDs: [a, b, c])
        #expect(map == [a: ["y", "z"], b: ["y"]])
        for id in [a, b, c] { #expect(try catalog.tags(generationID: id) == (map[id] ?? [])) }
        #expect(try catalog.tags(generationIDs: []).isEmpty)
    }

    @Test func countsSortByNameOrByUse() throws {
        let ids = try ["a", "b", "c"].map { try insert($0) }
        try catalog.addTags(try names("beta"), to: ids, at: now)
        try catalog.addTags(try names("alpha"), to: [ids[0]], at: now)
        try catalog.addTags(try names("gamma"), to: [ids[0]], at: now)
        #expect(try catalog.tagCounts(order: .name).map(\.name) == ["alpha", "beta", "gamma"])
        #expect(try catalog.tagCounts(order: .count) == [
            TagCount(name: "beta", count: 3), TagCount(name: "alpha", count: 1), TagCount(name: "gamma", count: 1),
        ])
    }

    @Test func deletingAGenerationKeepsTheIndexExact() throws {
        let a = try insert("a", prompt: "neon")
        let b = try insert("b", prompt: "rain")
        try catalog.addTags(try names("night", "city"), to: [a, b], at: now)
        try catalog.db.run("DELETE FROM generations WHERE id = ?", a)
        #expect(try tagged("night") == ["b"])
        try catalog.renameTag(try TagName("night"), to: try TagName("city"))
        try catalog.removeTags(try names("city"), from: [b])
        #expect(try catalog.tagCounts().isEmpty)
        expectExactIndex()
    }
}
