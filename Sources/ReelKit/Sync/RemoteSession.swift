import Catalog
import Foundation
import HTTP
import RemoteAPI

/// The API calls sync makes to one remote: retried with backoff, decoded, and failed as `ReelError`s
/// that name the remote (a refused key exits 77 and says where the key came from; a remote that stays
/// down exits 69).
public struct RemoteSession: Sendable {
    /// The remote these calls go to.
    public let remote: RemoteRecord
    /// Its dialect.
    public let dialect: Dialect
    let paths: DialectPaths
    let decoder: DialectDecoder
    private let key: RemoteKey
    private let client: HTTPClient
    private let attempts: Int
    private let retryPolicy: RetryPolicy

    public init(remote: RemoteRecord, key: RemoteKey, client: HTTPClient, attempts: Int = 6, retryPolicy: RetryPolicy = RetryPolicy()) throws(ReelError) {
        guard let dialect = Dialect(rawValue: remote.dialect) else {
            throw ReelError("remote \(remote.name) has an unknown dialect '\(remote.dialect)'", status: .dataError)
        }
        self.remote = remote
        self.dialect = dialect
        self.paths = DialectPaths(dialect: dialect)
        self.decoder = DialectDecoder(dialect: dialect)
        self.key = key
        self.client = client
        self.attempts = max(1, attempts)
        self.retryPolicy = retryPolicy
    }

    /// One page of the history, newest first.
    public func page(offset: Int, limit: Int) async throws(ReelError) -> RemotePage {
        let request = get(paths.listPath(offset: offset, limit: limit))
        return try await call(request, what: "the list") { data throws(RemoteDecodeError) in try decoder.page(data) }!
    }

    /// One generation; nil when the remote says it does not exist (404).
    public func item(id: String) async throws(ReelError) -> RemoteGeneration? {
        let request = get(try path { () throws(RemotePathError) in try paths.detailPath(id: id) })
        return try await call(request, what: "generation \(id)", missingIsNil: true) { data throws(RemoteDecodeError) in
            try decoder.item(data)
        }
    }

    /// Many generations at once through the proxy's batch call; nil where the dialect has none.
    public func tasks(ids: [String]) async throws(ReelError) -> [Result<RemoteGeneration, RemoteDecodeError>]? {
        guard let batchPath = paths.batchPath else { return nil }
        var request = HTTPRequest(
            .post, url: DialectPaths.url(base: remote.baseURL, path: batchPath), headers: [("Content-Type", "application/json")],
            body: Array(paths.batchBody(ids: ids)), timeout: .seconds(60), bearerToken: key.value)
        request.headers.append(("Accept", "application/json"))
        return try await call(request, what: "the batch of \(ids.count) tasks") { data throws(RemoteDecodeError) in
            try decoder.tasks(data)
        }
    }

    /// A fresh unwatermarked link (the proxy's `download_video_url`); nil where the dialect has no such call
    /// or the remote has none for this item yet.
    public func unwatermarkedLink(id: String) async throws(ReelError) -> String? {
        guard let linkPath = try path({ () throws(RemotePathError) in try paths.downloadLinkPath(id: id) }) else { return nil }
        return try await call(get(linkPath), what: "the download link of \(id)", missingIsNil: true, refusalIsNil: true) {
            data throws(RemoteDecodeError) in try decoder.unwatermarkedLink(data)
        }
    }

    /// The account's allowance: web usage, official credits; nil where the dialect offers neither (proxy).
    public func usage() async throws(ReelError) -> RemoteUsage? {
        guard let usagePath = paths.usagePath ?? paths.creditsPath else { return nil }
        return try await call(get(usagePath), what: "the usage") { data throws(RemoteDecodeError) in try decoder.usage(data) }
    }

    /// Makes a generation (or extends `request.extending` where the dialect has an extend call) and returns
    /// it as the remote first describes it.
    ///
    /// Not retried once the remote may have acted on it (a 5xx, a lost connection, an answer that does not
    /// decode): a second try could make two generations. Only a 429 (with its Retry-After) and a connection
    /// that never opened are tried again.
    public func create(_ request: CreateRequest) async throws(ReelError) -> RemoteGeneration {
        let body: [UInt8]
        do {
            body = try CreateCall(dialect: dialect).body(request)
        } catch {
            throw ReelError(error.description, status: .usage)
        }
        var path = paths.createPath
        if let parent = request.extending, dialect == .proxy {
            path = try self.path { () throws(RemotePathError) in try paths.extendPath(id: parent) } ?? path
        }
        let post = HTTPRequest(
            .post, url: DialectPaths.url(base: remote.baseURL, path: path),
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            timeout: .seconds(120), bearerToken: key.value)
        return try await call(post, what: "the new generation", sentOnce: true) { data throws(RemoteDecodeError) in
            try decoder.created(data)
        }!
    }

    /// Deletes a generation on the remote (the official API's call); false where the dialect has none. A
    /// generation the remote no longer has counts as deleted.
    public func delete(id: String) async throws(ReelError) -> Bool {
        guard let deletePath = try path({ () throws(RemotePathError) in try paths.deletePath(id: id) }) else { return false }
        let request = HTTPRequest(
            .delete, url: DialectPaths.url(base: remote.baseURL, path: deletePath), headers: [("Accept", "application/json")],
            timeout: .seconds(60), bearerToken: key.value)
        _ = try await call(request, what: "the deletion of \(id)", missingIsNil: true) { _ throws(RemoteDecodeError) in true }
        return true
    }

    /// Uploads an image and returns its public URL; nil where the dialect has no upload call.
    public func upload(_ form: MultipartForm) async throws(ReelError) -> String? {
        guard let uploadPath = paths.uploadPath else { return nil }
        // A repeated upload only leaves a second copy on the host: retrying is safe.
        let request = HTTPRequest(
            .post, url: DialectPaths.url(base: remote.baseURL, path: uploadPath),
            headers: [("Content-Type", form.contentType), ("Accept", "application/json")], body: form.body,
            timeout: .seconds(300), bearerToken: key.value)
        return try await call(request, what: "the upload") { data throws(RemoteDecodeError) in try decoder.uploaded(data) }
    }

    // MARK: Plumbing

    private func get(_ path: String) -> HTTPRequest {
        HTTPRequest(
            .get, url: DialectPaths.url(base: remote.baseURL, path: path), headers: [("Accept", "application/json")],
            timeout: .seconds(60), bearerToken: key.value)
    }

    private func path<T>(_ build: () throws(RemotePathError) -> T) throws(ReelError) -> T {
        do { return try build() } catch { throw ReelError(error.description, status: .usage) }
    }

    /// Sends a request until it gives an answer that decodes, retrying what may pass (connection trouble,
    /// 408/429/5xx, a body that is not the JSON expected: an HTML error page, a cut-off body).
    ///
    /// - Parameters:
    ///   - missingIsNil: a 404 means "no such item": return nil.
    ///   - refusalIsNil: a 400 means "not available yet": return nil.
    ///   - sentOnce: the call changes something (a create): retried only when the remote cannot have acted
    ///     (429, no connection), and a 4xx is the remote's refusal, said in its own words.
    private func call<T: Sendable>(
        _ request: HTTPRequest, what: String, missingIsNil: Bool = false, refusalIsNil: Bool = false, sentOnce: Bool = false,
        decode: (Data) throws(RemoteDecodeError) -> T
    ) async throws(ReelError) -> T? {
        let unsure = "; it may have been made all the same: run reel sync to see"
        var lastProblem = ""
        var retryAfter: String?
        for attempt in 1...attempts {
            if attempt > 1 { try await pause(attempt: attempt - 1, retryAfter: retryAfter) }
            retryAfter = nil
            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch {
                if error.kind == .cancelled { throw ReelError.interrupted }
                lastProblem = error.message
                if sentOnce && error.kind != .couldNotConnect {
                    throw ReelError(
                        "remote \(remote.name) (\(remote.baseURL)): \(error.message) while sending \(what)\(unsure)", status: .unavailable)
                }
                if error.isRetryable { continue }
                throw ReelError("remote \(remote.name) (\(remote.baseURL)): \(error.message)", status: .unavailable)
            }
            let said = RemoteErrorMessage.extract(from: Data(response.body)).map { ": \($0)" } ?? ""
            switch response.status {
            case 200..<300:
                do {
                    return try decode(Data(response.body))
                } catch {
                    if sentOnce {
                        throw ReelError(
                            "remote \(remote.name) answered \(what) with what reel cannot read (\(error.description))\(unsure)",
                            status: .unavailable)
                    }
                    // A 200 with an HTML page or half a body is a passing fault more often than a changed API.
                    lastProblem = "\(what) did not decode: \(error.description)"
                    continue
                }
            case 401, 403:
                throw ReelError(
                    "remote \(remote.name) refused the API key from \(key.source) (HTTP \(response.status)\(said))",
                    status: .permission)
            case 404 where missingIsNil, 410 where missingIsNil:
                return nil
            case 400 where refusalIsNil:
                return nil
            case 400, 402, 409, 422 where sentOnce:
                throw ReelError("remote \(remote.name) refused \(what) (HTTP \(response.status)\(said))", status: .dataError)
            case let status where sentOnce && status >= 500:
                throw ReelError("remote \(remote.name) failed on \(what) (HTTP \(status)\(said))\(unsure)", status: .unavailable)
            case let status where RetryPolicy.isRetryable(status: status):
                lastProblem = "HTTP \(status)\(said)"
                retryAfter = response[header: "retry-after"]
                continue
            default:
                throw ReelError("remote \(remote.name) answered HTTP \(response.status) for \(what)\(said)", status: .unavailable)
            }
        }
        throw ReelError(
            "remote \(remote.name) (\(remote.baseURL)) is unavailable: \(lastProblem) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))",
            status: .unavailable)
    }

    /// Waits before another attempt: the server's Retry-After when it sent one, else backoff with jitter.
    private func pause(attempt: Int, retryAfter: String?) async throws(ReelError) {
        let delay = retryPolicy.delay(attempt: attempt, retryAfter: retryAfter)
        do { try await Task.sleep(for: delay) } catch { throw ReelError.interrupted }
    }
}
