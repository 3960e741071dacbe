import Foundation
import Testing
import TestSupport

/// `reel export` as a user runs it: clips synced from the simulator (real MP4s and JPEG thumbnails), taken
/// out with their metadata, read back with ffprobe.
@Suite struct ExportCLITests {
    /// A library of `count` completed generations with their media, synced from the simulator.
    private func synced(_ count: Int) async throws -> SyncFixture {
        let fixture = try await SyncFixture(dialect: "web", count: count)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        return fixture
    }

    private func ffprobe(_ path: String) throws -> [String: Any] {
        let result = try Shell.run(
            "/usr/bin/ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", path], check: false)
        #expect(result.status == 0, "ffprobe \(path): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any] ?? [:]
    }

    private func items(_ fixture: SyncFixture) async throws -> [[String: Any]] {
        let result = try await fixture.reel(["search", "has:video", "--json", "--sort", "created+"])
        return try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]] ?? []
    }

    @Test func embedsTagsAndCoverThatFFprobeReadsThenChangesNothing() async throws {
        let fixture = try await synced(6)
        let out = fixture.folder.file("out")
        let items = try await items(fixture)
        let n = items.count
        #expect(n >= 3 && items.allSatisfy { $0["path"] != nil }, "\(items)")
        let arguments = ["export", "has:video", "--to", out, "--template", "{index:02}_{id:.8}.{ext}",
                         "--embed-metadata", "--embed-thumbnail", "--sidecar", "--manifest", "jsonl"]
        let first = try await fixture.reel(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "exported to \(out): \(n) written with tags, \(n) sidecars written\n", "\(first.stdout)")

        for (offset, item) in items.enumerated() {
            let id = try #require(item["id"] as? String)
            let prompt = try #require(item["prompt"] as? String)
            let clip = out + "/\(String(format: "%02d", offset + 1))_\(id.prefix(8)).mp4"
            let probe = try ffprobe(clip)
            let tags = (probe["format"] as? [String: Any])?["tags"] as? [String: String] ?? [:]
            #expect(tags["title"] == String(prompt.split(whereSeparator: \.isNewline).first ?? "").prefix(255).description)
            #expect(tags["description"] == prompt && tags["synopsis"] == prompt, "\(tags)")
            #expect(tags["comment"]?.hasPrefix("reel:sim/\(id)") == true, "\(tags)")
            #expect(tags["date"] == item["created_at"] as? String)
            let streams = probe["streams"] as? [[String: Any]] ?? []
            let cover = streams.filter { ($0["disposition"] as? [String: Int])?["attached_pic"] == 1 }
            #expect(cover.count == 1 && cover.first?["codec_name"] as? String == "mjpeg", "the thumbnail as cover art: \(streams.count) streams")
            let original = try ffprobe(try #require(item["path"] as? String))
            let codecs = { (p: [String: Any]) in
                (p["streams"] as? [[String: Any]] ?? []).filter { ($0["disposition"] as? [String: Int])?["attached_pic"] != 1 }
                    .map { $0["codec_name"] as? String ?? "" }
            }
            #expect(codecs(probe) == codecs(original), "stream copy: the same streams")
            let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/\(String(format: "%02d", offset + 1))_\(id.prefix(8)).json"))) as? [String: Any]
            #expect(sidecar?["id"] as? String == id && sidecar?["remote_payload"] is [String: Any])
        }
        let manifest = try String(contentsOfFile: out + "/reel-manifest.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(manifest.count == n)
        #expect(manifest.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }.map { $0["path"] as? String }
                == items.enumerated().map { "\(String(format: "%02d", $0.offset + 1))_\(($0.element["id"] as? String ?? "").prefix(8)).mp4" })

        let again = try await fixture.reel(arguments)
        #expect(again.status == 0 && again.stdout == "nothing to do: \(n) clip(s) already up to date in \(out)\n", "\(again.stdout)\(again.stderr)")

        let tagged = try await fixture.reel(["tag", "add", "winter", try #require(items[1]["id"] as? String)])
        #expect(tagged.status == 0)
        let changed = try await fixture.reel(arguments + ["--json"])
        let report = try JSONSerialization.jsonObject(with: changed.stdoutData) as? [String: Any]
        #expect(report?["embedded"] as? Int == 1 && report?["unchanged"] as? Int == n - 1 && report?["sidecars"] as? Int == 1, "\(changed.stdout)")
        let genre = ((try ffprobe(out + "/02_\((items[1]["id"] as? String ?? "").prefix(8)).mp4")["format"] as? [String: Any])?["tags"] as? [String: String])?["genre"]
        #expect(genre == "winter")
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() async throws {
        let fixture = try await synced(4)
        let out = fixture.folder.file("out")
        let n = try await items(fixture).count
        let result = try await fixture.reel(["export", "has:video", "--to", out, "--dry-run", "--template", "{id}.{ext}"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(n >= 2 && lines.count == n && lines.allSatisfy { $0.hasPrefix("link\t") && $0.hasSuffix(".mp4") }, "\(result.stdout)")
        #expect(result.stderr.contains("dry run: \(n) to write, 0 unchanged; nothing written"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badFoldersTemplatesAndAFullDiskAreOneLineErrors() async throws {
        let fixture = try await synced(3)
        let file = fixture.folder.file("a-file")
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let notAFolder = try await fixture.reel(["export", "--all", "--to", file])
        expectOneLine(notAFolder, status: 74, contains: "is not a folder")

        let escaping = try await fixture.reel(["export", "--all", "--to", fixture.folder.file("o"), "--template", "../{id}.{ext}"])
        expectOneLine(escaping, status: 64, contains: "bad template at column 1")
        let nothing = try await fixture.reel(["export", "--to", fixture.folder.file("o")])
        #expect(nothing.status == 64 && nothing.stderr.contains("--all"), "\(nothing.stderr)")
        let badQuery = try await fixture.reel(["export", "dur:>>5", "--to", fixture.folder.file("o")])
        #expect(badQuery.status == 64 && badQuery.stderr.contains("column"), "\(badQuery.stderr)")

        let readOnly = fixture.folder.file("ro")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        try TemporaryDirectory.makeUnwritable(readOnly)
        let refused = try await fixture.reel(["export", "--all", "--to", readOnly])
        expectOneLine(refused, status: 74, contains: readOnly)
        #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly).isEmpty)
    }

    private func expectOneLine(_ result: Shell.Result, status: Int32, contains text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "exit status; stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("reel: ") == true && result.stderr.contains(text),
                "one line naming the problem: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
