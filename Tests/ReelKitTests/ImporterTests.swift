import Catalog
import ContentStore
import Foundation
import Media
import ReelKit
import Testing
import TestSupport

@Suite struct ImporterTests {
    let folder = TemporaryDirectory()
    let library: Library

    init() throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
    }

    func run(_ paths: [String]) -> [ImportEvent] {
        var events: [ImportEvent] = []
        Importer(library: library).run(paths: paths) { events.append($0) }
        return events
    }

    @Test func importsAVideoWithItsMetadata() throws {
        let source = Fixtures.corpus("mb__rotate-buck-bunny.mp4")
        let events = run([source])
        guard case .imported(let uid) = events.first?.outcome else { Issue.record("\(events)"); return }
        let generation = try library.resolve(uid)
        #expect(generation.origin == .local)
        #expect(generation.title == "mb__rotate-buck-bunny.mp4")
        #expect(generation.aspect == "9:16", "the display shape, after the 90° rotation")
        #expect(generation.resolution == "1080p")
        #expect(generation.remoteID == nil)
        let media = try library.catalog.media(generationID: generation.id)
        #expect(media.count == 1)
        #expect(media[0].role == .video && media[0].state == .stored && media[0].sourcePath == source)
        let sha = try #require(media[0].blobSHA256)
        #expect(sha == String(try Shell.run("/usr/bin/sha256sum", [source]).stdout.prefix(64)))
        let info = try #require(try library.catalog.mediaInfo(sha256: sha))
        #expect(info.width == 1080 && info.height == 1920 && info.rotation == -90)
        #expect(info.videoCodec == "h264" && info.audioCodec == "aac")
        #expect(try info.decodedInfo() == MediaProbe.probe(path: source))
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: library.store.path(for: Digest(hex: sha)!)))
    }

    @Test func importingTheSameFileTwiceChangesNothing() throws {
        let source = Fixtures.corpus("ax__sample.mp4")
        guard case .imported(let uid) = run([source]).first?.outcome else { Issue.record("not imported"); return }
        let copy = try folder.copy(source, as: "renamed copy.mp4")
        let again = run([source, copy])
        #expect(again.map(\.outcome) == [.alreadyPresent(uid: uid), .alreadyPresent(uid: uid)])
        #expect(try library.catalog.generationCount() == 1)
        #expect(try library.store.allObjects().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: library.store.temporaryDirectory).isEmpty)
    }

    @Test func aGenerationIDInTheFileNameBecomesTheItemsID() throws {
        let id = "eaf962b3-f279-4247-9d7d-c27c741e07cb"
        let named = try folder.copy(Fixtures.corpus("mp4ff__prog_8s.mp4"), as: "luma_\(id.uppercased())_final.mp4")
        #expect(run([named]).first?.outcome == .imported(uid: id))
        let generation = try library.resolve(id)
        #expect(generation.remoteID == id, "kept so that a later sync of this id adopts the item")
        #expect(generation.remote == nil)
    }

    @Test func aFileForAKnownGenerationWithoutVideoIsAttachedToIt() throws {
        let id = "0f0f0f0f-1111-4222-8333-444455556666"
        var remote = GenerationRecord(uid: id, origin: .remote, state: .completed, firstSeenAt: "t")
        remote.remoteID = id
        remote.prompt = "a kitten in motion"
        let rowID = try library.catalog.insert(remote)
        let named = try folder.copy(Fixtures.corpus("ax__sample_portrait.mp4"), as: "\(id).mp4")
        #expect(run([named]).first?.outcome == .attached(uid: id))
        #expect(try library.catalog.generationCount() == 1, "one item, not two")
        #expect(try library.catalog.media(generationID: rowID).map(\.state) == [.stored])
    }

    @Test func foldersAreWalkedForVideosOnly() throws {
        try folder.copy(Fixtures.corpus("ax__sample.mkv"), as: "in/a/one.mkv")
        try folder.copy(Fixtures.corpus("ax__bear-vp9.webm"), as: "in/b/c/two.WEBM")
        try folder.copy(Fixtures.corpus("mb__Toothsome-Meme.VBRv2.mp3"), as: "in/song.mp3")
        try folder.write("in/notes.txt", "not a video")
        try folder.copy(Fixtures.corpus("ax__sample.mp4"), as: "in/.hidden/three.mp4")
        let events = run([folder.file("in")])
        #expect(events.map { ($0.path as NSString).lastPathComponent } == ["one.mkv", "two.WEBM"])
        #expect(events.allSatisfy { !$0.wasNamed })
    }

    @Test(arguments: [
        ("mb__ac3.mp4", "no video stream (audio only)", ReelError.Status.dataError),
        ("ax__bear-id3.mp3", "no video stream (audio only)", .dataError),  // its mjpeg stream is cover art
        ("mp4ff__init_truncated.mp4", "", .dataError),
        ("mp4ff__av1_init.mp4", "no frames: the file holds only a header (an init segment or an empty recording)", .dataError),
        ("ax__sample_malformed_free_box.mp4", "Invalid data found when processing input", .dataError),
        ("mb__annex-b.mp4", "truncated: the file ends at byte 100000 but its media runs to byte 1313021 (an incomplete download?)", .dataError),
    ])
    func nonVideoCorpusFilesAreSkipped(name: String, reason: String, status: ReelError.Status) throws {
        let events = run([Fixtures.corpus(name)])
        guard case .skipped(let error) = events.first?.outcome else { Issue.record("\(events)"); return }
        #expect(error.status == status)
        #expect(error.message.hasPrefix(Fixtures.corpus(name) + ": "))
        if !reason.isEmpty { #expect(error.message.hasSuffix(reason)) }
        #expect(try library.catalog.generationCount() == 0)
        #expect(try library.store.allObjects().isEmpty, "nothing stored for a skipped file")
    }

    @Test func badInputsAreSkippedWithAReason() throws {
        let empty = try folder.write("empty.mp4", "")
        let text = try folder.write("text.mp4", "this is a text file with a video name\n")
        let directory = folder.file("dir.mp4")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let truncated = folder.file("truncated.mp4")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.corpus("mb__video.mp4")))
        try whole.prefix(30_000).write(to: URL(fileURLWithPath: truncated))
        let events = run([folder.file("missing.mp4"), empty, text, truncated])
        let outcomes = events.map { event -> ReelError.Status? in
            if case .skipped(let e) = event.outcome { return e.status }
            return nil
        }
        #expect(outcomes == [.noInput, .dataError, .dataError, .dataError])
        #expect(try library.catalog.generationCount() == 0)
        #expect(try library.store.allObjects().isEmpty)
    }

    @Test func verifyIsCleanAfterImportAndFindsDamage() throws {
        let events = run([Fixtures.corpus("ax__sample.mp4"), Fixtures.corpus("mp4ff__prog_8s.mp4"), Fixtures.corpus("ax__sample.mkv")])
        #expect(events.count == 3)
        var report = try Verifier(library: library).run()
        #expect(report.isClean)
        #expect(report.checked == 3)

        let blobs = try library.catalog.blobs()
        let damaged = library.store.path(for: Digest(hex: blobs[0].sha256)!)
        let removed = library.store.path(for: Digest(hex: blobs[1].sha256)!)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: damaged)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        try handle.seek(toOffset: 1000)
        handle.write(Data([0xFF, 0x00, 0xFF]))
        try handle.close()
        try FileManager.default.removeItem(atPath: removed)
        _ = try library.store.put(bytes: Array("left by an interrupted import".utf8))

        report = try Verifier(library: library).run()
        #expect(!report.isClean)
        #expect(report.checked == 1)
        #expect(Set(report.problems.map(\.kind)) == [.wrongHash, .missingFile])
        #expect(report.problems.contains { $0.kind == .wrongHash && $0.subject == blobs[0].sha256 })
        #expect(report.problems.contains { $0.kind == .missingFile && $0.subject == blobs[1].sha256 })
        #expect(report.unreferenced.count == 1, "an unreferenced blob is noted, not a problem")
    }
}
