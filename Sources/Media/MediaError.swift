import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be probed, encoded, remuxed or made into a poster frame.
///
/// Carries libav's error code and its `av_strerror` text, plus a ``Kind`` so callers
/// can react (e.g. skip directories, report unreadable files) without knowing AVERROR values.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason for the failure.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Nothing exists at the path.
        case fileNotFound
        /// The file exists but may not be read.
        case permissionDenied
        /// The path names a directory.
        case isDirectory
        /// The file was read but no demuxer recognised it, or its header is broken.
        case notMediaFile
        /// The container opened but declares no streams at all.
        case noStreams
        /// The file has streams, but none is a video (audio only, or only cover art): there is no picture to take.
        case noVideoStream
        /// The file has a video stream but no frame of it decodes: no decoder for its codec in this FFmpeg
        /// build, encrypted or corrupt data, or a header with no media after it.
        case noDecodableFrame
        /// The file's container cannot take what was asked of it: tags written by a stream copy (MPEG-TS,
        /// AVI, raw and audio-only formats), cover art outside MP4, or a stream its own family cannot hold.
        case unsupportedContainer
        /// Any other libav failure (I/O error, out of memory, …).
        case other
    }

    /// The broad reason for the failure.
    public let kind: Kind
    /// libav's error code (a negative `AVERROR` value, e.g. `AVERROR(ENOENT)`).
    public let code: Int32
    /// libav's description of ``code`` from `av_strerror`, e.g. `"Invalid data found when processing input"`.
    public let message: String
    /// The path that was probed.
    public let path: String

    /// Creates an error; ``message`` defaults to `av_strerror(code)` and ``kind`` to the kind `code` implies.
    public init(code: Int32, path: String, kind: Kind? = nil, message: String? = nil) {
        self.code = code
        self.path = path
        self.kind = kind ?? Self.kind(for: code)
        self.message = message ?? Self.describe(code)
    }

    /// `"<path>: <message>"`, the way ffprobe reports a failure.
    public var description: String { "\(path): \(message)" }

    /// The kind an AVERROR code implies.
    static func kind(for code: Int32) -> Kind {
        switch code {
        case reel_averror(ENOENT), reel_averror(ENOTDIR): .fileNotFound
        case reel_averror(EACCES), reel_averror(EPERM): .permissionDenied
        case reel_averror(EISDIR): .isDirectory
        case AVError.invalidData, AVError.endOfFile, AVError.demuxerNotFound: .notMediaFile
        case AVError.streamNotFound: .noStreams
        default: .other
        }
    }

    /// `av_strerror` text; libav falls back to a generic "Error number N occurred" itself.
    static func describe(_ code: Int32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(AV_ERROR_MAX_STRING_SIZE)) { buffer in
            let base = buffer.baseAddress!
            base[0] = 0
            _ = av_strerror(code, base, buffer.count)
            return String(cString: base)
        }
    }
}

/// AVERROR values defined through `FFERRTAG`, a function-like macro Swift cannot import.
enum AVError {
    /// `FFERRTAG(a, b, c, d)`: the negated little-endian four-character tag.
    static func tag(_ a: UInt8, _ b: Character, _ c: Character, _ d: Character) -> Int32 {
        let value = UInt32(a) | UInt32(b.asciiValue!) << 8 | UInt32(c.asciiValue!) << 16 | UInt32(d.asciiValue!) << 24
        return -Int32(bitPattern: value)
    }

    static let invalidData = tag(UInt8(ascii: "I"), "N", "D", "A")
    static let endOfFile = tag(UInt8(ascii: "E"), "O", "F", " ")
    static let demuxerNotFound = tag(0xF8, "D", "E", "M")
    static let streamNotFound = tag(0xF8, "S", "T", "R")
    static let decoderNotFound = tag(0xF8, "D", "E", "C")
}
