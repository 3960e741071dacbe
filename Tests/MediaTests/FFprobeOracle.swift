import Foundation
import Testing
import TestSupport

@Test func corpusIsPresent() {
    #expect(
        Fixtures.corpusFiles.count >= 50,
        "media corpus not found or nearly empty at \(Fixtures.corpus); set REEL_CORPUS or check out shared/ beside the package")
}

/// Runs the real `ffprobe` as the oracle for what libavformat reports.
enum FFprobe {
    /// The subset of ffprobe's JSON the parity tests compare.
    struct Output: Decodable {
        struct Stream: Decodable {
            struct SideData: Decodable { var rotation: Double? }
            struct Disposition: Decodable { var attached_pic: Int? }
            var index: Int
            var codec_type: String?
            var codec_name: String?
            var codec_tag_string: String?
            var profile: String?
            var width: Int?
            var height: Int?
            var sample_rate: String?
            var channels: Int?
            var channel_layout: String?
            var pix_fmt: String?
            var sample_aspect_ratio: String?
            var color_range: String?
            var color_space: String?
            var color_transfer: String?
            var color_primaries: String?
            var avg_frame_rate: String?
            var r_frame_rate: String?
            var bit_rate: String?
            var start_time: String?
            var duration: String?
            var nb_frames: String?
            /// Only with `countPackets`.
            var nb_read_packets: String?
            var disposition: Disposition?
            var tags: [String: String]?
            var side_data_list: [SideData]?
        }
        struct Format: Decodable {
            var format_name: String?
            var format_long_name: String?
            var duration: String?
            var start_time: String?
            var bit_rate: String?
            var size: String?
            var tags: [String: String]?
        }
        var streams: [Stream]?
        var format: Format?
    }

    /// `ffprobe` from `PATH`, or `nil`.
    static let executable: URL? = Shell.which("ffprobe").map(URL.init(fileURLWithPath:))

    /// ffprobe's exit status and parsed output (`nil` when it printed nothing parseable).
    /// `countPackets` reads the whole file to count each stream's packets (`nb_read_packets`).
    static func run(_ path: String, countPackets: Bool = false) throws -> (status: Int32, output: Output?) {
        guard let executable else {
            throw OracleMissing()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-v", "error", "-show_format", "-show_streams", "-of", "json"] + (countPackets ? ["-count_packets"] : []) + [path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Drain before waiting so a large output cannot fill the pipe and deadlock.
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, try? JSONDecoder().decode(Output.self, from: data))
    }

    struct OracleMissing: Error, CustomStringConvertible {
        var description: String {
            "ffprobe not found on PATH: the media parity tests need it as the oracle (apt-get install ffmpeg)"
        }
    }
}
