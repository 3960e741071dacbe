import Catalog
import Foundation
import SQLite

/// A query of the search language, compiled for the catalog.
///
/// When the query's words can drive the full-text index (they are the query, or ANDed with the rest),
/// ``match`` holds them as one FTS5 expression and results rank by relevance; ``filter`` holds the rest.
/// Other shapes (`neon OR tag:x`, `-neon` alone) compile the words into subqueries of ``filter``.
public struct SearchQuery: Sendable, Equatable {
    /// The FTS5 MATCH expression that drives and ranks the search, if any.
    public var match: String?
    /// Every other condition, over the alias `g`.
    public var filter: GenerationFilter

    /// Compiles `text`; an empty query matches everything.
    ///
    /// - Parameters:
    ///   - now: what relative dates (`created:-7d..`, `today`) count from.
    ///   - timeZone: the zone of calendar dates (`created:2024-06-01`).
    public static func compile(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) throws(QueryError) -> SearchQuery {
        let fields = QueryFields(now: now, timeZone: timeZone)
        guard let root = try QueryParser.parse(text, fields: fields) else {
            return SearchQuery(match: nil, filter: .all)
        }
        if let match = fullText(root) { return SearchQuery(match: match, filter: .all) }
        if case .and(let items) = root {
            let words = items.filter { fullText($0) != nil || isNegatedText($0) }
            if words.contains(where: { fullText($0) != nil }), let match = fullText(.and(words)) {
                let rest = items.filter { fullText($0) == nil && !isNegatedText($0) }
                return SearchQuery(match: match, filter: .allOf(rest.map(condition)))
            }
        }
        return SearchQuery(match: nil, filter: condition(root))
    }

    /// The whole query as one filter (words as index subqueries), for tag --query, export and stats.
    public var asFilter: GenerationFilter {
        guard let match else { return filter }
        return .allOf([Self.matching(match), filter].filter { $0 != .all })
    }

    private static func isNegatedText(_ node: QueryNode) -> Bool {
        if case .not(let inner) = node { return fullText(inner) != nil }
        return false
    }

    /// The node as one FTS5 expression, when it is made of words only (FTS5 has no NOT of its own: a
    /// negated word must follow a positive one).
    private static func fullText(_ node: QueryNode) -> String? {
        switch node {
        case .text(let text, let prefix):
            return FullText.quoted(text, prefix: prefix)
        case .condition, .not:
            return nil
        case .or(let items):
            let parts = items.compactMap(fullText)
            return parts.count == items.count ? "(" + parts.joined(separator: " OR ") + ")" : nil
        case .and(let items):
            var positive: [String] = []
            var negative: [String] = []
            for item in items {
                if let part = fullText(item) {
                    positive.append(part)
                } else if case .not(let inner) = item, let part = fullText(inner) {
                    negative.append(part)
                } else {
                    return nil
                }
            }
            guard !positive.isEmpty else { return nil }
            return "(" + positive.joined(separator: " AND ") + ")" + negative.map { " NOT " + $0 }.joined()
        }
    }

    private static func condition(_ node: QueryNode) -> GenerationFilter {
        if let match = fullText(node) { return matching(match) }
        switch node {
        case .text: return .all  // unreachable: a text node is always full text
        case .condition(let filter): return filter
        case .and(let items): return .allOf(items.map(condition))
        case .or(let items): return .anyOf(items.map(condition))
        case .not(let inner): return condition(inner).negated
        }
    }

    private static func matching(_ match: String) -> GenerationFilter {
        GenerationFilter(
            sql: "g.id IN (SELECT rowid FROM generation_fts WHERE generation_fts MATCH ?)", parameters: [.text(match)])
    }
}

/// The filter of a query, for commands that select generations without ranking them.
public enum SearchFilter {
    /// `query` compiled to one filter; a bad query is a usage error naming the token and its column.
    public static func make(query: String, now: Date = Date()) throws(ReelError) -> GenerationFilter {
        do {
            return try SearchQuery.compile(query, now: now).asFilter
        } catch {
            throw ReelError(error)
        }
    }
}
