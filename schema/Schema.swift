/// One numbered step of the catalog's schema, applied once, in its own transaction.
public struct Migration: Sendable {
    /// The `PRAGMA user_version` the catalog has after this step.
    public let version: Int
    /// The file the SQL came from, under `schema/migrations/`.
    public let fileName: String
    /// The SQL to run.
    public let sql: String
}

/// The catalog's SQL migrations, embedded in the binary from `schema/migrations/`.
public enum CatalogSchema {
    /// Every migration, in order. A new file in `schema/migrations/` must be listed here
    /// (a test checks that the two agree): SwiftPM embeds resources under generated names only.
    public static let migrations: [Migration] = [
        Migration(version: 1, fileName: "0001_initial.sql", sql: String(decoding: PackageResources._001_initial_sql, as: UTF8.self)),
        Migration(version: 2, fileName: "0002_sync.sql", sql: String(decoding: PackageResources._002_sync_sql, as: UTF8.self)),
        Migration(version: 3, fileName: "0003_search.sql", sql: String(decoding: PackageResources._003_search_sql, as: UTF8.self)),
        Migration(version: 4, fileName: "0004_requests.sql", sql: String(decoding: PackageResources._004_requests_sql, as: UTF8.self)),
        Migration(version: 5, fileName: "0005_verify.sql", sql: String(decoding: PackageResources._005_verify_sql, as: UTF8.self)),
    ]

    /// The version this build of reel writes and understands.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Written to the SQLite header (`PRAGMA application_id`) so that a reel catalog can be told from
    /// any other SQLite file: the bytes "reel".
    public static let applicationID: Int32 = 0x7265_656C
}
