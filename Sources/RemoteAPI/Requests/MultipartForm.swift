/// A `multipart/form-data` body with one file field (RFC 7578), as the web dialect's upload call takes it.
public struct MultipartForm: Sendable {
    /// The `Content-Type` header, with the boundary.
    public let contentType: String
    public let body: [UInt8]

    /// One file under `field`. The boundary is random and long, and the file name is reduced to safe ASCII
    /// (it goes into a header: a quote or a line break there would forge a part).
    public init(field: String, fileName: String, fileType: String, bytes: [UInt8]) {
        let boundary = "reel-" + (0..<4).map { _ in String(UInt64.random(in: 1 << 60..<UInt64.max), radix: 36) }.joined()
        let safeName = String(fileName.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != "/" ? Character(scalar) : "_"
        })
        var head = "--\(boundary)\r\n"
        head += "Content-Disposition: form-data; name=\"\(field)\"; filename=\"\(safeName.isEmpty ? "file" : safeName)\"\r\n"
        head += "Content-Type: \(fileType)\r\n\r\n"
        body = Array(head.utf8) + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        contentType = "multipart/form-data; boundary=\(boundary)"
    }
}
