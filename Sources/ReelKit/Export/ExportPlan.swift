import Catalog
import ContentStore
import Foundation
import Media

/// One clip of an export: where it goes and what is done to put it there.
public struct ExportStep: Sendable {
    /// How the clip reaches the folder.
    public enum Action: String, Sendable, Encodable {
        case link, copy, symlink
        /// Remuxed with container tags (`--embed-metadata`).
        case embed
        /// Already there as reel wrote it, with the same inputs.
        case unchanged
    }

    /// The generation's id.
    public let id: String
    /// The stored video it comes from.
    public let source: String
    /// Where it goes, relative to the export folder.
    public let path: String
    public let action: Action
    /// The sidecar's path relative to the folder, when one is written (nil when it is unchanged or not asked for).
    public let sidecarToWrite: String?

    let item: ExportItem
    let fingerprint: String
    let tags: [EmbeddedMetadata.Tag]
    let cover: String?
    let sidecar: (path: String, bytes: [UInt8], fingerprint: String)?
}

/// Something an export will not do for one generation, and why.
public struct ExportSkip: Sendable, Encodable, Equatable {
    public let id: String
    public let reason: String
}

/// Everything an export will do, decided before anything is written (`--dry-run` prints it).
public struct ExportPlan: Sendable {
    /// The export folder.
    public let folder: String
    /// Every matching clip with a stored video, in export order (oldest first).
    public internal(set) var steps: [ExportStep] = []
    /// Files reel exported before that go (`--update`): clips and sidecars that no longer match or were renamed.
    public internal(set) var removals: [String] = []
    /// Matching generations without a stored video.
    public internal(set) var skipped: [ExportSkip] = []
    /// Things done differently than asked (no cover art for a WebM, tags not embeddable in MPEG-TS…).
    public internal(set) var notes: [ExportSkip] = []
    /// The manifest's path relative to the folder and its bytes, when one is asked for.
    public internal(set) var manifest: (path: String, bytes: [UInt8], fingerprint: String, unchanged: Bool)?

    var ledger: ExportLedger

    /// The steps that write something.
    public var work: [ExportStep] { steps.filter { $0.action != .unchanged || $0.sidecarToWrite != nil } }
}

/// Decides an export's plan: the names (template, then collisions numbered), the method of each clip, and
/// which files reel wrote before are unchanged.
struct ExportPlanner {
    let library: Library
    let options: ExportOptions
    let timeZone: TimeZone

    func plan(_ query: SearchQuery) throws(ReelError) -> ExportPlan {
        let folder = options.directory
        if let found = FilePlacement.identity(folder), found.kind != .directory {
            throw ReelError("\(folder) is not a folder: --to needs a folder (it is created when missing)", status: .ioError)
        }
        var plan = ExportPlan(folder: folder, ledger: try ExportLedger.load(folder: folder))
        let hits: [SearchHit]
        do {
            hits = try library.catalog.search(match: query.match, filter: query.filter, sort: .createdAscending)
        } catch {
            throw ReelError(error)
        }
        var items: [ExportItem] = []
        for hit in hits {
            if let item = ExportItem(hit: hit, store: library.store) {
                items.append(item)
            } else {
                let g = hit.summary.generation
                let why = g.state == .completed ? "no stored video (run reel sync to fetch it)" : "\(g.state.rawValue): it has no video"
                plan.skipped.append(ExportSkip(id: g.uid, reason: why))
            }
        }
        let linkable = options.method == .auto && sameFilesystem(library.store.root, folder)
        var names = NameAllocator(ledger: plan.ledger, folder: folder, update: options.update, sidecars: options.sidecar,
                                  exportedIDs: Set(items.map(\.generation.uid)))
        for (offset, item) in items.enumerated() {
            let path = names.allocate(id: item.generation.uid) { suffix in
                options.template.relativePath(for: item.nameFields(index: offset + 1), timeZone: timeZone, suffix: suffix)
            }
            plan.steps.append(try step(for: item, at: path, linkable: linkable, plan: &plan))
        }
        if options.update {
            let kept = Set(plan.steps.flatMap { [$0.path] + ($0.sidecar.map { [$0.path] } ?? []) })
            plan.removals = plan.ledger.files.keys.filter { path in
                !kept.contains(path) && plan.ledger.files[path]?.role != .manifest
            }.sorted()
        }
        if let format = options.manifest {
            plan.manifest = try manifest(format, steps: plan.steps, ledger: plan.ledger)
        }
        return plan
    }

    private func step(for item: ExportItem, at path: String, linkable: Bool, plan: inout ExportPlan) throws(ReelError) -> ExportStep {
        let id = item.generation.uid
        let embeddable = ["mp4", "mov", "mkv", "webm"].contains(item.ext)
        if options.embedMetadata && !embeddable {
            plan.notes.append(ExportSkip(id: id, reason: "\(item.ext) files cannot hold tags: exported without them"))
        }
        let action: ExportStep.Action =
            options.embedMetadata && embeddable ? .embed
            : options.method == .symlink ? .symlink : options.method == .copy || !linkable ? .copy : .link
        let details = options.embedMetadata || options.sidecar ? try ExportDetails(item: item, library: library) : nil
        var tags: [EmbeddedMetadata.Tag] = []
        var cover: String?
        if action == .embed, let details {
            tags = item.embeddedTags(details)
            if options.embedThumbnail {
                if item.ext != "mp4" {
                    plan.notes.append(ExportSkip(id: id, reason: "cover art needs MP4, not \(item.ext): exported without it"))
                } else if let jpeg = details.thumbnailJPEG {
                    cover = jpeg
                } else {
                    plan.notes.append(ExportSkip(id: id, reason: "no stored JPEG thumbnail: exported without cover art"))
                }
            }
        }
        var fingerprintInput = "\(action.rawValue)\n\(item.videoSHA256)\n"
        for tag in tags { fingerprintInput += "\(tag.key)=\(tag.value)\n" }
        if let cover { fingerprintInput += "cover=\(cover.split(separator: "/").last ?? "")\n" }
        let fingerprint = SHA256.hash(Array(fingerprintInput.utf8)).hex
        let unchanged =
            plan.ledger.files[path].map { $0.id == id && $0.fingerprint == fingerprint && $0.pending != true } == true
            && plan.ledger.isUnchanged(path, in: plan.folder)

        var sidecar: (path: String, bytes: [UInt8], fingerprint: String)?
        var sidecarToWrite: String?
        if options.sidecar, let details {
            let sidecarPath = Self.sidecarPath(of: path)
            let fileName = String(path.split(separator: "/").last ?? "")
            let bytes = try item.sidecarJSON(details, fileName: fileName)
            let sidecarFingerprint = SHA256.hash(bytes).hex
            sidecar = (sidecarPath, bytes, sidecarFingerprint)
            let same = plan.ledger.files[sidecarPath].map { $0.id == id && $0.fingerprint == sidecarFingerprint && $0.pending != true } == true
            if !(same && plan.ledger.isUnchanged(sidecarPath, in: plan.folder)) { sidecarToWrite = sidecarPath }
        }
        return ExportStep(
            id: id, source: item.videoPath, path: path, action: unchanged ? .unchanged : action, sidecarToWrite: sidecarToWrite,
            item: item, fingerprint: fingerprint, tags: tags, cover: cover, sidecar: sidecar)
    }

    /// `a/b.mp4` → `a/b.json`.
    static func sidecarPath(of path: String) -> String {
        let bytes = path.utf8
        let nameStart = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        guard let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart else { return path + ".json" }
        return String(path[..<dot]) + ".json"
    }

    private func manifest(
        _ format: ExportOptions.ManifestFormat, steps: [ExportStep], ledger: ExportLedger
    ) throws(ReelError) -> (path: String, bytes: [UInt8], fingerprint: String, unchanged: Bool) {
        let path = format.fileName
        if ledger.files[path] == nil, FilePlacement.identity(options.directory + "/" + path) != nil {
            throw ReelError("\(options.directory)/\(path) exists and reel did not write it: move it away first", status: .ioError)
        }
        let records = steps.map { $0.item.manifestRecord(store: library.store, relativePath: $0.path) }
        var text = ""
        switch format {
        case .csv:
            text = SearchRecord.csvHeader + "\r\n" + records.map { $0.csvLine + "\r\n" }.joined()
        case .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records {
                guard let data = try? encoder.encode(record) else { continue }
                text += String(decoding: data, as: UTF8.self) + "\n"
            }
        }
        let bytes = Array(text.utf8)
        let fingerprint = SHA256.hash(bytes).hex
        let unchanged = ledger.files[path]?.fingerprint == fingerprint && ledger.isUnchanged(path, in: options.directory)
        return (path, bytes, fingerprint, unchanged)
    }

    private func sameFilesystem(_ store: String, _ folder: String) -> Bool {
        var existing = folder
        while FilePlacement.identity(existing) == nil, existing != "/", existing != "." {
            existing = FilePlacement.parentDirectory(of: existing)
        }
        guard let a = FilePlacement.identity(store), let b = FilePlacement.identity(existing) else { return false }
        return a.device == b.device
    }
}

/// Gives each clip a path: the template's, or with ` (2)`, ` (3)`… when another clip, or a file reel did not
/// write, holds it. A clip keeps the path it had in an earlier export, so re-runs do not shuffle numbers.
/// Names are compared without case and extension, so the export can be copied to macOS or Windows and
/// sidecars (`name.json`) never collide.
struct NameAllocator {
    let ledger: ExportLedger
    let folder: String
    let update: Bool
    let sidecars: Bool
    let exportedIDs: Set<String>
    private var taken = Set<String>()
    private let pathsByID: [String: Set<String>]

    init(ledger: ExportLedger, folder: String, update: Bool, sidecars: Bool, exportedIDs: Set<String>) {
        self.ledger = ledger
        self.folder = folder
        self.update = update
        self.sidecars = sidecars
        self.exportedIDs = exportedIDs
        pathsByID = Dictionary(grouping: ledger.files.filter { $0.value.role == .clip }, by: \.value.id)
            .mapValues { Set($0.map(\.key)) }
    }

    mutating func allocate(id: String, path render: (String) -> String) -> String {
        var rendered: [Int: String] = [:]
        func path(_ n: Int) -> String {
            if let known = rendered[n] { return known }
            let made = render(Self.suffix(n))
            rendered[n] = made
            return made
        }
        let own = pathsByID[id] ?? []
        var chosen: String?
        for n in 1...20 where !own.isEmpty {
            let candidate = path(n)
            if own.contains(candidate), !taken.contains(Self.key(candidate)) { chosen = candidate; break }
        }
        var n = 1
        while chosen == nil {
            let candidate = path(n)
            if isFree(candidate, for: id) { chosen = candidate }
            n += 1
        }
        taken.insert(Self.key(chosen!))
        return chosen!
    }

    private func isFree(_ candidate: String, for id: String) -> Bool {
        guard !taken.contains(Self.key(candidate)) else { return false }
        for path in [candidate] + (sidecars ? [ExportPlanner.sidecarPath(of: candidate)] : []) {
            if let owner = ledger.files[path]?.id {
                // Another clip's file stays unless --update removes it (its clip no longer matches).
                if owner != id && (!update || exportedIDs.contains(owner)) { return false }
            } else if FilePlacement.identity(folder + "/" + path) != nil {
                return false  // the user's file
            }
        }
        return true
    }

    static func suffix(_ n: Int) -> String { n == 1 ? "" : " (\(n))" }

    /// Case and extension do not tell names apart (a case-insensitive copy, and `name.json` sidecars).
    private static func key(_ path: String) -> String {
        ExportPlanner.sidecarPath(of: path).lowercased()
    }
}
