/// What a sync run did: the summary line, `--json`, and the `sync_runs` row.
public struct SyncSummary: Sendable, Codable, Equatable {
    /// One item or file that failed, and why.
    public struct Failure: Sendable, Codable, Equatable {
        /// The generation's id.
        public var id: String
        public var error: String
    }

    /// The remote's name.
    public var remote: String
    /// `finished` (the run went through; see `failed` for items that did not), `interrupted`,
    /// `failed` (the run stopped: remote down, key refused, disk full).
    public var status: String = "running"
    /// A `--full` run.
    public var full: Bool
    /// A `--dry-run`: nothing was written.
    public var dryRun: Bool
    /// Items the remote listed (or answered for) in this run.
    public var seen = 0
    /// Items the library did not have.
    public var new = 0
    /// Known items whose remote fields or files changed.
    public var updated = 0
    /// Known items that reached completed or failed in this run.
    public var finished = 0
    /// Items and files that failed in this run; each is retried by the next.
    public var failed = 0
    /// Files stored in this run (downloads and poster frames).
    public var downloaded = 0
    /// Bytes of the files stored.
    public var bytes: Int64 = 0
    /// How long the run took.
    public var seconds = 0.0
    /// Items still queued or running on the remote.
    public var running = 0
    /// Items a full sync no longer saw on the remote (kept locally, marked remote-missing).
    public var missing = 0
    /// Files still to fetch after this run.
    public var pendingFiles = 0
    /// What failed, the first few.
    public var failures: [Failure] = []
    /// With `--dry-run`: the changes a sync would make, one line each.
    public var changes: [String]?

    public init(remote: String, full: Bool, dryRun: Bool) {
        self.remote = remote
        self.full = full
        self.dryRun = dryRun
        if dryRun { changes = [] }
    }

    /// Adds a failure; only the first 50 are kept word for word, all are counted.
    mutating func fail(_ id: String, _ error: String) {
        failed += 1
        if failures.count < 50 { failures.append(Failure(id: id, error: error)) }
    }
}

/// Where a running sync is, for a progress line.
public struct SyncProgress: Sendable {
    /// What the sync is doing.
    public enum Phase: String, Sendable {
        /// Paging the remote's list.
        case listing
        /// Asking again about items that were not finished.
        case polling
        /// Fetching files.
        case media
        /// Making thumbnails from videos.
        case posters
        /// Done.
        case done
    }

    /// What changed since the last report.
    public enum Event: Sendable, Equatable {
        case phase
        case page
        case file
    }

    /// The remote's name.
    public var remote: String
    /// What the sync is doing now.
    public var phase: Phase = .listing
    /// List pages (and batches of polled items) read so far.
    public var pages = 0
    /// Files fetched or given up on so far, of `filesTotal`.
    public var filesDone = 0
    /// Files the media phase has to fetch.
    public var filesTotal = 0
    /// The totals so far.
    public var summary: SyncSummary
    /// When the sync started.
    public let started: ContinuousClock.Instant

    /// Seconds since the sync started.
    public var elapsed: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
