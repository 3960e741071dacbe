/// A value as SQLite stores it: the five storage classes.
public enum SQLiteValue: Sendable, Equatable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// A Swift type that can be bound to a statement parameter.
public protocol SQLiteBindable: Sendable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
}

/// A Swift type that can be read from a result column.
public protocol SQLiteColumnDecodable {
    /// Converts a column value, or returns nil when it has the wrong storage class.
    init?(sqliteValue: SQLiteValue)
}

extension SQLiteValue: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { self }
    public init?(sqliteValue: SQLiteValue) { self = sqliteValue }
}

extension Int64: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { .integer(self) }
    public init?(sqliteValue: SQLiteValue) {
        switch sqliteValue {
        case .integer(let v): self = v
        case .real(let v) where v == v.rounded() && abs(v) < 9.2e18: self = Int64(v)
        default: return nil
        }
    }
}

extension Int: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init?(sqliteValue: SQLiteValue) {
        guard let v = Int64(sqliteValue: sqliteValue) else { return nil }
        self = Int(v)
    }
}

extension Double: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { .real(self) }
    public init?(sqliteValue: SQLiteValue) {
        switch sqliteValue {
        case .real(let v): self = v
        case .integer(let v): self = Double(v)
        default: return nil
        }
    }
}

extension Bool: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
    public init?(sqliteValue: SQLiteValue) {
        guard let v = Int64(sqliteValue: sqliteValue) else { return nil }
        self = v != 0
    }
}

extension String: SQLiteBindable, SQLiteColumnDecodable {
    public var sqliteValue: SQLiteValue { .text(self) }
    public init?(sqliteValue: SQLiteValue) {
        guard case .text(let v) = sqliteValue else { return nil }
        self = v
    }
}

extension Array: SQLiteBindable, SQLiteColumnDecodable where Element == UInt8 {
    public var sqliteValue: SQLiteValue { .blob(self) }
    public init?(sqliteValue: SQLiteValue) {
        switch sqliteValue {
        case .blob(let v): self = v
        default: return nil
        }
    }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}
