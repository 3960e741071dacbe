import Catalog
import ContentStore
import Foundation

/// One file `gc` removed (or, in a dry run, would remove).
public struct GCRemoval: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Encodable {
        /// A recorded blob no media row uses: its row and its file.
        case unusedBlob = "unused-blob"
        /// A file under objects/ the catalog does not record (an import killed before it committed).
        case unrecordedFile = "unrecorded-file"
        /// A file in tmp/ a killed write left (its lock is free), or a partial download untouched for a day.
        case staleTemporary = "stale-temp"
        /// A media row whose generation row is gone (the catalog was changed outside reel).
        case orphanMedia = "orphan-media"
    }

    public let kind: Kind
    /// The file's path (for an orphan media row, `media row N`).
    public let subject: String
    /// Bytes freed.
    public let size: Int64
}

/// What `gc` did.
public struct GCReport: Sendable, Encodable {
    public var removals: [GCRemoval] = []
    /// Files left alone because they are younger than ``GarbageCollector/minimumAge``: a running import or
    /// sync may own them.
    public var keptYoung = 0
    public var dryRun = false

    public var freedBytes: Int64 { removals.reduce(0) { $0 + $1.size } }

    enum CodingKeys: String, CodingKey { case removals, keptYoung, dryRun, freedBytes }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(removals, forKey: .removals)
        try container.encode(keptYoung, forKey: .keptYoung)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(freedBytes, forKey: .freedBytes)
    }
}

/// Removes what no item references: blob rows (and files) no media row uses, files under objects/ the
/// catalog does not record, temp files a killed process left, media rows whose generation is gone. Never
/// touches `quarantine/`, files it cannot name by hash (`verify --repair` quarantines those), a write in
/// progress, or anything else written in the last day.
///
/// Holding the library's ``LibraryLock`` is required (the initializer takes it), so no sync is writing.
public struct GarbageCollector {
    /// Files younger than this (seconds) are kept: an import takes no lock, and it writes its temp file and
    /// stores its object before it records it. A day is far longer than that takes.
    public static let minimumAge = 86_400

    private let library: Library

    public init(library: Library, holding lock: LibraryLock) {
        precondition(lock.path.hasPrefix(library.root + "/"), "the lock of another library")
        self.library = library
    }

    /// For a dry run, which needs no lock: it changes nothing.
    public init(dryRunOf library: Library) {
        self.library = library
    }

    /// Collects; with `dryRun`, only reports what it would remove. `now` is seconds since 1970.
    public func run(dryRun: Bool, now: Int = Int(Date().timeIntervalSince1970)) throws(ReelError) -> GCReport {
        var report = GCReport()
        report.dryRun = dryRun
        let catalog = library.catalog
        let store = library.store
        let cutoff = now - Self.minimumAge
        do {
            let orphans = try catalog.foreignKeyViolations().filter { $0.table == "media" && $0.parent == "generations" }
            for orphan in orphans {
                guard let id = orphan.rowID else { continue }
                if !dryRun { try catalog.deleteMedia(id: id) }
                report.removals.append(GCRemoval(kind: .orphanMedia, subject: "media row \(id)", size: 0))
            }

            let recorded = Set(try catalog.blobs().map(\.sha256))
            for blob in try catalog.unusedBlobs() {
                guard let digest = Digest(hex: blob.sha256) else { continue }
                let path = store.path(for: digest)
                let size = store.fileInfo(path)?.size ?? 0
                if !dryRun {
                    // The row goes first: a crash in between leaves an unrecorded file, which the next gc removes.
                    try catalog.deleteBlob(sha256: blob.sha256)
                    try store.removeFile(path)
                }
                report.removals.append(GCRemoval(kind: .unusedBlob, subject: path, size: size))
            }

            for object in try store.allObjects() {
                guard let digest = object.digest, !recorded.contains(digest.hex), let file = store.fileInfo(object.path) else { continue }
                guard file.modified < cutoff else {
                    report.keptYoung += 1
                    continue
                }
                if !dryRun { try store.removeFile(file.path) }
                report.removals.append(GCRemoval(kind: .unrecordedFile, subject: file.path, size: file.size))
            }

            // A dead process's temp files go at any age (a writer's lock tells); a partial download kept to
            // resume, and anything else, after a day; a write in progress never.
            let partials = try catalog.partialDownloadPaths()
            for file in try store.temporaryFiles() {
                let abandoned = store.isAbandoned(file, keepingPartials: partials, now: now)
                guard abandoned || (file.modified < cutoff && !store.isBeingWritten(file)) else {
                    report.keptYoung += 1
                    continue
                }
                if !dryRun {
                    try store.removeFile(file.path)
                    if partials.contains(file.path) { try catalog.forgetPartial(path: file.path, at: Timestamp.now()) }
                }
                report.removals.append(GCRemoval(kind: .staleTemporary, subject: file.path, size: file.size))
            }
        } catch {
            throw ReelError(error)
        }
        return report
    }
}
