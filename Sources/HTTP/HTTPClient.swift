import ContentStore

/// reel's HTTP client: API calls and media downloads over libcurl's multi interface.
///
/// All transfers run on one dedicated thread that owns every libcurl handle and multiplexes them with
/// `curl_multi_poll`; `async` callers wait on continuations and never block a cooperative thread.
/// Connections are reused across calls (HTTP/1.1 keep-alive, HTTP/2 streams over TLS).
///
/// Only `http` and `https` are spoken, on the first request and on redirects. Retries are the caller's
/// business (see `RetryPolicy`).
public final class HTTPClient: Sendable {
    /// Limits that apply to every transfer.
    public struct Configuration: Sendable {
        /// At most this many connections to one host; further transfers queue inside libcurl.
        public var maxConnectionsPerHost = 6
        /// The `User-Agent` header.
        public var userAgent = "reel/0.1"
        /// How long connecting (DNS, TCP, TLS) may take.
        public var connectTimeout: Duration = .seconds(10)
        /// A transfer slower than `lowSpeedLimit` bytes per second for `lowSpeedTime` is aborted (`.timedOut`).
        public var lowSpeedLimit = 1024
        /// See `lowSpeedLimit`; whole seconds, at least one.
        public var lowSpeedTime: Duration = .seconds(30)
        /// Redirects followed before giving up.
        public var maxRedirects = 5
        /// The total time a download may take (the low-speed limit usually ends a stuck one much sooner).
        public var downloadTimeout: Duration = .seconds(3600)

        /// The defaults.
        public init() {}
    }

    /// The limits this client applies.
    public let configuration: Configuration
    private let loop: TransferLoop

    /// A client with default limits and its own transfer thread.
    public convenience init(maxConnectionsPerHost: Int = 6, userAgent: String = "reel/0.1") {
        var configuration = Configuration()
        configuration.maxConnectionsPerHost = maxConnectionsPerHost
        configuration.userAgent = userAgent
        self.init(configuration: configuration)
    }

    /// A client with these limits and its own transfer thread.
    public init(configuration: Configuration) {
        self.configuration = configuration
        loop = TransferLoop(configuration: configuration)
    }

    deinit {
        loop.stop()
    }

    /// Sends a request and returns the whole response (API calls). Any status is a response, not an error.
    ///
    /// - Parameter maxBodyBytes: a larger body (announced or received) fails with `.tooLarge`.
    /// - Throws: `HTTPError` when no complete response arrived.
    public func send(_ request: HTTPRequest, maxBodyBytes: Int = 64 << 20) async throws(HTTPError) -> HTTPResponse {
        let outcome = await loop.perform(TransferSpec(request: request, compressed: true, limit: Int64(maxBodyBytes), sink: nil))
        if let error = outcome.error { throw error }
        guard let response = outcome.head else { throw HTTPError(.other, "no response") }
        return response
    }

    /// Downloads a media file into the store, hashing it as it streams.
    ///
    /// Only a 200 (or a 206 that continues `resumeFrom`) with a non-empty, non-HTML body is stored;
    /// anything else comes back as `.refused` with its status, so the caller can fetch a fresh link on
    /// 401/403/404/410. A body shorter than its Content-Length fails with `.connectionLost` and stores nothing.
    ///
    /// - Parameters:
    ///   - maxBytes: a larger announced length is refused before the body is read (`.tooLarge`); a body
    ///     that grows past it is cut off.
    ///   - resumeFrom: bytes an earlier attempt received. They are sent for with `Range` and `If-Range`;
    ///     on 206 the download continues them, on 200 it starts over. The client takes over their file.
    ///   - keepPartial: when the transfer breaks off (connection lost, timeout, cancellation), keep what
    ///     arrived and return it in `HTTPError.partial`. The caller then owns that file: resume or discard it.
    public func download(
        _ url: String, into store: ContentStore, maxBytes: Int64 = 2 << 30, resumeFrom: PartialDownload? = nil,
        keepPartial: Bool = false
    ) async throws(HTTPError) -> DownloadResult {
        let sink = try await offload { () throws(HTTPError) in try DownloadSink(store: store, resumingFrom: resumeFrom, limit: maxBytes) }
        var request = HTTPRequest(.get, url: url, timeout: configuration.downloadTimeout)
        if let validator = sink.validator {
            request.headers = [("Range", "bytes=\(sink.offset)-"), ("If-Range", validator)]
        }
        let outcome = await loop.perform(TransferSpec(request: request, compressed: false, limit: maxBytes, sink: sink))
        return try await offload { () throws(HTTPError) in try sink.finish(outcome, keepPartial: keepPartial) }
    }

    /// Stops the transfer thread. Running and queued transfers, and any sent later, fail with `.cancelled`.
    /// Returns once the thread has let go of its handles. Also happens when the client is released.
    public func shutdown() {
        loop.stop()
    }
}
