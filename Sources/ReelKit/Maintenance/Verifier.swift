import Catalog
import ContentStore

/// One disagreement between the catalog and the store.
public struct VerifyProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
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

    public var description: String { "\(kind.rawValue): \(subject): \(detail)" }
}

/// What `verify` found.
public struct VerifyReport: Sendable {
    /// Blobs rehashed.
    public var checked = 0
    /// Bytes rehashed.
    public var bytes: Int64 = 0
    public var problems: [VerifyProblem] = []
    /// Store files no catalog row refers to: harmless (an interrupted import leaves one), removed by gc.
    public var unreferenced: [String] = []

    public var isClean: Bool { problems.isEmpty }
}

/// Rehashes every blob and checks that catalog and store agree.
public struct Verifier {
    private let library: Library

    public init(library: Library) {
        self.library = library
    }

    /// Runs the check; `progress` gets (blobs done, blobs in all) after each blob.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws(ReelError) -> VerifyReport {
        var report = VerifyReport()
        let catalog = library.catalog
        let store = library.store
        let blobs: [BlobRecord]
        let files: [(digest: Digest?, path: String)]
        do {
            blobs = try catalog.blobs()
            for media in try catalog.mediaWithoutBlob() {
                report.problems.append(VerifyProblem(
                    kind: .danglingMedia, subject: media.blobSHA256 ?? "(none)",
                    detail: "a \(media.role.rawValue) of generation row \(media.generationID) names a blob the catalog lacks"))
            }
            files = try store.allObjects()
        } catch {
            throw ReelError(error)
        }
        let recorded = Set(blobs.map(\.sha256))
        for file in files {
            guard let digest = file.digest else {
                report.problems.append(VerifyProblem(kind: .strayFile, subject: file.path, detail: "not named by a SHA-256"))
                continue
            }
            if !recorded.contains(digest.hex) { report.unreferenced.append(digest.hex) }
        }
        for (index, blob) in blobs.enumerated() {
            defer { progress(index + 1, blobs.count) }
            guard let digest = Digest(hex: blob.sha256) else { continue }  // the schema's CHECK keeps this from happening
            do {
                switch try store.check(digest, expectedSize: blob.size) {
                case .ok:
                    report.checked += 1
                    report.bytes += blob.size
                    try catalog.markVerified(sha256: blob.sha256, at: Timestamp.now())
                case .missing:
                    report.problems.append(VerifyProblem(kind: .missingFile, subject: blob.sha256, detail: "no file at \(store.path(for: digest))"))
                case .wrongSize(let expected, let actual):
                    report.problems.append(VerifyProblem(kind: .wrongSize, subject: blob.sha256, detail: "\(actual) bytes, the catalog says \(expected)"))
                case .wrongHash(let actual):
                    report.problems.append(VerifyProblem(kind: .wrongHash, subject: blob.sha256, detail: "the file's bytes hash to \(actual.hex)"))
                }
            } catch let error as StoreError {
                report.problems.append(VerifyProblem(kind: .unreadable, subject: blob.sha256, detail: error.description))
            } catch {
                throw ReelError("\(error)", status: .failure)
            }
        }
        return report
    }
}
