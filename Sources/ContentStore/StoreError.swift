#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a content-store operation failed.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// A system call failed with this `errno`.
        case system(errno: Int32)
        /// The bytes written were not as many as announced.
        case sizeMismatch(expected: Int64, actual: Int64)
    }

    public let kind: Kind
    /// The path the operation was about.
    public let path: String
    /// What reel was doing ("reading", "creating", …).
    public let operation: String

    public init(_ kind: Kind, path: String, operation: String) {
        self.kind = kind
        self.path = path
        self.operation = operation
    }

    static func system(_ operation: String, _ path: String, errno code: Int32 = errno) -> StoreError {
        StoreError(.system(errno: code), path: path, operation: operation)
    }

    /// The `errno` for system failures.
    public var errnoCode: Int32? {
        if case .system(let code) = kind { return code }
        return nil
    }

    public var description: String {
        switch kind {
        case .system(let code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case .sizeMismatch(let expected, let actual):
            return "\(path): expected \(expected) bytes, got \(actual)"
        }
    }
}
