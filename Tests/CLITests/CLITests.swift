import Foundation
import ReelSimulator
import Testing
import TestSupport

/// Runs the real `reel` binary, as a user would.
struct Reel {
    let folder: TemporaryDirectory
    var library: String { folder.file("lib") }

    func callAsFunction(_ arguments: String..., environment extra: [String: String] = [:]) throws -> Shell.Result {
        try run(arguments, environment: extra)
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Shell.Result {
        try Shell.run(Fixtures.reelBinary, arguments, environment: environment(extra), check: false)
    }

    /// Starts reel without waiting for it (its output discarded), for a test that stops it part way.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.reelBinary)
        process.arguments = arguments
        process.environment = environment([:])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// For a reel that talks to a server running inside the test process.
    func detached(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> Shell.Result {
        try await Shell.runDetached(Fixtures.reelBinary, arguments, environment: environment(extra), check: false)
    }

    private func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = library
        environment["NO_COLOR"] = "1"
        environment.merge(extra) { $1 }
        return environment
    }
}

/// Every failure is one line on stderr, starting "reel: ".
func expectOneLineError(_ result: Shell.Result, status: Int32, contains text: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == status, "exit status; stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("reel: ") == true, sourceLocation: sourceLocation)
    #expect(result.stderr.contains(text), "\(result.stderr) should contain \(text)", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
}

@Suite struct InitAndImportCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    @Test func initImportListShowVerify() throws {
        let created = try reel("init")
        #expect(created.status == 0)
        #expect(created.stdout == "created a library at \(reel.library)\n")
        let again = try reel("init")
        #expect(again.status == 0 && again.stdout.contains("already exists"))

        let id = "eaf962b3-f279-4247-9d7d-c27c741e07cb"
        let named = try reel.folder.copy(Fixtures.corpus("mb__video.mp4"), as: "in/\(id).mp4")
        try reel.folder.copy(Fixtures.corpus("ax__sample.mkv"), as: "in/sub/other.mkv")
        let imported = try reel("import", reel.folder.file("in"))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported  eaf962b3  \(named)"))
        #expect(imported.stdout.hasSuffix("2 imported, 0 already in the library, 0 skipped\n"))

        let listed = try reel("ls")
        #expect(listed.status == 0)
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID "))
        #expect(listed.stdout.contains("eaf962b3") && listed.stdout.contains("1920x1080") && listed.stdout.contains("other.mkv"))

        let shown = try reel("show", "eaf9")
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains(id))
        #expect(shown.stdout.contains("h264 (High) 1920x1080 25 fps"))
        #expect(shown.stdout.contains("\(reel.library)/objects/"))

        let json = try JSONSerialization.jsonObject(with: try reel("show", "eaf962b3", "--json").stdoutData) as? [String: Any]
        #expect(json?["id"] as? String == id)
        let media = (json?["media"] as? [[String: Any]])?.first
        #expect(media?["role"] as? String == "video")
        #expect(((media?["probe"] as? [String: Any])?["streams"] as? [Any])?.count == 2)
        let listJSON = try JSONSerialization.jsonObject(with: try reel("ls", "--json").stdoutData) as? [[String: Any]]
        #expect(listJSON?.count == 2)

        let verified = try reel("verify")
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("2 files intact"))
    }

    @Test func importReportsNamedFailuresInTheExitStatus() throws {
        _ = try reel("init")
        let text = try reel.folder.write("notes.mp4", "not a video")
        let result = try reel("import", Fixtures.corpus("ax__sample.mp4"), text)
        #expect(result.status == 65)
        #expect(result.stdout.contains("1 imported"))
        #expect(result.stderr.contains("reel: skipped \(text): "))
        #expect(result.stderr.contains("reel: 1 named file could not be imported"))
        let missing = try reel("import", reel.folder.file("absent.mp4"))
        #expect(missing.status == 66)
    }

    @Test func verifyFailsOnACorruptBlob() throws {
        _ = try reel("init")
        _ = try reel("import", Fixtures.corpus("ax__sample.mp4"))
        let objects = reel.library + "/objects"
        let prefix = try #require(try FileManager.default.contentsOfDirectory(atPath: objects).first)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)").first)
        let blob = "\(objects)/\(prefix)/\(name)"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: blob)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: blob))
        let result = try reel("verify")
        #expect(result.status == 65)
        #expect(result.stdout.contains("wrong-size: \(prefix)\(name)"))
        #expect(result.stderr == "reel: 1 problem found\n")
    }

    @Test func anInterruptedImportLosesNothingAndContinues() throws {
        _ = try reel("init")
        // A large file that is a valid video: a real clip followed by padding libavformat ignores.
        let big = reel.folder.file("big.mp4")
        var data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.corpus("mb__video.mp4")))
        data.append(Data(count: 400 * 1_048_576))
        try data.write(to: URL(fileURLWithPath: big))
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = reel.library
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.reelBinary)
        process.arguments = ["import", "-q", Fixtures.corpus("ax__sample.mp4"), big]
        process.environment = environment
        try process.run()
        // Wait until the big file is half-way into the store, then kill -9.
        let tmp = reel.library + "/tmp"
        func largestTemporaryFile() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
            return names.compactMap { try? FileManager.default.attributesOfItem(atPath: "\(tmp)/\($0)")[.size] as? Int }.max() ?? 0
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, largestTemporaryFile() < 50 * 1_048_576 { usleep(2_000) }
        #expect(largestTemporaryFile() >= 50 * 1_048_576, "the big file was being stored when killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let afterKill = try reel("ls", "--json")
        let items = try JSONSerialization.jsonObject(with: afterKill.stdoutData) as? [[String: Any]]
        #expect(items?.count == 1, "the first file finished and was kept; the killed one left no row")
        #expect(try reel("verify").status == 0)

        let resumed = try reel("import", Fixtures.corpus("ax__sample.mp4"), big)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("1 imported, 1 already in the library"))
        #expect(try reel("verify").status == 0)
    }
}

@Suite struct BadInputCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    @Test func commandsWithoutALibrarySayHowToMakeOne() throws {
        for command in [["ls"], ["show", "abc"], ["verify"], ["import", Fixtures.corpus("ax__sample.mp4")]] {
            expectOneLineError(try reel.run(command), status: 66, contains: "no library at \(reel.library); create one with `reel init`")
        }
    }

    @Test func aLibraryPathThatIsAFile() throws {
        try reel.folder.write("lib", "I am a file")
        expectOneLineError(try reel("init"), status: 74, contains: "\(reel.library) is a file, not a library folder")
        expectOneLineError(try reel("ls"), status: 74, contains: "is a file, not a library folder")
    }

    @Test func aLibraryOnAReadOnlyFolder() throws {
        let parent = reel.folder.file("ro")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try TemporaryDirectory.makeUnwritable(parent)
        expectOneLineError(try reel("init", "--library", parent + "/lib"), status: 74, contains: "cannot create the library folder")
    }

    @Test func aCatalogThatIsNotSQLiteOrTooNew() throws {
        try reel.folder.write("lib/catalog.sqlite", String(repeating: "nonsense", count: 600))
        expectOneLineError(try reel("ls"), status: 65, contains: "is not a reel catalog (not an SQLite database)")

        let newer = Reel(folder: TemporaryDirectory())
        _ = try newer("init")
        try Shell.run("/usr/bin/sqlite3", [newer.library + "/catalog.sqlite", "PRAGMA user_version = 42"])
        expectOneLineError(try newer("ls"), status: 65, contains: "was written by a newer reel (catalog version 42")
    }

    @Test func badIDs() throws {
        _ = try reel("init")
        expectOneLineError(try reel("show", "zzz"), status: 64, contains: "'zzz' is not an id")
        expectOneLineError(try reel("show", "0123"), status: 66, contains: "no generation with id 0123")
    }

    @Test func usageErrorsExit64() throws {
        let result = try reel("import")
        #expect(result.status == 64)
        #expect(result.stderr.contains("Missing expected argument '<path> ...'"))
        #expect(try reel("frobnicate").status == 64)
        #expect(try reel("ls", "--limit", "-3").status == 64)
    }
}

@Suite struct ProbeCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    @Test func jsonHasFFprobesShapeAndErrorsInline() throws {
        let missing = reel.folder.file("missing.mp4")
        let result = try reel("probe", "--json", Fixtures.corpus("mb__video.mp4"), missing, Fixtures.corpus("mb__sar_2x1.mp4"))
        #expect(result.status == 65)
        #expect(result.stderr == "reel: 1 of 3 files could not be probed\n")
        let array = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]])
        #expect(array.count == 3)
        #expect(array[0]["path"] as? String == Fixtures.corpus("mb__video.mp4"))
        let format = try #require(array[0]["format"] as? [String: Any])
        #expect(format["format_name"] as? String == "mov,mp4,m4a,3gp,3g2,mj2")
        #expect(format["duration"] is Double || format["duration"] is NSNumber)
        let streams = try #require(array[0]["streams"] as? [[String: Any]])
        #expect(streams.map { $0["codec_name"] as? String } == ["h264", "aac"])
        #expect(streams[0]["avg_frame_rate"] as? Double == 25)
        #expect(streams[0]["codecName"] == nil, "ffprobe's key names, not Swift's")
        #expect(array[1]["path"] as? String == missing)
        #expect((array[1]["error"] as? String)?.contains("No such file or directory") == true)
        #expect(array[1]["format"] == nil)
        #expect(array[2]["streams"] != nil)
    }

    @Test func jsonlIsOneObjectPerLine() throws {
        let files = [Fixtures.corpus("ax__sample.mkv"), Fixtures.corpus("ax__bear-vp9.webm")]
        let result = try reel.run(["probe", "--jsonl"] + files)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for (line, file) in zip(lines, files) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["path"] as? String == file)
        }
    }

    @Test func humanSummary() throws {
        let result = try reel("probe", Fixtures.corpus("mb__rotate-buck-bunny.mp4"))
        #expect(result.status == 0)
        #expect(result.stdout.contains("#0 video h264 (High) 1920x1080 → 1080x1920"))
        #expect(result.stdout.contains("rotated -90°"))
        let cut = try reel("probe", Fixtures.corpus("ax__large_stbl_truncated_after_moov.m4b"))
        #expect(cut.status == 0, "a truncated file still probes, as with ffprobe")
        #expect(cut.stdout.contains("truncated: the file ends at byte 1107870, its media runs to byte 53024462"))
    }

    @Test func badInputsGetOneLineEach() throws {
        let directory = reel.folder.file("folder")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let empty = try reel.folder.write("empty.mp4", "")
        let text = try reel.folder.write("text.mp4", "hello\n")
        for path in [reel.folder.file("missing.mp4"), directory, empty, text, Fixtures.corpus("mp4ff__init_truncated.mp4")] {
            let result = try reel("probe", path)
            #expect(result.status == 65, "\(path): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 2, "the file's reason and the summary")
            #expect(result.stderr.hasPrefix("reel: \(path): "))
        }
    }
}

/// Files the user running reel may not read. Root reads everything, so as root reel runs as `nobody`.
@Suite struct UnreadableFileCLITests {
    let folder = TemporaryDirectory()

    func runAsUnprivileged(_ arguments: [String]) throws -> Shell.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        guard geteuid() == 0 else {
            return try Shell.run(Fixtures.reelBinary, arguments, environment: environment, check: false)
        }
        let drop = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Fixtures.reelBinary]
        return try Shell.run("/usr/bin/setpriv", drop + arguments, environment: environment, check: false)
    }

    @Test func probeAndImportReportPermissionDenied() throws {
        try Shell.run("/bin/chmod", ["0777", folder.path])
        let locked = try folder.copy(Fixtures.corpus("ax__sample.mp4"), as: "locked.mp4")
        try Shell.run("/bin/chmod", ["0000", locked])
        let probed = try runAsUnprivileged(["probe", locked])
        #expect(probed.status == 65)
        #expect(probed.stderr.hasPrefix("reel: \(locked): Permission denied\n"))

        let library = folder.file("lib")
        #expect(try runAsUnprivileged(["init", "--library", library]).status == 0)
        let imported = try runAsUnprivileged(["import", "--library", library, locked])
        #expect(imported.status == 74)
        #expect(imported.stderr.split(separator: "\n") == [
            "reel: skipped \(locked): Permission denied", "reel: 1 named file could not be imported",
        ])
    }
}

@Suite struct HelpCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    @Test(arguments: [
        "init", "import", "sync", "track", "probe", "ls", "show", "verify", "remote", "remote add", "remote ls", "remote rm",
        "remote login", "remote test", "tag", "tag add", "tag rm", "tag ls", "tag rename", "stats", "gc", "doctor",
    ])
    func everyCommandHasHelpWithAnExampleAndTheLibraryOption(command: String) throws {
        let result = try reel.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("OVERVIEW: "))
        #expect(result.stdout.contains("Example:"))
        #expect(result.stdout.contains("  reel \(command)"), "the example runs this command")
        let isGroup = command == "remote" || command == "tag"
        #expect(isGroup || result.stdout.contains("--library <dir>"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) throws {
        let result = try reel("--generate-completion-script", shell)
        #expect(result.status == 0)
        #expect(result.stdout.contains("import") && result.stdout.contains("probe"))
    }

    @Test func versionNamesTheLibraries() throws {
        let result = try reel("--version")
        #expect(result.stdout.hasPrefix("reel "))
        for library in ["SQLite 3.", "libavformat ", "OpenSSL ", "libcurl "] { #expect(result.stdout.contains(library)) }
    }
}

@Suite struct RemoteCLITests {
    let reel = Reel(folder: TemporaryDirectory())

    @Test func addListLoginRemove() throws {
        _ = try reel("init")
        let config = reel.folder.file("config")
        let added = try reel("remote", "add", "sim", "--dialect", "official", "--url", "http://127.0.0.1:9/", "--key-env", "SIM_KEY")
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try reel("remote", "ls")
        #expect(listed.stdout.contains("sim") && listed.stdout.contains("official") && listed.stdout.contains("$SIM_KEY"))

        let secret = "sk-test-7f3a9c1e"
        var environment = ProcessInfo.processInfo.environment
        environment["REEL_LIBRARY"] = reel.library
        environment["XDG_CONFIG_HOME"] = config
        let login = try Shell.run(Fixtures.reelBinary, ["remote", "login", "sim"], environment: environment,
                                  stdin: Data("\(secret)\n".utf8), check: false)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(!login.stdout.contains(secret) && !login.stderr.contains(secret), "the key is never printed")
        let catalog = try Data(contentsOf: URL(fileURLWithPath: reel.library + "/catalog.sqlite"))
        #expect(catalog.range(of: Data(secret.utf8)) == nil, "the key is never in the catalog")
        #expect(try String(contentsOfFile: config + "/reel/credentials", encoding: .utf8).contains("sim=\(secret)\n"))

        try Shell.run("/bin/chmod", ["0644", config + "/reel/credentials"])
        let refused = try Shell.run(Fixtures.reelBinary, ["remote", "login", "sim"], environment: environment,
                                    stdin: Data("another\n".utf8), check: false)
        expectOneLineError(refused, status: 77, contains: "can be read by others (mode 644)")
        try Shell.run("/bin/chmod", ["0600", config + "/reel/credentials"])

        let removed = try Shell.run(Fixtures.reelBinary, ["remote", "rm", "sim"], environment: environment, check: false)
        #expect(removed.status == 0)
        #expect(!(try String(contentsOfFile: config + "/reel/credentials", encoding: .utf8)).contains(secret))
        expectOneLineError(try reel("remote", "rm", "sim"), status: 66, contains: "no remote named sim")
    }

    @Test func badRemotesAreOneLineUsageErrors() throws {
        _ = try reel("init")
        expectOneLineError(try reel("remote", "add", "x", "--dialect", "gopher", "--url", "http://h"), status: 64, contains: "not a dialect")
        expectOneLineError(try reel("remote", "add", "x", "--dialect", "web", "--url", "file:///etc/passwd"), status: 64, contains: "not an http or https URL")
        expectOneLineError(try reel("remote", "login", "nobody"), status: 66, contains: "no remote named nobody")
    }
}

@Suite struct RemoteTestCLITests {
    @Test func reachableRefusedMissingAndDown() async throws {
        let reel = Reel(folder: TemporaryDirectory())
        var configuration = SimulatorConfiguration(apiKey: "sk-live-0123456789")
        configuration.count = 3
        let (base, server) = try await SimulatorServer.start(configuration)
        defer { server.cancel() }
        _ = try reel("init")
        for dialect in ["web", "proxy", "official"] {
            _ = try reel("remote", "add", dialect, "--dialect", dialect, "--url", base)
            let ok = try await reel.detached("remote", "test", dialect, environment: ["REEL_\(dialect.uppercased())_KEY": configuration.apiKey])
            #expect(ok.status == 0, "\(dialect): \(ok.stderr)")
            #expect(ok.stdout.hasPrefix("ok: \(dialect) (\(dialect) at \(base)) answered in "))
            #expect(ok.stdout.hasSuffix("key from the environment variable REEL_\(dialect.uppercased())_KEY\n"))
            #expect(!ok.stdout.contains(configuration.apiKey))
        }
        _ = try reel("remote", "add", "hk", "--dialect", "proxy", "--url", base, "--no-list")
        #expect(try await reel.detached("remote", "test", "hk", environment: ["REEL_HK_KEY": configuration.apiKey]).status == 0)

        let refused = try await reel.detached("remote", "test", "web", environment: ["REEL_WEB_KEY": "sk-wrong-key"])
        expectOneLineError(refused, status: 77, contains: "remote web refused the key from the environment variable REEL_WEB_KEY (HTTP 401")
        #expect(!refused.stderr.contains("sk-wrong-key"))
        let missing = try await reel.detached("remote", "test", "web", environment: ["XDG_CONFIG_HOME": reel.folder.file("empty-config")])
        expectOneLineError(missing, status: 77, contains: "no API key for remote web: set REEL_WEB_KEY")

        server.cancel()
        _ = await server.result
        let down = try await reel.detached("remote", "test", "web", environment: ["REEL_WEB_KEY": configuration.apiKey])
        expectOneLineError(down, status: 69, contains: "cannot reach remote web at \(base)")
    }
}
