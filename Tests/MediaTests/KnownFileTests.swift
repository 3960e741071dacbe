import Foundation
import Media
import Testing
import TestSupport

/// Facts about particular corpus files, from MANIFEST.md and the projects they came from.
@Suite struct KnownFileTests {
    func probe(_ name: String) throws -> MediaInfo {
        try MediaProbe.probe(path: Fixtures.corpus(name))
    }

    @Test func rotatedVideoSwapsDisplaySize() throws {
        let video = try #require(try probe("mb__rotate-buck-bunny.mp4").firstVideoStream)
        #expect(video.width == 1920 && video.height == 1080)
        #expect(video.displayWidth == 1080 && video.displayHeight == 1920)
        #expect(video.rotation.map(abs) == 90)
        #expect(video.isRotatedQuarterTurn)
    }

    @Test(arguments: [
        "mb__rotate-buck-bunny.mp4", "ax__sample_rotate_and_reflect.mp4",
        "mb__no-correct-videoframe-format.mov", "ax__dolbyVision-hdr.MOV",
    ])
    func rotationMatchesFFprobeSign(file: String) throws {
        // ffprobe 5.1 prints -90 for all four (av_display_rotation_get is counter-clockwise).
        #expect(try probe(file).firstVideoStream?.rotation == -90)
    }

    @Test func unrotatedVideoHasNoRotation() throws {
        let video = try #require(try probe("mb__1080p-portrait-derotated.mp4").firstVideoStream)
        #expect(video.rotation == nil)
        #expect(video.displayWidth == 1080 && video.displayHeight == 1920)
    }

    @Test func h264AndAACAt25fps() throws {
        let info = try probe("mb__video.mp4")
        let video = try #require(info.firstVideoStream)
        let audio = try #require(info.firstAudioStream)
        #expect(video.codecName == "h264")
        #expect(audio.codecName == "aac")
        #expect(video.avgFrameRate == 25)
        #expect(video.realFrameRate == 25)
        #expect(info.formatName == "mov,mp4,m4a,3gp,3g2,mj2")
    }

    @Test func nonSquarePixels() throws {
        let video = try #require(try probe("mb__sar_2x1.mp4").firstVideoStream)
        #expect(video.sampleAspectRatio == "2:1")
        #expect(video.width == 640 && video.height == 360)
    }

    @Test func mp3CoverArtIsAnAttachedPicture() throws {
        let info = try probe("ax__bear-id3.mp3")
        let cover = try #require(info.streams.first { $0.codecName == "mjpeg" })
        #expect(cover.isAttachedPicture)
        #expect(cover.codecType == "video" && !cover.isVideo)
        #expect(!info.hasVideo && info.hasAudio)
    }

    @Test func containerTagsFromILST() throws {
        // The file's ilst has ©ART/©alb/… but no ©nam, so libavformat (and ffprobe) report no title.
        let tags = try probe("ax__sample_with_metadata.mp4").tags
        #expect(tags["artist"] == "Test Artist")
        #expect(tags["album"] == "Test Album")
        #expect(tags["genre"] == "Gorpcore")
        #expect(tags["title"] == nil)
    }

    @Test func containerTitle() throws {
        #expect(try probe("mb__ac3.mp4").tags["title"] == "The Happy Meeting")
        #expect(try probe("ax__bear-id3.mp3").tags["title"] == "Test title")
    }

    @Test func twoSurroundAudioTracks() throws {
        let info = try probe("mb__multiple-aac-tracks.mp4")
        #expect(info.audioStreams.count == 2)
        #expect(info.audioStreams.allSatisfy { $0.channels == 6 && $0.channelLayout == "5.1" })
        #expect(!info.hasVideo)
    }

    @Test func languageComesFromTags() throws {
        let audio = try #require(try probe("mb__rotate-buck-bunny.mp4").firstAudioStream)
        #expect(audio.language == "eng")
    }

    @Test func libraryVersionsAreDotted() {
        let versions = MediaLibrary.versions
        for name in ["libavformat", "libavcodec", "libavutil", "libswscale"] {
            let parts = versions[name]?.split(separator: ".") ?? []
            #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil }, "\(name): \(versions[name] ?? "missing")")
        }
    }
}

/// ffprobe does not say when a file is cut short; the sample index does.
@Suite struct TruncationTests {
    @Test(arguments: ["mb__annex-b.mp4", "ax__large_stbl_truncated_after_moov.m4b"])
    func cutOffFilesAreTruncated(file: String) throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus(file))
        #expect(info.isTruncated)
        #expect(try #require(info.indexedDataEnd) > #require(info.size))
    }

    @Test(arguments: ["mb__video.mp4", "mb__frag-buck-bunny.mp4", "ax__sample_mdat_too_long.mp4", "ax__sample.mkv", "mb__no-aud.ts"])
    func wholeFilesAreNot(file: String) throws {
        #expect(!(try MediaProbe.probe(path: Fixtures.corpus(file)).isTruncated))
    }

    @Test func aCopyCutInHalfIsTruncated() throws {
        let folder = TemporaryDirectory()
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.corpus("mb__video.mp4")))
        let half = folder.file("half.mp4")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: half))
        let info = try MediaProbe.probe(path: half)
        #expect(info.isTruncated)
        #expect(info.indexedDataEnd == Int64(data.count), "the index still spans the whole original")
    }
}

/// A header without frames opens fine in libavformat (and ffprobe); reading one packet tells.
@Suite struct PacketPresenceTests {
    @Test(arguments: ["mp4ff__av1_init.mp4", "mp4ff__hvc1_init.mp4", "mp4ff__init_with_colr.mp4"])
    func initSegmentsHaveNoPackets(file: String) throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus(file))
        #expect(info.hasVideo, "the header declares a video stream")
        #expect(!info.hasPackets)
        let json = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        #expect(json.contains("\"has_packets\":false"))
    }

    @Test(arguments: ["mb__video.mp4", "mp4ff__v300_multiple_segments.mp4", "ax__sample_fragmented.mp4", "mb__no-aud.ts"])
    func realClipsHavePackets(file: String) throws {
        let info = try MediaProbe.probe(path: Fixtures.corpus(file))
        #expect(info.hasPackets)
        #expect(!String(decoding: try JSONEncoder().encode(info), as: UTF8.self).contains("has_packets"))
    }
}
