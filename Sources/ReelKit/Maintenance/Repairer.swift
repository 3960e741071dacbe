import Catalog
import ContentStore

/// One thing `verify --repair` did, or could not do.
public struct RepairAction: Sendable, Equatable, Encodable, CustomStringConvertible {
    public enum Kind: String, Sendable, Encodable {
        /// Bytes moved out of the store into `quarantine/`.
        case quarantined
        /// A damaged blob put back from the local file it was imported from.
        case restored
        /// A media row marked for download: the next `reel sync` fetches the file again.
        case refetch = "will-refetch"
        /// A local import's file is lost to the library: no remote to fetch it from, no intact original.
        case cannotRefetch = "cannot-refetch"
        /// A blob row dropped because its file is gone.
        case forgotten
        /// A problem repair leaves alone.
        case notRepaired = "not-repaired"
    }

    public let kind: Kind
    /// The blob's hash, a file's path, or `generation/role`.
    public let subject: String
    public let detail: String

    public var description: String { "\(kind.rawValue): \(subject): \(detail)" }
}

/// Acts on what ``Verifier`` found, without ever deleting a byte the user had: damaged files go to
/// `quarantine/`, the catalog lets go of them, and the media rows that used them are marked for download
/// (or, for a local import, restored from the original file when it is still there and intact).
///
/// Holding the library's ``LibraryLock`` is required (the initializer takes it): a sync must not record a
/// blob while repair moves it away.
public struct Repairer {
    private let library: Library

    public init(library: Library, holding lock: LibraryLock) {
        precondition(lock.path.hasPrefix(library.root + "/"), "the lock of another library")
        self.library = library
    }

    /// Repairs each problem; returns every action taken, in order.
    public func repair(_ problems: [VerifyProblem]) throws(ReelError) -> [RepairAction] {
        var actions: [RepairAction] = []
        var releasedDangling = false
        for problem in problems {
            do {
                switch problem.kind {
                case .wrongHash, .wrongSize, .missingFile:
                    try repairBlob(problem, into: &actions)
                case .danglingMedia:
                    // One pass releases every such row; the problems name blobs, not rows.
                    guard !releasedDangling else { continue }
                    releasedDangling = true
                    for media in try library.catalog.mediaWithoutBlob() {
                        guard let user = try library.catalog.user(mediaID: media.id) else { continue }
                        try library.catalog.releaseMedia(id: media.id, reason: "its blob was not recorded", at: Timestamp.now())
                        actions.append(action(for: user, quarantined: nil))
                    }
                case .strayFile:
                    let name = "stray-" + problem.subject.split(separator: "/").suffix(2).joined(separator: "-")
                    let moved = try library.store.quarantine(file: problem.subject, as: name)
                    actions.append(RepairAction(kind: .quarantined, subject: problem.subject, detail: "moved to \(moved)"))
                case .unreadable:
                    actions.append(RepairAction(
                        kind: .notRepaired, subject: problem.subject,
                        detail: "it could not be read (\(problem.detail)); check the file's permissions and the disk, then verify again"))
                }
            } catch {
                throw ReelError(error)
            }
        }
        return actions
    }

    /// A blob whose file changed or vanished: a damaged file is quarantined first (so a crash can only leave a
    /// catalog row whose file is missing, which the next repair handles), then the blob is put back from a
    /// local import's original or let go.
    private func repairBlob(_ problem: VerifyProblem, into actions: inout [RepairAction]) throws {
        guard let digest = Digest(hex: problem.subject) else { return }
        let store = library.store
        var moved: String?
        if problem.kind != .missingFile {
            moved = try store.quarantine(file: store.path(for: digest), as: digest.hex)
            actions.append(RepairAction(kind: .quarantined, subject: digest.hex, detail: "\(problem.kind.rawValue); moved to \(moved ?? "")"))
        }
        let users = try library.catalog.users(ofBlob: digest.hex)
        let size = try library.catalog.blob(sha256: digest.hex)?.size
        for original in Set(users.compactMap(\.sourcePath)).sorted() where original.hasPrefix("/") {
            // A local import's original, if unchanged, gives the very bytes back.
            guard let stored = try? store.put(file: original, expectedSize: size), stored.digest == digest else { continue }
            actions.append(RepairAction(kind: .restored, subject: digest.hex, detail: "put back from \(original)"))
            return
        }
        if let moved {
            try release(blob: digest.hex, reason: "the stored file was damaged (\(problem.kind.rawValue)); moved to \(moved)",
                        quarantined: moved, into: &actions)
        } else {
            actions.append(RepairAction(kind: .forgotten, subject: digest.hex, detail: "its file was missing; the catalog no longer records it"))
            try release(blob: digest.hex, reason: "the stored file was missing", quarantined: nil, into: &actions)
        }
    }

    /// Lets the media rows of a blob go (marked for download, or gone for local imports) and forgets the blob.
    private func release(blob sha256: String, reason: String, quarantined: String?, into actions: inout [RepairAction]) throws {
        let catalog = library.catalog
        let users = try catalog.users(ofBlob: sha256)
        let now = Timestamp.now()
        try catalog.transaction {
            for user in users { try catalog.releaseMedia(id: user.mediaID, reason: reason, at: now) }
            try catalog.deleteBlob(sha256: sha256)
        }
        actions += users.map { action(for: $0, quarantined: quarantined) }
    }

    private func action(for user: BlobUser, quarantined: String?) -> RepairAction {
        let subject = "\(user.generationUID)/\(user.role.rawValue)" + (user.ordinal == 0 ? "" : "/\(user.ordinal)")
        if let remote = user.remote {
            return RepairAction(kind: .refetch, subject: subject, detail: "the next reel sync downloads it again from \(remote)")
        }
        let kept = quarantined.map { "; the damaged bytes are kept in \($0)" } ?? ""
        let original = user.sourcePath.map { " and its original (\($0)) is gone or changed" } ?? ""
        return RepairAction(kind: .cannotRefetch, subject: subject, detail: "a local import: no remote to fetch it from\(original)\(kept)")
    }
}
