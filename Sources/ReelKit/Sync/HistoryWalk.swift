import RemoteAPI

/// Pages through a remote's history, newest first, so that a finished walk has seen every item that was
/// listed for its whole duration, although items arrive at the head and vanish anywhere while it pages.
///
/// Offsets shift under a walk: a new item pushes everything down (the next page repeats items: harmless),
/// a deletion pulls everything up (the next page would skip an item: a silent loss). So pages overlap,
/// and a page is accepted only when it continues what was seen: its first item was seen already (or the
/// walk is at offset 0). When it does not, the walk steps back until it does. An empty page is the end
/// only right after a short page; after a full one it may just mean that deletions pulled the rest up.
struct HistoryWalk {
    /// How a walk ended.
    enum End: Equatable {
        /// The remote's list ended.
        case reachedEnd
        /// The consumer had seen enough (an incremental sync reached known items).
        case stoppedEarly
    }

    let pageSize: Int
    /// Items each page repeats from the one before.
    let overlap: Int
    /// Step-backs allowed before the walk gives up on a list that keeps shifting.
    var maxStepBacks = 100

    init(pageSize: Int) {
        self.pageSize = max(1, pageSize)
        self.overlap = min(10, max(0, self.pageSize / 4))
    }

    /// Walks the list. `fetch` gets one page; `consume` gets each accepted page (`fresh`: the decoded
    /// items this walk had not seen; `full`: the page was as long as asked) and returns true to stop.
    ///
    /// The next page is fetched while `consume` writes this one (the remote and the catalog work at once);
    /// when the walk stops early, that fetch is cancelled.
    func run(
        fetch: @escaping @Sendable (_ offset: Int, _ limit: Int) async throws(ReelError) -> RemotePage,
        consume: (_ page: RemotePage, _ fresh: [RemoteGeneration], _ full: Bool) async throws(ReelError) -> Bool
    ) async throws(ReelError) -> End {
        var limit = pageSize
        var offset = 0
        var seen = Set<String>()
        var previous: (offset: Int, count: Int)?
        var stepBacks = 0
        var ahead: Prefetch?
        defer { ahead?.task.cancel() }
        while true {
            if Task.isCancelled { throw ReelError.interrupted }
            let page: RemotePage
            if let prefetched = ahead, prefetched.offset == offset, prefetched.limit == limit {
                page = try await prefetched.value()
            } else {
                ahead?.task.cancel()
                page = try await fetch(offset, limit)
            }
            ahead = nil
            let ids = page.items.compactMap(Self.id)
            let previousWasShort = previous.map { $0.count < limit } ?? false
            let continues: Bool = if offset == 0 {
                true
            } else if let first = ids.first {
                seen.contains(first)
            } else {
                page.items.isEmpty && previousWasShort
            }
            guard continues else {
                stepBacks += 1
                guard stepBacks <= maxStepBacks else {
                    throw ReelError("the remote's list kept shifting while it was read; run the sync again", status: .unavailable)
                }
                if let previous, previousWasShort, !page.items.isEmpty, previous.count > 0 {
                    // More items after a short page: the host serves fewer per page than asked. Use its size.
                    limit = previous.count
                    offset = previous.offset + step(limit)
                } else {
                    offset = max(0, offset - step(limit))
                }
                continue
            }
            let fresh = page.generations.filter { seen.insert($0.id).inserted }
            for id in ids { seen.insert(id) }
            let next = offset + (page.items.count < limit ? page.items.count : step(page.items.count))
            if !page.isEnd { ahead = Prefetch(offset: next, limit: limit, fetch: fetch) }
            if try await consume(page, fresh, page.items.count >= limit) { return .stoppedEarly }
            if page.isEnd { return .reachedEnd }
            previous = (offset, page.items.count)
            offset = next
        }
    }

    /// The page after the one being written, already on its way.
    private struct Prefetch {
        let offset: Int
        let limit: Int
        let task: Task<RemotePage, any Error>

        init(offset: Int, limit: Int, fetch: @escaping @Sendable (Int, Int) async throws(ReelError) -> RemotePage) {
            self.offset = offset
            self.limit = limit
            task = Task { try await fetch(offset, limit) }
        }

        func value() async throws(ReelError) -> RemotePage {
            do { return try await task.value } catch let error as ReelError { throw error } catch { throw ReelError.interrupted }
        }
    }

    private func step(_ count: Int) -> Int { max(1, count - min(overlap, count / 4)) }

    private static func id(_ item: Result<RemoteGeneration, RemoteDecodeError>) -> String? {
        switch item {
        case .success(let g): g.id
        case .failure(let error): error.itemID
        }
    }
}
