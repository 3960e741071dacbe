import Foundation
import Testing
import TestSupport

/// `reel export` when the disk fills: a file-size limit (`ulimit -f`, which fails writes with EFBIG as a
/// full disk fails them with ENOSPC) below the size of the clips.
@Suite struct ExportDiskTests {
    @Test func aFullDiskLeavesNoHalfClipAndTheNextRunContinues() throws {
        let reel = Reel(folder: TemporaryDirectory())
        #expect(try reel("init").status == 0)
        for name in ["mb__video.mp4", "mb__video-h265.mp4"] {  // 1.9 and 1.4 MB
            try reel.folder.copy(Fixtures.corpus(name), as: "in/\(name)")
        }
        #expect(try reel("import", reel.folder.file("in")).status == 0)
        let out = reel.folder.file("full")
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = reel.library
        // 512 kB: room for the catalog's shared-memory file and the ledger, not for a clip.
        let limited = try Shell.run(
            "/bin/bash", ["-c", "ulimit -f 512; exec \"$0\" \"$@\"", Fixtures.reelBinary, "export", "--all", "--to", out, "--copy"],
            environment: environment, check: false)
        #expect(limited.status == 74, "\(limited.stderr)")
        let lines = limited.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("reel: ") && limited.stderr.contains("File too large"), "\(limited.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(left == [".reel-export.json"], "no clip and no part file under any name: \(left)")

        let retried = try reel("export", "--all", "--to", out, "--copy")
        #expect(retried.status == 0 && retried.stdout.contains("2 copied"), "the next run continues: \(retried.stdout)\(retried.stderr)")
        for name in ["mb__video.mp4", "mb__video-h265.mp4"] {
            let exported = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.contains(name) }
            #expect(exported.count == 1 && FileManager.default.contentsEqual(atPath: out + "/" + exported[0], andPath: Fixtures.corpus(name)))
        }
    }
}
