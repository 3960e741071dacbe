import Foundation

/// Decodes what one dialect's calls answer into `RemoteGeneration`s.
///
/// Envelopes are read leniently (a list may be a bare array, `{"data": […]}` or
/// `{"generations": […]}`; an item may be bare or under `data`), items strictly by their dialect's
/// shape with every documented quirk accepted. A JSON error body where data was expected is a
/// `.remoteError` that quotes the remote's message, never an empty page: an empty page ends a sync,
/// and a sync that stops early must not take the rest of the history for deleted.
public struct DialectDecoder: Sendable {
    /// The dialect whose item shape is expected.
    public let dialect: Dialect

    /// A decoder for one dialect.
    public init(dialect: Dialect) {
        self.dialect = dialect
    }

    /// A list page: web `{"data":[Item]}`, proxy `[Item]`, official `{"generations":[Gen],"has_more",…}`.
    public func page(_ data: Data) throws(RemoteDecodeError) -> RemotePage {
        let root = try Self.parse(data).root
        let list: JSONValue
        var hasMore: Bool?
        switch root.kind {
        case .array: list = root
        case .object:
            guard let found = [root["generations"], root["data"]].lazy.compactMap({ $0 }).first(where: { $0.kind == .array }) else {
                throw Self.shapeError(root, expected: "a list of generations")
            }
            list = found
            do {
                hasMore = try Fields(root).flag("has_more")
            } catch {
                throw RemoteDecodeError(.unexpectedShape, error.message)
            }
        default: throw Self.shapeError(root, expected: "a list of generations")
        }
        let elements = list.elements
        var items: [Result<RemoteGeneration, RemoteDecodeError>] = []
        items.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            items.append(decodeItem(element, index: index))
        }
        return RemotePage(items: items, hasMore: hasMore)
    }

    /// A detail answer: web `{"data": Item}`, proxy and official a bare item.
    public func item(_ data: Data) throws(RemoteDecodeError) -> RemoteGeneration {
        try decodeSingle(data, call: "a generation")
    }

    /// A create (or extend) answer: web `{"message","data":[Item]}`, proxy and official a bare item.
    public func created(_ data: Data) throws(RemoteDecodeError) -> RemoteGeneration {
        try decodeSingle(data, call: "the created generation")
    }

    /// The proxy's batch answer `{"code","message","data":[Task]}`: one result per Task, in order,
    /// whatever the decoder's dialect.
    ///
    /// A Task's `status` wins over its item's `state` when they disagree (unless it is `UNKNOWN`):
    /// it is the aggregator's word on the job, and its final statuses end polling (`FAILURE` while
    /// the upstream item still says `processing`). `rawState` is then the status word (when the two
    /// agree it stays the item's word, as list and detail give it), `fail_reason`
    /// wins over `failure_reason`, `submit_time` stands in for a missing `created_at`, the id is
    /// `task_id`, and `rawJSON` is the inner item (as list and detail keep it), or the whole Task
    /// while it has no item.
    public func tasks(_ data: Data) throws(RemoteDecodeError) -> [Result<RemoteGeneration, RemoteDecodeError>] {
        let root = try Self.parse(data).root
        let list: JSONValue
        if root.kind == .array {
            list = root
        } else if let found = root["data"], found.kind == .array {
            list = found
        } else {
            throw Self.shapeError(root, expected: "a batch of tasks")
        }
        return list.elements.enumerated().map { index, task in
            if let offset = task.tooDeepOffset {
                return .failure(.tooDeep(at: offset, itemIndex: index, itemID: (try? Fields(task).identifier("task_id")) ?? nil))
            }
            do throws(FieldError) {
                return .success(try TaskDecoder().decode(task))
            } catch {
                let id = (try? Fields(task).identifier("task_id")) ?? nil
                return .failure(RemoteDecodeError(.invalidField, error.message, itemIndex: index, itemID: id))
            }
        }
    }

    /// The proxy's `download_video_url` answer `{"url": "…"}` (also under `data`, or as `download_url`).
    public func unwatermarkedLink(_ data: Data) throws(RemoteDecodeError) -> String {
        let root = try Self.parse(data).root
        for object in [root, root["data"]].compactMap({ $0 }) where object.kind == .object {
            let fields = Fields(object)
            for url in [(try? fields.string("url")) ?? nil, (try? fields.string("download_url")) ?? nil] {
                if let url { return url }
            }
        }
        if let url = root.string, !url.isEmpty { return url }
        throw Self.shapeError(root, expected: "a link (\"url\")")
    }

    // MARK: Internals

    static func parse(_ data: Data) throws(RemoteDecodeError) -> JSONDocument {
        do {
            return try JSONParser.parse(data)
        } catch {
            throw RemoteDecodeError(error)
        }
    }

    private func decode(_ item: JSONValue) throws(FieldError) -> RemoteGeneration {
        switch dialect {
        case .web, .proxy: try LumaItemDecoder(dialect: dialect).decode(item)
        case .official: try OfficialItemDecoder().decode(item)
        }
    }

    private func decodeItem(_ item: JSONValue, index: Int) -> Result<RemoteGeneration, RemoteDecodeError> {
        if let offset = item.tooDeepOffset { return .failure(.tooDeep(at: offset, itemIndex: index, itemID: Self.id(of: item))) }
        do throws(FieldError) {
            return .success(try decode(item))
        } catch {
            return .failure(RemoteDecodeError(.invalidField, error.message, itemIndex: index, itemID: Self.id(of: item)))
        }
    }

    private func decodeSingle(_ data: Data, call: String) throws(RemoteDecodeError) -> RemoteGeneration {
        var value = try Self.parse(data).root
        // Unwrap `{"data": Item}` and `{"data": [Item]}`; an item has an id, an envelope does not.
        if value.kind == .object, value["id"] == nil, let inner = value["data"], inner.kind == .object || inner.kind == .array {
            value = inner
        }
        if value.kind == .array {
            guard let first = value.elements.first else {
                throw RemoteDecodeError(.unexpectedShape, "expected \(call), found an empty list")
            }
            value = first
        }
        guard value.kind == .object, value["id"] != nil || RemoteErrorMessage.message(in: value) == nil else {
            throw Self.shapeError(value, expected: call)
        }
        if let offset = value.tooDeepOffset { throw .tooDeep(at: offset, itemID: Self.id(of: value)) }
        do throws(FieldError) {
            return try decode(value)
        } catch {
            throw RemoteDecodeError(.invalidField, error.message, itemID: Self.id(of: value))
        }
    }

    private static func id(of item: JSONValue) -> String? {
        guard item.kind == .object else { return nil }
        return (try? Fields(item).identifier("id")) ?? nil
    }

    /// The error for JSON of the wrong shape: the remote's own message when it sent an error body.
    static func shapeError(_ value: JSONValue, expected: String) -> RemoteDecodeError {
        if let message = RemoteErrorMessage.message(in: value) {
            return RemoteDecodeError(.remoteError, "the remote answered with an error instead of \(expected): \(message)")
        }
        let found = switch value.kind {
        case .object: "an object without one"
        case .array: "a list"
        default: value.snippet
        }
        return RemoteDecodeError(.unexpectedShape, "expected \(expected), found \(found)")
    }
}
