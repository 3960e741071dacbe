import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ReelSimulator
import RemoteAPI
import Testing
import TestSupport

/// A simulator running in-process, its clock stopped, and the few HTTP calls the tests make.
struct LiveSimulator: Sendable {
    let base: String
    static let key = "k"

    /// A reply's status and body.
    struct Reply: Sendable {
        let status: Int
        let body: Data
    }

    /// The simulator's moment: 3 s after its data was made, so that the few items that move are all
    /// `running` (one step is 2 s) and no state changes while a test reads the lists.
    static let epoch = Date(timeIntervalSince1970: 1_790_000_000)

    /// Runs `body` against a fresh simulator with `count` generations (seed 7), then stops it.
    static func with(
        count: Int = 80, faults: String? = nil, configure: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (LiveSimulator) async throws -> Void
    ) async throws {
        var configuration = SimulatorConfiguration(apiKey: key)
        configuration.count = count
        configuration.seed = 7
        configuration.epoch = epoch
        configuration.clock = { epoch.addingTimeInterval(3) }
        if let faults { configuration.faults = try FaultSpec(parsing: faults) }
        configure(&configuration)
        let (base, server) = try await SimulatorServer.start(configuration)
        defer { server.cancel() }
        try await body(LiveSimulator(base: base))
        server.cancel()
        _ = await server.result
    }

    func call(_ method: String, _ path: String, body: Data? = nil, authorized: Bool = true) async throws -> Reply {
        let address = path.hasPrefix("http") ? path : DialectPaths.url(base: base, path: path)
        var request = URLRequest(url: try #require(URL(string: address)))
        request.httpMethod = method
        if authorized { request.setValue("Bearer \(Self.key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: try #require(response as? HTTPURLResponse).statusCode, body: data)
    }

    func get(_ path: String, authorized: Bool = true) async throws -> Reply {
        try await call("GET", path, authorized: authorized)
    }

    /// The simulator's own record: `/_sim/manifest`, every file, or only those `dialect` exposes.
    func manifest(_ dialect: Dialect? = nil) async throws -> [String: ManifestEntry] {
        let reply = try await get("/_sim/manifest" + (dialect.map { "?dialect=\($0.rawValue)" } ?? ""), authorized: false)
        let decoded = try JSONDecoder().decode(Manifest.self, from: reply.body)
        return Dictionary(decoded.generations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every item of a dialect's list, page by page until the dialect says the list ended.
    func list(_ dialect: Dialect, pageSize: Int = 25) async throws -> [RemoteGeneration] {
        let paths = DialectPaths(dialect: dialect)
        let decoder = DialectDecoder(dialect: dialect)
        var items: [RemoteGeneration] = []
        var offset = 0
        while true {
            let reply = try await get(paths.listPath(offset: offset, limit: pageSize))
            #expect(reply.status == 200)
            let page = try decoder.page(reply.body)
            #expect(page.failures.isEmpty, "\(page.failures)")
            items += page.generations
            offset += page.items.count
            if page.isEnd { break }
            #expect(offset < 10_000, "the list must end")
            if offset >= 10_000 { break }
        }
        return items
    }
}

struct Manifest: Decodable {
    let generations: [ManifestEntry]
}

struct ManifestEntry: Decodable {
    let id: String
    let state: String
    let prompt: String
    let created_at: String
    let media: [ManifestMedia]

    var roles: Set<String> { Set(media.map(\.role)) }
    var sourceImages: Int { media.filter { $0.role == "source_image" }.count }
    var createdAt: Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: created_at)
    }
}

struct ManifestMedia: Decodable {
    let role: String
    let sha256: String
    let size: Int
}

/// The error a decode throws, or nil (and a recorded issue) when it does not throw.
func decodeError<T>(
    _ body: () throws(RemoteDecodeError) -> T, sourceLocation: SourceLocation = #_sourceLocation
) -> RemoteDecodeError? {
    do {
        _ = try body()
        Issue.record("expected a RemoteDecodeError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
