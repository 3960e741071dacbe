import Foundation
import Hummingbird

/// Turns a fault into what the client sees.
enum FaultResponse {
    /// Faults that replace the response outright (the call is not carried out).
    static func before(_ fault: Fault?, dialect: Dialect?) -> Response? {
        switch fault {
        case .serverError:
            let payload = dialect?.error("Internal Server Error", status: .internalServerError)
                ?? .json(.object([("message", .string("Internal Server Error"))]), status: .internalServerError)
            return payload.response(head: false)
        case .unavailable, .rateLimited:
            let status: HTTPResponse.Status = fault == .unavailable ? .serviceUnavailable : .tooManyRequests
            var payload = dialect?.error(fault == .unavailable ? "Service Unavailable" : "Too Many Requests", status: status)
                ?? .json(.object([("message", .string("Slow down"))]), status: status)
            payload.headers[.retryAfter] = "1"
            return payload.response(head: false)
        case .html:
            // What a CDN or gateway in front of the API sends when the origin is down: 200 and a web page.
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        default:
            return nil
        }
    }

    /// Faults that damage the body of the real response.
    static func apply(_ fault: Fault?, to payload: Payload, head: Bool) -> Response {
        guard !head, payload.body.readableBytes > 1 else { return payload.response(head: head) }
        let body = payload.body
        let size = body.readableBytes
        var headers = payload.headers
        headers[.contentLength] = String(size)
        switch fault {
        case .truncate, .reset:
            // Announce the whole length, send part, then drop the connection.
            let sent = fault == .truncate ? size / 2 : min(size / 4, 512)
            let response = ResponseBody(contentLength: size) { writer in
                try await writer.write(body.getSlice(at: body.readerIndex, length: sent)!)
                throw ConnectionDropped()
            }
            return Response(status: payload.status, headers: headers, body: response)
        case .slow:
            let response = ResponseBody(contentLength: size) { writer in
                let pieces = 8
                let piece = (size + pieces - 1) / pieces
                var offset = 0
                while offset < size {
                    let length = min(piece, size - offset)
                    try await writer.write(body.getSlice(at: body.readerIndex + offset, length: length)!)
                    offset += length
                    try await Task.sleep(for: .milliseconds(150))
                }
                try await writer.finish(nil)
            }
            return Response(status: payload.status, headers: headers, body: response)
        default:
            return payload.response(head: head)
        }
    }

    struct ConnectionDropped: Error {}
}

extension Payload {
    /// The response as sent; for HEAD, the headers (with the body's length) and no body.
    func response(head: Bool) -> Response {
        var headers = self.headers
        headers[.contentLength] = String(body.readableBytes)
        if head {
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.readableBytes) { writer in
                try await writer.finish(nil)
            })
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Just enough multipart/form-data to take one uploaded file.
enum Multipart {
    struct Part {
        let bytes: [UInt8]
        let contentType: String?
    }

    static func boundary(in contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    static func file(named name: String, in body: [UInt8], boundary: String) -> Part? {
        let delimiter = Array("--\(boundary)".utf8)
        var start = 0
        var parts: [ArraySlice<UInt8>] = []
        while let found = find(delimiter, in: body, from: start) {
            if start > 0 { parts.append(body[start..<found]) }
            start = found + delimiter.count
        }
        for part in parts {
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: Array(part), from: 0) else { continue }
            let bytes = Array(part)
            let header = String(decoding: bytes[..<headerEnd], as: UTF8.self)
            guard header.contains("name=\"\(name)\"") else { continue }
            var content = Array(bytes[(headerEnd + 4)...])
            if content.suffix(2) == [13, 10] { content.removeLast(2) }
            let type = header.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
                .map { String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces) }
            return Part(bytes: content, contentType: type)
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
