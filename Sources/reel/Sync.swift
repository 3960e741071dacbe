import ArgumentParser
import Foundation
import HTTP
import ReelKit

struct Sync: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mirror remotes' history into the library: every generation, video and thumbnail.",
        discussion: """
            Pages each remote's list newest first and stops at the first full page of items it already has, \
            unchanged and finished (--full walks to the end and marks what the remote no longer lists). Items \
            still queued or running are asked about again. Then it fetches every file not yet in the store, \
            --jobs at once: the unwatermarked video where the remote has one, the thumbnail (made from the \
            video where the remote has none), the last frame, the source images. Each file is checked with \
            libavformat before it counts.

            Ctrl-C stops cleanly; run it again to continue. A second sync on the same library waits (--wait) \
            or exits 75.

            Example:
              reel sync
              reel sync luma --full --jobs 8
              reel sync sim --no-media --json
              reel sync --dry-run

            Exit status: 0 when nothing failed; 1 when items or files failed (the next sync retries them); \
            69 remote unavailable; 75 another sync holds the library; 77 key refused or missing; 130 interrupted.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: "The remotes to sync (default: all).") var remotes: [String] = []
    @Flag(help: "Walk the whole history, and mark items the remote no longer lists.") var full = false
    @Flag(name: .customLong("no-media"), help: "Sync the catalog only; fetch no files.") var noMedia = false
    @Flag(name: .customLong("keep-watermarked"), help: "Keep the watermarked video too when an unwatermarked one exists.")
    var keepWatermarked = false
    @Option(help: "Files fetched at once.") var jobs = 6
    @Option(help: "Retries per API call and per file before it counts as failed for this run.") var retries = 5
    @Option(
        name: .customLong("max-file-size"),
        help: ArgumentHelp("The largest file to download; a larger one fails (e.g. 500MB, 2GiB, or bytes).", valueName: "size"),
        transform: { text in
            guard let bytes = ByteSize.parse(text), bytes > 0 else {
                throw ValidationError("--max-file-size: \"\(text)\" is not a size; write e.g. 500MB, 2GiB or 1048576")
            }
            return bytes
        })
    var maxFileSize = SyncOptions.defaultMaxFileSize
    @Flag(name: .customLong("dry-run"), help: "Print what would change; write nothing.") var dryRun = false
    @Flag(help: "Wait for another sync of this library to end instead of exiting 75.") var wait = false
    @Flag(help: "Print each remote's summary as a JSON object.") var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64") }
        guard (0...20).contains(retries) else { throw ValidationError("--retries must be from 0 to 20") }
    }

    func execute() async throws(ReelError) {
        try await Interrupts.cancellable { [self] () async throws(ReelError) in try await syncAll() }
    }

    private func syncAll() async throws(ReelError) {
        let library = try options.open()
        let all = try Remotes(library: library).list()
        let chosen = try remotes.isEmpty ? all : remotes.map { name throws(ReelError) in try Remotes(library: library).named(name) }
        guard !chosen.isEmpty else {
            throw ReelError("no remotes to sync; add one with `reel remote add`", status: .usage)
        }
        let environment = ProcessInfo.processInfo.environment
        // Keys first: a missing key should not cost a lock and a wait.
        let keys = try chosen.map { remote throws(ReelError) in try RemoteKey.find(for: remote, environment: environment) }
        let lock: LibraryLock? = dryRun ? nil : try await LibraryLock.acquire(
            libraryRoot: library.root, purpose: "reel sync " + chosen.map(\.name).joined(separator: " "), wait: wait
        ) { holder in Terminal.error("waiting for another sync to finish (\(holder))") }
        defer { _ = lock }
        var settings = SyncOptions()
        settings.full = full
        settings.media = !noMedia
        settings.jobs = jobs
        settings.dryRun = dryRun
        settings.keepWatermarked = keepWatermarked
        settings.attempts = retries + 1
        settings.maxFileSize = maxFileSize
        let client = HTTPClient(maxConnectionsPerHost: jobs)
        defer { client.shutdown() }
        var worst: ReelError?
        for (remote, key) in zip(chosen, keys) {
            let session = try RemoteSession(remote: remote, key: key, client: client, attempts: settings.attempts, retryPolicy: settings.retryPolicy)
            let engine = SyncEngine(library: library, session: session, client: client, options: settings, report: SyncView().update)
            let outcome: Result<SyncSummary, ReelError>
            do throws(ReelError) { outcome = .success(try await engine.run()) } catch { outcome = .failure(error) }
            Terminal.endProgress()
            try show(engine.result)
            switch outcome {
            case .success(let summary) where summary.failed > 0:
                worst = worst ?? ReelError("\(summary.failed) item\(summary.failed == 1 ? "" : "s") or file\(summary.failed == 1 ? "" : "s") failed; the next sync retries them", status: .failure)
            case .success:
                break
            case .failure(let error) where error.status == .interrupted:
                throw error
            case .failure(let error):
                // One remote down does not keep the others from syncing.
                Terminal.error(error.message)
                worst = error
            }
        }
        if let worst { throw worst }
    }

    private func show(_ summary: SyncSummary) throws(ReelError) {
        if json {
            try JSONOutput.print(summary, pretty: false)
            return
        }
        for change in summary.changes ?? [] { print(change) }
        print(SyncView.summaryLine(summary))
        for failure in summary.failures.prefix(10) {
            Terminal.error("\(failure.id): \(failure.error)")
        }
        if summary.failures.count > 10 { Terminal.error("… and \(summary.failed - 10) more failures") }
    }
}
