import Foundation

/// Why a remote's answer could not be read, as one sentence that says what was expected and where:
/// `item 3 (id 1f0c…): created_at is not a time: "yesterday"`.
public struct RemoteDecodeError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What kind of problem it is, for callers that react differently (retry an HTML page, skip a bad item).
    public enum Kind: String, Sendable, Equatable {
        /// The body was empty.
        case emptyBody
        /// The remote (or a gateway in front of it) answered with a web page (or other markup, such
        /// as a storage host's XML error).
        case htmlPage
        /// The body is not JSON.
        case malformedJSON
        /// The JSON nests deeper than the decoder allows.
        case tooDeep
        /// The body is too large to decode.
        case tooLarge
        /// The JSON is fine but the envelope is not the dialect's (a list where an item was expected, …).
        case unexpectedShape
        /// The remote answered with an error body (`{"message": …}`, `{"detail": …}`) instead.
        case remoteError
        /// A field of an item is missing or holds something that cannot be read.
        case invalidField
    }

    /// What kind of problem it is.
    public let kind: Kind
    /// The problem itself, without the item's position.
    public let problem: String
    /// The item's position (from 0) in its page or batch, when the problem is in one item.
    public var itemIndex: Int?
    /// The item's id, when the item had a readable one.
    public var itemID: String?

    /// A problem not tied to an item.
    public init(_ kind: Kind, _ problem: String, itemIndex: Int? = nil, itemID: String? = nil) {
        self.kind = kind
        self.problem = problem
        self.itemIndex = itemIndex
        self.itemID = itemID
    }

    /// The one-line message.
    public var description: String {
        switch (itemIndex, itemID) {
        case let (index?, id?): "item \(index) (id \(id)): \(problem)"
        case let (index?, nil): "item \(index): \(problem)"
        case let (nil, id?): "item \(id): \(problem)"
        case (nil, nil): problem
        }
    }

    /// The one-line message (for `localizedDescription`).
    public var errorDescription: String? { description }

    /// The problem of a value that holds JSON nested deeper than the parser reads, at byte `offset`.
    static func tooDeep(at offset: Int, itemIndex: Int? = nil, itemID: String? = nil) -> RemoteDecodeError {
        RemoteDecodeError(
            .tooDeep, "the JSON nests deeper than \(JSONParser.maxDepth) levels (at byte \(offset))", itemIndex: itemIndex, itemID: itemID)
    }

    /// The same problem, placed at an item.
    func at(index: Int?, id: String?) -> RemoteDecodeError {
        var copy = self
        copy.itemIndex = index
        copy.itemID = id
        return copy
    }
}

extension RemoteDecodeError {
    /// The decode error for a body the parser refused.
    init(_ syntax: JSONSyntaxError) {
        switch syntax {
        case .empty: self.init(.emptyBody, "the remote answered with an empty body, not JSON")
        case .markup(let xml, let message):
            let what = xml ? "an XML document" : "an HTML page"
            self.init(.htmlPage, "the remote answered with \(what), not JSON" + (message.map { " (\"\($0)\")" } ?? ""))
        case .tooLarge(let bytes): self.init(.tooLarge, "the body is too large to decode (\(bytes) bytes)")
        case .malformed(let what, _): self.init(.malformedJSON, "the body is not valid JSON: \(what)")
        }
    }
}
