import SQLite

/// A condition on generations: an SQL boolean expression over the alias `g` (the `generations` table),
/// with its parameters bound positionally (`?`) in order.
///
/// The query compiler of ReelKit makes these from what a user typed; search, tagging by query, export and
/// stats all select through one. User text only ever reaches SQL as a parameter.
public struct GenerationFilter: Sendable, Equatable {
    /// The expression, e.g. `g.state = ?`.
    public var sql: String
    /// Its parameters, in the order of their `?`.
    public var parameters: [SQLiteValue]

    public init(sql: String, parameters: [SQLiteValue] = []) {
        self.sql = sql
        self.parameters = parameters
    }

    /// Every generation.
    public static let all = GenerationFilter(sql: "1")
}

extension GenerationFilter {
    /// True when every one of `filters` is (true for none).
    public static func allOf(_ filters: [GenerationFilter]) -> GenerationFilter {
        joined(filters, with: " AND ", empty: "1")
    }

    /// True when any of `filters` is (false for none).
    public static func anyOf(_ filters: [GenerationFilter]) -> GenerationFilter {
        joined(filters, with: " OR ", empty: "0")
    }

    /// True where `self` is false or unknown (NULL): `-dur:>5s` keeps clips whose duration is unknown.
    ///
    /// Filters nest as little as SQL allows (a function's argument needs no parentheses of its own, nor a
    /// group around parenthesized members): SQLite's parser has a fixed stack, and `reel search` nests a
    /// level per parenthesis or NOT of the query.
    public var negated: GenerationFilter {
        GenerationFilter(sql: "NOT coalesce(\(sql), 0)", parameters: parameters)
    }

    private static func joined(_ filters: [GenerationFilter], with separator: String, empty: String) -> GenerationFilter {
        if filters.count == 1 { return filters[0] }
        guard !filters.isEmpty else { return GenerationFilter(sql: empty) }
        return GenerationFilter(
            sql: filters.map { "(\($0.sql))" }.joined(separator: separator),
            parameters: filters.flatMap(\.parameters))
    }
}
