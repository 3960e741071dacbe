import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ReelSimulator
import Testing
import TestSupport

@Suite struct FaultTests {
    func statuses(seed: UInt64, spec: String, requests: Int) async throws -> [Int] {
        var result: [Int] = []
        try await withSimulator(count: 5, seed: seed, faults: spec) { sim in
            for _ in 0..<requests {
                let reply = try await sim.get("/dream-machine/v1/credits")
                result.append(reply.status == 200 && reply.header("Content-Type")?.hasPrefix("text/html") == true ? 2000 : reply.status)
                if reply.status == 429 || reply.status == 503 { #expect(reply.header("Retry-After") == "1") }
            }
        }
        return result
    }

    @Test func faultsHappenAtTheirRatesAndFollowTheSeed() async throws {
        let spec = "500=0.2,429=0.1,503=0.05,html=0.1"
        let first = try await statuses(seed: 5, spec: spec, requests: 400)
        func count(_ status: Int) -> Int { first.filter { $0 == status }.count }
        // Binomial: three standard deviations either side.
        #expect((56...104).contains(count(500)), "500: \(count(500))")
        #expect((22...58).contains(count(429)), "429: \(count(429))")
        #expect((7...33).contains(count(503)), "503: \(count(503))")
        #expect((22...58).contains(count(2000)), "html: \(count(2000))")
        let again = try await statuses(seed: 5, spec: spec, requests: 60)
        let other = try await statuses(seed: 6, spec: spec, requests: 60)
        #expect(again == Array(first.prefix(60)), "same seed, same faults")
        #expect(other != Array(first.prefix(60)))
    }

    @Test func specsAreValidated() throws {
        #expect(throws: SimulatorError.self) { try FaultSpec(parsing: "boom=0.1") }
        #expect(throws: SimulatorError.self) { try FaultSpec(parsing: "500=1.5") }
        #expect(throws: SimulatorError.self) { try FaultSpec(parsing: "500=0.6,429=0.6") }
        #expect(try FaultSpec(parsing: "500=0.05,429=0.05,reset=0.02,truncate=0.02,slow=0.01,html=0.01").rates.count == 6)
    }

    @Test(arguments: ["truncate", "reset"])
    func bodiesCutShortNeverLookWhole(fault: String) async throws {
        try await withSimulator(count: 3, faults: "\(fault)=1") { sim in
            let manifest = try await sim.get("/_sim/manifest", key: .some(nil))
            let entry = try #require((manifest.object["generations"] as? [[String: Any]])?.first { ($0["media"] as? [Any])?.isEmpty == false })
            let id = try #require(entry["id"] as? String)
            let size = try #require(((entry["media"] as? [[String: Any]])?.first { $0["role"] as? String == "thumbnail" })?["size"] as? Int)
            do {
                let reply = try await sim.get("\(sim.base)/cdn/v/\(id)/thumbnail.jpg", key: .some(nil))
                #expect(reply.body.count < size, "a client must be able to tell: it got \(reply.body.count) of \(size) bytes")
            } catch {
                // The connection dropped mid-body: what a client sees from a reset.
            }
        }
    }

    @Test func slowBodiesArriveWholeButLate() async throws {
        try await withSimulator(count: 3, faults: "slow=1") { sim in
            let start = Date()
            let reply = try await sim.get("/dream-machine/v1/generations?limit=3")
            #expect(reply.status == 200 && (reply.object["generations"] as? [Any])?.count == 3)
            #expect(Date().timeIntervalSince(start) >= 1.0, "eight pieces, 150 ms apart")
        }
    }
}

@Suite struct SimulatorProcessTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func printsItsAddressServesAndStopsCleanly(signal: Int32) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.simulatorBinary)
        process.arguments = ["--port", "0", "--count", "7", "--api-key", "k"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let first = String(text.split(separator: "\n").first ?? "")
        #expect(first.range(of: #"^listening on http://127\.0\.0\.1:\d+$"#, options: .regularExpression) != nil, "\(first)")
        let base = String(first.dropFirst("listening on ".count))
        let sim = RunningSimulator(base: base, key: "k")
        let page = try await sim.get("/luma/generations?offset=0&limit=100")
        #expect(page.array.count == 7)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test func badArgumentsAreOneLineAndExit64() throws {
        for arguments in [["--faults", "boom=1"], ["--media", "huge"], ["--count", "-1"], ["--prompts", "/nonexistent"]] {
            let result = try Shell.run(Fixtures.simulatorBinary, arguments, check: false)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: "))
        }
    }

    @Test func aPromptsFileIsUsed() async throws {
        let folder = TemporaryDirectory()
        let prompts = try folder.write("prompts.txt", "first prompt\n\nsecond prompt\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.simulatorBinary)
        process.arguments = ["--count", "20", "--api-key", "k", "--prompts", prompts]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).split(separator: "\n").first ?? ""
        let sim = RunningSimulator(base: String(line.dropFirst("listening on ".count)), key: "k")
        let items = try await sim.get("/api/generations?limit=20").object["data"] as? [[String: Any]] ?? []
        #expect(Set(items.compactMap { $0["prompt"] as? String }) == ["first prompt", "second prompt"])
    }
}
