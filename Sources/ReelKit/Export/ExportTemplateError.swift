/// A `--template` that cannot be used: what is wrong, where (1-based character column), and what to try.
public struct ExportTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The text at fault, as typed.
    public let token: String
    /// Where it starts in the template, counting characters from 1.
    public let column: Int
    public let hint: String?

    public init(_ message: String, token: String, column: Int, hint: String? = nil) {
        self.message = message
        self.token = token
        self.column = column
        self.hint = hint
    }

    /// One line: `bad template at column 12 ("{foo}"): unknown field "foo"; fields: id, prompt, …`.
    public var description: String {
        let shown = token.count > 40 ? String(token.prefix(40)) + "…" : token
        return "bad template at column \(column) (\"\(shown)\"): \(message)" + (hint.map { "; \($0)" } ?? "")
    }
}

extension ReelError {
    /// A bad template is a usage error (exit 64).
    public init(_ error: ExportTemplateError) {
        self.init(error.description, status: .usage)
    }
}
