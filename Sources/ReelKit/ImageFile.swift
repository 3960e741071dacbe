import Foundation

/// A local picture to send to a remote (an upload, a keyframe): its bytes and what kind of picture they are,
/// read from the bytes themselves, not from the name.
public struct ImageFile: Sendable {
    /// The largest picture sent, in bytes (what the services accept).
    public static let sizeLimit = 20 << 20

    public let path: String
    public let bytes: [UInt8]
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    public let mimeType: String

    /// The file's name, for the remote's records.
    public var fileName: String { (path as NSString).lastPathComponent }

    /// Reads `path`: a missing file exits 66, a folder or unreadable file 74, a file that is not a JPEG, PNG,
    /// WebP or GIF picture (or is larger than ``sizeLimit``) 65.
    public init(path: String) throws(ReelError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ReelError("\(path): no such file", status: .noInput)
        }
        guard !isFolder.boolValue else { throw ReelError("\(path) is a folder, not a picture", status: .ioError) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReelError("\(path): cannot be read", status: .ioError)
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.sizeLimit + 1) ?? Data()
        } catch {
            throw ReelError("\(path): \(error.localizedDescription)", status: .ioError)
        }
        guard data.count <= Self.sizeLimit else {
            throw ReelError("\(path) is larger than \(Self.sizeLimit >> 20) MB, more than remotes take", status: .dataError)
        }
        guard let type = Self.mimeType(of: data) else {
            throw ReelError("\(path) is not a JPEG, PNG, WebP or GIF picture", status: .dataError)
        }
        self.path = path
        bytes = Array(data)
        mimeType = type
    }

    /// The picture as a `data:` URL (what proxies take inline).
    public var dataURL: String { "data:\(mimeType);base64," + Data(bytes).base64EncodedString() }

    static func mimeType(of data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        return nil
    }
}
