/// One page of a remote's list, decoded item by item: a bad item is a failure in its place, not the
/// end of the page.
public struct RemotePage: Sendable {
    /// Every item of the page, in the remote's order (newest first on every known remote).
    public var items: [Result<RemoteGeneration, RemoteDecodeError>]
    /// The official API's `has_more`; nil where the dialect does not say.
    public var hasMore: Bool?

    /// A page of items.
    public init(items: [Result<RemoteGeneration, RemoteDecodeError>], hasMore: Bool? = nil) {
        self.items = items
        self.hasMore = hasMore
    }

    /// Whether this is the last page: `has_more` is false where the dialect says, else the page is
    /// empty (web and proxy lists end with an empty page).
    public var isEnd: Bool { hasMore.map { !$0 } ?? items.isEmpty }

    /// The items that decoded.
    public var generations: [RemoteGeneration] { items.compactMap { try? $0.get() } }

    /// The items that did not, each with its position and (when readable) its id.
    public var failures: [RemoteDecodeError] {
        items.compactMap { if case .failure(let error) = $0 { error } else { nil } }
    }
}
