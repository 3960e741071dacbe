import Foundation
import Media
import Testing
import TestSupport

/// The JSON the catalog stores: ffprobe's key names, nothing for absent values, lossless round trip.
@Suite struct CodableTests {
    @Test(arguments: ["mb__rotate-buck-bunny.mp4", "ax__bear-id3.mp3", "mb__no-aud.ts", "mp4ff__av1_init.mp4"])
    func roundTrips(file: String) throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus(file))
        let data = try JSONEncoder().encode(info)
        #expect(try JSONDecoder().decode(MediaInfo.self, from: data) == info)
    }

    @Test func usesFFprobeKeysAndOmitsAbsentValues() throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus("mb__rotate-buck-bunny.mp4"))
        let data = try JSONEncoder().encode(info)
        let text = try #require(String(data: data, encoding: .utf8))
        for key in ["format_name", "format_long_name", "codec_name", "codec_type", "sample_rate", "r_frame_rate",
                    "avg_frame_rate", "pix_fmt", "channel_layout", "bit_rate", "rotation"] {
            #expect(text.contains("\"\(key)\""), "missing \(key)")
        }
        for key in ["formatName", "codecName", "sampleRate", "isAttachedPicture", "attached_pic", "null"] {
            #expect(!text.contains(key), "unexpected \(key)")
        }

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object.keys.sorted() == ["format", "streams"], "ffprobe's layout")
        #expect(object["path"] == nil && object["filename"] == nil)
        #expect((object["format"] as? [String: Any])?["duration"] is NSNumber)
        let streams = try #require(object["streams"] as? [[String: Any]])
        let video = streams[0], audio = streams[1]
        #expect(video["rotation"] as? Double == -90)
        #expect(video["width"] as? Int == 1920 && video["height"] as? Int == 1080)
        #expect(video["display_width"] as? Int == 1080 && video["display_height"] as? Int == 1920)
        #expect(video["sample_rate"] == nil && video["channels"] == nil)
        #expect(audio["width"] == nil && audio["rotation"] == nil && audio["pix_fmt"] == nil)
        #expect(audio["sample_rate"] as? Int == 48000)
        #expect((audio["tags"] as? [String: String])?["language"] == "eng")
    }

    @Test func frameCountIsNbFrames() throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus("mb__video.mp4"))
        #expect(info.firstVideoStream?.frameCount == 125)
        #expect(String(decoding: try JSONEncoder().encode(info), as: UTF8.self).contains("\"nb_frames\":125"))
    }

    @Test func emptyTagsAndFalseFlagsAreOmittedAndDefaulted() throws {
        let info = MediaInfo(formatName: "x", streams: [StreamInfo(index: 0, codecType: "data")])
        let data = try JSONEncoder().encode(info)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object.keys.sorted() == ["format", "streams"])
        #expect((object["format"] as? [String: Any])?.keys.sorted() == ["format_name"])
        let stream = try #require((object["streams"] as? [[String: Any]])?.first)
        #expect(stream.keys.sorted() == ["codec_type", "index"])
        #expect(try JSONDecoder().decode(MediaInfo.self, from: data) == info)
    }

    @Test func attachedPictureIsEncoded() throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus("ax__bear-id3.mp3"))
        let text = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        #expect(text.contains("\"attached_pic\":true"))
    }
}
