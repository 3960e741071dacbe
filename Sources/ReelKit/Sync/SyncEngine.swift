import Catalog
import ContentStore
import Foundation
import HTTP
import Media
import RemoteAPI

/// Mirrors one remote into a library: its history into the catalog, its files into the store.
///
/// Phases: list (page the history; or, on a host without a list, refresh the ids reel tracks), poll (ask
/// again about items that were not finished), media (fetch every file still missing, `--jobs` at once),
/// posters (thumbnails made from videos where the remote has none). Each page is written in one
/// transaction and each file as it lands, so an interrupted sync keeps what finished and the next one
/// continues. Only this object touches the catalog; downloads run in child tasks that hold only
/// `Sendable` parts and hand their results back here.
public final class SyncEngine {
    private let library: Library
    private let session: RemoteSession
    private let client: HTTPClient
    private let options: SyncOptions
    private let plan: MediaPlan
    private let report: (SyncProgress.Event, SyncProgress) -> Void
    private var progress: SyncProgress
    private var runID: Int64?
    /// Remote ids this run has had an answer for.
    private var answered = Set<String>()

    private var catalog: Catalog { library.catalog }
    private var remote: RemoteRecord { session.remote }

    /// A sync of `session`'s remote into `library`. `report` is called on this task at each page, file and phase.
    public init(
        library: Library, session: RemoteSession, client: HTTPClient, options: SyncOptions,
        report: @escaping (SyncProgress.Event, SyncProgress) -> Void = { _, _ in }
    ) {
        self.library = library
        self.session = session
        self.client = client
        self.options = options
        self.plan = MediaPlan(keepWatermarked: options.keepWatermarked)
        self.report = report
        self.progress = SyncProgress(
            remote: session.remote.name, summary: SyncSummary(remote: session.remote.name, full: options.full, dryRun: options.dryRun),
            started: .now)
    }

    private var summary: SyncSummary {
        get { progress.summary }
        set { progress.summary = newValue }
    }

    /// What the run has done so far; after `run` threw, what it did before it stopped.
    public var result: SyncSummary { progress.summary }

    /// Runs the sync. Returns its summary (also when items failed: see `failed`); throws only when the run
    /// could not go on (remote down: 69, key refused: 77, disk: 74, interrupted: 130), after recording what
    /// it did in `sync_runs`.
    public func run() async throws(ReelError) -> SyncSummary {
        if !options.dryRun {
            runID = try catalogCall { try catalog.startSyncRun(remote: remote.name, full: options.full, pid: getpid(), at: Timestamp.now()) }
            // What a killed sync or import left in tmp/, but not the downloads to resume (the lock a sync
            // holds keeps another from making a partial meanwhile).
            let keep = try catalogCall { try catalog.partialDownloadPaths() }
            _ = try? library.store.removeAbandonedTemporaryFiles(keepingPartials: keep)
        }
        do {
            if remote.hasList {
                try await listHistory()
            } else if options.full {
                enter(.polling)
                try await refresh(ids: try catalogCall { try catalog.remoteIDs(remote: remote.name).map(\.remoteID) })
            }
            try await pollUnfinished()
            if options.media && !options.dryRun {
                try await fetchMedia()
            }
            try finish(status: "finished", error: nil)
        } catch {
            let status = error.status == .interrupted ? "interrupted" : "failed"
            try? finish(status: status, error: error.message)
            throw error
        }
        return summary
    }

    // MARK: Listing

    private func listHistory() async throws(ReelError) {
        enter(.listing)
        var seen = Set<String>()
        var anonymousFailures = false
        let walk = HistoryWalk(pageSize: options.pageSize)
        /// `stop` says when a page lets the walk end, given what writing it found and whether the page was
        /// full; `nil`: never (`--full`).
        let consume = { [self] (page: RemotePage, fresh: [RemoteGeneration], full: Bool, stop: ((Applied, Bool) -> Bool)?) async throws(ReelError) -> Bool in
            progress.pages += 1
            for failure in page.failures where failure.itemID.map({ !seen.contains($0) }) ?? true {
                if let id = failure.itemID { seen.insert(id) } else { anonymousFailures = true }
                summary.fail(failure.itemID ?? "?", "the remote sent an item reel cannot read: \(failure.description)")
            }
            seen.formUnion(fresh.map(\.id))
            let applied = try apply(fresh)
            report(.page, progress)
            return page.failures.isEmpty && (stop?(applied, full) ?? false)
        }
        let fetch: @Sendable (Int, Int) async throws(ReelError) -> RemotePage = { [session] offset, limit throws(ReelError) in
            try await session.page(offset: offset, limit: limit)
        }
        let end = try await walk.run(fetch: fetch) { page, fresh, full throws(ReelError) in
            try await consume(page, fresh, full, options.full ? nil : { applied, full in full && applied.settled })
        }
        // Items that arrived at the head while the walk paged: one more look from the top, down to the
        // first page with nothing new (unfinished items there are polled next anyway). Only when the walk
        // went past its first page: a list that fits one page was read in one go.
        if seen.count > options.pageSize && !options.dryRun {
            _ = try await walk.run(fetch: fetch) { page, fresh, full throws(ReelError) in
                try await consume(page, fresh, full, { applied, _ in applied.added == 0 })
            }
        }
        if options.full, end == .reachedEnd, !anonymousFailures {
            let gone = try catalogCall { try catalog.remoteIDs(remote: remote.name) }.filter { !$0.missing && !seen.contains($0.remoteID) }
            try markMissing(gone.map(\.id))
        }
    }

    /// What writing a batch found.
    private struct Applied {
        /// Every item was known, unchanged and finished (an incremental sync stops at a full page of such).
        var settled = true
        /// Items the catalog did not have.
        var added = 0
    }

    /// Writes a batch of items the remote sent, in one transaction.
    @discardableResult
    private func apply(_ generations: [RemoteGeneration]) throws(ReelError) -> Applied {
        var applied = Applied()
        guard !generations.isEmpty else { return applied }
        let now = Timestamp.now()
        try catalogCall {
            let known = try catalog.known(uids: generations.map { $0.id.lowercased() })
            let save = { [self] (g: RemoteGeneration, fields: SyncedFields, wanted: [WantedMedia]) throws in
                let id = try catalog.upsertFromRemote(
                    uid: g.id.lowercased(), remote: remote.name, remoteID: g.id, fields: fields, rawJSON: g.rawJSON, at: now)
                try catalog.want(wanted, generationID: id, at: now)
            }
            let write = { [self] () throws in
                var unchanged: [Int64] = []
                for g in generations {
                    if answered.insert(g.id).inserted {
                        summary.seen += 1
                    } else if options.dryRun {
                        continue  // nothing was written, so the catalog cannot tell that this run counted it
                    }
                    let uid = g.id.lowercased()
                    var fields = SyncedFields(g)
                    let wanted = plan.wanted(for: g)
                    // A proxy's item does not name the generation it extends, nor its kind: what reel recorded when
                    // it made the extension stays (the upsert keeps a kind the remote leaves out) and is no change.
                    if let recorded = known[uid]?.fields {
                        if fields.parentUID == nil { fields.parentUID = recorded.parentUID }
                        if fields.kind == nil, recorded.kind != "local" { fields.kind = recorded.kind }
                    }
                    guard let k = known[uid] else {
                        applied.settled = false
                        applied.added += 1
                        summary.new += 1
                        if options.dryRun {
                            summary.changes?.append("new      \(uid)  \(fields.state.rawValue)  \(Self.excerpt(fields.prompt))")
                        } else {
                            try save(g, fields, wanted)
                        }
                        continue
                    }
                    let changed = k.fields != fields || k.remoteMissing || k.remote == nil
                        || !Set(wanted.map(\.key)).isSubset(of: k.mediaKeys)
                    if !fields.state.isFinal || changed { applied.settled = false }
                    guard changed else {
                        unchanged.append(k.id)
                        // Files still to fetch get the links just sent: fresher than the ones on record.
                        let renew = wanted.filter { k.unstoredKeys.contains($0.key) && $0.remoteURL != nil }
                        if !renew.isEmpty && !options.dryRun { try catalog.want(renew, generationID: k.id, at: now) }
                        continue
                    }
                    summary.updated += 1
                    if !k.fields.state.isFinal && fields.state.isFinal { summary.finished += 1 }
                    if options.dryRun {
                        summary.changes?.append("update   \(uid)  \(Self.difference(k.fields, fields, adopted: k.remote == nil))")
                    } else {
                        try save(g, fields, wanted)
                    }
                }
                if !options.dryRun {
                    try catalog.markSeen(ids: unchanged, at: now)
                    try saveTotals(status: "running", error: nil, at: now)
                }
            }
            if options.dryRun { try write() } else { try catalog.transaction(write) }
        }
        return applied
    }

    // MARK: Polling

    /// Asks again about items that were not finished (or finished without files yet) and that this run
    /// has not heard of. A remote often says `completed` a poll or two before its links are ready: those
    /// get up to two more looks, a moment apart.
    private func pollUnfinished() async throws(ReelError) {
        defer { summary.running = (try? catalog.unfinishedRemoteIDs(remote: remote.name).filter { !$0.state.isFinal }.count) ?? 0 }
        var ids = try catalogCall { try catalog.unfinishedRemoteIDs(remote: remote.name) }
            .filter { $0.state == .completed || !answered.contains($0.remoteID) }.map(\.remoteID)
        guard !ids.isEmpty else { return }
        enter(.polling)
        for round in 0..<3 {
            if round > 0 {
                do { try await Task.sleep(for: .seconds(round)) } catch { throw ReelError.interrupted }
            }
            try await refresh(ids: ids)
            guard !options.dryRun else { break }
            let waiting = Set(ids)
            ids = try catalogCall { try catalog.unfinishedRemoteIDs(remote: remote.name) }
                .filter { $0.state == .completed && waiting.contains($0.remoteID) }.map(\.remoteID)
            if ids.isEmpty { break }
        }
    }

    /// Fetches these items again (the batch call where the dialect has one, else one by one, `--jobs` at
    /// once) and writes them. Items the remote no longer has are marked remote-missing.
    private func refresh(ids: [String]) async throws(ReelError) {
        var missing: [String] = []
        var chunkStart = 0
        while chunkStart < ids.count {
            if Task.isCancelled { throw ReelError.interrupted }
            let chunk = Array(ids[chunkStart..<min(ids.count, chunkStart + 100)])
            chunkStart += chunk.count
            var found: [RemoteGeneration] = []
            var unanswered = chunk
            if let tasks = try await session.tasks(ids: chunk) {
                for task in tasks {
                    switch task {
                    case .success(let g): found.append(g)
                    case .failure(let error): summary.fail(error.itemID ?? "?", "the remote sent a task reel cannot read: \(error.description)")
                    }
                }
                let got = Set(found.map(\.id))
                unanswered = chunk.filter { !got.contains($0) }
            }
            for (id, item) in try await details(unanswered) {
                if let item { found.append(item) } else { missing.append(id) }
            }
            try apply(found)
            report(.page, progress)
        }
        guard !missing.isEmpty else { return }
        let rows = try catalogCall { try catalog.remoteIDs(remote: remote.name) }
        let gone = Set(missing)
        try markMissing(rows.filter { gone.contains($0.remoteID) && !$0.missing }.map(\.id))
    }

    /// Each item's detail, `--jobs` at once; nil for an item the remote does not have.
    private func details(_ ids: [String]) async throws(ReelError) -> [(String, RemoteGeneration?)] {
        let session = self.session
        var found: [(String, RemoteGeneration?)] = []
        var failure: ReelError?
        await forEachConcurrently(ids, width: options.jobs) { id -> Result<RemoteGeneration?, ReelError> in
            do throws(ReelError) { return .success(try await session.item(id: id)) } catch { return .failure(error) }
        } handle: { id, result in
            switch result {
            case .success(let item): found.append((id, item))
            case .failure(let error): failure = failure ?? error
            }
            return failure == nil
        }
        if let failure { throw failure }
        if Task.isCancelled { throw ReelError.interrupted }
        return found
    }

    private func markMissing(_ ids: [Int64]) throws(ReelError) {
        guard !ids.isEmpty else { return }
        summary.missing += ids.count
        if options.dryRun {
            summary.changes?.append("missing  \(ids.count) item\(ids.count == 1 ? "" : "s") the remote no longer lists (kept locally)")
            return
        }
        try catalogCall { try catalog.markRemoteMissing(ids: ids, at: Timestamp.now()) }
    }

    // MARK: Media

    /// Fetches every file of this remote's items that is not in the store yet, `--jobs` at once, then
    /// makes the thumbnails the remote does not offer.
    private func fetchMedia() async throws(ReelError) {
        let pending = try catalogCall { try catalog.pendingMedia(remote: remote.name) }
        let downloads = pending.filter { !$0.isPosterFrame }
        let posters = pending.filter(\.isPosterFrame)
        progress.filesTotal = pending.count
        guard !pending.isEmpty else { return }
        enter(.media)
        let fetcher = MediaFetcher(
            session: session, client: client, store: library.store, plan: plan, attempts: options.attempts,
            retryPolicy: options.retryPolicy, maxFileSize: options.maxFileSize)
        try await runJobs(downloads, width: options.jobs) { job in await fetcher.fetch(job) }
        if !posters.isEmpty {
            enter(.posters)
            let store = library.store
            let makeable = try catalogCall {
                try posters.compactMap { job in
                    try catalog.storedVideoSHA(generationID: job.generationID).flatMap(Digest.init(hex:)).map { (job, store.path(for: $0)) }
                }
            }
            let byID = Dictionary(makeable.map { ($0.0.mediaID, $0.1) }, uniquingKeysWith: { a, _ in a })
            let width = max(1, min(options.jobs, ProcessInfo.processInfo.activeProcessorCount))
            try await runJobs(makeable.map(\.0), width: width) { job in
                await PosterMaker(store: store).make(from: byID[job.mediaID]!)
            }
        }
        summary.pendingFiles = try catalogCall { try catalog.pendingMedia(remote: remote.name) }.count
    }

    /// Runs `work` over the jobs, `width` at once, and writes the outcomes in batches: one transaction
    /// (one fsync) for up to 32 files or a quarter of a second, whichever comes first. A file stored but
    /// not yet recorded when the process dies is in the store; the next sync fetches it again and the
    /// store keeps one copy.
    private func runJobs(
        _ jobs: [PendingMedia], width: Int, work: @escaping @Sendable (PendingMedia) async -> FetchOutcome
    ) async throws(ReelError) {
        var fatal: ReelError?
        var batch: [(PendingMedia, FetchOutcome)] = []
        var batchStarted = ContinuousClock.now
        await forEachConcurrently(jobs, width: width, work: work) { job, outcome in
            if case .fatal(let error) = outcome {
                fatal = error
                return false
            }
            if batch.isEmpty { batchStarted = .now }
            batch.append((job, outcome))
            account(job, outcome)
            if batch.count >= 32 || ContinuousClock.now - batchStarted >= .milliseconds(250) {
                do throws(ReelError) { try write(batch) } catch { fatal = error }
                batch.removeAll(keepingCapacity: true)
            }
            return fatal == nil
        }
        if fatal == nil && !batch.isEmpty {
            do throws(ReelError) { try write(batch) } catch { fatal = error }
        }
        if let fatal { throw fatal }
        if Task.isCancelled { throw ReelError.interrupted }
    }

    /// Counts a file's outcome in the summary and the progress line.
    private func account(_ job: PendingMedia, _ outcome: FetchOutcome) {
        switch outcome {
        case .stored(let blob, _, _):
            summary.downloaded += 1
            summary.bytes += blob.size
        case .failed(let message, _, _, _):
            summary.fail(job.remoteID, "\(MediaFetcher.name(job)): \(message)")
        case .interrupted, .fatal:
            break
        }
        progress.filesDone += 1
        report(.file, progress)
    }

    /// Records a batch of outcomes, and the run's totals, in one transaction.
    private func write(_ batch: [(PendingMedia, FetchOutcome)]) throws(ReelError) {
        let now = Timestamp.now()
        try catalogCall {
            try catalog.transaction {
                for (job, outcome) in batch {
                    switch outcome {
                    case .stored(let blob, let info, let sourcePath):
                        let infoRecord = try MediaInfoRecord(blobSHA256: blob.digest.hex, info: info, probedAt: now)
                        try catalog.store(
                            mediaID: job.mediaID,
                            blob: BlobRecord(sha256: blob.digest.hex, size: blob.size, storedAt: now, verifiedAt: now),
                            info: infoRecord, sourcePath: sourcePath, at: now)
                        if job.role == .videoRaw || job.role == .video {
                            try catalog.dropImportedDuplicate(of: blob.digest.hex, generationID: job.generationID, keeping: job.mediaID)
                        }
                    case .failed(let message, let partial, let url, let gone):
                        try catalog.mediaFailed(
                            mediaID: job.mediaID, error: message, gone: gone,
                            partial: partial.map { ($0.path, $0.size, $0.etag, $0.lastModified) }, remoteURL: url, at: now)
                    case .interrupted(let partial):
                        try catalog.mediaFailed(
                            mediaID: job.mediaID, error: "interrupted", partial: partial.map { ($0.path, $0.size, $0.etag, $0.lastModified) },
                            at: now)
                    case .fatal:
                        break
                    }
                }
                try saveTotals(status: "running", error: nil, at: now)
            }
        }
    }

    // MARK: Bookkeeping

    private func enter(_ phase: SyncProgress.Phase) {
        progress.phase = phase
        report(.phase, progress)
    }

    private func finish(status: String, error: String?) throws(ReelError) {
        summary.status = status
        summary.seconds = progress.elapsed
        progress.phase = .done
        if !options.dryRun { try saveTotals(status: status, error: error, at: Timestamp.now()) }
        report(.phase, progress)
    }

    private func saveTotals(status: String, error: String?, at now: String) throws(ReelError) {
        guard let runID else { return }
        var totals = SyncRunTotals()
        totals.seen = summary.seen
        totals.added = summary.new
        totals.updated = summary.updated
        totals.finished = summary.finished
        totals.failedItems = summary.failed
        totals.downloaded = summary.downloaded
        totals.bytes = summary.bytes
        totals.errors = summary.failed
        totals.lastError = error ?? summary.failures.last.map { "\($0.id): \($0.error)" }
        try catalogCall { try catalog.updateSyncRun(id: runID, totals: totals, status: status, at: now) }
    }

    private func catalogCall<T>(_ body: () throws -> T) throws(ReelError) -> T {
        do { return try body() } catch { throw ReelError(error) }
    }

    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 60 ? String(line.prefix(59)) + "…" : line
    }

    static func difference(_ old: SyncedFields, _ new: SyncedFields, adopted: Bool) -> String {
        var parts: [String] = []
        if adopted { parts.append("adopts the imported file") }
        if old.state != new.state { parts.append("state \(old.state.rawValue) → \(new.state.rawValue)") }
        if old.prompt != new.prompt { parts.append("prompt") }
        if old.liked != new.liked { parts.append("liked") }
        if old.failureReason != new.failureReason { parts.append("failure reason") }
        return parts.isEmpty ? "files or details" : parts.joined(separator: ", ")
    }
}

extension PendingMedia {
    /// A thumbnail the remote does not offer: it is made from the stored video.
    var isPosterFrame: Bool { role == .thumbnail && remoteURL == nil }
}
