import Catalog
import Foundation

/// The dialects reel speaks.
public enum RemoteDialect: String, Sendable, CaseIterable {
    case web, proxy, official
}

/// Adding, listing and removing remotes, and finding their keys.
public struct Remotes {
    private let library: Library

    public init(library: Library) {
        self.library = library
    }

    /// The environment variable a remote's key comes from unless `--key-env` names another: `REEL_<NAME>_KEY`.
    public static func defaultKeyEnv(for name: String) -> String {
        "REEL_" + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_KEY"
    }

    /// Checks a remote's name: letters, digits, `-` and `_`, at most 32, starting with a letter.
    public static func validate(name: String) throws(ReelError) {
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
        guard (1...32).contains(name.count), allowed, name.first?.isLetter == true else {
            throw ReelError("'\(name)' is not a remote name: use up to 32 letters, digits, - and _, starting with a letter", status: .usage)
        }
    }

    /// Normalises a base URL: http or https, a host, no credentials, query or fragment; no trailing slash.
    public static func normalize(url text: String) throws(ReelError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw ReelError("'\(text)' is not an http or https URL", status: .usage)
        }
        guard components.user == nil, components.password == nil else {
            throw ReelError("the URL must not hold a user name or password; give the key with --key-env or `reel remote login`", status: .usage)
        }
        guard components.query == nil, components.fragment == nil else {
            throw ReelError("the URL must not hold a query or fragment: give the service's base URL", status: .usage)
        }
        var normalized = "\(scheme)://\(host.lowercased())"
        if let port = components.port { normalized += ":\(port)" }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        return normalized + path
    }

    /// Adds a remote after checking every field.
    @discardableResult
    public func add(name: String, dialect: String, url: String, keyEnv: String?, hasList: Bool = true) throws(ReelError) -> RemoteRecord {
        try Self.validate(name: name)
        guard let dialect = RemoteDialect(rawValue: dialect) else {
            throw ReelError("'\(dialect)' is not a dialect: use web, proxy or official", status: .usage)
        }
        if let keyEnv, keyEnv.isEmpty || !keyEnv.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }) || keyEnv.first!.isNumber {
            throw ReelError("'\(keyEnv)' is not an environment variable name", status: .usage)
        }
        let record = RemoteRecord(
            name: name, dialect: dialect.rawValue, baseURL: try Self.normalize(url: url),
            keyEnv: keyEnv ?? Self.defaultKeyEnv(for: name), hasList: hasList, createdAt: Timestamp.now())
        do {
            if try library.catalog.remote(named: name) != nil {
                throw ReelError("a remote named \(name) exists already; remove it first or choose another name", status: .usage)
            }
            try library.catalog.insert(record)
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError(error)
        }
        return record
    }

    /// Every remote.
    public func list() throws(ReelError) -> [RemoteRecord] {
        do { return try library.catalog.remotes() } catch { throw ReelError(error) }
    }

    /// The remote with this name, or a clear error.
    public func named(_ name: String) throws(ReelError) -> RemoteRecord {
        let found: RemoteRecord?
        do { found = try library.catalog.remote(named: name) } catch { throw ReelError(error) }
        guard let found else {
            throw ReelError("no remote named \(name); `reel remote ls` lists them", status: .noInput)
        }
        return found
    }

    /// Adds generation ids for a remote to follow; returns how many were new. Ids are checked, not trusted:
    /// they become path segments of API calls.
    public func track(ids: [String], on remote: RemoteRecord) throws(ReelError) -> Int {
        for id in ids where id.isEmpty || id.count > 128 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw ReelError("'\(id)' is not a generation id (letters, digits, - and _)", status: .usage)
        }
        do {
            return try library.catalog.track(remoteIDs: Array(Set(ids)).sorted(), remote: remote.name, at: Timestamp.now())
        } catch {
            throw ReelError(error)
        }
    }

    /// Removes a remote that holds no generations (the library keeps every item it synced).
    public func remove(_ name: String) throws(ReelError) {
        _ = try named(name)
        do {
            let count = try library.catalog.generationCount(remote: name)
            guard count == 0 else {
                throw ReelError("remote \(name) still has \(count) generation\(count == 1 ? "" : "s") in the library; nothing removed", status: .dataError)
            }
            try library.catalog.deleteRemote(named: name)
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError(error)
        }
    }
}

/// Where a remote's key came from, for messages that say so (never the key itself).
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    case environment(String)
    case credentialsFile(String)

    public var description: String {
        switch self {
        case .environment(let name): "the environment variable \(name)"
        case .credentialsFile(let path): path
        }
    }
}

/// A remote's API key and where it came from.
public struct RemoteKey: Sendable {
    public let value: String
    public let source: KeySource

    /// A key and where it came from.
    public init(value: String, source: KeySource) {
        self.value = value
        self.source = source
    }

    /// The key from the remote's environment variable, else from the credentials file where the
    /// environment puts it (`$XDG_CONFIG_HOME/reel/credentials`).
    public static func find(for remote: RemoteRecord, environment: [String: String]) throws(ReelError) -> RemoteKey {
        try find(for: remote, environment: environment, credentials: CredentialsFile(path: try CredentialsFile.location(environment: environment)))
    }

    /// The key from the remote's environment variable, else from the credentials file.
    public static func find(for remote: RemoteRecord, environment: [String: String], credentials: CredentialsFile) throws(ReelError) -> RemoteKey {
        let variable = remote.keyEnv ?? Remotes.defaultKeyEnv(for: remote.name)
        if let value = environment[variable], !value.isEmpty {
            return RemoteKey(value: value, source: .environment(variable))
        }
        if let value = try credentials.read()[remote.name], !value.isEmpty {
            return RemoteKey(value: value, source: .credentialsFile(credentials.path))
        }
        throw ReelError("no API key for remote \(remote.name): set \(variable) or run `reel remote login \(remote.name)`", status: .permission)
    }
}
