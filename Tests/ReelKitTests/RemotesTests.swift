import Catalog
import Foundation
import ReelKit
import Testing
import TestSupport

@Suite struct RemotesTests {
    let folder = TemporaryDirectory()
    let library: Library

    init() throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
    }

    @Test func addNormalisesAndKeepsTheVariableNameNotAKey() throws {
        let remotes = Remotes(library: library)
        let added = try remotes.add(name: "my-proxy", dialect: "proxy", url: "HTTPS://API.Example.com:8443/v1//", keyEnv: nil)
        #expect(added.baseURL == "https://api.example.com:8443/v1")
        #expect(added.keyEnv == "REEL_MY_PROXY_KEY")
        #expect(try remotes.named("my-proxy") == added)
        let row = try library.catalog.db.prepare("SELECT * FROM remotes").map { row in (0..<row.count).map { row.value(at: $0) } }
        #expect(row.count == 1)
    }

    @Test(arguments: [
        ("", "web", "http://x"), ("9lives", "web", "http://x"), ("has space", "web", "http://x"), (String(repeating: "a", count: 33), "web", "http://x"),
        ("ok", "ftp", "http://x"), ("ok", "web", "ftp://x"), ("ok", "web", "file:///etc/passwd"), ("ok", "web", "http://"),
        ("ok", "web", "https://user:secret@x.com"), ("ok", "web", "https://x.com/?key=secret"), ("ok", "web", "not a url"),
    ])
    func badFieldsAreUsageErrors(name: String, dialect: String, url: String) throws {
        let error = #expect(throws: ReelError.self) { try Remotes(library: library).add(name: name, dialect: dialect, url: url, keyEnv: nil) }
        #expect(error?.status == .usage)
        #expect(error?.message.contains("secret") != true, "a secret in a URL is never echoed back")
        #expect(try Remotes(library: library).list().isEmpty)
    }

    @Test func namesAreUniqueAndRemovalKeepsSyncedItems() throws {
        let remotes = Remotes(library: library)
        try remotes.add(name: "a", dialect: "web", url: "http://127.0.0.1:1", keyEnv: "A_KEY")
        #expect(#expect(throws: ReelError.self) { try remotes.add(name: "a", dialect: "official", url: "http://h", keyEnv: nil) }?.status == .usage)
        var g = GenerationRecord(uid: "0000aaaa", origin: .remote, state: .completed, firstSeenAt: "t")
        g.remote = "a"
        g.remoteID = "0000aaaa"
        try library.catalog.insert(g)
        let refused = #expect(throws: ReelError.self) { try remotes.remove("a") }
        #expect(refused?.message == "remote a still has 1 generation in the library; nothing removed")
        try library.catalog.db.run("DELETE FROM generations")
        try remotes.remove("a")
        #expect(try remotes.list().isEmpty)
        #expect(#expect(throws: ReelError.self) { try remotes.remove("a") }?.status == .noInput)
    }
}

@Suite struct CredentialsTests {
    let folder = TemporaryDirectory()
    var file: CredentialsFile { CredentialsFile(path: folder.file("config/reel/credentials")) }

    @Test func storedKeysArePrivateAndReplaceable() throws {
        try file.store(key: "first", for: "a")
        try file.store(key: "k=with=equals", for: "b")
        try file.store(key: "second", for: "a")
        #expect(try file.read() == ["a": "second", "b": "k=with=equals"])
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("config/reel")) == ["credentials"], "no temp left")
        #expect(try file.remove("a"))
        #expect(try file.read() == ["b": "k=with=equals"])
    }

    @Test func aFileOthersCanReadIsRefused() throws {
        try file.store(key: "k", for: "a")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let error = #expect(throws: ReelError.self) { try file.read() }
        #expect(error?.status == .permission)
        #expect(error?.message == "\(file.path) can be read by others (mode 644); run `chmod 600 \(file.path)` first")
        #expect(error?.message.contains("k\n") != true)
    }

    @Test func theEnvironmentWinsOverTheFileAndTheSourceIsNamed() throws {
        try file.store(key: "from-file", for: "sim")
        let remote = RemoteRecord(name: "sim", dialect: "web", baseURL: "http://h", keyEnv: "SIM_KEY", createdAt: "t")
        let fromEnv = try RemoteKey.find(for: remote, environment: ["SIM_KEY": "from-env"], credentials: file)
        #expect(fromEnv.value == "from-env" && fromEnv.source == .environment("SIM_KEY"))
        let fromFile = try RemoteKey.find(for: remote, environment: [:], credentials: file)
        #expect(fromFile.value == "from-file" && fromFile.source == .credentialsFile(file.path))
        let other = RemoteRecord(name: "other", dialect: "web", baseURL: "http://h", keyEnv: "OTHER_KEY", createdAt: "t")
        let missing = #expect(throws: ReelError.self) { try RemoteKey.find(for: other, environment: [:], credentials: file) }
        #expect(missing?.status == .permission)
        #expect(missing?.message == "no API key for remote other: set OTHER_KEY or run `reel remote login other`")
    }
}
