import Catalog
import ContentStore
import Foundation
import Media
import ReelKit
import Testing
import TestSupport

/// A library whose generations carry chosen prompts, dates and tags over real stored clips from the corpus.
final class ExportLibrary {
    let folder = TemporaryDirectory()
    let library: Library
    var out: String { folder.file("out") }

    init() throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
    }

    /// Adds a completed generation whose stored video is the corpus file `clip`; returns its uid.
    @discardableResult
    func add(
        prompt: String, clip: String = "mb__video.mp4", created: String = "2024-06-20T06:02:26.278Z", remote: String? = nil,
        model: String? = "ray-2", tags: [String] = [], thumbnail: [UInt8]? = nil, uid: String = UUID().uuidString.lowercased()
    ) throws -> String {
        let catalog = library.catalog
        let now = Timestamp.now()
        var g = GenerationRecord(uid: uid, origin: remote == nil ? .local : .remote, state: .completed, firstSeenAt: now)
        g.prompt = prompt
        g.createdAt = created
        g.model = model
        g.remote = remote
        g.remoteID = remote == nil ? nil : uid
        g.rawJSON = remote == nil ? nil : #"{"id":"\#(uid)","state":"completed","nested":{"n":[1,2.5,"三"]}}"#
        if let remote, try catalog.remote(named: remote) == nil {
            try catalog.insert(RemoteRecord(name: remote, dialect: "proxy", baseURL: "http://127.0.0.1:9", keyEnv: nil, hasList: true, createdAt: now))
        }
        let id = try catalog.insert(g)
        try store(Fixtures.corpus(clip), role: .video, generationID: id, url: "https://cdn.example/v/\(uid).mp4?sig=SECRET")
        if let thumbnail {
            let path = folder.file("thumb-\(uid).jpg")
            FileManager.default.createFile(atPath: path, contents: Data(thumbnail))
            try store(path, role: .thumbnail, generationID: id, url: nil)
        }
        if !tags.isEmpty {
            _ = try catalog.addTags(try tags.map { try TagName($0) }, to: [id], at: now)
        }
        return uid
    }

    private func store(_ file: String, role: MediaRole, generationID: Int64, url: String?) throws {
        let catalog = library.catalog
        let now = Timestamp.now()
        var media = MediaRecord(generationID: generationID, role: role, state: .pending, updatedAt: now)
        media.remoteURL = url
        try catalog.upsert(media)
        let mediaID = try #require(try catalog.media(generationID: generationID).first(where: { $0.role == role })?.id)
        let blob = try library.store.put(file: file)
        let info = role == .thumbnail ? nil : try MediaInfoRecord(blobSHA256: blob.digest.hex, info: try MediaProbe.probe(path: blob.path), probedAt: now)
        try catalog.transaction {
            try catalog.store(mediaID: mediaID, blob: BlobRecord(sha256: blob.digest.hex, size: blob.size, storedAt: now), info: info, at: now)
        }
    }

    func options(_ template: String = ExportTemplate.defaultText, _ configure: (inout ExportOptions) -> Void = { _ in }) throws -> ExportOptions {
        var options = ExportOptions(directory: out, template: try ExportTemplate(template), jobs: 2)
        configure(&options)
        return options
    }

    /// Plans and runs an export of `query`; times are named in UTC so names do not depend on the machine.
    @discardableResult
    func export(_ query: String = "", _ options: ExportOptions) throws -> ExportReport {
        let exporter = Exporter(library: library, options: options)
        return try exporter.run(try exporter.plan(try SearchQuery.compile(query), timeZone: .gmt))
    }

    /// Every file under the export folder, relative to it, sorted (the ledger included).
    func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: out)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
        }
        return found.sorted()
    }

    func inode(_ path: String) -> UInt64? { FilePlacement.identity(path)?.inode }

    func storedVideo(_ uid: String) throws -> String {
        let g = try library.resolve(uid)
        let sha = try #require(try library.catalog.storedVideoSHA(generationID: g.id))
        return library.store.path(for: try #require(Digest(hex: sha)))
    }
}

@Suite struct ExportTests {
    @Test func hardLinksUnderTemplateNamesThenChangesNothing() throws {
        let lib = try ExportLibrary()
        let a = try lib.add(prompt: "A neon city at night, rain on the street", created: "2024-06-01T10:00:00.000Z")
        let b = try lib.add(prompt: "一只猫在窗台上晒太阳", clip: "ax__bbb_642x642_768kbps_30fps_vp9.webm", created: "2024-06-02T23:30:00.000Z")
        let report = try lib.export("", try lib.options())
        #expect(report.linked == 2 && report.unchanged == 0 && report.failed.isEmpty, "\(report)")
        let names = [
            "2024-06-01_A neon city at night, rain on the street_\(a.prefix(8)).mp4",
            "2024-06-02_一只猫在窗台上晒太阳_\(b.prefix(8)).webm",
        ]
        #expect(lib.files() == [".reel-export.json"] + names)
        #expect(lib.inode(lib.out + "/" + names[0]) == lib.inode(try lib.storedVideo(a)), "a hard link to the stored file")
        #expect(FileManager.default.contentsEqual(atPath: lib.out + "/" + names[1], andPath: Fixtures.corpus("ax__bbb_642x642_768kbps_30fps_vp9.webm")))

        let ledger = try Data(contentsOf: URL(fileURLWithPath: lib.out + "/.reel-export.json"))
        let again = try lib.export("", try lib.options())
        #expect(again.written == 0 && again.unchanged == 2, "\(again)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: lib.out + "/.reel-export.json")) == ledger, "a re-run rewrites nothing")
        let digest = try #require(Digest(hex: try lib.library.catalog.storedVideoSHA(generationID: try lib.library.resolve(a).id) ?? ""))
        #expect(try lib.library.store.check(digest, expectedSize: nil) == .ok, "the stored file is untouched")
    }

    @Test func copiesAndSymlinksWhenAsked() throws {
        let lib = try ExportLibrary()
        let a = try lib.add(prompt: "waves")
        try lib.export("", try lib.options("{id}.{ext}") { $0.method = .copy })
        let copied = lib.out + "/\(a).mp4"
        #expect(lib.inode(copied) != lib.inode(try lib.storedVideo(a)))
        #expect(FileManager.default.contentsEqual(atPath: copied, andPath: Fixtures.corpus("mb__video.mp4")))

        let links = try ExportLibrary()
        let b = try links.add(prompt: "waves")
        let report = try links.export("", try links.options("{id}.{ext}") { $0.method = .symlink })
        #expect(report.symlinked == 1)
        #expect(FilePlacement.linkTarget(links.out + "/\(b).mp4") == (try links.storedVideo(b)))
    }

    @Test func collisionsAreNumberedStablyAndTheUsersFilesAreLeftAlone() throws {
        let lib = try ExportLibrary()
        try FileManager.default.createDirectory(atPath: lib.out, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lib.out + "/same.mp4", contents: Data("mine".utf8))
        let first = try lib.add(prompt: "same", created: "2024-01-01T00:00:00.000Z")
        let second = try lib.add(prompt: "same", created: "2024-01-02T00:00:00.000Z")
        let options = try lib.options("{prompt}.{ext}") { $0.sidecar = true }
        try lib.export("", options)
        #expect(lib.files() == [".reel-export.json", "same (2).json", "same (2).mp4", "same (3).json", "same (3).mp4", "same.mp4"])
        #expect(try String(contentsOfFile: lib.out + "/same.mp4", encoding: .utf8) == "mine", "never overwritten")
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: lib.out + "/same (2).json"))) as? [String: Any]
        #expect(sidecar?["id"] as? String == first, "the older clip takes the first free name")

        // A third clip with the same name, older than both: the others keep their numbers.
        let third = try lib.add(prompt: "same", created: "2023-12-31T00:00:00.000Z")
        let report = try lib.export("", options)
        #expect(report.unchanged == 2 && report.written == 1, "\(report)")
        let byName = try ["same (2)", "same (3)", "same (4)"].map { name in
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: lib.out + "/\(name).json"))) as? [String: Any]
        }
        #expect(byName.map { $0?["id"] as? String } == [first, second, third])
    }

    @Test func hostilePromptsStayInsideTheFolderWithValidNames() throws {
        let lib = try ExportLibrary()
        let prompts = [
            "../../etc/passwd", "/etc/shadow", "..", ".hidden", "CON", "con.mp4", "NUL", "LPT1",
            String(repeating: "城市夜景", count: 75), String(repeating: "👩‍👩‍👧‍👦🇯🇵", count: 60),
            "line one\nline two\r\nthree\u{2028}four", "nul\u{0}inside", "tab\there", "  spaces  ", "trailing dots...",
            "e\u{301}te\u{301}", "a<b>c:d\"e|f?g*h\\i", "",
        ]
        var uids: [String] = []
        for prompt in prompts { uids.append(try lib.add(prompt: prompt)) }
        let parent = FilePlacement.parentDirectory(of: lib.out)
        let before = try FileManager.default.contentsOfDirectory(atPath: parent).sorted()
        let report = try lib.export("", try lib.options("{prompt}.{ext}") { $0.sidecar = true })
        #expect(report.linked == prompts.count && report.failed.isEmpty, "\(report)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == (before.contains("out") ? before : (before + ["out"]).sorted()))
        #expect(!FileManager.default.fileExists(atPath: lib.folder.path + "/etc/passwd.mp4"))
        let clips = lib.files().filter { $0.hasSuffix(".mp4") }
        #expect(clips.count == prompts.count)
        for name in lib.files() {
            #expect(!name.contains("/"), "no folder from a value: \(name)")
            #expect(name.utf8.count <= 255, "\(name.utf8.count) bytes")
            #expect(!name.hasPrefix(".") || name == ".reel-export.json", "\(name)")
            #expect(!name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{2028}" }, "\(name.debugDescription)")
            #expect(name == name.precomposedStringWithCanonicalMapping)
            #expect(!name.contains(where: { "<>:\"|?*\\".contains($0) }), "\(name)")
            let stem = name.split(separator: ".").first.map { String($0).uppercased() } ?? ""
            #expect(!["CON", "NUL", "LPT1", "PRN", "AUX"].contains(stem.trimmingCharacters(in: .whitespaces)), "\(name)")
        }
        #expect(clips.contains { $0.hasPrefix("城市夜景") && $0.utf8.count <= 255 && $0.utf8.count > 240 }, "CJK cut by bytes: \(clips)")
        // Every clip is found again through its sidecar: nothing was lost to a name.
        let sidecarIDs = try lib.files().filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { name in
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: lib.out + "/" + name))) as? [String: Any]
        }.compactMap { $0?["id"] as? String }
        #expect(Set(sidecarIDs) == Set(uids))
        let again = try lib.export("", try lib.options("{prompt}.{ext}") { $0.sidecar = true })
        #expect(again.unchanged == prompts.count && again.written == 0 && again.sidecars == 0, "the ledger reads back every name: \(again)")
    }

    @Test func foldersFromTheTemplateAndATemplateThatWouldEscapeIsRefused() throws {
        let lib = try ExportLibrary()
        let a = try lib.add(prompt: "fox", created: "2024-06-30T23:59:59.000Z")
        try lib.export("", try lib.options("{created:%Y}/{created:%m}/{prompt:.2}_{id:.8}.{ext}"))
        #expect(lib.files() == [".reel-export.json", "2024/06/fo_\(a.prefix(8)).mp4"])
        for template in ["../{id}.{ext}", "/tmp/{id}.{ext}", "a/../../{id}.{ext}", "{nope}.{ext}"] {
            #expect(throws: ExportTemplateError.self, "\(template)") { _ = try ExportTemplate(template) }
        }
    }

    @Test func aSymlinkedSubfolderCannotCarryFilesOut() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "fox", created: "2024-06-30T10:00:00.000Z")
        let elsewhere = lib.folder.file("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: lib.out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: lib.out + "/2024", withDestinationPath: elsewhere)
        #expect(throws: ReelError.self) { try lib.export("", try lib.options("{created:%Y}/{id}.{ext}")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    @Test func itemsWithoutAStoredVideoAreReportedAndSkipped() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "kept")
        var failed = GenerationRecord(uid: UUID().uuidString.lowercased(), origin: .remote, state: .failed, firstSeenAt: Timestamp.now())
        failed.prompt = "it failed"
        _ = try lib.library.catalog.insert(failed)
        let exporter = Exporter(library: lib.library, options: try lib.options())
        let plan = try exporter.plan(try SearchQuery.compile(""))
        #expect(plan.steps.count == 1 && plan.skipped.map(\.id) == [failed.uid])
        #expect(!FileManager.default.fileExists(atPath: lib.out), "planning writes nothing")
        let report = try exporter.run(plan)
        #expect(report.linked == 1 && report.skipped.count == 1)
    }

    @Test func twoExportsIntoOneFolderDoNotRunAtOnce() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "x")
        try FileManager.default.createDirectory(atPath: lib.out, withIntermediateDirectories: true)
        var held: FolderLock? = try #require(try FolderLock(lib.out))
        let error = #expect(throws: ReelError.self) { try lib.export("", try lib.options()) }
        #expect(error?.status == .busy && error?.message.contains("another reel export") == true)
        #expect(lib.files().isEmpty)
        held = nil
        let report = try lib.export("", try lib.options())
        #expect(held == nil && report.linked == 1)
    }

    @Test func aFileWhereTheFolderShouldBeIsRefused() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "x")
        FileManager.default.createFile(atPath: lib.out, contents: Data("a file".utf8))
        #expect(throws: ReelError.self) { try lib.export("", try lib.options()) }
        #expect(try String(contentsOfFile: lib.out, encoding: .utf8) == "a file")
    }

    @Test func updateRemovesOnlyWhatReelPutThere() throws {
        let lib = try ExportLibrary()
        let keep = try lib.add(prompt: "keep", tags: ["best"])
        let drop = try lib.add(prompt: "drop", tags: ["best"])
        let options = try lib.options("{prompt}_{id:.4}.{ext}") { $0.sidecar = true; $0.manifest = .csv }
        try lib.export("tag:best", options)
        FileManager.default.createFile(atPath: lib.out + "/mine.txt", contents: Data("user".utf8))
        _ = try lib.library.catalog.removeTags([try TagName("best")], from: [try lib.library.resolve(drop).id])

        let without = try lib.export("tag:best", options)
        #expect(without.removed == 0 && lib.files().contains { $0.hasPrefix("drop_") }, "nothing removed without --update")
        var updating = options
        updating.update = true
        let report = try lib.export("tag:best", updating)
        #expect(report.removed == 2, "the clip and its sidecar: \(report)")
        #expect(lib.files() == [".reel-export.json", "keep_\(keep.prefix(4)).json", "keep_\(keep.prefix(4)).mp4", "mine.txt", "reel-manifest.csv"])
        let manifest = try String(contentsOfFile: lib.out + "/reel-manifest.csv", encoding: .utf8)
        #expect(manifest.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 2, "\(manifest)")
        #expect(manifest.contains("keep_\(keep.prefix(4)).mp4") && !manifest.contains("drop"))
    }

    @Test func aReplacedFileIsNotReelsAnyMore() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "one", tags: ["t"])
        let options = try lib.options("{prompt}.{ext}") { $0.update = true }
        try lib.export("tag:t", options)
        // The user replaces the exported clip with their own edit.
        try FileManager.default.removeItem(atPath: lib.out + "/one.mp4")
        FileManager.default.createFile(atPath: lib.out + "/one.mp4", contents: Data("my edit".utf8))
        let report = try lib.export("tag:nothing", options)
        #expect(report.removed == 0)
        #expect(try String(contentsOfFile: lib.out + "/one.mp4", encoding: .utf8) == "my edit")
    }

    @Test func sidecarsCarryEveryFieldAndChangeWithTags() throws {
        let lib = try ExportLibrary()
        let uid = try lib.add(prompt: "A fox runs\nthrough snow", remote: "luma", tags: ["winter", "style:noir"])
        let options = try lib.options("{id}.{ext}") { $0.sidecar = true }
        try lib.export("", options)
        let path = lib.out + "/\(uid).json"
        let sidecar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(sidecar["reel_export_version"] as? Int == 1)
        #expect(sidecar["id"] as? String == uid && sidecar["prompt"] as? String == "A fox runs\nthrough snow")
        #expect(sidecar["remote"] as? String == "luma" && sidecar["model"] as? String == "ray-2")
        #expect(sidecar["tags"] as? [String] == ["style:noir", "winter"])
        #expect(sidecar["file"] as? String == "\(uid).mp4")
        #expect(sidecar["last_seen_at"] == nil, "sync bookkeeping would rewrite every sidecar")
        let payload = try #require(sidecar["remote_payload"] as? [String: Any])
        #expect((payload["nested"] as? [String: Any])?["n"] as? [AnyHashable] == [1, 2.5, "三"] as [AnyHashable])
        let media = try #require(sidecar["media"] as? [[String: Any]])
        let probe = try #require(media.first?["probe"] as? [String: Any])
        #expect((probe["streams"] as? [Any])?.count == 2, "the media metadata libavformat read")

        _ = try lib.library.catalog.addTags([try TagName("new")], to: [try lib.library.resolve(uid).id], at: Timestamp.now())
        let report = try lib.export("", options)
        #expect(report.sidecars == 1 && report.unchanged == 1, "the clip stays, its sidecar is rewritten: \(report)")
    }

    @Test func embedsTagsInEachContainerAndSaysWhereItCannot() throws {
        let lib = try ExportLibrary()
        let jpeg = try ClipEncoder.image(width: 160, height: 90, seed: 3)
        let mp4 = try lib.add(prompt: "雪山日出\nsecond line", remote: "luma", tags: ["b", "a"], thumbnail: jpeg)
        let webm = try lib.add(prompt: "webm clip", clip: "mb__trim-buck-bunny.webm", thumbnail: jpeg)
        let mov = try lib.add(prompt: "mov clip", clip: "mb__mpeg4-aac.mov")
        let ts = try lib.add(prompt: "ts clip", clip: "mb__hevc.ts")
        let report = try lib.export("", try lib.options("{id}.{ext}") { $0.embedMetadata = true; $0.embedThumbnail = true })
        #expect(report.embedded == 3 && report.linked == 1 && report.failed.isEmpty, "\(report)")
        #expect(Set(report.notes.map(\.id)) == [webm, mov, ts], "\(report.notes)")
        #expect(report.notes.contains { $0.id == ts && $0.reason.contains("ts files cannot hold tags") })
        #expect(report.notes.contains { $0.id == webm && $0.reason.contains("cover art needs MP4") })

        let info = try MediaProbe.probe(path: lib.out + "/\(mp4).mp4")
        #expect(info.tags["title"] == "雪山日出" && info.tags["description"] == "雪山日出\nsecond line")
        #expect(info.tags["genre"] == "a, b" && info.tags["date"] == "2024-06-20T06:02:26.278Z")
        #expect(info.tags["comment"] == "reel:luma/\(mp4)\nmodel: ray-2\nsource: https://cdn.example/v/\(mp4).mp4", "the signed query is left out")
        #expect(info.streams.filter(\.isAttachedPicture).count == 1)
        for (id, ext) in [(webm, "webm"), (mov, "mov")] {
            let other = try MediaProbe.probe(path: lib.out + "/\(id).\(ext)")
            #expect(other.tags["title"] == "\(ext) clip", "\(ext): \(other.tags)")
            #expect(other.streams.filter(\.isAttachedPicture).isEmpty)
        }
        #expect(lib.inode(lib.out + "/\(ts).ts") == lib.inode(try lib.storedVideo(ts)), "exported as it is")
        #expect(try MediaProbe.probe(path: lib.out + "/\(mov).mov").formatName.contains("mov"))
    }

    @Test func anInterruptedExportLeavesNoPartFileAndContinues() throws {
        let lib = try ExportLibrary()
        for i in 0..<6 { try lib.add(prompt: "clip \(i)") }
        let options = try lib.options("{prompt}.{ext}") { $0.method = .copy }
        let exporter = Exporter(library: lib.library, options: options)
        let plan = try exporter.plan(try SearchQuery.compile(""))
        let calls = CallCounter()
        let first = try exporter.run(plan, isCancelled: { calls.next() > 3 })
        #expect(first.interrupted && first.copied == 3, "\(first)")
        #expect(!lib.files().contains { $0.contains(FilePlacement.temporaryPrefix) })
        let second = try lib.export("", options)
        #expect(second.copied == 3 && second.unchanged == 3, "\(second)")
        #expect(lib.files().filter { $0.hasSuffix(".mp4") }.count == 6)
    }

    @Test func leftoversOfAKilledRunAreRemovedAndItsPendingFilesRedone() throws {
        let lib = try ExportLibrary()
        try lib.add(prompt: "a")
        let options = try lib.options("{prompt}.{ext}") { $0.method = .copy }
        try lib.export("", options)
        // What a kill -9 in the middle of a copy leaves: a part file, and the ledger marking the clip pending.
        FileManager.default.createFile(atPath: lib.out + "/\(FilePlacement.temporaryPrefix)abc.mp4", contents: Data(count: 1000))
        let ledgerPath = lib.out + "/.reel-export.json"
        var ledger = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ledgerPath))) as? [String: Any])
        var files = try #require(ledger["files"] as? [[String: Any]])
        #expect(files.count == 1 && files[0]["path"] as? String == "a.mp4" && files[0]["role"] as? String == "clip")
        files[0]["pending"] = true
        ledger["files"] = files
        try JSONSerialization.data(withJSONObject: ledger).write(to: URL(fileURLWithPath: ledgerPath))
        let report = try lib.export("", options)
        #expect(report.copied == 1, "the pending clip is written again: \(report)")
        #expect(lib.files() == [".reel-export.json", "a.mp4"])
    }
}

/// Counts calls from any thread.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
