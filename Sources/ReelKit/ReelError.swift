import Catalog
import ContentStore
import Media

/// An error meant for the user: one sentence and an exit status.
public struct ReelError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let status: Status

    public init(_ message: String, status: Status) {
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// Wraps any failure from the layers below, by its type.
    public init(_ error: any Error) {
        switch error {
        case let error as ReelError: self = error
        case let error as CatalogError: self.init(error)
        case let error as StoreError: self.init(error)
        case let error as MediaError: self.init(error)
        default: self.init("\(error)", status: .failure)
        }
    }

    /// Wraps a catalog failure.
    public init(_ error: CatalogError) {
        switch error {
        case .notACatalog, .tooNew: self.init(error.description, status: .dataError)
        case .missing: self.init(error.description, status: .noInput)
        case .cannotOpen: self.init(error.description, status: .ioError)
        case .sqlite(let e) where e.isCannotOpen: self.init(error.description, status: .ioError)
        case .sqlite: self.init(error.description, status: .failure)
        case .invalidTagName: self.init(error.description, status: .usage)
        case .unknownTag: self.init(error.description, status: .noInput)
        }
    }

    /// Wraps a content-store failure.
    public init(_ error: StoreError) {
        self.init(error.description, status: .ioError)
    }

    /// Wraps a media failure: a file that cannot be read is an I/O problem, one that reads but is not
    /// media is bad data.
    public init(_ error: MediaError) {
        switch error.kind {
        case .fileNotFound: self.init(error.description, status: .noInput)
        case .permissionDenied, .isDirectory: self.init(error.description, status: .ioError)
        default: self.init(error.description, status: .dataError)
        }
    }
}

extension ReelError {
    /// The work was cancelled (Ctrl-C, SIGTERM): what finished is kept.
    public static let interrupted = ReelError("interrupted", status: .interrupted)

    /// The process exit statuses reel uses (BSD sysexits where one fits).
    public enum Status: Int32, Sendable {
        case success = 0
        /// Anything not covered below.
        case failure = 1
        /// The command line was wrong.
        case usage = 64
        /// The input was read but is not what it should be: not media, not a catalog, a failed verify.
        case dataError = 65
        /// An input file or a library does not exist.
        case noInput = 66
        /// A remote could not be reached.
        case unavailable = 69
        /// Another reel holds the library (a sync in progress).
        case busy = 75
        /// A remote refused the API key, or there is none.
        case permission = 77
        /// Reading or writing the disk failed.
        case ioError = 74
        /// Stopped by Ctrl-C (SIGINT) or SIGTERM; what finished is kept.
        case interrupted = 130
    }
}
