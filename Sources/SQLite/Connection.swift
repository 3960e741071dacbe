import CReelFTS
import CSQLite

/// One SQLite connection. It owns its `sqlite3` handle and closes it when released.
///
/// A connection is not `Sendable`: confine it to one thread, actor or serial executor.
public final class Connection {
    /// How a database file is opened.
    public enum Mode: Sendable {
        /// Read and write; create the file when it does not exist.
        case readWriteCreate
        /// Read and write an existing file.
        case readWrite
        /// Read only.
        case readOnly
    }

    let handle: OpaquePointer
    /// The path the connection was opened on.
    public let path: String

    /// Opens (or creates) a database file.
    ///
    /// - Parameter busyTimeout: how long a statement waits for another connection's lock, in milliseconds.
    public init(path: String, mode: Mode = .readWriteCreate, busyTimeout: Int32 = 5_000) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let code = db.map { sqlite3_extended_errcode($0) } ?? rc
            sqlite3_close_v2(db)
            throw SQLiteError(extendedCode: code, message: message)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
        // Defensive mode stops SQL from corrupting the file through writable_schema and the like.
        _ = reel_sqlite_db_config_defensive(db, 1)
        // Every connection: the catalog's full-text index and its triggers cannot run without it.
        let registered = reel_fts_register(db)
        if registered != SQLITE_OK {
            throw SQLiteError(extendedCode: registered, message: "cannot register the full-text tokenizer (no FTS5?)")
        }
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// The version of the SQLite library in use, e.g. "3.40.1".
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Runs one or more statements that take no parameters (migrations, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Compiles a statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// Runs a statement with the given parameters and discards any rows.
    public func run(_ sql: String, _ parameters: any SQLiteBindable...) throws(SQLiteError) {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        try statement.run()
    }

    /// Runs a query and returns the first column of its first row, or nil when there is no row.
    public func scalar<T: SQLiteColumnDecodable>(
        _ type: T.Type = T.self, _ sql: String, _ parameters: any SQLiteBindable...
    ) throws(SQLiteError) -> T? {
        try scalar(type, sql, parameters: parameters)
    }

    /// ``scalar(_:_:_:)`` with its parameters as an array (a filter's parameters plus one's own).
    public func scalar<T: SQLiteColumnDecodable>(
        _ type: T.Type = T.self, _ sql: String, parameters: [any SQLiteBindable]
    ) throws(SQLiteError) -> T? {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        guard let row = try statement.step() else { return nil }
        return row[0]
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so two writers never deadlock half-way.
    public func transaction<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return result
    }

    /// The rowid of the last row inserted through this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How many rows the last INSERT, UPDATE or DELETE changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True while a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    func error(sql: String?) -> SQLiteError {
        SQLiteError(
            extendedCode: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
