import CCurl

/// Why a transfer failed. An HTTP status is not an error: `send` returns it and `download` refuses it.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that decide what to do next.
    public enum Kind: Sendable, Equatable {
        /// The URL could not be parsed.
        case invalidURL
        /// A header name, value or token holds characters that would break the request (CR, LF, NUL).
        case invalidRequest
        /// The URL, or a redirect, named a scheme other than http or https.
        case protocolNotAllowed
        /// The host name did not resolve or nothing accepted the connection.
        case couldNotConnect
        /// The total timeout passed, or the transfer stayed below the low-speed limit too long.
        case timedOut
        /// The connection broke: reset, closed early, or fewer bytes than announced.
        case connectionLost
        /// The body is larger than the caller allows.
        case tooLarge
        /// The TLS handshake or certificate check failed.
        case tls
        /// Writing into the content store failed (disk full, permissions).
        case storage
        /// The task was cancelled or the client shut down.
        case cancelled
        /// Anything else libcurl reports (too many redirects, a bad server reply, …).
        case other
    }

    /// What failed.
    public let kind: Kind
    /// A sentence saying what happened: libcurl's error text where it has one. Never holds a bearer token.
    public let message: String
    /// For an interrupted download started with `keepPartial`: the bytes received so far, to resume from.
    public let partial: PartialDownload?

    /// An error of this kind.
    public init(_ kind: Kind, _ message: String, partial: PartialDownload? = nil) {
        self.kind = kind
        self.message = message
        self.partial = partial
    }

    /// True for failures that may well not happen again: a lost or refused connection, a timeout.
    public var isRetryable: Bool {
        switch kind {
        case .couldNotConnect, .timedOut, .connectionLost: true
        default: false
        }
    }

    /// The message.
    public var description: String { message }

    /// The same error carrying a partial download.
    func with(partial: PartialDownload?) -> HTTPError { HTTPError(kind, message, partial: partial) }

    static let shutDown = HTTPError(.cancelled, "the HTTP client was shut down")
    static let cancelled = HTTPError(.cancelled, "the transfer was cancelled")
}

extension HTTPError.Kind {
    /// The kind for a libcurl result code.
    init(_ code: CURLcode) {
        switch code {
        case CURLE_URL_MALFORMAT: self = .invalidURL
        case CURLE_UNSUPPORTED_PROTOCOL: self = .protocolNotAllowed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: self = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: self = .timedOut
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            self = .connectionLost
        case CURLE_FILESIZE_EXCEEDED: self = .tooLarge
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED:
            self = .tls
        case CURLE_ABORTED_BY_CALLBACK: self = .cancelled
        default: self = .other
        }
    }
}
