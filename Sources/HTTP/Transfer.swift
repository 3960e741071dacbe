import CCurl

/// A transfer as the caller describes it: plain values only; the loop thread turns it into an easy handle.
struct TransferSpec: Sendable {
    var request: HTTPRequest
    /// Ask for compressed bodies (API calls); never for media, whose length and hash are of the raw bytes.
    var compressed: Bool
    /// The most body bytes to accept (for a download: the whole file, resumed part included).
    var limit: Int64
    /// Where a download's body goes; nil keeps the body in memory.
    var sink: DownloadSink?
}

/// What the loop thread decided about a download's body once the final response's head was in.
enum DownloadVerdict: Sendable, Equatable {
    case undecided
    case keep
    case refuse(DownloadResult.Reason)
}

/// How a transfer ended, sent back through the job's continuation.
struct TransferOutcome: Sendable {
    /// The final response (its body only for in-memory transfers); nil when no response arrived.
    var head: HTTPResponse?
    var error: HTTPError?
    var verdict: DownloadVerdict = .undecided
    /// The first bytes of a refused body.
    var bodyPrefix: [UInt8] = []
    /// The length the whole file must have, when the server announced it.
    var expectedTotal: Int64?

    static func failed(_ error: HTTPError) -> TransferOutcome { TransferOutcome(head: nil, error: error) }
}

/// One running transfer: its easy handle and the response as it arrives. Lives on the loop thread only;
/// libcurl calls back into it (through an unretained pointer) while the loop holds it in its table.
final class Transfer {
    let job: Job
    let easy: EasyHandle
    private let spec: TransferSpec
    private var status = 0
    private var headers: [String: String] = [:]
    private var body: [UInt8] = []
    /// Body bytes of the final response seen so far.
    private var received: Int64 = 0
    private var verdict = DownloadVerdict.undecided
    private var announcedTotal: Int64?
    /// Why a callback stopped the transfer (libcurl then reports CURLE_WRITE_ERROR).
    private var abort: Abort?

    private enum Abort {
        case tooLarge
        case refused
        case storage(String)
    }

    /// How much of a refused body to keep for the caller's error message.
    static let refusedPrefixLimit = 64 << 10

    private init(job: Job, easy: EasyHandle) {
        self.job = job
        self.easy = easy
        self.spec = job.spec
    }

    /// Creates the easy handle and sets every option; runs on the loop thread.
    static func make(_ job: Job, configuration: HTTPClient.Configuration) -> Result<Transfer, HTTPError> {
        let request = job.spec.request
        let unsafe = request.headers.contains { Self.breaksHeader($0.name) || Self.breaksHeader($0.value) }
            || request.bearerToken.map(Self.breaksHeader) == true
        guard !unsafe else {
            return .failure(HTTPError(.invalidRequest, "a header or token holds a line break or NUL"))
        }
        // libcurl would guess a scheme for "host/path" (even ftp for "ftp.host"); reel asks for absolute URLs.
        guard let scheme = request.url.firstRange(of: "://").map({ request.url[..<$0.lowerBound] }), !scheme.isEmpty,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else {
            return .failure(HTTPError(.invalidURL, "not an absolute URL"))
        }
        guard let easy = EasyHandle() else { return .failure(HTTPError(.other, "libcurl could not create a handle")) }
        let transfer = Transfer(job: job, easy: easy)
        transfer.configure(configuration)
        guard easy.setupFailure == CURLE_OK else {
            let code = easy.setupFailure
            return .failure(HTTPError(.other, "libcurl refused an option: \(String(cString: curl_easy_strerror(code)))"))
        }
        return .success(transfer)
    }

    private static func breaksHeader(_ text: String) -> Bool {
        text.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }
    }

    private func configure(_ configuration: HTTPClient.Configuration) {
        let request = spec.request
        easy.set(CURLOPT_URL, request.url)
        // Only the web's two schemes, on the first request and on every redirect.
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_FOLLOWLOCATION, 1)
        easy.set(CURLOPT_MAXREDIRS, configuration.maxRedirects)
        // Credentials go to the first host only (libcurl's default, stated here so nobody flips it).
        easy.set(CURLOPT_UNRESTRICTED_AUTH, 0)
        // No SIGALRM for timeouts: signals and a multi-threaded process do not mix.
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        easy.set(CURLOPT_LOW_SPEED_LIMIT, configuration.lowSpeedLimit)
        easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(configuration.lowSpeedTime.components.seconds)))
        easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // No CURLOPT_PIPEWAIT: in 7.88 a transfer waiting on a connection that turns out to be HTTP/1.1
        // stays pending until some other transfer finishes, so one stalled response stalls its host.
        // Without it, early transfers may open their own connections; later ones multiplex on HTTP/2.
        easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        if spec.compressed { easy.set(CURLOPT_ACCEPT_ENCODING, "") }
        // Refuses an announced Content-Length above the limit before any of the body is read.
        easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: spec.limit)

        if let token = request.bearerToken {
            // libcurl's own Bearer auth, not a custom header: it sends it to the first host only.
            easy.set(CURLOPT_HTTPAUTH, reel_curlauth_bearer())
            easy.set(CURLOPT_XOAUTH2_BEARER, token)
        }

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        switch request.method {
        case .get:
            easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            easy.set(CURLOPT_NOBODY, 1)
        case .post, .delete:
            if request.method == .delete { easy.set(CURLOPT_CUSTOMREQUEST, "DELETE") }
            if request.method == .post || request.body != nil {
                let body = request.body ?? []
                // COPYPOSTFIELDS copies the bytes now; the size must be set first.
                easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
                if body.isEmpty {
                    easy.set(CURLOPT_COPYPOSTFIELDS, "")
                } else {
                    body.withUnsafeBytes { easy.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
                }
                // The body is small and in memory: skip the 100-continue round trip.
                lines.append("Expect:")
            }
        }
        if !lines.isEmpty { easy.set(headers: HeaderList(lines)) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        easy.set(CURLOPT_WRITEDATA, pointer: context)
        easy.set(CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        easy.set(CURLOPT_HEADERDATA, pointer: context)
        easy.set(CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Callbacks (on the loop thread, inside curl_multi_perform)

    /// One header line. A status line starts a new response (a redirect's target, or after 100 Continue).
    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        var line = Substring(String(decoding: bytes, as: UTF8.self))
        // "\r\n" is one Character in Swift, so ask for newlines rather than compare with "\r".
        while line.last?.isNewline == true { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = value
        }
        return bytes.count
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let sink = spec.sink else {
            guard Int64(body.count + bytes.count) <= spec.limit else {
                abort = .tooLarge
                return 0
            }
            body.append(contentsOf: bytes)
            return bytes.count
        }
        if verdict == .undecided {
            decide(sink)
            if abort != nil { return 0 }
        }
        switch verdict {
        case .keep:
            received += Int64(bytes.count)
            guard sink.offset + received <= spec.limit else {
                abort = .tooLarge
                return 0
            }
            do {
                try sink.write(bytes)
            } catch {
                abort = .storage(error.description)
                return 0
            }
            return bytes.count
        default:
            // Keep the start of a refused body to show; past that, stop reading it.
            let room = Self.refusedPrefixLimit - body.count
            body.append(contentsOf: bytes.prefix(max(0, room)))
            guard bytes.count <= room else {
                abort = .refused
                return 0
            }
            return bytes.count
        }
    }

    /// Decides, from the final response's head, whether its body is the file we asked for.
    private func decide(_ sink: DownloadSink) {
        let range = headers["content-range"].flatMap(ContentRange.init)
        let length = headers["content-length"].flatMap { Int64($0) }
        let continues = status == 206 && sink.offset > 0 && range?.start == sink.offset
        guard status == 200 || continues else {
            verdict = .refuse(status == 206 ? .unexpectedRange : .status)
            return
        }
        if let type = headers["content-type"]?.lowercased(), type.hasPrefix("text/html") || type.hasPrefix("application/xhtml") {
            verdict = .refuse(.html)
            return
        }
        if status == 200 && sink.offset > 0 {
            // If-Range did not match: the file changed, so the bytes we had are worthless.
            do {
                try sink.restart()
            } catch {
                abort = .storage(error.description)
                return
            }
        }
        announcedTotal = continues ? (range?.total ?? length.map { sink.offset + $0 }) : length
        if let total = announcedTotal, total > spec.limit {
            abort = .tooLarge
            return
        }
        verdict = .keep
    }

    // MARK: Completion

    /// The outcome for libcurl's result code, or for `override` when the loop ended the transfer itself.
    func outcome(code: CURLcode, override: HTTPError? = nil) -> TransferOutcome {
        let version = switch easy.info(long: CURLINFO_HTTP_VERSION) ?? 0 {
        case Int(CURL_HTTP_VERSION_1_0): "1.0"
        case Int(CURL_HTTP_VERSION_2_0): "2"
        case Int(CURL_HTTP_VERSION_3): "3"
        default: "1.1"
        }
        var outcome = TransferOutcome(
            head: HTTPResponse(
                status: status, headers: headers, body: spec.sink == nil ? body : [],
                effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL) ?? spec.request.url, httpVersion: version),
            error: nil)
        if status == 0 { outcome.head = nil }
        outcome.error = override ?? error(code)
        guard let sink = spec.sink else { return outcome }

        if outcome.error == nil && verdict == .undecided {
            // No body arrived at all: decide on the head alone, and refuse an empty file.
            decide(sink)
            if verdict == .keep { verdict = .refuse(.empty) }
            outcome.error = error(code)
        }
        outcome.verdict = verdict
        if case .refuse = verdict { outcome.bodyPrefix = body }
        if verdict == .keep {
            // libcurl notices most short bodies itself (CURLE_PARTIAL_FILE); this also covers a resumed
            // part that does not add up to the total its Content-Range announced.
            let length = easy.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) ?? -1
            let expected = announcedTotal.map { $0 - sink.offset } ?? length
            if outcome.error == nil && expected >= 0 && expected != received {
                outcome.error = HTTPError(.connectionLost, "the body ended after \(received) of \(expected) announced bytes")
            }
            outcome.expectedTotal = announcedTotal
        }
        return outcome
    }

    /// The error for a result code, with the reasons callbacks had for stopping; nil for success.
    private func error(_ code: CURLcode) -> HTTPError? {
        switch abort {
        case .tooLarge?: return HTTPError(.tooLarge, "the body is larger than the limit of \(spec.limit) bytes")
        case .storage(let text)?: return HTTPError(.storage, text)
        case .refused?: return nil
        case nil: break
        }
        guard code != CURLE_OK else { return nil }
        var text = easy.errorText(code)
        // libcurl does not put credentials in its messages; this makes sure of it.
        if let token = spec.request.bearerToken, !token.isEmpty { text = text.replacing(token, with: "[token]") }
        return HTTPError(HTTPError.Kind(code), text)
    }
}

/// A `Content-Range: bytes first-last/total` header.
struct ContentRange {
    let start: Int64
    let total: Int64?

    init?(_ header: String) {
        guard header.hasPrefix("bytes ") else { return nil }
        let rest = header.dropFirst(6).split(separator: "/", maxSplits: 1)
        guard rest.count == 2, let dash = rest[0].firstIndex(of: "-"), let start = Int64(rest[0][..<dash]) else { return nil }
        self.start = start
        self.total = Int64(rest[1])
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
