import Catalog
import Foundation
import Media

extension MediaInfoRecord {
    /// The catalog row for what libavformat read from a blob: the whole reading as JSON, and the
    /// fields search filters on. Width and height are as displayed (after rotation).
    public init(blobSHA256: String, info: MediaInfo, probedAt: String) throws {
        let json = String(decoding: try JSONEncoder.catalog.encode(info), as: UTF8.self)
        self.init(blobSHA256: blobSHA256, probeJSON: json, probedAt: probedAt)
        container = info.formatName
        durationSeconds = info.duration
        bitRate = info.bitRate
        if let video = info.firstVideoStream {
            width = video.displayWidth
            height = video.displayHeight
            rotation = video.rotation.map { Int($0.rounded()) }
            fps = video.avgFrameRate
            videoCodec = video.codecName
        }
        audioCodec = info.firstAudioStream?.codecName
    }

    /// The whole reading, decoded.
    public func decodedInfo() throws -> MediaInfo {
        try JSONDecoder().decode(MediaInfo.self, from: Data(probeJSON.utf8))
    }
}

extension JSONEncoder {
    /// Stable output for the catalog and for `--json`: sorted keys, no escaped slashes.
    static var catalog: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
