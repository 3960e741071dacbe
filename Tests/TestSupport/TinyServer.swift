import Foundation
import Synchronization

/// A very small HTTP server on a raw socket, for what the simulator does not do: redirects anywhere,
/// an absurd Content-Length, a body that never comes, a hostile remote. One request per connection, one
/// canned reply per request (chosen by a route that sees the request's path and headers).
public final class TinyServer: Sendable {
    /// Bytes to send back; with `stall`, the connection then stays open until the client leaves.
    public struct Reply: Sendable {
        /// The whole response: status line, header fields, body.
        public var bytes: [UInt8]
        /// Keep the connection open after the bytes, until the client leaves.
        public var stall = false

        /// A reply of these bytes, as they are.
        public init(bytes: [UInt8], stall: Bool = false) {
            self.bytes = bytes
            self.stall = stall
        }

        /// A response with this status (`"200 OK"`), these header lines and this body.
        public static func head(_ status: String, _ fields: [String], body: [UInt8] = [], stall: Bool = false) -> Reply {
            let head = (["HTTP/1.1 \(status)"] + fields + ["Connection: close"]).joined(separator: "\r\n") + "\r\n\r\n"
            return Reply(bytes: Array(head.utf8) + body, stall: stall)
        }

        /// A 302 to `location`.
        public static func redirect(_ location: String) -> Reply {
            head("302 Found", ["Location: \(location)", "Content-Length: 0"])
        }

        /// A 200 with a `text/plain` body.
        public static func text(_ text: String) -> Reply {
            head("200 OK", ["Content-Type: text/plain", "Content-Length: \(text.utf8.count)"], body: Array(text.utf8))
        }
    }

    /// A request as it arrived: its path and its header fields (names lowercased).
    public struct Seen: Sendable {
        /// The request target: the path with its query.
        public let path: String
        public let headers: [String: String]
    }

    /// "http://127.0.0.1:PORT".
    public let base: String
    public let port: Int
    private let listener: Int32
    private let seen = Mutex<[Seen]>([])
    private let route: @Sendable (Seen) -> Reply

    /// A server answering each request with what `route` says for its path.
    public convenience init(route: @escaping @Sendable (_ path: String) -> Reply) {
        self.init(seeing: { route($0.path) })
    }

    /// A server answering each request (its path and headers) with what `route` says.
    public static func answering(_ route: @escaping @Sendable (_ request: Seen) -> Reply) -> TinyServer {
        TinyServer(seeing: route)
    }

    private init(seeing route: @escaping @Sendable (_ request: Seen) -> Reply) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(bound == 0 && listen(fd, 64) == 0, "bind/listen")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        base = "http://127.0.0.1:\(port)"
        listener = fd
        self.route = route
        Thread.detachNewThread { self.acceptLoop() }
    }

    /// Stops accepting; connections already open finish on their own.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The requests so far.
    public var requests: [Seen] { seen.withLock { $0 } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { self.serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !data.ends(with: Array("\r\n\r\n".utf8)) && data.count < 65536 {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            data += buffer[..<n]
            // A body after the head is not expected here; only heads are read.
            if let end = data.firstRange(of: Array("\r\n\r\n".utf8)) { data = Array(data[..<end.upperBound]) }
        }
        let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n")
        let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Seen(path: path, headers: headers)
        seen.withLock { $0.append(request) }
        let reply = route(request)
        var sent = 0
        while sent < reply.bytes.count {
            let n = reply.bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
        if reply.stall {
            // Hold the connection until the client closes it.
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
