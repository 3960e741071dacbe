/// What a ``TypedTextError`` is about: its name in the message (`bad query at column 7 …`).
public protocol TypedTextSubject: Sendable {
    static var noun: String { get }
}

/// Text a user typed (a query, a name template) that cannot be used: what is wrong, where (1-based
/// character column), and what to try. One line, e.g. `bad query at column 7 ("foo:bar"): unknown field "foo"`.
public struct TypedTextError<Subject: TypedTextSubject>: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The text at fault, as typed.
    public let token: String
    /// Where it starts, counting characters from 1.
    public let column: Int
    public let hint: String?

    public init(_ message: String, token: String, column: Int, hint: String? = nil) {
        self.message = message
        self.token = token
        self.column = column
        self.hint = hint
    }

    public var description: String {
        let shown = token.count > 40 ? String(token.prefix(40)) + "…" : token
        return "bad \(Subject.noun) at column \(column) (\"\(shown)\"): \(message)" + (hint.map { "; \($0)" } ?? "")
    }
}

/// A search query.
public enum QueryText: TypedTextSubject { public static let noun = "query" }
/// An export's `--template`.
public enum TemplateText: TypedTextSubject { public static let noun = "template" }

/// A query that cannot be understood.
public typealias QueryError = TypedTextError<QueryText>
/// A `--template` that cannot be used.
public typealias ExportTemplateError = TypedTextError<TemplateText>

extension ReelError {
    /// A bad query is a usage error (exit 64).
    public init(_ error: QueryError) {
        self.init(error.description, status: .usage)
    }

    /// A bad template is a usage error (exit 64).
    public init(_ error: ExportTemplateError) {
        self.init(error.description, status: .usage)
    }
}
