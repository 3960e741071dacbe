import Catalog
import ContentStore
import Foundation

/// One disagreement between the catalog and the store.
public struct VerifyProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The catalog records a blob whose file is gone.
        case missingFile = "missing"
        /// The file's length is not the recorded one.
        case wrongSize = "wrong-size"
        /// The file's bytes do not hash to its name.
        case wrongHash = "corrupt"
        /// A media row says stored but its blob is not recorded.
        case danglingMedia = "dangling"
        /// A file under objects/ whose name is not a SHA-256.
        case strayFile = "stray"
        /// The file could not be read.
        case unreadable = "unreadable"
    }

    public let kind: Kind
    /// The blob's hash or the file's path.
    public let subject: String
    public let detail: String

    public init(kind: Kind, subject: String, detail: String) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(subject): \(detail)" }

    /// Found by rehashing one blob (kept by a resumable run), not by comparing the catalog with the store.
    var isAboutOneBlob: Bool { [.missingFile, .wrongSize, .wrongHash, .unreadable].contains(kind) }
}

/// Which blobs a verify rehashes.
public enum VerifyScope: Sendable, Equatable {
    /// Every blob. Resumable: an interrupted run continues where it stopped, unless `restart`.
    case all(restart: Bool = false)
    /// This many blobs picked at random (a quick spot check; not resumable).
    case sample(Int)
    /// The blobs recorded at or after this catalog time (not resumable).
    case since(String)
}

/// What `verify` found.
public struct VerifyReport: Sendable, Encodable {
    /// Blobs found intact (in a resumed run, including those the interrupted attempt checked).
    public var checked = 0
    /// Their bytes.
    public var bytes: Int64 = 0
    /// Blobs in the run's scope.
    public var total = 0
    /// Blobs an earlier, interrupted attempt had already checked (0 for a fresh run).
    public var resumed = 0
    public var problems: [VerifyProblem] = []
    /// Store files no catalog row refers to: harmless (an interrupted import leaves one), removed by gc.
    public var unreferenced: [String] = []
    /// What `--repair` did (filled by the caller from ``Repairer``).
    public var repairs: [RepairAction] = []

    public init() {}

    public var isClean: Bool { problems.isEmpty }

    enum CodingKeys: String, CodingKey { case checked, bytes, total, resumed, problems, unreferenced, repairs, clean }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checked, forKey: .checked)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(total, forKey: .total)
        try container.encode(resumed, forKey: .resumed)
        try container.encode(problems, forKey: .problems)
        try container.encode(unreferenced.count, forKey: .unreferenced)
        try container.encode(repairs, forKey: .repairs)
        try container.encode(isClean, forKey: .clean)
    }
}

/// Rehashes blobs and checks that catalog and store agree.
///
/// A whole-library run saves its position (blobs go in sha256 order) and the blobs found intact every
/// half second, in one transaction with their `verified_at`: killed, it continues from there next time.
public struct Verifier {
    private let library: Library
    /// How often progress is saved: often enough that a kill loses little, seldom enough that the fsyncs
    /// of the commits cost nothing next to the hashing.
    private static let saveInterval: Duration = .milliseconds(500)

    public init(library: Library) {
        self.library = library
    }

    /// Runs the check; `progress` gets (blobs done, blobs in the scope) after each blob. When `isCancelled`
    /// turns true the work done is saved and the run throws ``ReelError/interrupted``-status error.
    public func run(
        scope: VerifyScope = .all(), isCancelled: () -> Bool = { Task.isCancelled },
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws(ReelError) -> VerifyReport {
        var report = VerifyReport()
        let catalog = library.catalog
        var run: VerifyRunRecord?
        var blobs: [BlobRecord]
        do {
            try checkRecords(&report)
            switch scope {
            case .all(let restart):
                blobs = try catalog.blobs()
                report.total = blobs.count
                if !restart, let unfinished = try catalog.unfinishedVerifyRun() {
                    run = unfinished
                    let earlier = (try? JSONDecoder().decode([VerifyProblem].self, from: Data(unfinished.problemsJSON.utf8))) ?? []
                    report.checked = unfinished.checked
                    report.bytes = unfinished.bytes
                    report.problems += earlier
                    if let position = unfinished.position { blobs.removeAll { $0.sha256 <= position } }
                    report.resumed = report.total - blobs.count
                } else {
                    run = try catalog.startVerifyRun(at: Timestamp.now())
                }
            case .sample(let count):
                blobs = Array(try catalog.blobs().shuffled().prefix(max(0, count))).sorted { $0.sha256 < $1.sha256 }
                report.total = blobs.count
            case .since(let time):
                blobs = try catalog.blobs(storedSince: time)
                report.total = blobs.count
            }
        } catch {
            throw ReelError(error)
        }

        // Per-blob problems of the whole run (an interrupted attempt's too), the blobs found intact since the
        // last save, and the last blob looked at.
        var blobProblems = report.problems.filter(\.isAboutOneBlob)
        var intact: [String] = []
        var lastHandled: String?
        let clock = ContinuousClock()
        var lastSave = clock.now
        func save() throws(ReelError) {
            if var current = run {
                current.checked = report.checked
                current.bytes = report.bytes
                current.position = lastHandled ?? current.position
                current.problemsJSON = Self.json(blobProblems)
                run = current
            }
            do { try catalog.saveVerifyProgress(run, verified: intact, at: Timestamp.now()) } catch { throw ReelError(error) }
            intact.removeAll()
            lastSave = clock.now
        }

        for (index, blob) in blobs.enumerated() {
            if isCancelled() {
                try save()
                let done = report.resumed + index
                throw ReelError(
                    "interrupted after \(done) of \(report.total) files"
                        + (run == nil ? "" : "; run reel verify again to continue from there"), status: .interrupted)
            }
            if let problem = try check(blob) {
                blobProblems.append(problem)
                report.problems.append(problem)
            } else {
                report.checked += 1
                report.bytes += blob.size
                intact.append(blob.sha256)
            }
            lastHandled = blob.sha256
            if lastSave.duration(to: clock.now) >= Self.saveInterval { try save() }
            progress(report.resumed + index + 1, report.total)
        }
        try save()
        if let run {
            do { try catalog.finishVerifyRun(id: run.id, at: Timestamp.now()) } catch { throw ReelError(error) }
        }
        return report
    }

    /// Media rows whose blob is not recorded, files under objects/ not named by a hash, and stored files
    /// no row records: cheap, so they are looked at on every run, resumed or not.
    private func checkRecords(_ report: inout VerifyReport) throws {
        for media in try library.catalog.mediaWithoutBlob() {
            report.problems.append(VerifyProblem(
                kind: .danglingMedia, subject: media.blobSHA256 ?? "(none)",
                detail: "a \(media.role.rawValue) of generation row \(media.generationID) names a blob the catalog lacks"))
        }
        let recorded = Set(try library.catalog.blobs().map(\.sha256))
        for file in try library.store.allObjects() {
            guard let digest = file.digest else {
                report.problems.append(VerifyProblem(kind: .strayFile, subject: file.path, detail: "not named by a SHA-256"))
                continue
            }
            if !recorded.contains(digest.hex) { report.unreferenced.append(digest.hex) }
        }
    }

    /// Rehashes one blob: nil when intact, else what is wrong.
    private func check(_ blob: BlobRecord) throws(ReelError) -> VerifyProblem? {
        guard let digest = Digest(hex: blob.sha256) else { return nil }  // the schema's CHECK keeps this from happening
        let store = library.store
        do {
            switch try store.check(digest, expectedSize: blob.size) {
            case .ok:
                return nil
            case .missing:
                return VerifyProblem(kind: .missingFile, subject: blob.sha256, detail: "no file at \(store.path(for: digest))")
            case .wrongSize(let expected, let actual):
                return VerifyProblem(kind: .wrongSize, subject: blob.sha256, detail: "\(actual) bytes, the catalog says \(expected)")
            case .wrongHash(let actual):
                return VerifyProblem(kind: .wrongHash, subject: blob.sha256, detail: "the file's bytes hash to \(actual.hex)")
            }
        } catch {
            return VerifyProblem(kind: .unreadable, subject: blob.sha256, detail: error.description)
        }
    }

    private static func json(_ problems: [VerifyProblem]) -> String {
        guard let data = try? JSONEncoder().encode(problems) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
