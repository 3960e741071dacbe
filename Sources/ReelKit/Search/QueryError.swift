/// A query that cannot be understood: what is wrong, where (1-based character column), and what to try.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The text at fault, as typed.
    public let token: String
    /// Where it starts in the query, counting characters from 1.
    public let column: Int
    public let hint: String?

    public init(_ message: String, token: String, column: Int, hint: String? = nil) {
        self.message = message
        self.token = token
        self.column = column
        self.hint = hint
    }

    /// One line: `bad query at column 7 ("foo:bar"): unknown field "foo" (fields: …)`.
    public var description: String {
        let shown = token.count > 40 ? String(token.prefix(40)) + "…" : token
        return "bad query at column \(column) (\"\(shown)\"): \(message)" + (hint.map { "; \($0)" } ?? "")
    }
}

extension ReelError {
    /// A bad query is a usage error (exit 64).
    public init(_ error: QueryError) {
        self.init(error.description, status: .usage)
    }
}
