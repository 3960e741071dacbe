import Foundation

/// The one-line message of a remote's error body, whatever its shape: `{"message": …}`,
/// `{"detail": "…"}`, `{"detail": {"reason": …}}`, FastAPI's `{"detail": [{"msg": …}]}`,
/// `{"error": {"message": …}}` or `{"error": "…"}`; for an HTML page its title, for an XML error
/// its `<Message>`, for plain text its first line.
///
/// It reads any body: call it for error statuses (a successful web create also says
/// `"message": "Success"`).
public enum RemoteErrorMessage {
    /// Messages are cut to this many characters.
    public static let limit = 300

    /// The message in `data`, or nil when it holds none.
    public static func extract(from data: Data) -> String? {
        switch Result(catching: { () throws(JSONSyntaxError) in try JSONParser.parse(data) }) {
        case .success(let document): return message(in: document.root)
        case .failure(.markup(_, let message)): return message ?? plainText(data)
        case .failure: return plainText(data)
        }
    }

    /// The message in a parsed body.
    static func message(in value: JSONValue) -> String? {
        if let text = value.string { return clean(text) }
        if value.kind == .array { return value.elements.first.flatMap(message(in:)) }
        guard value.kind == .object else { return nil }
        for key in ["error", "detail", "message", "msg", "reason", "error_description", "errors"] as [StaticString] {
            guard let member = value[key], !member.isNull else { continue }
            if let found = message(in: member) { return found }
        }
        return nil
    }

    private static func plainText(_ data: Data) -> String? {
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).lazy.map { clean(String($0)) }.first { $0 != nil } ?? nil
        return line
    }

    private static func clean(_ text: String) -> String? {
        let line = OneLine.clean(text, limit: limit)
        return line.isEmpty ? nil : line
    }
}
