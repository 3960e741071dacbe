import Catalog
import ContentStore
import Foundation

/// One thing `doctor` found wrong, with what to do about it.
public struct DoctorFinding: Sendable, Equatable, Encodable, CustomStringConvertible {
    public enum Area: String, Sendable, Encodable {
        /// The catalog file or its rows.
        case catalog
        /// The files under objects/ against the catalog.
        case store
        /// Who may read or write the library and the credentials file.
        case permissions
        /// Free space on the library's filesystem.
        case space
    }

    public let area: Area
    /// What it is about: a path, a table row, a count.
    public let subject: String
    public let problem: String
    /// What to do.
    public let advice: String

    public var description: String { "\(area.rawValue): \(subject): \(problem); \(advice)" }

    /// The exit status a finding of this area stands for: 65 for the catalog and store (bad data), 77 for
    /// permissions (as for a credentials file others can read elsewhere in reel), 74 for a filling disk.
    public var status: ReelError.Status {
        switch area {
        case .catalog, .store: .dataError
        case .permissions: .permission
        case .space: .ioError
        }
    }
}

/// What `doctor` found.
public struct DoctorReport: Sendable, Encodable {
    public var findings: [DoctorFinding] = []
    /// Blobs the catalog records.
    public var blobs = 0
    /// Free bytes on the library's filesystem, and its size.
    public var freeBytes: Int64 = 0
    public var totalBytes: Int64 = 0

    public var isHealthy: Bool { findings.isEmpty }

    /// The exit status of the most serious finding (bad data before permissions before space), or nil.
    public var status: ReelError.Status? {
        let order: [ReelError.Status] = [.dataError, .permission, .ioError]
        return order.first { status in findings.contains { $0.status == status } }
    }
}

/// Looks the library over without rehashing (that is `verify`): SQLite's own integrity and foreign-key checks,
/// rows and files that belong to nothing, permissions of the library folder and the credentials file, and
/// free disk space. Changes nothing.
public struct Doctor {
    private let library: Library
    private let credentialsPath: String?
    /// Below this much free space, or below `minimumFreeFraction` of the filesystem, doctor warns.
    public var minimumFreeBytes: Int64 = 1 << 30
    public var minimumFreeFraction = 0.05

    /// `credentialsPath`: the credentials file to check (nil: none to check).
    public init(library: Library, credentialsPath: String?) {
        self.library = library
        self.credentialsPath = credentialsPath
    }

    public func run() throws(ReelError) -> DoctorReport {
        var report = DoctorReport()
        do {
            try checkCatalog(&report)
            try checkStore(&report)
        } catch {
            throw ReelError(error)
        }
        checkPermissions(&report)
        checkSpace(&report)
        return report
    }

    private func checkCatalog(_ report: inout DoctorReport) throws {
        let catalog = library.catalog
        let integrity = try catalog.integrityCheck()
        if integrity != ["ok"] {
            for line in integrity {
                report.findings.append(DoctorFinding(
                    area: .catalog, subject: catalog.path, problem: "integrity check: \(line)",
                    advice: "copy the library folder aside, then restore catalog.sqlite from a backup or salvage it with `sqlite3 catalog.sqlite .recover`"))
            }
        }
        for violation in try catalog.foreignKeyViolations() {
            let row = "\(violation.table) row \(violation.rowID.map(String.init) ?? "?")"
            if violation.table == "media" && violation.parent == "generations" {
                report.findings.append(DoctorFinding(
                    area: .catalog, subject: row, problem: "an orphan: its generation row is gone", advice: "run `reel gc` to remove it"))
            } else {
                report.findings.append(DoctorFinding(
                    area: .catalog, subject: row, problem: "names a \(violation.parent) row that does not exist",
                    advice: "the catalog was changed outside reel; restore catalog.sqlite from a backup"))
            }
        }
        for media in try catalog.mediaWithoutBlob() {
            report.findings.append(DoctorFinding(
                area: .catalog, subject: "media row \(media.id)", problem: "stored, but its blob \(media.blobSHA256 ?? "(none)") is not recorded",
                advice: "run `reel verify --repair` to mark it for download again"))
        }
    }

    private func checkStore(_ report: inout DoctorReport) throws {
        let catalog = library.catalog
        let blobs = try catalog.blobs()
        report.blobs = blobs.count
        let unused = try catalog.unusedBlobs()
        if !unused.isEmpty {
            let bytes = unused.reduce(Int64(0)) { $0 + $1.size }
            report.findings.append(DoctorFinding(
                area: .store, subject: "\(unused.count) blob\(unused.count == 1 ? "" : "s")",
                problem: "recorded but used by no item (\(MediaSummary.byteCount(bytes)))", advice: "run `reel gc` to remove them"))
        }
        let recorded = Set(blobs.map(\.sha256))
        var unrecorded = 0
        for object in try library.store.allObjects() {
            guard let digest = object.digest else {
                report.findings.append(DoctorFinding(
                    area: .store, subject: object.path, problem: "a stray file: its name is not a SHA-256",
                    advice: "run `reel verify --repair` to move it to quarantine/"))
                continue
            }
            if !recorded.contains(digest.hex) { unrecorded += 1 }
        }
        if unrecorded > 0 {
            report.findings.append(DoctorFinding(
                area: .store, subject: "\(unrecorded) file\(unrecorded == 1 ? "" : "s") in objects/",
                problem: "recorded by no catalog row (left by an interrupted import)",
                advice: "run `reel gc` (it removes those older than a day)"))
        }
    }

    private func checkPermissions(_ report: inout DoctorReport) {
        let root = library.root
        for (path, what) in [(root, "the library folder"), (root + "/objects", "objects/"), (root + "/tmp", "tmp/"),
                             (Library.catalogPath(in: root), "the catalog")] {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
            if access(path, isFolder ? (R_OK | W_OK | X_OK) : (R_OK | W_OK)) != 0 {
                report.findings.append(DoctorFinding(
                    area: .permissions, subject: path, problem: "reel cannot read and write \(what) (mode \(Self.mode(info)))",
                    advice: "run `chmod u+rw\(isFolder ? "x" : "") \(path)`"))
            }
            if info.st_mode & 0o002 != 0 {
                report.findings.append(DoctorFinding(
                    area: .permissions, subject: path, problem: "anyone on this machine can change \(what) (mode \(Self.mode(info)))",
                    advice: "run `chmod o-w \(path)`"))
            }
        }
        if let credentialsPath {
            var info = stat()
            if stat(credentialsPath, &info) == 0, info.st_mode & 0o077 != 0 {
                report.findings.append(DoctorFinding(
                    area: .permissions, subject: credentialsPath,
                    problem: "the credentials file can be read by others (mode \(Self.mode(info))), so reel refuses to use it",
                    advice: "run `chmod 600 \(credentialsPath)`"))
            }
        }
    }

    private func checkSpace(_ report: inout DoctorReport) {
        var info = statvfs()
        guard statvfs(library.root, &info) == 0 else { return }
        report.freeBytes = Int64(info.f_bavail) * Int64(info.f_frsize)
        report.totalBytes = Int64(info.f_blocks) * Int64(info.f_frsize)
        let fraction = report.totalBytes > 0 ? Double(report.freeBytes) / Double(report.totalBytes) : 1
        if report.freeBytes < minimumFreeBytes || fraction < minimumFreeFraction {
            report.findings.append(DoctorFinding(
                area: .space, subject: library.root,
                problem: "only \(MediaSummary.byteCount(report.freeBytes)) free (\(Int(fraction * 100))% of the filesystem)",
                advice: "free some space (or run `reel gc`): a sync or an export may fail when the disk is full"))
        }
    }

    private static func mode(_ info: stat) -> String { String(info.st_mode & 0o777, radix: 8) }
}
