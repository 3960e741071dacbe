import CSQLite

/// A compiled statement. It owns its `sqlite3_stmt` and finalizes it when released.
public final class Statement {
    fileprivate let handle: OpaquePointer
    // Keeps the connection open for as long as the statement exists.
    private let connection: Connection
    /// The SQL text of the statement.
    public let sql: String

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, 0, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw rc == SQLITE_OK
                ? SQLiteError(extendedCode: SQLITE_MISUSE, message: "empty statement", sql: sql)
                : connection.error(sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds values to the positional parameters `?1…?n`, after clearing earlier bindings and resetting.
    public func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "statement takes \(expected) parameters, \(values.count) given", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    /// Binds values to named parameters (`:name`, `@name` or `$name`, given with their prefix).
    public func bind(named values: [String: any SQLiteBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (name, value) in values {
            let index = sqlite3_bind_parameter_index(handle, name)
            guard index > 0 else {
                throw SQLiteError(extendedCode: SQLITE_RANGE, message: "no parameter named \(name)", sql: sql)
            }
            try bind(value.sqliteValue, at: index)
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, reel_sqlite_transient())
        case .blob(let v):
            rc = v.withUnsafeBytes { bytes in
                // A zero-length blob still needs a non-null pointer to be a blob rather than NULL.
                bytes.baseAddress == nil
                    ? sqlite3_bind_zeroblob(handle, index, 0)
                    : sqlite3_bind_blob64(handle, index, bytes.baseAddress, sqlite3_uint64(bytes.count), reel_sqlite_transient())
            }
        case .null: rc = sqlite3_bind_null(handle, index)
        }
        guard rc == SQLITE_OK else { throw connection.error(sql: sql) }
    }

    /// Advances to the next row; returns nil when the statement is done.
    public func step() throws(SQLiteError) -> Row? {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return Row(statement: self)
        case SQLITE_DONE: return nil
        default:
            let error = connection.error(sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, discarding rows.
    public func run() throws(SQLiteError) {
        while try step() != nil {}
        sqlite3_reset(handle)
    }

    /// Runs the statement and maps every row.
    public func map<T>(_ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        while let row = try step() { result.append(try transform(row)) }
        sqlite3_reset(handle)
        return result
    }

    /// The names of the result columns.
    public var columnNames: [String] {
        (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }
}

/// The current row of a statement. Its values are those of the row the statement is on: read them before
/// stepping again. It keeps the statement alive, so reading it is always memory-safe.
public struct Row {
    private let statement: Statement
    private let base: Int32

    fileprivate init(statement: Statement, base: Int32 = 0) {
        self.statement = statement
        self.base = base
    }

    private var handle: OpaquePointer { statement.handle }

    /// The same row seen from column `offset` on: column 0 of the result is column `offset` of this one.
    /// Lets a query that selects two records' columns side by side decode each with its own initializer.
    public func dropping(_ offset: Int) -> Row { Row(statement: statement, base: base + Int32(offset)) }

    /// How many columns the row has.
    public var count: Int { Int(sqlite3_column_count(handle) - base) }

    /// The raw value of a column.
    public func value(at index: Int) -> SQLiteValue {
        let i = base + Int32(index)
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, i) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard count > 0, let bytes = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    /// A column converted to `T`, or nil when it is NULL or of another type.
    public subscript<T: SQLiteColumnDecodable>(_ index: Int) -> T? {
        T(sqliteValue: value(at: index))
    }
}
