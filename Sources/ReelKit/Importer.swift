import Catalog
import ContentStore
import Foundation
import Media

/// What happened to one file in `reel import`.
public struct ImportEvent: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Stored and catalogued as a new generation.
        case imported(uid: String)
        /// Stored as the video of a generation the catalog already had under the id in its name.
        case attached(uid: String)
        /// The same bytes are already in the library.
        case alreadyPresent(uid: String)
        /// Not imported.
        case skipped(ReelError)
    }

    public let path: String
    public let outcome: Outcome
    /// True when the user named this file; false when it was found in a folder they named.
    public let wasNamed: Bool
}

/// Adds local video files to a library: stored, probed, catalogued as local generations.
public struct Importer {
    /// File name endings that `import DIR` looks at; files named on the command line are always tried.
    public static let videoExtensions: Set<String> = [
        "mp4", "m4v", "mov", "webm", "mkv", "avi", "ts", "mts", "m2ts", "3gp", "3g2", "flv", "mpg", "mpeg", "ogv", "wmv",
    ]

    private let library: Library

    public init(library: Library) {
        self.library = library
    }

    /// Imports files and folders (recursively), reporting each file as it is done.
    public func run(paths: [String], onEvent: (ImportEvent) -> Void) {
        // The temp files of an import or sync that was killed (never a live one's: see the store).
        _ = try? library.store.removeAbandonedTemporaryFiles()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                onEvent(ImportEvent(path: path, outcome: .skipped(ReelError("\(path): no such file", status: .noInput)), wasNamed: true))
                continue
            }
            if isDirectory.boolValue {
                for file in Self.videoFiles(under: path) {
                    onEvent(ImportEvent(path: file, outcome: importFile(file), wasNamed: false))
                }
            } else {
                onEvent(ImportEvent(path: path, outcome: importFile(path), wasNamed: true))
            }
        }
    }

    /// Video files under a folder, sorted, following no symbolic links to folders (no loops).
    static func videoFiles(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(
            at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [String] = []
        for case let url as URL in walker where videoExtensions.contains(url.pathExtension.lowercased()) {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { files.append(url.path) }
        }
        return files.sorted()
    }

    /// The first UUID in a file name, lowercased: the remote generation id users' downloads often carry.
    public static func generationID(inFileName name: String) -> String? {
        let pattern = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/
        return name.firstMatch(of: pattern).map { String($0.output).lowercased() }
    }

    private func importFile(_ path: String) -> ImportEvent.Outcome {
        do {
            return try importOrThrow(path)
        } catch {
            return .skipped(error)
        }
    }

    private func importOrThrow(_ path: String) throws(ReelError) -> ImportEvent.Outcome {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int64, size == 0 {
            throw ReelError("\(path): empty file", status: .dataError)
        }
        let info: MediaInfo
        do {
            info = try MediaProbe.probe(path: path)
        } catch {
            throw ReelError(error)
        }
        try MediaCheck.requirePlayable(info, subject: path)
        guard let video = info.firstVideoStream else { throw ReelError("\(path): no video stream", status: .dataError) }
        let blob: StoredBlob
        do {
            blob = try library.store.put(file: path)
        } catch {
            throw ReelError(error)
        }
        let now = Timestamp.now()
        let fileName = (path as NSString).lastPathComponent
        let modified = (attributes?[.modificationDate] as? Date).map(Timestamp.string(from:))
        let catalog = library.catalog
        do {
            return try catalog.transaction { () throws -> ImportEvent.Outcome in
                try catalog.insertBlob(BlobRecord(sha256: blob.digest.hex, size: blob.size, storedAt: now, verifiedAt: now))
                try catalog.upsert(MediaInfoRecord(blobSHA256: blob.digest.hex, info: info, probedAt: now))
                if let existing = try catalog.generation(holding: blob.digest.hex, role: .video)
                    ?? catalog.generation(holding: blob.digest.hex, role: .videoRaw)
                {
                    return .alreadyPresent(uid: existing.uid)
                }
                let claimed = Self.generationID(inFileName: fileName)
                let owner = try claimed.flatMap { try catalog.generation(uid: $0) }
                if let owner, try !catalog.media(generationID: owner.id).contains(where: { $0.role == .video && $0.state == .stored }) {
                    try attachVideo(blob: blob, source: path, to: owner.id, at: now)
                    return .attached(uid: owner.uid)
                }
                var generation = GenerationRecord(
                    uid: owner == nil ? claimed ?? UUID().uuidString.lowercased() : UUID().uuidString.lowercased(),
                    origin: .local, state: .completed, firstSeenAt: now)
                generation.remoteID = claimed
                generation.kind = "local"
                generation.title = fileName
                generation.createdAt = modified ?? now
                generation.durationSeconds = info.duration
                if let shape = VideoShape(width: video.displayWidth ?? 0, height: video.displayHeight ?? 0) {
                    generation.aspect = shape.aspect
                    generation.resolution = shape.resolution
                }
                let id = try catalog.insert(generation)
                try attachVideo(blob: blob, source: path, to: id, at: now)
                return .imported(uid: generation.uid)
            }
        } catch {
            throw ReelError(error)
        }
    }

    private func attachVideo(blob: StoredBlob, source: String, to generationID: Int64, at now: String) throws(CatalogError) {
        var media = MediaRecord(generationID: generationID, role: .video, state: .stored, updatedAt: now)
        media.blobSHA256 = blob.digest.hex
        media.sourcePath = source
        try library.catalog.upsert(media)
    }
}
