import Foundation
import SQLite

/// A tag's name as the catalog keeps it: lowercased (any script), in Unicode NFC, without the `#` a user
/// may type before it. A namespace is part of the name (`style:noir`).
///
/// A name is 1 to 64 characters without whitespace or control characters, and does not start with `-`
/// (it would read as an option) or `#` (`#noir` is how a user writes `noir`).
public struct TagName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stored form.
    public let value: String

    /// The longest name, in characters.
    public static let maximumLength = 64

    /// Checks and normalises what a user typed. Fails with ``CatalogError/invalidTagName(_:reason:)``.
    public init(_ text: String) throws(CatalogError) {
        var name = Substring(text)
        if name.first == "#" { name = name.dropFirst() }
        // NFC first, so that "Cafe\u{301}" and "Café" are one tag whichever way the keyboard composed it.
        let folded = String(name).precomposedStringWithCanonicalMapping.lowercased()
        if folded.isEmpty {
            throw .invalidTagName(text, reason: text.isEmpty ? "it is empty" : "nothing follows the #")
        }
        if folded.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            throw .invalidTagName(text, reason: "it contains whitespace or a control character")
        }
        if folded.count > Self.maximumLength {
            throw .invalidTagName(text, reason: "it is longer than \(Self.maximumLength) characters")
        }
        if folded.first == "-" || folded.first == "#" {
            throw .invalidTagName(text, reason: "it starts with \(folded.first!)")
        }
        value = folded
    }

    public var description: String { value }

    public static func < (a: TagName, b: TagName) -> Bool { a.value < b.value }

    /// A name as error messages show it: in quotes, control characters escaped, cut when very long, so that
    /// the message stays one line.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return shown.debugDescription
    }
}

/// A tag and how many generations carry it.
public struct TagCount: Sendable, Equatable {
    public var name: String
    public var count: Int

    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// How ``Catalog/tagCounts(order:)`` sorts.
public enum TagOrder: String, Sendable, CaseIterable {
    /// By name.
    case name
    /// Most used first, then by name.
    case count
}

/// What adding or removing tags did.
public struct TagChange: Sendable, Equatable {
    /// The generations selected (by id or by filter).
    public var selected: Int
    /// Links (generation, tag) made or removed.
    public var links: Int
    /// Adding: links that were there already. Removing: always 0.
    public var alreadyThere: Int
    /// Generations that gained or lost at least one of the tags.
    public var changedGenerations: Int
    /// Removing: the names given that no tag has.
    public var unknownTags: [String]

    public init(selected: Int = 0, links: Int = 0, alreadyThere: Int = 0, changedGenerations: Int = 0, unknownTags: [String] = []) {
        self.selected = selected
        self.links = links
        self.alreadyThere = alreadyThere
        self.changedGenerations = changedGenerations
        self.unknownTags = unknownTags
    }
}

/// What renaming a tag did.
public struct TagRenaming: Sendable, Equatable {
    /// True when the new name existed and the old tag was merged into it.
    public var merged: Bool
    /// Generations the old tag was on.
    public var generations: Int
    /// Merging: of those, how many had the new tag already.
    public var alreadyTagged: Int
    /// The old tag's name as it was stored.
    public var oldName: String
    /// Generations the tag (under its new name) is on now.
    public var total: Int

    public init(merged: Bool, generations: Int, alreadyTagged: Int, oldName: String, total: Int) {
        self.merged = merged
        self.generations = generations
        self.alreadyTagged = alreadyTagged
        self.oldName = oldName
        self.total = total
    }
}

extension Catalog {
    // MARK: Adding and removing

    /// Adds tags to generations given by row id, in one transaction (a savepoint inside the caller's). Adding a
    /// tag a generation has is a no-op.
    @discardableResult
    public func addTags(_ names: [TagName], to ids: [Int64], at now: String) throws(CatalogError) -> TagChange {
        try addTags(names, matching: Self.filter(ids: ids), at: now)
    }

    /// Adds tags to every generation matching a filter, in one transaction.
    @discardableResult
    public func addTags(_ names: [TagName], matching filter: GenerationFilter, at now: String) throws(CatalogError) -> TagChange {
        let names = Array(Set(names)).sorted()
        guard !names.isEmpty else { return TagChange() }
        return try atomically {
            let selected = try count(matching: filter)
            guard selected > 0 else { return TagChange() }
            let tagIDs = try ensureTags(names, at: now)
            let changed = try db.scalar(
                Int.self,
                """
                SELECT count(*) FROM generations g
                WHERE (\(filter.sql)) AND EXISTS (
                    SELECT 1 FROM json_each(?) j
                    WHERE NOT EXISTS (SELECT 1 FROM generation_tags x WHERE x.generation_id = g.id AND x.tag_id = j.value))
                """, parameters: filter.parameters + [.text(Self.jsonArray(tagIDs))]) ?? 0
            // One INSERT … SELECT; NOT EXISTS rather than OR IGNORE, because an ignored row would still run the
            // BEFORE INSERT trigger (which removes the generation's index row) but not the AFTER one. The filter
            // sits in a subquery of its own, where `g` is the only table its names can refer to.
            let insert = try db.prepare(
                """
                INSERT INTO generation_tags (generation_id, tag_id, added_at)
                SELECT s.id, j.value, ? FROM (SELECT g.id FROM generations g WHERE (\(filter.sql))) s, json_each(?) j
                WHERE NOT EXISTS (SELECT 1 FROM generation_tags x WHERE x.generation_id = s.id AND x.tag_id = j.value)
                """)
            try insert.bind([.text(now)] + filter.parameters + [.text(Self.jsonArray(tagIDs))])
            try insert.run()
            let links = db.changes
            return TagChange(
                selected: selected, links: links, alreadyThere: selected * names.count - links, changedGenerations: changed)
        }
    }

    /// Removes tags from generations given by row id, in one transaction; a tag left on no generation is deleted.
    @discardableResult
    public func removeTags(_ names: [TagName], from ids: [Int64]) throws(CatalogError) -> TagChange {
        try removeTags(names, matching: Self.filter(ids: ids))
    }

    /// Removes tags from every generation matching a filter, in one transaction; a tag left on no generation
    /// is deleted.
    @discardableResult
    public func removeTags(_ names: [TagName], matching filter: GenerationFilter) throws(CatalogError) -> TagChange {
        let names = Array(Set(names)).sorted()
        guard !names.isEmpty else { return TagChange() }
        return try atomically {
            var change = TagChange(selected: try count(matching: filter))
            var tagIDs: [Int64] = []
            for name in names {
                if let id = try tagID(name) { tagIDs.append(id) } else { change.unknownTags.append(name.value) }
            }
            guard change.selected > 0, !tagIDs.isEmpty else { return change }
            let ids = SQLiteValue.text(Self.jsonArray(tagIDs))
            // Driven by the tags' links (an index range each), each checked against the filter by row id.
            let linked = """
                gt.tag_id IN (SELECT value FROM json_each(?))
                AND EXISTS (SELECT 1 FROM generations g WHERE g.id = gt.generation_id AND (\(filter.sql)))
                """
            change.changedGenerations = try db.scalar(
                Int.self, "SELECT count(DISTINCT gt.generation_id) FROM generation_tags gt WHERE \(linked)",
                parameters: [ids] + filter.parameters) ?? 0
            let delete = try db.prepare("DELETE FROM generation_tags AS gt WHERE \(linked)")
            try delete.bind([ids] + filter.parameters)
            try delete.run()
            change.links = db.changes
            try dropUnusedTags()
            return change
        }
    }

    // MARK: Renaming

    /// Renames a tag. When a tag with the new name exists, the old one is merged into it: its generations get
    /// the new tag (keeping when they were tagged) and the old tag is deleted. A rename that changes only
    /// letter case is allowed.
    @discardableResult
    public func renameTag(_ old: TagName, to new: TagName) throws(CatalogError) -> TagRenaming {
        try atomically {
            guard let oldID = try tagID(old) else { throw CatalogError.unknownTag(old.value) }
            let oldName = try db.scalar(String.self, "SELECT name FROM tags WHERE id = ?", oldID) ?? old.value
            let generations = try db.scalar(Int.self, "SELECT count(*) FROM generation_tags WHERE tag_id = ?", oldID) ?? 0
            let newID = try tagID(new)
            guard let newID, newID != oldID else {
                // The rename triggers re-index every generation the tag is on.
                try db.run("UPDATE tags SET name = ? WHERE id = ?", new.value, oldID)
                return TagRenaming(
                    merged: false, generations: generations, alreadyTagged: 0, oldName: oldName, total: generations)
            }
            // Links are moved by insert and delete, never UPDATE: only those run the index triggers.
            try db.run(
                """
                INSERT INTO generation_tags (generation_id, tag_id, added_at)
                SELECT o.generation_id, ?1, o.added_at FROM generation_tags o
                WHERE o.tag_id = ?2
                  AND NOT EXISTS (SELECT 1 FROM generation_tags x WHERE x.generation_id = o.generation_id AND x.tag_id = ?1)
                """, newID, oldID)
            let moved = db.changes
            // The BEFORE DELETE trigger on tags removes the old links first, keeping the index exact.
            try db.run("DELETE FROM tags WHERE id = ?", oldID)
            let total = try db.scalar(Int.self, "SELECT count(*) FROM generation_tags WHERE tag_id = ?", newID) ?? 0
            return TagRenaming(
                merged: true, generations: generations, alreadyTagged: generations - moved, oldName: oldName, total: total)
        }
    }

    // MARK: Reading

    /// Every tag with the number of generations that carry it.
    public func tagCounts(order: TagOrder = .name) throws(CatalogError) -> [TagCount] {
        let orderBy = order == .name ? "t.name" : "count(gt.generation_id) DESC, t.name"
        return try sqlite {
            try db.prepare(
                """
                SELECT t.name, count(gt.generation_id) FROM tags t
                LEFT JOIN generation_tags gt ON gt.tag_id = t.id
                GROUP BY t.id ORDER BY \(orderBy)
                """
            ).map { row in TagCount(name: row[0] ?? "", count: row[1] ?? 0) }
        }
    }

    /// A generation's tags, by name.
    public func tags(generationID: Int64) throws(CatalogError) -> [String] {
        try tags(generationIDs: [generationID])[generationID] ?? []
    }

    /// The tags of many generations in one query (for listings), each list by name. Generations without
    /// tags are absent.
    public func tags(generationIDs ids: [Int64]) throws(CatalogError) -> [Int64: [String]] {
        guard !ids.isEmpty else { return [:] }
        return try sqlite {
            let s = try db.prepare(
                """
                SELECT gt.generation_id, t.name FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id
                WHERE gt.generation_id IN (SELECT value FROM json_each(?))
                ORDER BY gt.generation_id, t.name
                """)
            try s.bind([Self.jsonArray(ids)])
            var result: [Int64: [String]] = [:]
            while let row = try s.step() {
                result[row[0] ?? 0, default: []].append(row[1] ?? "")
            }
            return result
        }
    }

    /// How many generations match a filter.
    public func count(matching filter: GenerationFilter) throws(CatalogError) -> Int {
        try searchCount(match: nil, filter: filter)
    }

    // MARK: Helpers

    /// The generations with these row ids, as a filter (one parameter, however many ids).
    public static func filter(ids: [Int64]) -> GenerationFilter {
        GenerationFilter(sql: "g.id IN (SELECT value FROM json_each(?))", parameters: [.text(jsonArray(ids))])
    }

    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Runs `body` in one transaction, or in a savepoint inside the caller's transaction, so that tag changes
    /// can be part of a larger write and still roll back as a whole when they fail.
    private func atomically<T>(_ body: () throws -> T) throws(CatalogError) -> T {
        guard db.isInTransaction else { return try transaction(body) }
        return try sqlite {
            try db.execute("SAVEPOINT tags")
            do {
                let result = try body()
                try db.execute("RELEASE tags")
                return result
            } catch {
                try? db.execute("ROLLBACK TO tags")
                try? db.execute("RELEASE tags")
                throw error
            }
        }
    }

    /// The id of the tag with this name, if any.
    private func tagID(_ name: TagName) throws(CatalogError) -> Int64? {
        try sqlite {
            let s = try cached("SELECT id FROM tags WHERE name = ?")
            try s.bind([name.value])
            let id: Int64? = try s.step()?[0]
            try s.run()
            return id
        }
    }

    /// The ids of these tags, creating the ones that do not exist yet.
    private func ensureTags(_ names: [TagName], at now: String) throws(CatalogError) -> [Int64] {
        var ids: [Int64] = []
        for name in names {
            if let id = try tagID(name) {
                ids.append(id)
                continue
            }
            try sqlite {
                try db.run("INSERT INTO tags (name, created_at) VALUES (?, ?)", name.value, now)
                ids.append(db.lastInsertRowID)
            }
        }
        return ids
    }

    /// Deletes tags no generation carries (after a removal, or a generation's deletion), so listings stay clean.
    private func dropUnusedTags() throws(CatalogError) {
        try sqlite {
            try db.run("DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM generation_tags gt WHERE gt.tag_id = tags.id)")
        }
    }
}
