/// An HTTP request as reel sends it: an API call or a media download.
public struct HTTPRequest: Sendable {
    /// The methods the remotes need.
    public enum Method: String, Sendable {
        /// GET: the body is the resource.
        case get = "GET"
        /// POST, with `body` (an empty one when nil).
        case post = "POST"
        /// DELETE, with `body` when one is given.
        case delete = "DELETE"
        /// HEAD: the head of a GET, with no body.
        case head = "HEAD"
    }

    /// The request method.
    public var method: Method
    /// An absolute `http` or `https` URL; anything else fails with `HTTPError.Kind.protocolNotAllowed`.
    public var url: String
    /// Extra header fields, sent in order. Put credentials in `bearerToken`, never here: only that one is
    /// kept from other hosts on redirects by design rather than by libcurl's custom-header rules.
    public var headers: [(name: String, value: String)]
    /// The request body (POST, DELETE), or nil.
    public var body: [UInt8]?
    /// How long the whole transfer may take, connecting and redirects included.
    public var timeout: Duration
    /// Sent as `Authorization: Bearer …` to the request's own host (scheme, host and port) only,
    /// never to a host a redirect leads to.
    public var bearerToken: String?

    /// A request; every field but the URL has a default.
    public init(
        _ method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(60), bearerToken: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.bearerToken = bearerToken
    }
}

/// What a server answered. For a download, the head of the response: the same fields with an empty body.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after redirects).
    public var status: Int
    /// Header fields of the final response, names lowercased; when a name repeats, the last value wins.
    public var headers: [String: String]
    /// The body, decoded when the server compressed it.
    public var body: [UInt8]
    /// The URL that answered last (differs from the request's after a redirect).
    public var effectiveURL: String
    /// "1.0", "1.1", "2" or "3".
    public var httpVersion: String

    /// A response; used by the client and by tests that need one.
    public init(status: Int, headers: [String: String], body: [UInt8], effectiveURL: String, httpVersion: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.effectiveURL = effectiveURL
        self.httpVersion = httpVersion
    }

    /// A header field by name, in any case.
    public subscript(header name: String) -> String? { headers[name.lowercased()] }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
