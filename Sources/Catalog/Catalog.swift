import ReelSchema
import SQLite

/// The SQLite catalog of a library: generations, their media, blobs, tags and sync runs.
///
/// A `Catalog` owns one connection and is not `Sendable`: confine it to one thread or actor.
public final class Catalog {
    /// The connection, for queries the typed methods do not cover.
    public let db: Connection
    /// The catalog file.
    public let path: String
    /// Statements prepared once and reused: sync runs the same few for every item it sees.
    private var statementCache: [String: Statement] = [:]

    private init(db: Connection, path: String) {
        self.db = db
        self.path = path
    }

    /// Opens a catalog, creating it (and bringing its schema up to date) when `create` is true.
    ///
    /// Fails with ``CatalogError/notACatalog(path:reason:)`` for a file that is not a reel catalog and with
    /// ``CatalogError/tooNew(path:found:supported:)`` for one a newer reel wrote; neither case changes the file.
    public static func open(path: String, create: Bool = false) throws(CatalogError) -> Catalog {
        let db: Connection
        do {
            db = try Connection(path: path, mode: create ? .readWriteCreate : .readWrite)
        } catch {
            if error.code == 14 /* SQLITE_CANTOPEN */ && !create { throw .missing(path: path) }
            throw .cannotOpen(path: path, underlying: error)
        }
        let catalog = Catalog(db: db, path: path)
        try catalog.checkIdentity()
        try catalog.configure()
        try catalog.migrate()
        return catalog
    }

    /// Refuses files that are not SQLite, SQLite files of other programs, and catalogs from a newer reel.
    private func checkIdentity() throws(CatalogError) {
        do {
            let applicationID = try db.scalar(Int64.self, "PRAGMA application_id") ?? 0
            let version = try db.scalar(Int.self, "PRAGMA user_version") ?? 0
            let objects = try db.scalar(Int.self, "SELECT count(*) FROM sqlite_schema") ?? 0
            if applicationID != Int64(CatalogSchema.applicationID) {
                // An empty file (or one reel created but never got to migrate) may become a catalog.
                guard applicationID == 0 && objects == 0 && version == 0 else {
                    throw CatalogError.notACatalog(path: path, reason: "an SQLite database of another program")
                }
            }
            if version > CatalogSchema.latestVersion {
                throw CatalogError.tooNew(path: path, found: version, supported: CatalogSchema.latestVersion)
            }
        } catch let error as CatalogError {
            throw error
        } catch let error as SQLiteError {
            if error.isNotADatabase { throw .notACatalog(path: path, reason: "not an SQLite database") }
            throw .cannotOpen(path: path, underlying: error)
        } catch {
            throw .sqlite(SQLiteError(extendedCode: 1, message: "\(error)"))
        }
    }

    private func configure() throws(CatalogError) {
        do throws(SQLiteError) {
            // WAL lets readers run during a sync; FULL makes every commit survive a power cut.
            let mode = try db.scalar(String.self, "PRAGMA journal_mode = WAL")
            if mode?.lowercased() != "wal" {
                throw SQLiteError(extendedCode: 1, message: "could not switch to WAL (journal mode \(mode ?? "?"))")
            }
            try db.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
    }

    /// The schema version of the open catalog.
    public func schemaVersion() throws(CatalogError) -> Int {
        try sqlite { try db.scalar(Int.self, "PRAGMA user_version") ?? 0 }
    }

    /// Applies every migration the catalog lacks, each in one transaction with its version bump.
    private func migrate() throws(CatalogError) {
        let current = try schemaVersion()
        for migration in CatalogSchema.migrations where migration.version > current {
            try sqlite {
                try db.transaction { () throws(SQLiteError) in
                    try db.execute(migration.sql)
                    try db.execute("PRAGMA user_version = \(migration.version)")
                    try db.execute("PRAGMA application_id = \(CatalogSchema.applicationID)")
                }
            }
        }
    }

    /// Runs SQLite work, turning its errors into catalog errors.
    func sqlite<T>(_ body: () throws -> T) throws(CatalogError) -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .sqlite(SQLiteError(extendedCode: 1, message: "\(error)"))
        }
    }

    /// The prepared statement for `sql`, compiled on first use. Binding resets it, so each use starts afresh.
    func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try db.prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction.
    public func transaction<T>(_ body: () throws -> T) throws(CatalogError) -> T {
        try sqlite { try db.transaction { () throws in try body() } }
    }
}
