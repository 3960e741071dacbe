import CSQLite

/// An error reported by SQLite, carrying its extended result code and message.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_NOTADB`, …).
    public let extendedCode: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var code: Int32 { extendedCode & 0xFF }

    /// True when the file is not an SQLite database (or is encrypted or damaged beyond reading).
    public var isNotADatabase: Bool { code == SQLITE_NOTADB }
    /// True for constraint violations (unique, foreign key, check, not null).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }
    /// True when the database was busy or locked past the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True when the database or its directory could not be opened or written.
    public var isCannotOpen: Bool { code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_IOERR || code == SQLITE_PERM }

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        return message == name ? message : "\(message) (\(name))"
    }
}
