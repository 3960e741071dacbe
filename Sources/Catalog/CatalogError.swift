import SQLite

/// Why a catalog could not be opened or used.
public enum CatalogError: Error, Sendable, CustomStringConvertible {
    /// The file is not an SQLite database, or is an SQLite database that reel did not write.
    case notACatalog(path: String, reason: String)
    /// The catalog was written by a newer reel, with a schema this build does not know.
    case tooNew(path: String, found: Int, supported: Int)
    /// No catalog at that path.
    case missing(path: String)
    /// SQLite could not open or write the file (permissions, a read-only folder, a full disk).
    case cannotOpen(path: String, underlying: SQLiteError)
    /// A statement failed.
    case sqlite(SQLiteError)
    /// A name that cannot be a tag (empty, too long, with whitespace or control characters, starting with `-`).
    case invalidTagName(String, reason: String)
    /// No tag has this name.
    case unknownTag(String)

    public var description: String {
        switch self {
        case .notACatalog(let path, let reason):
            return "\(path) is not a reel catalog (\(reason))"
        case .tooNew(let path, let found, let supported):
            return "\(path) was written by a newer reel (catalog version \(found); this reel reads up to \(supported)); upgrade reel"
        case .missing(let path):
            return "no catalog at \(path)"
        case .cannotOpen(let path, let underlying):
            return "cannot open \(path): \(underlying.message)"
        case .sqlite(let error):
            return "catalog error: \(error)"
        case .invalidTagName(let name, let reason):
            return "\(TagName.quoted(name)) is not a tag name: \(reason)"
        case .unknownTag(let name):
            return "no tag named \(TagName.quoted(name))"
        }
    }
}
