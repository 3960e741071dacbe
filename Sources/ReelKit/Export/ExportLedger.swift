import ContentStore
import Foundation
import RemoteAPI

/// `.reel-export.json` in an export folder: what reel put there, so that a re-run can tell its own files
/// (unchanged, to rewrite, to remove with `--update`) from the user's, which it never touches.
struct ExportLedger: Decodable, Sendable {
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

    init() {}

    // On disk: `files` is an array of rows sorted by path, each with its `path` (see ``encoded()``).
    private enum Keys: String, CodingKey { case reel_export_version, files }
    private struct Row: Decodable {
        var path: String
        var file: File
        private enum Keys: String, CodingKey { case path }
        init(from decoder: any Decoder) throws {
            path = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .path)
            file = try File(from: decoder)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        reel_export_version = try container.decode(Int.self, forKey: .reel_export_version)
        for row in try container.decode([Row].self, forKey: .files) { files[row.path] = row.file }
    }

    /// The file's text: one row per line, sorted by path. Written by hand: JSONEncoder took a tenth of a
    /// 10,000-clip export for each save. ``init(from:)`` reads it back.
    func encoded() -> [UInt8] {
        var text = "{\"reel_export_version\":\(reel_export_version),\"files\":[\n"
        for (n, path) in files.keys.sorted().enumerated() {
            let file = files[path]!
            text += "{\"path\":\(JSONString.quoted(path)),\"role\":\"\(file.role.rawValue)\",\"id\":\(JSONString.quoted(file.id)),"
            text += "\"fingerprint\":\(JSONString.quoted(file.fingerprint)),\"inode\":\(file.inode),\"size\":\(file.size)"
            text += (file.pending == true ? ",\"pending\":true}" : "}") + (n == files.count - 1 ? "\n" : ",\n")
        }
        return Array((text + "]}\n").utf8)
    }

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
            let bytes = encoded()
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
