import Foundation
import Testing
import TestSupport

/// The security suite: the API key reaches the API host and nothing else. It never appears in any
/// command's stdout or stderr (JSON or text, success or failure), nor in any file a session leaves (the
/// catalog and its WAL, exports, sidecars, manifests); media hosts never see an Authorization header; the
/// credentials file is private, and one others can read is refused.
@Suite struct SecuritySuiteTests {
    /// Every byte of every regular file under `folder` but `except`, searched for `needle`.
    private func files(under folder: String, containing needle: String, except: Set<String>) -> [String] {
        var found: [String] = []
        let bytes = Data(needle.utf8)
        let walker = FileManager.default.enumerator(atPath: folder)
        while let relative = walker?.nextObject() as? String {
            let path = folder + "/" + relative
            guard !except.contains(path), let data = FileManager.default.contents(atPath: path) else { continue }
            if data.range(of: bytes) != nil { found.append(relative) }
        }
        return found
    }

    @Test func theKeyAppearsInNoOutputAndNoFile() async throws {
        let canary = "sk-canary-" + UUID().uuidString.lowercased()
        let fixture = try await SyncFixture(dialect: "proxy", count: 12, seed: 21, faults: "500=0.15,reset=0.05,html=0.03") {
            $0.apiKey = canary
        }
        fixture.clock?.advance(by: 3600)
        let credentials = fixture.folder.file("config") + "/reel/credentials"
        var outputs: [(String, Shell.Result)] = []
        func run(_ arguments: [String], key: String? = nil, keyInEnvironment: Bool = true, stdin: Data? = nil) async throws -> Shell.Result {
            let result = try await fixture.reel(arguments, key: key, keyInEnvironment: keyInEnvironment, stdin: stdin)
            outputs.append((arguments.joined(separator: " "), result))
            return result
        }
        _ = try await run(["remote", "login", "sim"], stdin: Data((canary + "\n").utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: credentials)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the credentials file is private: \(String(mode ?? 0, radix: 8))")
        // Failures first (a wrong key, then faults the sync survives), then everything a user does.
        let refused = try await run(["sync"], key: canary + "-wrong")
        #expect(refused.status == 77, "\(refused.stderr)")
        _ = try await run(["remote", "test", "sim"], keyInEnvironment: false)
        let synced = try await run(["sync", "--json", "--jobs", "2"], keyInEnvironment: false)
        #expect(synced.status == 0 || synced.status == 1, "\(synced.stderr)")
        _ = try await run(["sync", "-v"])
        // The faults hit creates too (a 500 makes nothing here): their messages are checked as well.
        var made = try await run(["create", "a heron in the reeds", "--json"])
        for _ in 0..<8 where made.status == 69 { made = try await run(["create", "a heron in the reeds", "--json"]) }
        #expect(made.status == 0, "\(made.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: made.stdoutData) as? [String: Any])?["id"] as? String)
        fixture.clock?.advance(by: 3600)
        _ = try await run(["wait", id])
        _ = try await run(["usage"])
        for arguments in [
            ["remote", "ls"], ["ls", "--json"], ["search", "--json", "a"], ["show", "--json", id], ["show", id], ["stats", "--json"],
            ["export", "--all", "--to", fixture.folder.file("out"), "--sidecar", "--manifest", "jsonl", "--embed-metadata"],
            ["verify", "--json"], ["doctor", "--json"], ["gc", "--dry-run", "--json"],
            ["extend", id, "the heron takes off", "--json"], ["rm", id, "--remote", "-y"],
        ] {
            _ = try await run(arguments)
        }
        for (command, result) in outputs {
            #expect(!result.stdout.contains(canary) && !result.stderr.contains(canary), "reel \(command) printed the key")
        }
        #expect(outputs.count >= 20)
        let leaked = files(under: fixture.folder.path, containing: canary, except: [credentials])
        #expect(leaked.isEmpty, "the key is written in \(leaked)")
        let catalog = try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/catalog.sqlite"))
        #expect(catalog.count > 10_000 && catalog.range(of: Data(canary.utf8)) == nil)
        let stats = try await fixture.stats()
        #expect(stats["media_requests_with_authorization"] as? Int == 0, "media hosts never see the key: \(stats)")
        #expect(stats["media_requests"] as? Int ?? 0 > 10, "media was fetched: \(stats)")
    }

    @Test func aCredentialsFileOthersCanReadIsRefused() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 2)
        let login = try await fixture.reel(["remote", "login", "sim"], stdin: Data((fixture.key + "\n").utf8))
        #expect(login.status == 0, "\(login.stderr)")
        let credentials = fixture.folder.file("config") + "/reel/credentials"
        #expect(try await fixture.reel(["remote", "test", "sim"], keyInEnvironment: false).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: credentials)
        let refused = try await fixture.reel(["sync"], keyInEnvironment: false)
        #expect(refused.status == 77 && refused.stderr.contains("chmod 600"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(fixture.key))
        let doctor = try await fixture.reel(["doctor"])
        #expect(doctor.status == 77 && doctor.stdout.contains("credentials"), "\(doctor.stdout)")
        #expect(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations") == 0, "nothing synced with a key others could read")
    }
}
