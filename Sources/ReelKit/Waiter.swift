import Catalog
import Foundation
import HTTP
import RemoteAPI

/// `reel create --wait` and `reel wait`: asks a remote about a generation until it is completed or failed,
/// then stores it the way `reel sync` does, by running a sync of that remote (so its files are fetched,
/// probed and recorded by the same code).
public struct Waiter {
    /// What the live line shows.
    public struct Status: Sendable {
        public let id: String
        public let state: GenerationState
        public let rawState: String?
        public let elapsed: Duration
        /// The remote's own estimate of the seconds left, when it gives one.
        public let estimate: Int?
    }

    let library: Library
    public let session: RemoteSession
    let client: HTTPClient
    /// The first pause between polls; it doubles up to ``longestPause`` (or follows the remote's estimate).
    var firstPause: Duration = .milliseconds(500)
    var longestPause: Duration = .seconds(15)

    public init(library: Library, session: RemoteSession, client: HTTPClient) {
        self.library = library
        self.session = session
        self.client = client
    }

    /// Where a wait for several generations ended.
    public struct Outcome: Sendable {
        /// The remote's last word on each generation that reached a final state, by remote id.
        public var final: [String: RemoteGeneration] = [:]
        /// Generations the remote no longer has.
        public var gone: [String] = []
    }

    /// Polls every generation of `remoteIDs` until each is final or gone. Each round asks once for all of
    /// them where the remote has a batch call (the proxy's tasks), else once per generation still running;
    /// the pause between rounds follows the shortest estimate the remote gave, else doubles.
    public func waitUntilFinal(_ remoteIDs: [String], status: (Status) -> Void) async throws(ReelError) -> Outcome {
        let started = ContinuousClock.now
        var pending = remoteIDs.reduce(into: [String]()) { ids, id in if !ids.contains(id) { ids.append(id) } }
        var outcome = Outcome()
        var pause = firstPause
        while true {
            let answers = try await look(at: pending)
            var estimates: [Int] = []
            for id in pending {
                guard let item = answers[id] else {
                    outcome.gone.append(id)
                    continue
                }
                status(Status(
                    id: id, state: item.state, rawState: item.rawState, elapsed: ContinuousClock.now - started,
                    estimate: item.estimateWaitSeconds))
                if item.state.isFinal { outcome.final[id] = item } else if let estimate = item.estimateWaitSeconds { estimates.append(estimate) }
            }
            pending.removeAll { outcome.final[$0] != nil || outcome.gone.contains($0) }
            if pending.isEmpty { return outcome }
            // The remote's estimate, when it has one, but never a long sleep past what it said or a busy loop.
            let estimate = estimates.min().map { Duration.seconds(max(1, min($0, 15))) }
            do {
                try await Task.sleep(for: min(estimate ?? pause, longestPause))
            } catch {
                throw ReelError.interrupted
            }
            pause = min(pause * 2, longestPause)
        }
    }

    /// The remote's word on each generation it still has: one batch call where the dialect has one (a proxy's
    /// task carries the failure reason its item leaves out), and the detail call for the rest.
    private func look(at remoteIDs: [String]) async throws(ReelError) -> [String: RemoteGeneration] {
        var answers: [String: RemoteGeneration] = [:]
        if let tasks = try await session.tasks(ids: remoteIDs) {
            for case .success(let item) in tasks where remoteIDs.contains(item.id) { answers[item.id] = item }
        }
        for id in remoteIDs where answers[id] == nil {
            if let item = try await session.item(id: id) { answers[id] = item }
        }
        return answers
    }

    /// Stores what the remote now has, as `reel sync` does: takes the library's sync lock (waiting for a
    /// running sync) and runs an incremental sync of this remote.
    public func store(report: @escaping @Sendable (SyncProgress.Event, SyncProgress) -> Void = { _, _ in }) async throws(ReelError)
        -> SyncSummary
    {
        let lock = try await LibraryLock.acquire(
            libraryRoot: library.root, purpose: "reel wait (\(session.remote.name))", wait: true)
        defer { _ = lock }
        return try await SyncEngine(library: library, session: session, client: client, options: SyncOptions(), report: report).run()
    }
}
