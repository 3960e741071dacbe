import Catalog
import ContentStore
import Foundation

/// A library: a folder holding the catalog (`catalog.sqlite`) and the content store (`objects/`, `tmp/`).
public final class Library {
    /// The library folder.
    public let root: String
    /// The catalog.
    public let catalog: Catalog
    /// The content store.
    public let store: ContentStore

    /// The catalog file inside a library folder; its presence is what makes a folder a library.
    public static func catalogPath(in root: String) -> String { root + "/catalog.sqlite" }

    private init(root: String, catalog: Catalog) {
        self.root = root
        self.catalog = catalog
        self.store = ContentStore(root: root)
    }

    /// What `create` found.
    public enum Creation: Sendable, Equatable {
        case created
        case alreadyExists
    }

    /// Creates a library, or reports one that is already there without changing it.
    ///
    /// The catalog is written last, so an interrupted `create` leaves no library and can simply be run again.
    public static func create(at root: String) throws(ReelError) -> Creation {
        try requireFolderOrNothing(root)
        if FileManager.default.fileExists(atPath: catalogPath(in: root)) {
            // Opening proves it is a catalog reel can read; anything else is an error, not "already exists".
            _ = try open(at: root)
            return .alreadyExists
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw ReelError("cannot create the library folder \(root): \(reason(error))", status: .ioError)
        }
        do {
            try ContentStore(root: root).create()
        } catch {
            throw ReelError("cannot create the library at \(root): \(error)", status: .ioError)
        }
        do {
            _ = try Catalog.open(path: catalogPath(in: root), create: true)
        } catch {
            throw ReelError(error)
        }
        return .created
    }

    /// Opens an existing library.
    public static func open(at root: String) throws(ReelError) -> Library {
        try requireFolderOrNothing(root)
        let path = catalogPath(in: root)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReelError("no library at \(root); create one with `reel init`", status: .noInput)
        }
        do {
            let catalog = try Catalog.open(path: path)
            let library = Library(root: root, catalog: catalog)
            try library.store.create()  // a library whose objects/ or tmp/ was removed gets them back
            return library
        } catch {
            throw ReelError(error)
        }
    }

    private static func requireFolderOrNothing(_ root: String) throws(ReelError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ReelError("\(root) is a file, not a library folder", status: .ioError)
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    /// Finds the generation a user meant by an id or a unique prefix of one.
    public func resolve(_ id: String) throws(ReelError) -> GenerationRecord {
        let prefix = id.lowercased()
        guard !prefix.isEmpty, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw ReelError("'\(id)' is not an id (ids are hex digits and dashes)", status: .usage)
        }
        let matches: [GenerationRecord]
        do {
            matches = try catalog.generations(uidPrefix: prefix, limit: 6)
        } catch {
            throw ReelError(error)
        }
        switch matches.count {
        case 0:
            throw ReelError("no generation with id \(id)", status: .noInput)
        case 1:
            return matches[0]
        default:
            if let exact = matches.first(where: { $0.uid == prefix }) { return exact }
            let shown = matches.prefix(5).map { String($0.uid.prefix(prefix.count + 4)) }.joined(separator: ", ")
            throw ReelError("id \(id) is ambiguous: it starts \(shown)\(matches.count > 5 ? ", …" : ""); type more of it",
                status: .usage)
        }
    }
}
