import ContentStore
import Foundation
import Testing
import TestSupport

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hash([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(million).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 7_777) {
            hasher.update(Array(bytes[chunk..<min(chunk + 7_777, bytes.count)]))
        }
        #expect(hasher.finalize() == SHA256.hash(bytes))
    }

    @Test func hexParsing() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(Digest(hex: digest.hex) == digest)
        #expect(Digest(hex: digest.hex.uppercased()) == digest)
        #expect(Digest(hex: "abc") == nil)
        #expect(Digest(hex: String(repeating: "g", count: 64)) == nil)
    }
}

@Suite struct ContentStoreTests {
    let folder = TemporaryDirectory()
    let store: ContentStore

    init() throws {
        store = ContentStore(root: folder.path + "/library")
        try store.create()
    }

    func temporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)
    }

    @Test func storesAFileUnderItsHashReadOnly() throws {
        let source = Fixtures.corpus("mb__video.mp4")
        let blob = try store.put(file: source)
        let expected = try Shell.run("/usr/bin/sha256sum", [source]).stdout.prefix(64)
        #expect(blob.digest.hex == expected, "sha256sum agrees")
        #expect(blob.isNew)
        #expect(blob.size == 1_992_800)
        #expect(blob.path == "\(store.root)/objects/\(expected.prefix(2))/\(expected.dropFirst(2))")
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: blob.path))
        let mode = try FileManager.default.attributesOfItem(atPath: blob.path)[.posixPermissions] as? Int
        #expect(mode == 0o444)
        #expect(try temporaryFiles().isEmpty)
        #expect(try store.check(blob.digest, expectedSize: blob.size) == .ok)
    }

    @Test func theSameBytesAreStoredOnce() throws {
        let first = try store.put(file: Fixtures.corpus("ax__sample.mp4"))
        let copy = try folder.copy(Fixtures.corpus("ax__sample.mp4"), as: "elsewhere/renamed.mov")
        let second = try store.put(file: copy)
        #expect(second.digest == first.digest)
        #expect(!second.isNew)
        #expect(try store.allObjects().count == 1)
        #expect(try temporaryFiles().isEmpty)
    }

    @Test func bytesAndEmptyBlobs() throws {
        let empty = try store.put(bytes: [])
        #expect(empty.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(empty.size == 0)
        let text = try store.put(bytes: Array("abc".utf8))
        #expect(try String(contentsOfFile: text.path, encoding: .utf8) == "abc")
    }

    @Test func aWrongLengthLeavesNothing() throws {
        do {
            let writer = try store.makeWriter()
            try Array("twelve bytes".utf8).withUnsafeBytes { try writer.write($0) }
            let error = #expect(throws: StoreError.self) { _ = try writer.commit(expectedSize: 13) }
            #expect(error?.kind == .sizeMismatch(expected: 13, actual: 12))
        }
        #expect(try store.allObjects().isEmpty)
        #expect(try temporaryFiles().isEmpty)
    }

    @Test func anAbandonedWriteLeavesNoObjectAndNoTempFile() throws {
        do {
            let writer = try store.makeWriter()
            try [UInt8](repeating: 7, count: 3_000_000).withUnsafeBytes { try writer.write($0) }
            #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        }  // dropped uncommitted, as when an import is interrupted by an error
        #expect(try store.allObjects().isEmpty)
        #expect(try temporaryFiles().isEmpty)
    }

    @Test func checkFindsMissingTruncatedAndAlteredFiles() throws {
        let a = try store.put(bytes: Array("first blob".utf8))
        let b = try store.put(bytes: Array("second blob".utf8))
        let c = try store.put(bytes: Array("third blob".utf8))
        for blob in [a, b, c] { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: blob.path) }
        try FileManager.default.removeItem(atPath: a.path)
        try Data("second".utf8).write(to: URL(fileURLWithPath: b.path))
        try Data("THIRD blob".utf8).write(to: URL(fileURLWithPath: c.path))
        #expect(try store.check(a.digest, expectedSize: a.size) == .missing)
        #expect(try store.check(b.digest, expectedSize: b.size) == .wrongSize(expected: 11, actual: 6))
        #expect(try store.check(c.digest, expectedSize: c.size) == .wrongHash(actual: SHA256.hash(Array("THIRD blob".utf8))))
    }

    @Test func aLargeMultiChunkFileHashesLikeSHA256Sum() throws {
        // 9 MiB plus a few bytes: crosses the 1 MiB read size and the writeback window.
        let path = folder.file("large.bin")
        var bytes = [UInt8](repeating: 0, count: 9 * 1_048_576 + 12_345)
        for i in stride(from: 0, to: bytes.count, by: 4096) { bytes[i] = UInt8(truncatingIfNeeded: i / 4096) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let blob = try store.put(file: path, expectedSize: Int64(bytes.count))
        #expect(blob.digest.hex == String(try Shell.run("/usr/bin/sha256sum", [path]).stdout.prefix(64)))
        #expect(try ContentStore.hash(file: path) == blob.digest)
    }

    @Test func aMissingSourceIsAnErrorWithTheReason() throws {
        let error = #expect(throws: StoreError.self) { _ = try store.put(file: folder.file("absent.mp4")) }
        #expect(error?.errnoCode == ENOENT)
        #expect(error?.description.contains("No such file or directory") == true)
        #expect(try temporaryFiles().isEmpty)
    }

    @Test func strayFilesAreListedWithoutADigest() throws {
        _ = try store.put(bytes: [1, 2, 3])
        try folder.write("library/objects/zz/not-a-hash", "stray")
        let objects = try store.allObjects()
        #expect(objects.count == 2)
        #expect(objects.filter { $0.digest == nil }.map(\.path) == ["\(store.root)/objects/zz/not-a-hash"])
    }
}

@Suite struct TemporaryFileTests {
    /// Leftovers of a killed process go at any age; a live write (its writer holds the lock), a kept
    /// partial download, a file a writer is creating, files that are not reel's and the objects stay.
    @Test func abandonedTemporaryFilesAreRemoved() throws {
        let folder = TemporaryDirectory()
        let store = ContentStore(root: folder.path)
        try store.create()
        let blob = try store.put(bytes: Array("kept object".utf8))
        let live = try store.makeWriter()
        try Array("being written".utf8).withUnsafeBytes { bytes throws in try live.write(bytes) }
        let temporary = store.temporaryDirectory
        let killed = temporary + "/left-by-kill-9.part"
        let justCreated = temporary + "/just-created.new"
        let recorded = temporary + "/resume-me.partial"
        let unrecorded = temporary + "/never-recorded.partial"
        let foreign = temporary + "/notes.txt"
        for (path, bytes) in [(killed, "bytes"), (justCreated, ""), (recorded, "bytes"), (unrecorded, "bytes!"), (foreign, "x")] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes.utf8)))
        }
        // Without the library's lock no partial is touched.
        #expect(try store.removeAbandonedTemporaryFiles() == ContentStore.Sweep(files: 1, bytes: 5))
        #expect(FileManager.default.fileExists(atPath: unrecorded))
        #expect(try store.removeAbandonedTemporaryFiles(keepingPartials: [recorded]) == ContentStore.Sweep(files: 1, bytes: 6))
        for path in [killed, unrecorded] { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
        for path in [live.temporaryPath, justCreated, recorded, foreign] { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
        let stored = try live.commit()
        #expect(try store.check(stored.digest, expectedSize: stored.size) == .ok)
        #expect(try store.check(blob.digest, expectedSize: blob.size) == .ok)
        // A name a writer has only while creating its file: after a minute, a dead writer's.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: justCreated)
        #expect(try store.removeAbandonedTemporaryFiles().files == 1)
    }
}
