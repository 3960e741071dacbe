import Foundation

/// Why a path could not be built.
public enum RemotePathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An empty id would name the collection (`/api/generations/`), not an item.
    case emptyID

    /// The one-line message.
    public var description: String {
        switch self {
        case .emptyID: "a generation id cannot be empty"
        }
    }
}

/// Every path (with its query) a dialect's calls use, built in one place and without I/O. Paths
/// are relative to the remote's base URL; join them with `url(base:path:)`. Ids are
/// percent-encoded, so an id can never reach another route.
public struct DialectPaths: Sendable {
    /// The dialect whose paths these are.
    public let dialect: Dialect

    /// The paths of one dialect.
    public init(dialect: Dialect) {
        self.dialect = dialect
    }

    /// A list page, newest first. A negative offset reads as 0 and a limit below 1 as 1.
    public func listPath(offset: Int, limit: Int) -> String {
        let (offset, limit) = (max(0, offset), max(1, limit))
        return switch dialect {
        case .web: "/api/generations?offset=\(offset)&limit=\(limit)"
        case .proxy: "/luma/generations?offset=\(offset)&limit=\(limit)"
        case .official: "/dream-machine/v1/generations?limit=\(limit)&offset=\(offset)"
        }
    }

    /// One generation.
    public func detailPath(id: String) throws(RemotePathError) -> String {
        try collection + "/" + Self.segment(id)
    }

    /// Where a new generation is made (POST): web `…/create`, proxy `/luma/generations`,
    /// official `…/generations/video`.
    public var createPath: String {
        switch dialect {
        case .web: "/api/generations/create"
        case .proxy: "/luma/generations"
        case .official: "/dream-machine/v1/generations/video"
        }
    }

    /// The proxy's extend call (POST); nil elsewhere (the official API extends through
    /// `createPath` with a `frame0` generation keyframe).
    public func extendPath(id: String) throws(RemotePathError) -> String? {
        dialect == .proxy ? try detailPath(id: id) + "/extend" : nil
    }

    /// The proxy's batch status call (POST, body from `batchBody(ids:)`); nil elsewhere.
    public var batchPath: String? { dialect == .proxy ? "/luma/tasks" : nil }

    /// The batch call's body: `{"ids":["…",…]}`.
    public func batchBody(ids: [String]) -> Data {
        Data(("{\"ids\":[" + ids.map(JSONString.quoted).joined(separator: ",") + "]}").utf8)
    }

    /// The proxy's call for a fresh unwatermarked link (GET, valid about an hour); nil elsewhere.
    public func downloadLinkPath(id: String) throws(RemotePathError) -> String? {
        dialect == .proxy ? try detailPath(id: id) + "/download_video_url" : nil
    }

    /// The official delete call (DELETE); nil elsewhere.
    public func deletePath(id: String) throws(RemotePathError) -> String? {
        dialect == .official ? try detailPath(id: id) : nil
    }

    /// The web upload call (POST multipart, field `file`); nil elsewhere.
    public var uploadPath: String? { dialect == .web ? "/api/generations/upload" : nil }

    /// The web usage call; nil elsewhere.
    public var usagePath: String? { dialect == .web ? "/api/generations/usage" : nil }

    /// The official credits call; nil elsewhere.
    public var creditsPath: String? { dialect == .official ? "/dream-machine/v1/credits" : nil }

    /// `base` and `path` joined with exactly one slash; a path prefix in `base` (`https://host/v1`)
    /// is kept.
    public static func url(base: String, path: String) -> String {
        var base = Substring(base)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base) + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// `text` as one path segment: everything but RFC 3986's unreserved characters is
    /// percent-encoded, and so are the dots of `.` and `..`, which would climb the path.
    public static func segment(_ text: String) throws(RemotePathError) -> String {
        guard !text.isEmpty else { throw .emptyID }
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private var collection: String {
        switch dialect {
        case .web: "/api/generations"
        case .proxy: "/luma/generations"
        case .official: "/dream-machine/v1/generations"
        }
    }
}
