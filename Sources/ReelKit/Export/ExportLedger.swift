import ContentStore
import Foundation

/// `.reel-export.json` in an export folder: what reel put there, so that a re-run can tell its own files
/// (unchanged, to rewrite, to remove with `--update`) from the user's, which it never touches.
struct ExportLedger: Codable, Sendable {
    static let fileName = ".reel-export.json"

    /// One file reel wrote, as it wrote it.
    struct File: Codable, Sendable, Equatable {
        enum Role: String, Codable, Sendable { case clip, sidecar, manifest }
        var role: Role
        /// The generation's id (empty for the manifest).
        var id: String
        /// What was written: the method and the inputs that shape the bytes (hashed).
        var fingerprint: String
        /// The file as written (a file replaced or edited since has another inode or size: not reel's any more).
        var inode: UInt64
        var size: Int64
        /// Written in a run that had not finished when this ledger was saved: done again next time.
        var pending: Bool?
    }

    var reel_export_version = Exporter.formatVersion
    /// By path relative to the folder: clips, sidecars and the manifest.
    var files: [String: File] = [:]

    /// The ledger of `folder`, or an empty one when it has none.
    static func load(folder: String) throws(ReelError) -> ExportLedger {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return ExportLedger() }
        do {
            let ledger = try JSONDecoder().decode(ExportLedger.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard ledger.reel_export_version <= Exporter.formatVersion else {
                throw ReelError("\(path) was written by a newer reel; update reel to export here", status: .dataError)
            }
            return ledger
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError("\(path) is not an export ledger reel can read (\(error)); move it away to start afresh", status: .dataError)
        }
    }

    /// Writes the ledger atomically (temporary file, fsync, rename).
    func save(folder: String) throws(ReelError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let bytes = Array(try encoder.encode(self))
            try FilePlacement.place(folder + "/" + Self.fileName) { temporary in try FilePlacement.write(bytes, to: temporary) }
        } catch let error as StoreError {
            throw ReelError(error)
        } catch {
            throw ReelError("could not save the export ledger: \(error)", status: .ioError)
        }
    }

    /// Whether the file at `path` is still the one reel wrote there.
    func isUnchanged(_ relativePath: String, in folder: String) -> Bool {
        guard let file = files[relativePath], let now = FilePlacement.identity(folder + "/" + relativePath) else { return false }
        return now.inode == file.inode && now.size == file.size && now.kind != .directory
    }
}
