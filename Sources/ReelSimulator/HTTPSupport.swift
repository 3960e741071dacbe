import Foundation
import Hummingbird

/// A response before faults are applied to it.
struct Payload: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields = [:]
    var body: ByteBuffer

    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Payload {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Payload(status: status, headers: headers, body: ByteBuffer(bytes: value.bytes))
    }

    static func empty(_ status: HTTPResponse.Status) -> Payload {
        Payload(status: status, body: ByteBuffer())
    }
}

/// The three API dialects, for their error bodies and auth.
enum Dialect: String, Sendable {
    case web, proxy, official

    /// The body a dialect sends with an error status.
    func error(_ message: String, status: HTTPResponse.Status) -> Payload {
        switch self {
        case .web: .json(.object([("message", .string(message))]), status: status)
        case .proxy:
            status == .unauthorized
                ? .json(.object([("error", .object([("message", .string(message)), ("type", .string("invalid_request_error"))]))]), status: status)
                : .json(.object([("message", .string(message))]), status: status)
        case .official: .json(.object([("detail", .string(message))]), status: status)
        }
    }

    var unauthorizedMessage: String {
        switch self {
        case .web: "Unauthorized: invalid or missing token"
        case .proxy: "Invalid API key"
        case .official: "Invalid API key is provided"
        }
    }
}

/// A request body read as loose JSON: the dialects accept what their services accept.
struct JSONBody {
    let object: [String: Any]

    init(_ buffer: ByteBuffer) throws(WorldError) {
        guard let value = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)),
            let object = value as? [String: Any]
        else { throw .invalid("the request body is not a JSON object") }
        self.object = object
    }

    func string(_ key: String) throws(WorldError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw .invalid("\(key) must be a string") }
        return string
    }

    func bool(_ key: String) throws(WorldError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let bool = value as? Bool else { throw .invalid("\(key) must be a boolean") }
        return bool
    }

    func dictionary(_ key: String) throws(WorldError) -> [String: Any]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let dictionary = value as? [String: Any] else { throw .invalid("\(key) must be an object") }
        return dictionary
    }
}

/// The one range of a `Range: bytes=…` header that the CDN serves.
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    /// Parses a Range header for a body of `size` bytes. Anything that is not one byte range is ignored (200).
    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else {
            self = .whole
            return
        }
        let (first, last) = (spec[0].trimmingCharacters(in: .whitespaces), spec[1].trimmingCharacters(in: .whitespaces))
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else {
                self = Int(last) == 0 ? .unsatisfiable : .whole
                return
            }
            self = size == 0 ? .unsatisfiable : .part(max(0, size - suffix)...(size - 1))
            return
        }
        guard let start = Int(first), start >= 0 else {
            self = .whole
            return
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        if last.isEmpty {
            self = .part(start...(size - 1))
        } else if let end = Int(last), end >= start {
            self = .part(start...min(end, size - 1))
        } else {
            self = .whole
        }
    }
}

extension Request {
    /// Query parameters as a dictionary (the last value wins).
    var query: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in uri.queryParameters { result[String(key)] = String(value) }
        return result
    }

    func intQuery(_ name: String, default value: Int) -> Int {
        query[name].flatMap(Int.init) ?? value
    }
}
