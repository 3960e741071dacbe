import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ReelSimulator
import Synchronization
import Testing
import TestSupport

/// A simulator running in-process on a free port, and a small HTTP client for it.
struct RunningSimulator: Sendable {
    let base: String
    let key: String

    struct Reply: Sendable {
        let status: Int
        let headers: [String: String]
        let body: Data

        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// One request. `key: nil` sends no Authorization header.
    func request(
        _ method: String, _ pathOrURL: String, key: String?? = .none, json: Any? = nil, body: Data? = nil,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        let url = URL(string: pathOrURL.hasPrefix("http") ? pathOrURL : base + pathOrURL)!
        var request = URLRequest(url: url)
        request.httpMethod = method
        let token: String? = switch key {
        case .none: self.key
        case .some(let value): value
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let body { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, key: String?? = .none, headers: [String: String] = [:]) async throws -> Reply {
        try await request("GET", path, key: key, headers: headers)
    }

    func post(_ path: String, json: Any) async throws -> Reply {
        try await request("POST", path, json: json)
    }
}

/// Runs `body` against a fresh simulator, then stops it. Its clock stands still unless the test moves
/// `clock`, so what a test sees never depends on how busy the machine is.
func withSimulator(
    count: Int = 30, seed: UInt64 = 7, clock: ManualClock = ManualClock(), faults: String? = nil,
    configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (RunningSimulator) async throws -> Void
) async throws {
    var configuration = SimulatorConfiguration(apiKey: "test-key")
    configuration.count = count
    configuration.seed = seed
    clock.install(in: &configuration)
    if let faults { configuration.faults = try FaultSpec(parsing: faults) }
    configure(&configuration)
    let (base, server) = try await SimulatorServer.start(configuration)
    defer { server.cancel() }
    try await body(RunningSimulator(base: base, key: configuration.apiKey))
    server.cancel()
    _ = await server.result
}

/// ISO-8601 UTC with exactly `digits` fractional digits.
func hasFractionDigits(_ text: String, _ digits: Int) -> Bool {
    let pattern = digits == 0 ? #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"# : #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{\#(digits)}Z$"#
    return text.range(of: pattern, options: .regularExpression) != nil
}
