import Catalog
import Foundation
import HTTP
import RemoteAPI

/// `reel remote test`: one call that proves a remote is reachable, speaks its dialect and takes the key.
public struct RemoteCheck {
    /// What a successful check saw.
    public struct Report: Sendable {
        public let remote: String
        public let milliseconds: Int
        public let keySource: KeySource
        public let httpVersion: String
    }

    private let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// Makes the cheapest authenticated call of the remote's dialect and decodes the answer.
    public func run(_ remote: RemoteRecord, key: RemoteKey) async throws(ReelError) -> Report {
        guard let dialect = Dialect(rawValue: remote.dialect) else {
            throw ReelError("remote \(remote.name) has an unknown dialect '\(remote.dialect)'", status: .dataError)
        }
        let paths = DialectPaths(dialect: dialect)
        // A list page of one item; a proxy host without a list answers the batch call for no ids.
        let request = remote.hasList || paths.batchPath == nil
            ? HTTPRequest(.get, url: DialectPaths.url(base: remote.baseURL, path: paths.listPath(offset: 0, limit: 1)),
                          timeout: .seconds(30), bearerToken: key.value)
            : HTTPRequest(.post, url: DialectPaths.url(base: remote.baseURL, path: paths.batchPath!),
                          headers: [("Content-Type", "application/json")], body: Array(paths.batchBody(ids: [])),
                          timeout: .seconds(30), bearerToken: key.value)
        let start = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            throw ReelError("cannot reach remote \(remote.name) at \(remote.baseURL): \(error.message)", status: .unavailable)
        }
        let elapsed = ContinuousClock.now - start
        let said = RemoteErrorMessage.extract(from: Data(response.body)).map { ": \($0)" } ?? ""
        switch response.status {
        case 200..<300:
            break
        case 401, 403:
            throw ReelError("remote \(remote.name) refused the key from \(key.source) (HTTP \(response.status)\(said))", status: .permission)
        default:
            throw ReelError("remote \(remote.name) answered HTTP \(response.status)\(said)", status: .unavailable)
        }
        do {
            let decoder = DialectDecoder(dialect: dialect)
            if remote.hasList || paths.batchPath == nil {
                _ = try decoder.page(Data(response.body))
            } else {
                _ = try decoder.tasks(Data(response.body))
            }
        } catch {
            throw ReelError("remote \(remote.name) answered, but not in the \(dialect.rawValue) dialect: \(error.description)", status: .dataError)
        }
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return Report(remote: remote.name, milliseconds: ms, keySource: key.source, httpVersion: response.httpVersion)
    }
}
