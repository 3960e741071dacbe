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
