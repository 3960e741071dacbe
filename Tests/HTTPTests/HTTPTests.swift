import ContentStore
import Foundation
import HTTP
import ReelSimulator
import Synchronization
import TestSupport
import Testing

// MARK: Harness

/// Runs `body` against a simulator on a free port; `base` is "http://127.0.0.1:PORT".
func withSimulator<T>(
    faults: String? = nil, count: Int = 4, _ body: (_ base: String) async throws -> T
) async throws -> T {
    var configuration = SimulatorConfiguration(apiKey: "k")
    configuration.count = count
    configuration.seed = 1
    // A fixed epoch: two simulators then serve the same bytes (the resume tests use that).
    configuration.epoch = Date(timeIntervalSince1970: 1_718_000_000)
    if let faults { configuration.faults = try FaultSpec(parsing: faults) }
    let (base, server) = try await SimulatorServer.start(configuration)
    defer { server.cancel() }
    return try await body(base)
}

/// One media file as the simulator's manifest describes it.
struct MediaEntry {
    let id: String
    let role: String
    let sha256: String
    let size: Int64

    func url(_ base: String) -> String {
        "\(base)/cdn/v/\(id)/\(role == "video" ? "watermarked_video.mp4" : "thumbnail.jpg")"
    }
}

func manifest(_ client: HTTPClient, _ base: String) async throws -> [MediaEntry] {
    let response = try await client.send(HTTPRequest(url: base + "/_sim/manifest"))
    let root = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    let generations = try #require(root["generations"] as? [[String: Any]])
    return generations.flatMap { g in
        (g["media"] as? [[String: Any]] ?? []).compactMap { m -> MediaEntry? in
            guard let role = m["role"] as? String, role == "video" || role == "thumbnail" else { return nil }
            return MediaEntry(id: g["id"] as! String, role: role, sha256: m["sha256"] as! String, size: (m["size"] as! NSNumber).int64Value)
        }
    }
}

func stats(_ client: HTTPClient, _ base: String) async throws -> [String: Any] {
    let response = try await client.send(HTTPRequest(url: base + "/_sim/stats"))
    return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

/// The error a call throws, or nil when it returns. (Closures do not infer typed throws, hence the cast.)
func failure<T>(_ body: () async throws -> T) async -> HTTPError? {
    do {
        _ = try await body()
        return nil
    } catch let error as HTTPError {
        return error
    } catch {
        Issue.record("not an HTTPError: \(error)")
        return nil
    }
}

/// A fresh store in a temporary folder (the folder lives as long as the value).
struct Library {
    let folder = TemporaryDirectory("reel-http")
    let store: ContentStore

    init() throws {
        store = ContentStore(root: folder.path + "/library")
        try store.create()
    }

    var objectCount: Int { (try? store.allObjects().count) ?? -1 }
    var temporaryFiles: [String] { (try? FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)) ?? ["?"] }
    var temporaryBytes: Int {
        temporaryFiles.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: store.temporaryDirectory + "/" + name)
            return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}

/// Waits (without a deadline of its own: the test's time limit is the bound) until `condition` holds.
func eventually(_ condition: () -> Bool) async throws {
    while !condition() { try await Task.sleep(for: .milliseconds(10)) }
}

/// A client whose stalled transfers only a cancellation or a shutdown ends: on a loaded machine the
/// low-speed limit (30 s) could otherwise end them first, as a timeout, before the test gets to it.
func clientOnlyCancellationStops() -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.lowSpeedTime = .seconds(3600)
    return HTTPClient(configuration: configuration)
}

// MARK: API calls

@Suite struct APICallTests {
    @Test func jsonCallWithTheTokenAnd401WithoutIt() async throws {
        let client = HTTPClient()
        try await withSimulator { base in
            let url = base + "/api/generations?offset=0&limit=10"
            let ok = try await client.send(HTTPRequest(url: url, bearerToken: "k"))
            #expect(ok.status == 200)
            #expect(ok.headers["content-type"]?.contains("json") == true)
            #expect(ok.httpVersion == "1.1")
            #expect(ok.effectiveURL == url)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(ok.body)) as? [String: Any])
            #expect((root["data"] as? [Any])?.count == 4)

            let denied = try await client.send(HTTPRequest(url: url))
            #expect(denied.status == 401)
            let wrong = try await client.send(HTTPRequest(url: url, bearerToken: "nope"))
            #expect(wrong.status == 401)
        }
    }

    @Test func postDeleteAndHead() async throws {
        let client = HTTPClient()
        try await withSimulator { base in
            let created = try await client.send(HTTPRequest(
                .post, url: base + "/dream-machine/v1/generations",
                headers: [("Content-Type", "application/json")], body: Array(#"{"prompt":"a red kite over dunes"}"#.utf8),
                bearerToken: "k"))
            #expect(created.status == 201)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])
            let id = try #require(object["id"] as? String)

            let deleted = try await client.send(HTTPRequest(.delete, url: base + "/dream-machine/v1/generations/\(id)", bearerToken: "k"))
            #expect(deleted.status == 204)

            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let head = try await client.send(HTTPRequest(.head, url: entry.url(base)))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["content-length"] == String(entry.size))
        }
    }

    @Test func fiftyConcurrentCallsAllComplete() async throws {
        let client = HTTPClient(maxConnectionsPerHost: 4)
        try await withSimulator(count: 20) { base in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        try await client.send(HTTPRequest(url: base + "/api/generations?offset=\(i % 20)&limit=1", bearerToken: "k")).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test func a503CarriesRetryAfterForThePolicy() async throws {
        let client = HTTPClient()
        try await withSimulator(faults: "503=1") { base in
            let response = try await client.send(HTTPRequest(url: base + "/api/generations", bearerToken: "k"))
            #expect(response.status == 503 && RetryPolicy.isRetryable(status: response.status))
            let retryAfter = try #require(response.headers["retry-after"])
            let delay = RetryPolicy().delay(attempt: 1, retryAfter: retryAfter)
            #expect(delay >= .seconds(Int(retryAfter)!))
        }
    }

    @Test func aBodyOverTheLimitIsTooLarge() async throws {
        let client = HTTPClient()
        try await withSimulator { base in
            let error = await failure { try await client.send(HTTPRequest(url: base + "/_sim/manifest"), maxBodyBytes: 64) }
            #expect(error?.kind == .tooLarge)
        }
    }

    @Test func headerInjectionIsRefused() async throws {
        let client = HTTPClient()
        let error = await failure {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:9/", headers: [("X-A", "b\r\nX-Evil: 1")]))
        }
        #expect(error?.kind == .invalidRequest)
    }
}

// MARK: Downloads

@Suite struct DownloadTests {
    @Test func downloadsMatchTheManifest() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator { base in
            let entries = try await manifest(client, base)
            #expect(entries.contains { $0.role == "video" } && entries.contains { $0.role == "thumbnail" })
            for entry in entries {
                let result = try await client.download(entry.url(base), into: library.store)
                guard case .stored(let blob, let head) = result else {
                    Issue.record("not stored: \(result)")
                    continue
                }
                #expect(blob.digest.hex == entry.sha256)
                #expect(blob.size == entry.size)
                #expect(head.status == 200)
                #expect(try ContentStore.hash(file: blob.path).hex == entry.sha256)
            }
            #expect(library.objectCount == Set(entries.map(\.sha256)).count)
            #expect(library.temporaryFiles.isEmpty)
            // Media hosts never see the key: downloads send no Authorization at all.
            #expect(try await stats(client, base)["media_requests_with_authorization"] as? Int == 0)
        }
    }

    @Test(arguments: ["truncate=1", "reset=1"])
    func aBrokenBodyStoresNothing(fault: String) async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator(faults: fault) { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let error = await failure { try await client.download(entry.url(base), into: library.store) }
            #expect(error?.kind == .connectionLost)
            #expect(error?.isRetryable == true)
            #expect(error?.partial == nil)
            #expect(library.objectCount == 0)
            #expect(library.temporaryFiles.isEmpty)
        }
    }

    @Test func anHTMLPageIsRefused() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator(faults: "html=1") { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let result = try await client.download(entry.url(base), into: library.store)
            guard case .refused(let status, let reason, let head, let prefix) = result else {
                Issue.record("stored an HTML page")
                return
            }
            #expect(status == 200 && reason == .html)
            #expect(head.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(String(decoding: prefix, as: UTF8.self).contains("502 Bad Gateway"))
            #expect(library.objectCount == 0)
            #expect(library.temporaryFiles.isEmpty)
        }
    }

    @Test func aMissingFileIsRefusedWithItsStatus() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator { base in
            let result = try await client.download(base + "/cdn/v/no-such-id/watermarked_video.mp4", into: library.store)
            guard case .refused(let status, let reason, _, _) = result else {
                Issue.record("stored a 404")
                return
            }
            #expect(status == 404 && reason == .status)
            #expect(library.objectCount == 0)
            #expect(library.temporaryFiles.isEmpty)
        }
    }

    @Test func aSlowButSteadyBodyArrives() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator(faults: "slow=1") { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            guard case .stored(let blob, _) = try await client.download(entry.url(base), into: library.store) else {
                Issue.record("not stored")
                return
            }
            #expect(blob.digest.hex == entry.sha256)
        }
    }

    @Test func aCancelledDownloadCanKeepItsBytes() async throws {
        let server = TinyServer { _ in
            .head("200 OK", ["Content-Type: video/mp4", "Content-Length: 1000", "ETag: \"v1\""], body: Array(repeating: 9, count: 400), stall: true)
        }
        defer { server.stop() }
        let client = clientOnlyCancellationStops()
        let library = try Library()
        let download = Task { await failure { try await client.download(server.base + "/v.mp4", into: library.store, keepPartial: true) } }
        // The 400 bytes sent are in once the writer's temp file holds them.
        try await eventually { library.temporaryBytes == 400 }
        download.cancel()
        let error = try #require(await download.value)
        #expect(error.kind == .cancelled)
        let partial = try #require(error.partial)
        #expect(partial.size == 400 && partial.etag == "\"v1\"" && partial.validator == "\"v1\"")
        #expect(library.temporaryFiles == [(partial.path as NSString).lastPathComponent])
        partial.discard()
        #expect(library.temporaryFiles.isEmpty)
    }

    @Test func anEmptyBodyIsRefused() async throws {
        let server = TinyServer { _ in .head("200 OK", ["Content-Type: video/mp4", "Content-Length: 0"]) }
        defer { server.stop() }
        let library = try Library()
        let result = try await HTTPClient().download(server.base + "/v.mp4", into: library.store)
        guard case .refused(200, .empty, _, _) = result else {
            Issue.record("expected an empty-body refusal, got \(result)")
            return
        }
        #expect(library.objectCount == 0 && library.temporaryFiles.isEmpty)
    }

    @Test func aContentLengthOverTheLimitIsRefusedBeforeTheBody() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let error = await failure { try await client.download(entry.url(base), into: library.store, maxBytes: entry.size - 1) }
            #expect(error?.kind == .tooLarge)
        }
        // 10^15 bytes announced, a few sent, then silence: reading the body would end in a timeout instead.
        let server = TinyServer { _ in
            .head("200 OK", ["Content-Type: video/mp4", "Content-Length: 1000000000000000"], body: Array("ftypisom".utf8), stall: true)
        }
        defer { server.stop() }
        let error = await failure { try await client.download(server.base + "/huge.mp4", into: library.store) }
        #expect(error?.kind == .tooLarge)
        #expect(library.objectCount == 0 && library.temporaryFiles.isEmpty)
    }

    @Test func aBodyGrowingPastTheLimitIsCutOff() async throws {
        // No Content-Length: the body simply runs until the connection closes.
        let server = TinyServer { _ in
            .head("200 OK", ["Content-Type: video/mp4"], body: [UInt8](repeating: 7, count: 200_000))
        }
        defer { server.stop() }
        let library = try Library()
        let error = await failure { try await HTTPClient().download(server.base + "/long.mp4", into: library.store, maxBytes: 50_000) }
        #expect(error?.kind == .tooLarge)
        #expect(library.objectCount == 0 && library.temporaryFiles.isEmpty)
    }

    @Test func aStalledBodyHitsTheLowSpeedLimit() async throws {
        let server = TinyServer { _ in
            .head("200 OK", ["Content-Type: video/mp4", "Content-Length: 100000"], body: [1, 2, 3], stall: true)
        }
        defer { server.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.lowSpeedLimit = 10_000
        configuration.lowSpeedTime = .seconds(1)
        let library = try Library()
        let error = await failure {
            try await HTTPClient(configuration: configuration).download(server.base + "/slow.mp4", into: library.store)
        }
        #expect(error?.kind == .timedOut)
        #expect(library.objectCount == 0 && library.temporaryFiles.isEmpty)
    }
}

// MARK: Resume

@Suite struct ResumeTests {
    @Test func anInterruptedDownloadContinuesWithRangeAndIfRange() async throws {
        let client = HTTPClient()
        let library = try Library()
        // The first simulator always cuts the body in half; the second (same seed, same bytes) does not.
        let (entry, partial) = try await withSimulator(faults: "truncate=1") { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let error = await failure { try await client.download(entry.url(base), into: library.store, keepPartial: true) }
            #expect(error?.kind == .connectionLost)
            return (entry, try #require(error?.partial))
        }
        #expect(partial.size == entry.size / 2)
        #expect(partial.etag == "\"\(entry.sha256.prefix(32))\"")
        #expect(library.temporaryFiles == [(partial.path as NSString).lastPathComponent])
        #expect(library.objectCount == 0)

        try await withSimulator { base in
            let same = try #require(try await manifest(client, base).first { $0.id == entry.id && $0.role == "video" })
            #expect(same.sha256 == entry.sha256)
            let result = try await client.download(entry.url(base), into: library.store, resumeFrom: partial)
            guard case .stored(let blob, let head) = result else {
                Issue.record("not stored: \(result)")
                return
            }
            #expect(head.status == 206)
            #expect(head.headers["content-range"] == "bytes \(partial.size)-\(entry.size - 1)/\(entry.size)")
            #expect(blob.digest.hex == entry.sha256 && blob.size == entry.size)
        }
        #expect(library.temporaryFiles.isEmpty)
    }

    @Test func aStaleValidatorStartsOver() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            // A prefix of other bytes, under an ETag the server no longer has: If-Range fails, 200 comes back.
            let path = library.store.temporaryDirectory + "/stale.partial"
            try Data(repeating: 0xAB, count: 1000).write(to: URL(fileURLWithPath: path))
            let stale = PartialDownload(path: path, size: 1000, etag: "\"old\"", lastModified: nil)
            let result = try await client.download(entry.url(base), into: library.store, resumeFrom: stale)
            guard case .stored(let blob, let head) = result else {
                Issue.record("not stored: \(result)")
                return
            }
            #expect(head.status == 200)
            #expect(blob.digest.hex == entry.sha256)
            #expect(library.temporaryFiles.isEmpty)
        }
    }

    @Test func aPrefixWrittenByHandContinues() async throws {
        let client = HTTPClient()
        let library = try Library()
        try await withSimulator { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            let whole = try await client.send(HTTPRequest(url: entry.url(base)))
            let path = library.store.temporaryDirectory + "/by-hand.partial"
            try Data(whole.body.prefix(777)).write(to: URL(fileURLWithPath: path))
            let partial = PartialDownload(path: path, size: 777, etag: whole.headers["etag"], lastModified: nil)
            let result = try await client.download(entry.url(base), into: library.store, resumeFrom: partial)
            guard case .stored(let blob, let head) = result else {
                Issue.record("not stored: \(result)")
                return
            }
            #expect(head.status == 206)
            #expect(blob.digest.hex == entry.sha256)
            #expect(library.temporaryFiles.isEmpty)
        }
    }
}

// MARK: Security

@Suite struct SecurityTests {
    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/", "dict://127.0.0.1/x"])
    func onlyHTTPAndHTTPSAreSpoken(url: String) async throws {
        let client = HTTPClient()
        let error = await failure { try await client.send(HTTPRequest(url: url)) }
        #expect(error?.kind == .protocolNotAllowed)
        let library = try Library()
        let download = await failure { try await client.download(url, into: library.store) }
        #expect(download?.kind == .protocolNotAllowed)
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd"])
    func redirectsToOtherSchemesAreRefused(target: String) async throws {
        let server = TinyServer { _ in .redirect(target) }
        defer { server.stop() }
        let error = await failure { try await HTTPClient().send(HTTPRequest(url: server.base + "/go")) }
        #expect(error?.kind == .protocolNotAllowed)
    }

    @Test(arguments: ["http://exa mple.com/", "", "example.com/video.mp4", "ftp.example.com/x", "/relative"])
    func aMalformedOrRelativeURLIsInvalid(url: String) async throws {
        let error = await failure { try await HTTPClient().send(HTTPRequest(url: url)) }
        #expect(error?.kind == .invalidURL)
    }

    @Test func tooManyRedirectsFail() async throws {
        let server = TinyServer { path in .redirect(path + "x") }
        defer { server.stop() }
        let error = await failure { try await HTTPClient().send(HTTPRequest(url: server.base + "/r")) }
        #expect(error?.kind == .other)
        #expect(server.requests.count == 6, "the first request and five redirects")
    }

    @Test func theTokenStaysOnItsHost() async throws {
        let client = HTTPClient()
        try await withSimulator { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "thumbnail" })
            let port = try #require(base.split(separator: ":").last)
            // Three hops away from the API host: a same-host redirect keeps the token; "localhost" and
            // 127.0.0.1 on another port are other hosts and must not get it.
            let server = TinyServer { path in
                switch path {
                case "/same": .redirect("/echo")
                case "/other-name": .redirect("http://localhost:\(port)/cdn/v/\(entry.id)/thumbnail.jpg")
                case "/other-port": .redirect("http://127.0.0.1:\(port)/cdn/v/\(entry.id)/thumbnail.jpg")
                default: .text("ok")
                }
            }
            defer { server.stop() }

            let same = try await client.send(HTTPRequest(url: server.base + "/same", bearerToken: "k"))
            #expect(same.status == 200)
            #expect(server.requests.first { $0.path == "/echo" }?.headers["authorization"] == "Bearer k")

            for path in ["/other-name", "/other-port"] {
                let moved = try await client.send(HTTPRequest(url: server.base + path, bearerToken: "k"))
                #expect(moved.status == 200)
                #expect(moved.effectiveURL.hasSuffix("/thumbnail.jpg"))
                #expect(server.requests.first { $0.path == path }?.headers["authorization"] == "Bearer k")
            }
            #expect(try await stats(client, base)["media_requests_with_authorization"] as? Int == 0)
        }
    }

    @Test func theTokenNeverAppearsInErrors() async throws {
        let token = "sk-very-secret-7f3a9"
        let client = HTTPClient()
        var errors: [HTTPError] = []
        // Nothing listens on port 1.
        if let error = await failure({ try await client.send(HTTPRequest(url: "http://127.0.0.1:1/\(token)x", bearerToken: token)) }) {
            errors.append(error)
        }
        try await withSimulator(faults: "reset=1") { base in
            let entry = try #require(try await manifest(client, base).first { $0.role == "video" })
            if let error = await failure({ try await client.send(HTTPRequest(url: entry.url(base), bearerToken: token)) }) {
                errors.append(error)
            }
        }
        let server = TinyServer { _ in .redirect("ftp://127.0.0.1/\(token)") }
        defer { server.stop() }
        if let error = await failure({ try await client.send(HTTPRequest(url: server.base + "/", bearerToken: token)) }) {
            errors.append(error)
        }
        #expect(errors.count == 3)
        for error in errors {
            #expect(!error.message.contains(token) && !"\(error)".contains(token) && !String(reflecting: error).contains(token))
        }
    }
}

// MARK: Lifecycle

@Suite struct LifecycleTests {
    @Test func shutdownCancelsPendingWork() async throws {
        let server = TinyServer { _ in .head("200 OK", ["Content-Length: 10"], stall: true) }
        defer { server.stop() }
        let client = clientOnlyCancellationStops()
        let library = try Library()
        let calls = (0..<3).map { i in
            Task { await failure { try await client.send(HTTPRequest(url: server.base + "/\(i)", timeout: .seconds(3600))) } }
        }
        let download = Task { await failure { try await client.download(server.base + "/d.mp4", into: library.store) } }
        try await eventually { server.requests.count == 4 }
        client.shutdown()
        for call in calls { #expect(await call.value?.kind == .cancelled) }
        #expect(await download.value?.kind == .cancelled)
        // After shutdown, new work fails at once.
        #expect(await failure { try await client.send(HTTPRequest(url: server.base + "/late")) }?.kind == .cancelled)
        client.shutdown()
        #expect(library.temporaryFiles.isEmpty)
    }

    @Test func cancellingTheTaskCancelsTheTransfer() async throws {
        let server = TinyServer { _ in .head("200 OK", ["Content-Length: 10"], stall: true) }
        defer { server.stop() }
        let client = clientOnlyCancellationStops()
        let call = Task { await failure { try await client.send(HTTPRequest(url: server.base + "/slow", timeout: .seconds(3600))) } }
        try await eventually { server.requests.count == 1 }
        call.cancel()
        #expect(await call.value?.kind == .cancelled)
        // The client still works.
        let after = TinyServer { _ in .text("fine") }
        defer { after.stop() }
        #expect(try await client.send(HTTPRequest(url: after.base + "/")).text == "fine")
    }

    @Test func aCancelledTaskDoesNotStartATransfer() async throws {
        let server = TinyServer { _ in .text("fine") }
        defer { server.stop() }
        let client = HTTPClient()
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await failure { try await client.send(HTTPRequest(url: server.base + "/")) }
        }
        #expect(await call.value?.kind == .cancelled)
        #expect(server.requests.isEmpty)
    }

    @Test func releasingTheClientStopsItsThread() async throws {
        weak var weakClient: HTTPClient?
        do {
            let client = HTTPClient()
            weakClient = client
            let server = TinyServer { _ in .text("x") }
            defer { server.stop() }
            _ = try await client.send(HTTPRequest(url: server.base + "/"))
        }
        #expect(weakClient == nil)
    }
}

// MARK: Retry policy

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(base: .milliseconds(100), cap: .seconds(5), maxRetryAfter: .seconds(60))
    let now: Int64 = 1_718_000_000

    @Test func backoffIsFullJitterUnderADoublingCappedCeiling() {
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...12 {
            let ceiling = min(Duration.milliseconds(100) * (1 << (attempt - 1)), .seconds(5))
            var samples: [Duration] = []
            for _ in 0..<300 {
                samples.append(policy.delay(attempt: attempt, retryAfter: nil, now: now, using: &generator))
            }
            #expect(samples.allSatisfy { $0 >= .zero && $0 <= ceiling })
            // Full jitter spreads over the whole range, not just near the ceiling.
            #expect(samples.contains { $0 < ceiling / 4 } && samples.contains { $0 > ceiling * 3 / 4 })
        }
        #expect(policy.delay(attempt: 1_000_000) <= .seconds(5))
    }

    @Test func retryAfterSecondsAndDatesAreHonoured() {
        var generator = SystemRandomNumberGenerator()
        func delay(_ value: String) -> Duration { policy.delay(attempt: 1, retryAfter: value, now: now, using: &generator) }
        let seven = delay("7")
        #expect(seven >= .seconds(7) && seven <= .seconds(7) + .milliseconds(100))
        // 1_718_000_000 is Mon, 10 Jun 2024 06:13:20 GMT.
        let date = delay("Mon, 10 Jun 2024 06:13:50 GMT")
        #expect(date >= .seconds(30) && date <= .seconds(30) + .milliseconds(100))
        #expect(delay("Sunday, 09-Jun-24 06:13:20 GMT") <= .milliseconds(100), "a past date means now (RFC 850 form)")
        #expect(delay("99999") >= .seconds(60) && delay("99999") <= .seconds(60) + .milliseconds(100), "capped")
        #expect(delay("soon") <= .milliseconds(100), "unreadable: plain backoff")
        #expect(RetryPolicy.retryAfterSeconds(" 12 ", now: now) == 12)
        #expect(RetryPolicy.retryAfterSeconds("Mon Jun 10 06:14:20 2024", now: now) == 60, "asctime form")
        #expect(RetryPolicy.retryAfterSeconds("-3", now: now) == nil)
    }

    @Test func retryableStatusesAndErrors() {
        for status in [408, 425, 429, 500, 502, 503, 504] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [200, 301, 400, 401, 403, 404, 410, 416, 501] { #expect(!RetryPolicy.isRetryable(status: status)) }
        #expect(HTTPError(.connectionLost, "").isRetryable && HTTPError(.timedOut, "").isRetryable)
        #expect(!HTTPError(.protocolNotAllowed, "").isRetryable && !HTTPError(.tooLarge, "").isRetryable)
        #expect(!HTTPError(.cancelled, "").isRetryable)
    }

    @Test func theLibraryVersionIsReported() {
        #expect(Curl.libraryVersion.split(separator: ".").count == 3)
    }
}
