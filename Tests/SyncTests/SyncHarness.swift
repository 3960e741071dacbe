import Catalog
import ContentStore
import Foundation
import HTTP
import ReelKit
import ReelSimulator
import RemoteAPI
import SQLite
import Testing
import TestSupport

/// A library and an in-process simulator, with the remote `sim` added in one dialect.
final class SyncFixture: @unchecked Sendable {
    let folder = TemporaryDirectory()
    let base: String
    let key: String
    let dialect: String
    let clock: ManualClock?
    private let server: Task<Void, any Error>
    let client = HTTPClient()

    var root: String { folder.file("lib") }

    /// Starts a simulator (with a hand-moved clock unless `realClock`) and makes a library with the remote.
    init(
        dialect: String, count: Int = 40, seed: UInt64 = 11, faults: String? = nil, realClock: Bool = false, hasList: Bool = true,
        configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws {
        var configuration = SimulatorConfiguration(apiKey: "sync-test-key")
        configuration.count = count
        configuration.seed = seed
        let clock = realClock ? nil : ManualClock()
        clock?.install(in: &configuration)
        if let faults { configuration.faults = try FaultSpec(parsing: faults) }
        if !hasList { configuration.proxyList = false }
        configure(&configuration)
        (base, server) = try await SimulatorServer.start(configuration)
        self.key = configuration.apiKey
        self.dialect = dialect
        self.clock = clock
        self.hasList = hasList
        try makeLibrary()
    }

    private let hasList: Bool

    private func makeLibrary() throws {
        _ = try Library.create(at: root)
        try Remotes(library: try Library.open(at: root)).add(name: "sim", dialect: dialect, url: base, keyEnv: "REEL_SIM_KEY", hasList: hasList)
    }

    /// Starts over with an empty library (the same simulator, the remote added again).
    func resetLibrary() throws {
        try FileManager.default.removeItem(atPath: root)
        try makeLibrary()
    }

    deinit {
        server.cancel()
        client.shutdown()
    }

    /// Runs one sync of `sim` in-process, with quick retries (the simulator's Retry-After of 1 s is capped).
    @discardableResult
    func sync(
        key: String? = nil, _ configure: (inout SyncOptions) -> Void = { _ in },
        report: @escaping (SyncProgress.Event, SyncProgress) -> Void = { _, _ in }
    ) async throws -> SyncSummary {
        let library = try Library.open(at: root)
        let remote = try Remotes(library: library).named("sim")
        var options = SyncOptions()
        options.retryPolicy = RetryPolicy(base: .milliseconds(20), cap: .milliseconds(200), maxRetryAfter: .milliseconds(300))
        configure(&options)
        let session = try RemoteSession(
            remote: remote, key: RemoteKey(value: key ?? self.key, source: .environment("REEL_SIM_KEY")), client: client,
            attempts: options.attempts, retryPolicy: options.retryPolicy)
        return try await SyncEngine(library: library, session: session, client: client, options: options, report: report).run()
    }

    /// Runs `reel ARGUMENTS…` on this library with the remote's key (or `key`), off the cooperative pool.
    /// `keyInEnvironment: false` leaves the key to the credentials file; `stdin` is fed to the command.
    func reel(_ arguments: [String], key: String? = nil, keyInEnvironment: Bool = true, stdin: Data? = nil) async throws -> Shell.Result {
        try await runReel(
            arguments, library: root, configHome: folder.file("config"),
            environment: ["REEL_SIM_KEY": keyInEnvironment ? key ?? self.key : nil], stdin: stdin)
    }

    /// Starts `reel ARGUMENTS…` on this library and remote key, stdout discarded, stderr to `path` (or discarded).
    func start(_ arguments: [String], stderrTo path: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.reelBinary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = root
        environment["REEL_SIM_KEY"] = key
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        if let path {
            FileManager.default.createFile(atPath: path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Waits off the cooperative pool: `waitUntilExit` would block one of its few threads.
    func waitForExit(_ process: Process) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// The simulator's own list of what this dialect serves (`media: false`: ids, states and prompts only).
    func manifest(media: Bool = true) async throws -> [ManifestItem] {
        let response = try await client.send(HTTPRequest(url: base + "/_sim/manifest?dialect=" + dialect + (media ? "" : "&media=0")))
        let root = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (root?["generations"] as? [[String: Any]] ?? []).map(ManifestItem.init)
    }

    /// What the simulator counted (requests, faults, media requests that carried a key).
    func stats() async throws -> [String: Any] {
        let response = try await client.send(HTTPRequest(url: base + "/_sim/stats"))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Copies of `count` distinct real JPEGs (thumbnails and frames the simulator made, as sync stored them)
    /// into the test folder, named `picture-N.jpg`; the library must have synced enough items.
    func pictures(_ count: Int) throws -> [String] {
        let objects = root + "/objects"
        let enumerator = FileManager.default.enumerator(atPath: objects)
        var copies: [String] = []
        while copies.count < count, let path = enumerator?.nextObject() as? String {
            let full = objects + "/" + path
            guard let head = FileHandle(forReadingAtPath: full).flatMap({ try? $0.read(upToCount: 3) }), head == Data([0xFF, 0xD8, 0xFF])
            else { continue }
            let copy = folder.file("picture-\(copies.count + 1).jpg")
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: full, toPath: copy)
            copies.append(copy)
        }
        guard copies.count == count else { throw CancellationError() }
        return copies
    }

    /// An API call as a user of the remote would make it.
    func api(_ method: HTTPRequest.Method, _ path: String, json: String? = nil) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(
            method, url: base + path, headers: json == nil ? [] : [("Content-Type", "application/json")],
            body: json.map { Array($0.utf8) }, bearerToken: key))
    }

    /// The catalog, opened afresh (a real SQLite file, as another process would see it).
    func catalog() throws -> Connection {
        try Connection(path: Library.catalogPath(in: root), mode: .readOnly)
    }

    /// Checks that the library holds exactly what the simulator serves in this dialect: every id with its
    /// state and prompt, and every file (by SHA-256, in the store, intact) that sync keeps.
    /// `ignoringMissing`: items the library keeps after the remote deleted them (marked missing) are not
    /// compared; every other item must match.
    func expectMirrors(
        _ manifest: [ManifestItem], keepWatermarked: Bool = false, media: Bool = true, ignoringMissing: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let db = try catalog()
        let kept = ignoringMissing ? " AND g.remote_missing_at IS NULL" : ""
        let rows = try db.prepare("SELECT uid, state, prompt, remote_missing_at FROM generations g WHERE remote = 'sim'" + kept).map {
            ($0[0] ?? "", ($0[1] ?? "", $0[2] ?? "", $0[3] as String?))
        }
        let generations = Dictionary(rows, uniquingKeysWith: { a, _ in a })
        #expect(Set(generations.keys) == Set(manifest.map(\.id)), "ids", sourceLocation: sourceLocation)
        for item in manifest {
            guard let (state, prompt, missing) = generations[item.id] else { continue }
            #expect(state == item.state, "state of \(item.id)", sourceLocation: sourceLocation)
            #expect(prompt == item.prompt, "prompt of \(item.id)", sourceLocation: sourceLocation)
            #expect(missing == nil, "\(item.id) is listed but marked missing", sourceLocation: sourceLocation)
        }
        guard media else { return }
        let stored = try db.prepare(
            """
            SELECT g.uid, m.role, m.ordinal, m.blob_sha256, m.source_path FROM media m JOIN generations g ON g.id = m.generation_id
            WHERE m.state = 'stored'
            """
        ).map { row -> (String, String, String?) in
            ("\(row[0] ?? "")/\(row[1] ?? "")/\(row[2] ?? 0)", row[3] ?? "", row[4])
        }
        let files = Dictionary(stored.map { ($0.0, ($0.1, $0.2)) }, uniquingKeysWith: { a, _ in a })
        let store = ContentStore(root: root)
        for item in manifest {
            let hasRaw = item.media.contains { $0.role == "video_raw" }
            for file in item.media where keepWatermarked || !(file.role == "video" && hasRaw) {
                let key = "\(item.id)/\(file.role)/\(file.ordinal)"
                #expect(files[key]?.0 == file.sha256, "\(key) stored with the served bytes", sourceLocation: sourceLocation)
                if let digest = Digest(hex: file.sha256) {
                    #expect(try store.check(digest, expectedSize: file.size) == .ok, "\(key) intact in the store", sourceLocation: sourceLocation)
                }
            }
            if item.state == "completed" && !item.media.contains(where: { $0.role == "thumbnail" }) {
                // The remote has no thumbnail: sync made one from the video.
                let made = files["\(item.id)/thumbnail/0"]
                #expect(made?.1 == "poster frame of the video", "\(item.id) has a poster frame", sourceLocation: sourceLocation)
                if let sha = made?.0 {
                    #expect(try db.scalar(String.self, "SELECT video_codec FROM media_info WHERE blob_sha256 = ?", sha) == "mjpeg",
                            sourceLocation: sourceLocation)
                }
            }
        }
        let videos = try db.scalar(
            Int.self,
            """
            SELECT count(*) FROM media m JOIN media_info i ON i.blob_sha256 = m.blob_sha256
            WHERE m.role IN ('video', 'video_raw') AND m.state = 'stored' AND i.duration_s > 0 AND i.width > 0
            """) ?? 0
        let storedVideos = try db.scalar(Int.self, "SELECT count(*) FROM media WHERE role IN ('video', 'video_raw') AND state = 'stored'") ?? 0
        #expect(videos == storedVideos, "every stored video was probed", sourceLocation: sourceLocation)
        let unfetched = try db.scalar(
            Int.self, "SELECT count(*) FROM media m JOIN generations g ON g.id = m.generation_id WHERE m.state <> 'stored'" + kept)
        #expect(unfetched == 0, "nothing left to fetch", sourceLocation: sourceLocation)
    }
}

/// Runs the built `reel ARGUMENTS…` on `library` with `environment` added (a remote's key), its own
/// config folder and no colour, off the cooperative pool; `wrapper` goes before it (`/usr/bin/time -v`).
func runReel(
    _ arguments: [String], library: String, configHome: String, environment extra: [String: String?], wrapper: [String] = [],
    stdin: Data? = nil
) async throws -> Shell.Result {
    var environment = ProcessInfo.processInfo.environment
    environment["REEL_LIBRARY"] = library
    environment["XDG_CONFIG_HOME"] = configHome
    environment["NO_COLOR"] = "1"
    for (name, value) in extra { environment[name] = value }  // nil: unset
    let (program, rest) = wrapper.isEmpty ? (Fixtures.reelBinary, arguments) : (wrapper[0], wrapper.dropFirst() + [Fixtures.reelBinary] + arguments)
    return try await Shell.runDetached(program, Array(rest), environment: environment, stdin: stdin, check: false)
}

/// Files left in the store's temp folder of the library at `root`, and `.reel-part-*` files under `folder`.
func leftovers(store root: String, export folder: String? = nil) -> [String] {
    let temporary = ContentStore(root: root).temporaryDirectory
    var found = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).map { "tmp/\($0)" }
    if let folder, let names = FileManager.default.enumerator(atPath: folder) {
        while let name = names.nextObject() as? String {
            if (name as NSString).lastPathComponent.hasPrefix(".reel-part-") { found.append(name) }
        }
    }
    return found
}

/// One generation of `/_sim/manifest`.
struct ManifestItem: Sendable {
    struct File: Sendable {
        let role: String
        let ordinal: Int
        let sha256: String
        let size: Int64
    }

    let id: String
    let state: String
    let prompt: String
    let media: [File]

    init(_ json: [String: Any]) {
        id = json["id"] as? String ?? ""
        state = json["state"] as? String ?? ""
        prompt = json["prompt"] as? String ?? ""
        media = (json["media"] as? [[String: Any]] ?? []).map {
            File(role: $0["role"] as? String ?? "", ordinal: $0["ordinal"] as? Int ?? 0, sha256: $0["sha256"] as? String ?? "",
                 size: Int64($0["size"] as? Int ?? 0))
        }
    }
}
