import Catalog
import ContentStore
import Dispatch
import Foundation
import Media
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What an export did.
public struct ExportReport: Sendable, Encodable {
    public var linked = 0
    public var copied = 0
    public var symlinked = 0
    /// Clips written again with container tags.
    public var embedded = 0
    /// Clips already there as reel wrote them.
    public var unchanged = 0
    public var sidecars = 0
    /// Files reel had exported before and removed (`--update`).
    public var removed = 0
    /// The manifest's path, when one was written or kept.
    public var manifest: String?
    public var skipped: [ExportSkip] = []
    public var notes: [ExportSkip] = []
    /// Clips that could not be exported (a stored file that libavformat cannot remux, …).
    public var failed: [ExportSkip] = []
    /// The run stopped early (Ctrl-C): what finished is in the ledger and a re-run continues.
    public var interrupted = false

    /// Clips placed in this run.
    public var written: Int { linked + copied + symlinked + embedded }
}

/// `reel export`: places the clips a query selects in a folder, under names from a template, with their
/// metadata inside (remuxed with tags) and beside them (sidecars, a manifest). It never touches the
/// store's files: links are to them, copies and remuxes read them.
///
/// Every file is made under a temporary name and renamed into place, so no file is ever half-written under
/// its final name. `.reel-export.json` records what reel wrote; entries are saved as pending before the
/// work starts and as done as it finishes, so an interrupted export continues where it stopped.
public struct Exporter {
    /// The version of the sidecar and ledger formats.
    public static let formatVersion = 1

    let library: Library
    let options: ExportOptions

    public init(library: Library, options: ExportOptions) {
        self.library = library
        self.options = options
    }

    /// What the export would do; writes nothing.
    public func plan(_ query: SearchQuery, timeZone: TimeZone = .current) throws(ReelError) -> ExportPlan {
        try ExportPlanner(library: library, options: options, timeZone: timeZone).plan(query)
    }

    /// Carries out `plan`. `progress` gets (clips done, clips to do); `isCancelled` is polled between clips.
    /// A failure of the folder itself (full disk, read-only, no permission) stops the export with that error,
    /// after saving what finished; a clip that cannot be written is reported in ``ExportReport/failed``.
    public func run(
        _ plan: ExportPlan, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(ReelError) -> ExportReport {
        let folder = plan.folder
        do {
            try FilePlacement.makeDirectories(folder)
        } catch {
            throw ReelError("cannot create the export folder: \(error)", status: .ioError)
        }
        let lock: FolderLock?
        do {
            lock = try FolderLock(folder)
        } catch {
            throw ReelError(error)
        }
        guard let lock else {
            throw ReelError("another reel export is writing into \(folder); wait for it to finish", status: .busy)
        }
        defer { withExtendedLifetime(lock) {} }
        let root = try Self.realPath(folder)
        var report = ExportReport(skipped: plan.skipped, notes: plan.notes)
        report.unchanged = plan.steps.count(where: { $0.action == .unchanged })
        let work = plan.work
        var ledger = plan.ledger
        for step in work {
            if step.action != .unchanged { ledger.markPending(step.path, id: step.id, role: .clip, fingerprint: step.fingerprint) }
            if let sidecar = step.sidecar, step.sidecarToWrite != nil {
                ledger.markPending(sidecar.path, id: step.id, role: .sidecar, fingerprint: sidecar.fingerprint)
            }
        }
        // The folders this run writes in: leftovers of an interrupted run are removed there, and they are
        // flushed at the end.
        let touchedFolders = Set(work.map { folder + "/" + FilePlacement.parentDirectory(of: $0.path) } + [folder])
        Self.removeLeftovers(in: touchedFolders)
        let changes = !work.isEmpty || !plan.removals.isEmpty || plan.manifest.map { !$0.unchanged } == true
        if changes { try ledger.save(folder: folder) }

        for path in plan.removals {
            if try remove(path, ledger: &ledger) { report.removed += 1 }
        }

        let run = ExportRun(ledger: ledger, report: report, total: work.count)
        let writer = ExportWriter(directory: folder, root: root)
        let next = Atomic<Int>(0)
        let jobs = work.contains(where: { $0.action == .embed }) ? options.jobs : 1
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(work.count, 1))) { _ in
            while !run.stopped {
                if isCancelled() { run.cancel(); return }
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < work.count else { return }
                run.finish(work[index], with: Result { try writer.write(work[index]) }, folder: folder, progress: progress)
            }
        }
        ledger = run.ledger
        report = run.report
        if let fatal = run.fatal {
            try? ledger.save(folder: folder)
            throw fatal
        }
        if !report.interrupted, let manifest = plan.manifest {
            if !manifest.unchanged {
                do {
                    try FilePlacement.place(folder + "/" + manifest.path) { temporary in try FilePlacement.write(manifest.bytes, to: temporary) }
                } catch {
                    try? ledger.save(folder: folder)
                    throw ReelError("cannot write the manifest: \(error)", status: .ioError)
                }
                ledger.markDone(manifest.path, id: "", role: .manifest, fingerprint: manifest.fingerprint, in: folder)
            }
            report.manifest = manifest.path
        }
        if changes || !FileManager.default.fileExists(atPath: folder + "/" + ExportLedger.fileName) {
            try ledger.save(folder: folder)
        }
        for touched in touchedFolders {
            try? FilePlacement.syncFolder(touched)
        }
        return report
    }

    /// Removes a file reel exported, if it is still the one reel wrote; says whether it did.
    private func remove(_ path: String, ledger: inout ExportLedger) throws(ReelError) -> Bool {
        guard let file = ledger.files[path] else { return false }
        defer { ledger.files[path] = nil }
        let target = options.directory + "/" + path
        guard FilePlacement.identity(target) != nil else { return false }
        guard file.pending == true || ledger.isUnchanged(path, in: options.directory) else { return false }
        do {
            try FilePlacement.remove(target)
        } catch {
            throw ReelError(error)
        }
        var folder = FilePlacement.parentDirectory(of: path)
        while folder != ".", FilePlacement.removeEmptyFolder(options.directory + "/" + folder) {
            folder = FilePlacement.parentDirectory(of: folder)
        }
        return true
    }

    private static func removeLeftovers(in folders: Set<String>) {
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(FilePlacement.temporaryPrefix) {
                try? FilePlacement.remove(folder + "/" + name)
            }
        }
    }

    static func realPath(_ path: String) throws(ReelError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw ReelError("cannot resolve \(path): \(String(cString: strerror(errno)))", status: .ioError)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Writes the files of one step: what the export's workers run, side by side.
private struct ExportWriter: Sendable {
    let directory: String
    /// The folder with symbolic links resolved.
    let root: String

    /// Writes one step's clip and sidecar; returns the clip's action as done (a link may become a copy).
    func write(_ step: ExportStep) throws -> ExportStep.Action {
        let target = directory + "/" + step.path
        let parent = FilePlacement.parentDirectory(of: target)
        try FilePlacement.makeDirectories(parent)
        // A folder inside the export that is a symbolic link elsewhere must not carry files out of it.
        guard (try Exporter.realPath(parent) + "/").hasPrefix(root + "/") else {
            throw ReelError("\(parent) leads outside \(directory) (a symbolic link?): not writing there", status: .ioError)
        }
        var done = step.action
        switch step.action {
        case .unchanged:
            break
        case .link:
            do {
                try FilePlacement.place(target) { temporary in try FilePlacement.link(step.source, to: temporary) }
            } catch let error as StoreError where [EXDEV, EPERM, EMLINK].contains(error.errnoCode) {
                try FilePlacement.place(target) { temporary in try FilePlacement.copy(step.source, to: temporary) }
                done = .copy
            }
        case .copy:
            try FilePlacement.place(target) { temporary in try FilePlacement.copy(step.source, to: temporary) }
        case .symlink:
            try FilePlacement.place(target) { temporary in try FilePlacement.symbolicLink(step.source, to: temporary) }
        case .embed:
            try FilePlacement.place(target) { temporary in
                try Remuxer.remux(source: step.source, destination: temporary, metadata: EmbeddedMetadata(tags: step.tags, coverJPEG: step.cover))
                try Self.checkReadable(temporary, like: step.item.hit.summary.video, source: step.source)
                try FilePlacement.syncFile(temporary)
            }
        }
        if let sidecar = step.sidecar, step.sidecarToWrite != nil {
            try FilePlacement.place(directory + "/" + sidecar.path) { temporary in
                try FilePlacement.write(sidecar.bytes, to: temporary)
            }
        }
        return done
    }

    /// A remuxed file counts only when libavformat reads it back, with packets, and with the video and audio
    /// the catalog recorded for the source (streams a container cannot hold, such as data tracks, may go).
    private static func checkReadable(_ path: String, like source: MediaInfoRecord?, source sourcePath: String) throws {
        let written = try MediaProbe.probe(path: path)
        let sameStreams = source.map {
            written.firstVideoStream?.codecName == $0.videoCodec && written.firstAudioStream?.codecName == $0.audioCodec
        } ?? true
        guard written.hasPackets, sameStreams else {
            throw ReelError("the remuxed copy of \(sourcePath) does not read back like the original", status: .dataError)
        }
    }

}

/// The state of a running export, shared by its workers.
private final class ExportRun: Sendable {
    private struct State {
        var ledger: ExportLedger
        var report: ExportReport
        var done = 0
        var fatal: ReelError?
        var lastSave = DispatchTime.now()
    }

    private let state: Mutex<State>
    private let total: Int

    init(ledger: ExportLedger, report: ExportReport, total: Int) {
        state = Mutex(State(ledger: ledger, report: report))
        self.total = total
    }

    var ledger: ExportLedger { state.withLock { $0.ledger } }
    var report: ExportReport { state.withLock { $0.report } }
    var fatal: ReelError? { state.withLock { $0.fatal } }
    var stopped: Bool { state.withLock { $0.fatal != nil || $0.report.interrupted } }

    func cancel() { state.withLock { $0.report.interrupted = true } }

    func finish(_ step: ExportStep, with result: Result<ExportStep.Action, any Error>, folder: String, progress: @Sendable (Int, Int) -> Void) {
        let done: Int = state.withLock { s in
            switch result {
            case .success(let action):
                switch action {
                case .link: s.report.linked += 1
                case .copy: s.report.copied += 1
                case .symlink: s.report.symlinked += 1
                case .embed: s.report.embedded += 1
                case .unchanged: break
                }
                if action != .unchanged { s.ledger.markDone(step.path, id: step.id, role: .clip, fingerprint: step.fingerprint, in: folder) }
                if let sidecar = step.sidecar, step.sidecarToWrite != nil {
                    s.ledger.markDone(sidecar.path, id: step.id, role: .sidecar, fingerprint: sidecar.fingerprint, in: folder)
                    s.report.sidecars += 1
                }
            case .failure(let error):
                if let fatal = Self.folderFailure(error) {
                    s.fatal = s.fatal ?? fatal
                } else {
                    s.report.failed.append(ExportSkip(id: step.id, reason: Self.describe(error)))
                }
            }
            s.done += 1
            // Saved now and then, so a kill -9 loses at most a few seconds of marks (pending entries are redone).
            if DispatchTime.now().uptimeNanoseconds - s.lastSave.uptimeNanoseconds > 2_000_000_000 {
                try? s.ledger.save(folder: folder)
                s.lastSave = DispatchTime.now()
            }
            return s.done
        }
        progress(done, total)
    }

    /// Failures of the folder (not of one clip) stop the export: every other clip would fail the same way.
    private static func folderFailure(_ error: any Error) -> ReelError? {
        if let error = error as? ReelError, error.status == .ioError { return error }
        if let error = error as? StoreError, let code = error.errnoCode,
            [ENOSPC, EDQUOT, EFBIG, EROFS, EACCES, EPERM, EIO].contains(code)
        {
            return ReelError(error)
        }
        if let error = error as? MediaError, [ENOSPC, EDQUOT, EFBIG, EROFS, EACCES, EPERM, EIO].contains(-error.code) {
            return ReelError("writing \(error.path): \(error.message)", status: .ioError)
        }
        return nil
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ReelError: error.message
        case let error as MediaError: error.description
        case let error as StoreError: error.description
        default: "\(error)"
        }
    }
}

extension ExportLedger {
    mutating func markPending(_ path: String, id: String, role: File.Role, fingerprint: String) {
        let previous = files[path]
        files[path] = File(
            role: role, id: id, fingerprint: fingerprint, inode: previous?.inode ?? 0, size: previous?.size ?? 0, pending: true)
    }

    mutating func markDone(_ path: String, id: String, role: File.Role, fingerprint: String, in folder: String) {
        let written = FilePlacement.identity(folder + "/" + path)
        files[path] = File(role: role, id: id, fingerprint: fingerprint, inode: written?.inode ?? 0, size: written?.size ?? 0)
    }
}
