import Foundation
import HTTP
import Testing
import TestSupport

/// `reel upload` against the simulator: the bytes come back from the URL it prints.
@Suite struct UploadCLITests {
    @Test func uploadsAPictureToAWebRemote() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 3)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let jpeg = try fixture.pictures(1)[0]
        let copy = fixture.folder.file("start \"frame\".jpg")
        try FileManager.default.copyItem(atPath: jpeg, toPath: copy)
        let result = try await fixture.reel(["upload", copy])
        #expect(result.status == 0, "\(result.stderr)")
        let url = result.stdout.trimmingCharacters(in: .newlines)
        #expect(url.hasPrefix(fixture.base + "/cdn/uploads/"), "\(url)")
        let served = try await fixture.client.send(HTTPRequest(url: url))
        let original = try Data(contentsOf: URL(fileURLWithPath: jpeg))
        #expect(served.status == 200 && Data(served.body) == original, "the uploaded bytes come back")
    }

    @Test func badFilesAndRemotesWithoutUpload() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 1)
        let missing = try await fixture.reel(["upload", fixture.folder.file("nope.jpg")])
        #expect(missing.status == 66 && missing.stderr.hasPrefix("reel: ") && missing.stderr.contains("no such file"), "\(missing.stderr)")
        let text = fixture.folder.file("notes.jpg")
        FileManager.default.createFile(atPath: text, contents: Data("not a picture".utf8))
        let notImage = try await fixture.reel(["upload", text])
        #expect(notImage.status == 65 && notImage.stderr.contains("is not a JPEG, PNG, WebP or GIF picture"), "\(notImage.stderr)")

        let png = fixture.folder.file("p.png")
        FileManager.default.createFile(atPath: png, contents: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 32)))
        for dialect in ["proxy", "official"] {
            let other = try await SyncFixture(dialect: dialect, count: 1)
            let refused = try await other.reel(["upload", png, "--remote", "sim"])
            #expect(refused.status == 69 && refused.stderr.contains("has no upload call"), "\(dialect): \(refused.stderr)")
            let unnamed = try await other.reel(["upload", png])
            #expect(unnamed.status == 69 && unnamed.stderr.contains("no web remote"), "\(dialect): \(unnamed.stderr)")
        }
    }
}
