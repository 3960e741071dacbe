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
    let session: RemoteSession
    let client: HTTPClient
    /// The first pause between polls; it doubles up to ``longestPause`` (or follows the remote's estimate).
    var firstPause: Duration = .milliseconds(500)
    var longestPause: Duration = .seconds(15)

    public init(library: Library, session: RemoteSession, client: HTTPClient) {
        self.library = library
        self.session = session
        self.client = client
    }

    /// Polls `remoteID` until it is final and returns the remote's last word on it. A generation the remote
    /// no longer has is an error (66).
    public func waitUntilFinal(_ remoteID: String, status: (Status) -> Void) async throws(ReelError) -> RemoteGeneration {
        let started = ContinuousClock.now
        var pause = firstPause
        while true {
            guard let item = try await look(at: remoteID) else {
                throw ReelError("remote \(session.remote.name) has no generation \(remoteID) any more", status: .noInput)
            }
            status(Status(
                id: remoteID, state: item.state, rawState: item.rawState, elapsed: ContinuousClock.now - started,
                estimate: item.estimateWaitSeconds))
            if item.state.isFinal { return item }
            // The remote's estimate, when it has one, but never a long sleep past what it said or a busy loop.
            let estimate = item.estimateWaitSeconds.map { Duration.seconds(max(1, min($0, 15))) }
            do {
                try await Task.sleep(for: min(estimate ?? pause, longestPause))
            } catch {
                throw ReelError.interrupted
            }
            pause = min(pause * 2, longestPause)
        }
    }

    /// The remote's word on one generation: the batch call where the dialect has one (a proxy's task carries
    /// the failure reason its item leaves out), else the detail call.
    private func look(at remoteID: String) async throws(ReelError) -> RemoteGeneration? {
        if let tasks = try await session.tasks(ids: [remoteID]) {
            if case .success(let item)? = tasks.first(where: { (try? $0.get().id) == remoteID }) { return item }
        }
        return try await session.item(id: remoteID)
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
