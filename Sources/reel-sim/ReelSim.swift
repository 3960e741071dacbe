import ArgumentParser
import Foundation
import ReelSimulator

@main
struct ReelSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel-sim",
        abstract: "A simulator of every remote dialect reel speaks, with real media and real faults.",
        discussion: """
            Serves the web (/api/generations…), proxy (/luma/…) and official (/dream-machine/v1/…) dialects on one \
            port, over one set of generations, until SIGINT or SIGTERM. The first line on stdout is \
            `listening on http://HOST:PORT`; the second names the API key.

            Example:
              reel-sim --count 500 --seed 7 --api-key secret
              reel-sim --faults 500=0.05,429=0.05,reset=0.02,truncate=0.02,slow=0.01,html=0.01 --link-ttl 5

            Oracle for tests: GET /_sim/manifest lists every generation (canonical state: queued, running, \
            completed, failed) with the role, ordinal (1 for an end image), SHA-256 and size of each file it serves; \
            GET /_sim/manifest?dialect=web|proxy|official lists only the files that dialect exposes for each item \
            now, as its payloads link them (an unknown dialect: 400; the proxy's unwatermarked file counts when only download_video_url \
            gives it; links held back for a just-completed item's first polls still count). Some legacy web \
            items have no thumbnail at all (video.thumbnail null): a client must make its own poster frame. \
            GET /_sim/stats counts requests, faults and media requests that carried an Authorization header.
            """)

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0: any free port).") var port = 0
    @Option(name: .customLong("api-key"), help: "The bearer token clients must send (default: a random one, printed).")
    var apiKey: String?
    @Option(help: "Generations at start.") var count = 200
    @Option(help: "Seed for ids, prompts, media and faults.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Prompts to use, one per line.", valueName: "file")) var prompts: String?
    @Option(help: ArgumentHelp("scaled (an eighth of each side, 8 fps) or full.", valueName: "size")) var media = "scaled"
    @Option(name: .customLong("link-ttl"), help: "Seconds a presigned (unwatermarked) link stays valid.") var linkTTL: Double = 3600
    @Option(name: .customLong("step-seconds"), help: "Seconds a created generation spends queued, then running.")
    var stepSeconds: Double = 2
    @Option(name: .customLong("new-every"), help: "Add a generation at the head of the list every N seconds.")
    var newEvery: Double?
    @Option(name: .customLong("delete-every"), help: "Delete a random generation every N seconds.")
    var deleteEvery: Double?
    @Option(help: ArgumentHelp("Fault rates, e.g. 500=0.05,429=0.05,reset=0.02,truncate=0.02,slow=0.01,html=0.01.", valueName: "spec"))
    var faults: String?
    @Flag(name: .customLong("no-proxy-list"), help: "Serve no proxy list route, as some hosts do.") var noProxyList = false

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard ["scaled", "full"].contains(media) else { throw ValidationError("--media must be scaled or full") }
        guard linkTTL > 0, stepSeconds > 0 else { throw ValidationError("--link-ttl and --step-seconds must be positive") }
        if let newEvery, newEvery <= 0 { throw ValidationError("--new-every must be positive") }
        if let deleteEvery, deleteEvery <= 0 { throw ValidationError("--delete-every must be positive") }
    }

    func run() async throws {
        var generated = SystemRandomNumberGenerator()
        let key = apiKey ?? "sim-" + (0..<4).map { _ in String(generated.next(), radix: 16) }.joined()
        var configuration = SimulatorConfiguration(apiKey: key)
        configuration.host = host
        configuration.port = port
        configuration.count = count
        configuration.seed = seed
        configuration.fullSizeMedia = media == "full"
        configuration.linkTTL = linkTTL
        configuration.stepSeconds = stepSeconds
        configuration.newEvery = newEvery
        configuration.deleteEvery = deleteEvery
        configuration.proxyList = !noProxyList
        do {
            if let faults { configuration.faults = try FaultSpec(parsing: faults) }
            if let prompts { configuration.prompts = try Self.readPrompts(prompts) }
        } catch {
            throw ValidationError("\(error)")
        }
        let announcedKey = apiKey == nil ? key : "(as given)"
        try await Simulator(configuration: configuration).run(handleSignals: true) { url in
            // Written straight to the descriptor: a parent reading the pipe must get the line now, not at exit.
            FileHandle.standardOutput.write(Data("listening on \(url)\napi key: \(announcedKey)\n".utf8))
        }
    }

    static func readPrompts(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read prompts from \(path)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ValidationError("\(path) holds no prompts") }
        return lines
    }
}
