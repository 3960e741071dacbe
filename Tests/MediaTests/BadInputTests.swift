import Foundation
import Media
import Testing
import TestSupport

/// Inputs that are not media must throw a `MediaError` with a useful kind and message, never crash.
@Suite struct BadInputTests {
    /// A fresh directory under the system temporary directory, removed afterwards.
    func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("reel-media-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    func expectFailure(_ path: String, kind: MediaError.Kind, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let info = try MediaProbe.probe(path: path)
            Issue.record("expected \(kind) for \(path), got \(info.streams.count) streams", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            #expect(error.code < 0, sourceLocation: sourceLocation)
            #expect(error.path == path, sourceLocation: sourceLocation)
        }
    }

    @Test func missingFile() throws {
        try withTemporaryDirectory { dir in
            expectFailure(dir.appendingPathComponent("nope.mp4").path, kind: .fileNotFound)
        }
    }

    @Test func directory() throws {
        try withTemporaryDirectory { dir in
            expectFailure(dir.path, kind: .isDirectory)
        }
    }

    @Test func zeroByteFile() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("empty.mp4")
            try Data().write(to: file)
            expectFailure(file.path, kind: .notMediaFile)
        }
    }

    @Test func textFileNamedMP4() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("notes.mp4")
            try Data("just some text, not a movie\n".utf8).write(to: file)
            expectFailure(file.path, kind: .notMediaFile)
        }
    }

    @Test func unreadableFile() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("locked.mp4")
            try Data("text behind a lock\n".utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path) }
            // root (common in CI containers) reads mode-000 files anyway; then the contents decide.
            let readable = FileHandle(forReadingAtPath: file.path) != nil
            expectFailure(file.path, kind: readable ? .notMediaFile : .permissionDenied)

            // A real movie behind the same lock: only readable for root.
            let movie = dir.appendingPathComponent("locked-movie.mp4")
            try FileManager.default.copyItem(atPath: Fixtures.corpus("ax__sample.mp4"), toPath: movie.path)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: movie.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: movie.path) }
            if FileHandle(forReadingAtPath: movie.path) != nil {
                #expect(try MediaProbe.probe(path: movie.path).streams.count == 2)
            } else {
                expectFailure(movie.path, kind: .permissionDenied)
            }
        }
    }

    @Test func truncatedInitSegmentHasNoStreams() {
        expectFailure(Fixtures.corpus("mp4ff__init_truncated.mp4"), kind: .noStreams)
    }

    @Test(arguments: ["mp4ff__2xSencNoMdat.mp4", "ax__sample_malformed_free_box.mp4"])
    func brokenHeaderIsNotMedia(file: String) {
        // ffprobe: "Invalid data found when processing input".
        expectFailure(Fixtures.corpus(file), kind: .notMediaFile)
    }

    @Test func pathsAreNeverURLs() throws {
        try withTemporaryDirectory { dir in
            // As URLs these would reach the network or decode inline data (INVALIDDATA);
            // as relative paths they simply do not exist.
            expectFailure("http://127.0.0.1:9/clip.mp4", kind: .fileNotFound)
            expectFailure("data:video/mp4;base64,AAAA", kind: .fileNotFound)
            // A real file with a colon in its name opens as a file.
            let file = dir.appendingPathComponent("concat:clip.mp4")
            try FileManager.default.copyItem(atPath: Fixtures.corpus("ax__sample.mp4"), toPath: file.path)
            #expect(try MediaProbe.probe(path: file.path).streams.count == 2)
        }
    }

    @Test func interiorNULIsRejected() {
        expectFailure(Fixtures.corpus("ax__sample.mp4") + "\0.txt", kind: .fileNotFound)
    }

    @Test func errorDescribesPathAndMessage() {
        let error = MediaError(code: -2, path: "/x.mp4")
        #expect(error.kind == .fileNotFound)
        #expect(error.message == "No such file or directory")
        #expect(error.description == "/x.mp4: No such file or directory")
    }
}
