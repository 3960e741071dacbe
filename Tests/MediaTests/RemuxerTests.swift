import Foundation
import Media
import Testing
import TestSupport

/// `Remuxer` on real files, with ffprobe (and ffmpeg's own stream copy) as the oracle.
@Suite struct RemuxerTests {
    /// The six tags `reel export --embed-metadata` writes, with text that is not ASCII or not one line.
    static let tags: [EmbeddedMetadata.Tag] = [
        .init(key: "title", value: "夕焼けの海 🌅 Sunset"),
        .init(key: "description", value: "A drone flies over a beach.\nSecond line: ünïcödé, 中文, emoji 🐢🚁"),
        .init(key: "synopsis", value: "Prompt: 一只乌龟在海里游泳 — a turtle swims\n\twith a tab"),
        .init(key: "comment", value: "reel clip 0f3a…; liked ❤️"),
        .init(key: "date", value: "2025-03-19T13:10:43Z"),
        .init(key: "genre", value: "AI video / Sora"),
    ]

    // MARK: - MP4

    @Test func mp4GetsEveryTagAndKeepsItsStreams() throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus("mb__video.mp4")
        let output = folder.file("out.mp4")
        try Remuxer.remux(source: source, destination: output, metadata: EmbeddedMetadata(tags: Self.tags))

        let probed = try #require(try FFprobe.run(output, countPackets: true).output)
        let tags = try #require(probed.format?.tags)
        for tag in Self.tags { #expect(tags[tag.key] == tag.value, "\(tag.key)") }
        // mb__video.mp4's own "Made with Remotion" comment is replaced, its other tags are not carried over.
        #expect(Set(tags.keys) == Set(Self.tags.map(\.key) + ["encoder", "major_brand", "minor_version", "compatible_brands"]))

        let original = try #require(try FFprobe.run(source, countPackets: true).output)
        #expect(streamSummary(probed) == streamSummary(original))
        #expect(probed.format?.duration == original.format?.duration)
        #expect(probed.streams?.first?.codec_tag_string == "avc1")
        #expect(try Remuxer.container(ofFile: output) == .mp4)

        // Faststart: the index before the media, so playback can start before the download ends.
        let boxes = topLevelBoxes(try [UInt8](Data(contentsOf: URL(fileURLWithPath: output))))
        let moov = try #require(boxes.firstIndex(of: "moov")), mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "\(boxes)")

        let mode = try #require(try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int)
        #expect(mode == 0o644 & ~currentUmask(), "mode \(String(mode, radix: 8))")
    }

    @Test func rotationIsKept() throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus("mb__rotate-buck-bunny.mp4")
        let output = folder.file("rotated.mp4")
        try Remuxer.remux(source: source, destination: output, metadata: EmbeddedMetadata(tags: [.init(key: "title", value: "turned")]))

        let rotation = { (path: String) throws -> Double? in
            try FFprobe.run(path).output?.streams?.first?.side_data_list?.compactMap(\.rotation).first
        }
        #expect(try rotation(source) == -90)
        #expect(try rotation(output) == -90)
        #expect(try MediaProbe.probe(path: output).firstVideoStream?.rotation == MediaProbe.probe(path: source).firstVideoStream?.rotation)
    }

    /// Timestamps, start offsets (edit lists) and which packets are kept, against `ffmpeg -map 0 -c copy`.
    @Test(arguments: [
        "mb__video.mp4", "mb__rotate-buck-bunny.mp4", "mb__edts.mp4", "mb__edit-list-discard.mp4", "mp4ff__opus.mp4",
        "ax__sample_audio_only.mp4", "ax__bbb_1ch_8kHz_aac_lc.m4a", "mp4ff__v300_multiple_segments.mp4", "mb__cursed-vfr.mp4",
        "mb__multiple-aac-tracks.mp4", "mb__mpeg4-aac.mov", "mb__test-mov-tx3g.mov", "ax__sample.mkv", "mb__multi-cluster.mkv",
        "mb__trim-buck-bunny.webm", "ax__bbb_1ch_48kHz_q10_opus.webm", "ax__invalid-bitstream.webm", "ax__roadtrip-vp92-10bit.webm",
        // Timestamps ffmpeg repairs (a DTS after its PTS), and a stream whose two aspect ratios differ.
        "ax__water_180_mvhevc_5frames.mov", "ax__sample_sef_slow_motion.mp4",
    ])
    func streamsMatchFFmpegStreamCopy(file: String) throws {
        let ffmpeg = try #require(Shell.which("ffmpeg"), "ffmpeg is the oracle for what a stream copy keeps")
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus(file)
        let ext = (file as NSString).pathExtension.lowercased()
        let ours = folder.file("ours.\(ext)"), theirs = folder.file("theirs.\(ext)")
        try Remuxer.remux(source: source, destination: ours, metadata: EmbeddedMetadata(tags: Self.tags))
        let muxer = ["mov": "mov", "mkv": "matroska", "webm": "webm"][ext] ?? "mp4"
        try Shell.run(ffmpeg, ["-v", "error", "-i", source, "-map", "0", "-c", "copy", "-f", muxer, "-movflags", "+faststart", theirs])

        let mine = try #require(try FFprobe.run(ours, countPackets: true).output)
        let oracle = try #require(try FFprobe.run(theirs, countPackets: true).output)
        #expect(streamSummary(mine) == streamSummary(oracle))
        #expect(mine.format?.duration == oracle.format?.duration)
        #expect(mine.format?.start_time == oracle.format?.start_time)
    }

    /// Streams nothing can be said of (timed metadata, WebVTT as libav's codec "none") are left out, where
    /// ffmpeg -map 0 gives up on the whole file; the audio and video are copied whole.
    @Test(arguments: [("mb__test-mp4-webvtt.mp4", 3), ("mb__no-correct-videoframe-format.mov", 7), ("ax__sample_with_color_info.mp4", 5)])
    func streamsTheMuxerCannotHoldAreLeftOut(file: String, sourceStreams: Int) throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus(file)
        let output = folder.file("out." + (file as NSString).pathExtension)
        try Remuxer.remux(source: source, destination: output, metadata: EmbeddedMetadata(tags: Self.tags))
        let original = try #require(try FFprobe.run(source, countPackets: true).output)
        let copy = try #require(try FFprobe.run(output, countPackets: true).output)
        #expect(original.streams?.count == sourceStreams)
        let media = (original.streams ?? []).filter { $0.codec_type == "video" || $0.codec_type == "audio" }
        // Lengths differ with the source's, which come from its headers, as in ffmpeg's own copy; the packets do not.
        #expect(streamSummary(copy, timing: false) == streamSummary(FFprobe.Output(streams: media, format: nil), timing: false))
    }

    @Test func videoTheContainerCannotHoldIsAnError() throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus("ax__bbb_176x144_128kbps_15fps_h263.3gp")
        #expect(try Remuxer.container(ofFile: source) == .mp4)
        let error = expectRemuxFailure(source: source, destination: folder.file("out.3gp"), metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(error?.kind == .unsupportedContainer)
        #expect(error?.message == "mp4 files cannot hold h263 video")
    }

    // MARK: - MOV and Matroska

    @Test func movStaysMovWithEveryTag() throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus("mb__mpeg4-aac.mov")
        let output = folder.file("out.mov")
        try Remuxer.remux(source: source, destination: output, metadata: EmbeddedMetadata(tags: Self.tags))

        let probed = try #require(try FFprobe.run(output, countPackets: true).output)
        #expect(probed.format?.tags?["major_brand"] == "qt  ")
        for tag in Self.tags { #expect(probed.format?.tags?[tag.key] == tag.value, "\(tag.key)") }
        let original = try #require(try FFprobe.run(source, countPackets: true).output)
        #expect(streamSummary(probed) == streamSummary(original))
        #expect(try Remuxer.container(ofFile: output) == .mov)
        let boxes = topLevelBoxes(try [UInt8](Data(contentsOf: URL(fileURLWithPath: output))))
        let moov = try #require(boxes.firstIndex(of: "moov")), mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "\(boxes)")
    }

    @Test func webmGetsTags() throws {
        let folder = TemporaryDirectory()
        let source = Fixtures.corpus("mb__trim-buck-bunny.webm")
        let output = folder.file("out.webm")
        try Remuxer.remux(source: source, destination: output, metadata: EmbeddedMetadata(tags: Self.tags))

        let probed = try #require(try FFprobe.run(output, countPackets: true).output)
        #expect(probed.format?.format_name == "matroska,webm")
        // Matroska stores tag names in capitals (TITLE is the segment's title, read back as "title").
        let tags = Dictionary(uniqueKeysWithValues: (probed.format?.tags ?? [:]).map { ($0.key.lowercased(), $0.value) })
        for tag in Self.tags { #expect(tags[tag.key] == tag.value, "\(tag.key)") }
        #expect(streamSummary(probed) == streamSummary(try #require(try FFprobe.run(source, countPackets: true).output)))
        // A WebM file, not just Matroska: the EBML header's DocType.
        let head = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)).prefix(64))
        #expect(head.indices.contains { head[$0...].starts(with: [0x42, 0x82, 0x84] + Array("webm".utf8)) })
        #expect(try Remuxer.container(ofFile: output) == .webm)
    }

    @Test func containerFamilies() throws {
        let expected: [String: RemuxContainer?] = [
            "mb__video.mp4": .mp4, "ax__bbb_1ch_8kHz_aac_lc.m4a": .mp4, "ax__large_stbl_truncated_after_moov.m4b": .mp4,
            "mb__mpeg4-aac.mov": .mov, "ax__dolbyVision-hdr.MOV": .mov, "mb__multi-cluster.mkv": .matroska,
            "mb__trim-buck-bunny.webm": .webm, "mb__hevc.ts": nil, "mb__av1-aac.avi": nil, "mb__vp8-mp3.avi": nil,
            "ax__sample.flv": nil, "mb__trim-buck-bunny.aac": nil, "mb__Toothsome-Meme.VBRv2.mp3": nil, "mb__vorbis-eos.ogg": nil,
        ]
        for (file, container) in expected {
            #expect(try Remuxer.container(ofFile: Fixtures.corpus(file)) == container, "\(file)")
        }
    }

    // MARK: - Cover art

    @Test func coverArtIsAnAttachedPicture() throws {
        let ffmpeg = try #require(Shell.which("ffmpeg"))
        let folder = TemporaryDirectory()
        let jpeg = try writeFile(ClipEncoder.image(width: 320, height: 180, seed: 7), as: "cover.jpg", in: folder)
        let output = folder.file("covered.mp4")
        try Remuxer.remux(
            source: Fixtures.corpus("mb__video.mp4"), destination: output, metadata: EmbeddedMetadata(tags: Self.tags, coverJPEG: jpeg))

        let probed = try #require(try FFprobe.run(output, countPackets: true).output)
        let streams = try #require(probed.streams)
        #expect(streams.map(\.codec_name) == ["h264", "aac", "mjpeg"])
        let cover = streams[2]
        #expect(cover.disposition?.attached_pic == 1)
        #expect(cover.width == 320 && cover.height == 180)
        #expect(cover.nb_read_packets == "1")
        #expect(streams.prefix(2).allSatisfy { $0.disposition?.attached_pic == 0 })
        for tag in Self.tags { #expect(probed.format?.tags?[tag.key] == tag.value, "\(tag.key)") }

        // The JPEG is embedded byte for byte.
        let extracted = folder.file("extracted.jpg")
        try Shell.run(ffmpeg, ["-v", "error", "-i", output, "-map", "0:2", "-c", "copy", "-f", "image2", extracted])
        #expect(try Data(contentsOf: URL(fileURLWithPath: extracted)) == Data(contentsOf: URL(fileURLWithPath: jpeg)))

        // A new cover replaces the old one rather than adding a second.
        let poster = try writeFile(PosterFrame.jpeg(fromVideoAt: Fixtures.corpus("mb__video.mp4"), maxDimension: 200), as: "poster.jpg", in: folder)
        let again = folder.file("again.mp4")
        try Remuxer.remux(source: output, destination: again, metadata: EmbeddedMetadata(tags: Self.tags, coverJPEG: poster))
        let covers = try #require(try FFprobe.run(again).output?.streams).filter { $0.disposition?.attached_pic == 1 }
        #expect(covers.count == 1)
        #expect(covers.first?.width == 200)
    }

    @Test(arguments: ["mb__trim-buck-bunny.webm", "mb__multi-cluster.mkv", "mb__mpeg4-aac.mov"])
    func coverArtOutsideMP4IsRefused(file: String) throws {
        let folder = TemporaryDirectory()
        let jpeg = try writeFile(ClipEncoder.image(width: 64, height: 64, seed: 1), as: "cover.jpg", in: folder)
        let output = folder.file("out." + (file as NSString).pathExtension)
        let error = expectRemuxFailure(
            source: Fixtures.corpus(file), destination: output, metadata: EmbeddedMetadata(tags: Self.tags, coverJPEG: jpeg))
        #expect(error?.kind == .unsupportedContainer)
        #expect(error?.message.contains("cover art needs an MP4") == true, "\(String(describing: error))")
    }

    @Test func coverThatIsNotAJPEGIsRefused() throws {
        let folder = TemporaryDirectory()
        let text = try folder.write("cover.jpg", "not a picture")
        let output = folder.file("out.mp4")
        let error = expectRemuxFailure(
            source: Fixtures.corpus("mb__video.mp4"), destination: output, metadata: EmbeddedMetadata(coverJPEG: text))
        #expect(error?.kind == .notMediaFile)
        #expect(error?.path == text)
        let missing = expectRemuxFailure(
            source: Fixtures.corpus("mb__video.mp4"), destination: output, metadata: EmbeddedMetadata(coverJPEG: folder.file("none.jpg")))
        #expect(missing?.kind == .fileNotFound)
    }

    @Test func jpegSizeStepsOverAnExifThumbnail() throws {
        let still = try ClipEncoder.image(width: 48, height: 32, seed: 2)
        #expect(jpegSize(still).map { [$0.width, $0.height] } == [48, 32])
        // APP1 holding a whole 16×16 JPEG (as an Exif thumbnail does) before the real frame header.
        let thumbnail = try ClipEncoder.image(width: 16, height: 16, seed: 3)
        let length = thumbnail.count + 2
        let withThumbnail = [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + thumbnail + still.dropFirst(2)
        #expect(jpegSize(withThumbnail).map { [$0.width, $0.height] } == [48, 32])
        #expect(jpegSize(Array("GIF89a....".utf8)) == nil)
        #expect(jpegSize([0xFF, 0xD8, 0xFF, 0xD9]) == nil)
        #expect(jpegSize(Array(still.prefix(20))) == nil)
    }

    // MARK: - The encoder tag

    @Test func encoderTagIsKept() throws {
        let folder = TemporaryDirectory()
        let encoder = { (path: String) throws -> String? in try FFprobe.run(path).output?.format?.tags?["encoder"] }

        // mb__video.mp4 was written by a newer libavformat than this one: its name survives.
        #expect(try encoder(Fixtures.corpus("mb__video.mp4")) == "Lavf61.7.100")
        let kept = folder.file("kept.mp4")
        try Remuxer.remux(source: Fixtures.corpus("mb__video.mp4"), destination: kept, metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(try encoder(kept) == "Lavf61.7.100")

        let mov = folder.file("kept.mov")
        try Remuxer.remux(source: Fixtures.corpus("mb__mpeg4-aac.mov"), destination: mov, metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(try encoder(mov) == "Lavf62.3.100")

        // An encoder tag of the caller's own wins.
        let own = folder.file("own.mp4")
        try Remuxer.remux(
            source: Fixtures.corpus("mb__video.mp4"), destination: own,
            metadata: EmbeddedMetadata(tags: Self.tags + [.init(key: "encoder", value: "reel 1.0")]))
        #expect(try encoder(own) == "reel 1.0")

        // A source without one gets libavformat's.
        #expect(try encoder(Fixtures.corpus("mb__rotate-buck-bunny.mp4")) == nil)
        let none = folder.file("none.mp4")
        try Remuxer.remux(source: Fixtures.corpus("mb__rotate-buck-bunny.mp4"), destination: none, metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(try encoder(none)?.hasPrefix("Lavf") == true)
    }

    // MARK: - Failures leave nothing behind

    @Test(arguments: ["mb__hevc.ts", "mb__av1-aac.avi", "mb__vp8-mp3.avi", "ax__sample.flv", "mb__Toothsome-Meme.VBRv2.mp3"])
    func unsupportedContainers(file: String) throws {
        let folder = TemporaryDirectory()
        #expect(try Remuxer.container(ofFile: Fixtures.corpus(file)) == nil)
        let error = expectRemuxFailure(
            source: Fixtures.corpus(file), destination: folder.file("out.mp4"), metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(error?.kind == .unsupportedContainer)
        #expect(error?.path == Fixtures.corpus(file))
        #expect(error?.message.hasPrefix("cannot write tags into ") == true, "\(String(describing: error))")
    }

    @Test func existingDestinationIsUntouched() throws {
        let folder = TemporaryDirectory()
        let existing = try folder.write("taken.mp4", "someone else's file")
        let error = expectRemuxFailure(
            source: Fixtures.corpus("mb__video.mp4"), destination: existing, metadata: EmbeddedMetadata(tags: Self.tags),
            destinationShouldExist: true)
        #expect(error?.code == -EEXIST)
        #expect(error?.path == existing)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "someone else's file")
    }

    @Test func destinationInAMissingFolder() throws {
        let folder = TemporaryDirectory()
        let error = expectRemuxFailure(
            source: Fixtures.corpus("mb__video.mp4"), destination: folder.file("missing/out.mp4"),
            metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(error?.kind == .fileNotFound)
        #expect(!FileManager.default.fileExists(atPath: folder.file("missing")))
    }

    @Test func sourceThatIsNotMedia() throws {
        let folder = TemporaryDirectory()
        let text = try folder.write("notes.mp4", String(repeating: "not a video\n", count: 500))
        let error = expectRemuxFailure(source: text, destination: folder.file("out.mp4"), metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(error?.kind == .notMediaFile)
        #expect(error?.path == text)
        let missing = expectRemuxFailure(source: folder.file("gone.mp4"), destination: folder.file("out.mp4"), metadata: EmbeddedMetadata())
        #expect(missing?.kind == .fileNotFound)
    }

    /// A source cut short mid-media (an interrupted download) is an error, not a shorter copy that passes
    /// for the whole clip; nothing is left at the destination.
    @Test func truncatedSourceFails() throws {
        let folder = TemporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.corpus("mb__video.mp4")))
        let half = folder.file("half.mp4")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: half))
        let error = expectRemuxFailure(source: half, destination: folder.file("out.mp4"), metadata: EmbeddedMetadata(tags: Self.tags))
        #expect(error?.path == half)
        #expect(error?.message.hasPrefix("the file is cut short") == true, "\(String(describing: error))")
    }

    @Test func tagsThatCannotBeWritten() throws {
        let folder = TemporaryDirectory()
        for tag in [EmbeddedMetadata.Tag(key: "", value: "x"), .init(key: "title", value: "a\0b"), .init(key: "ti\0tle", value: "x")] {
            let error = expectRemuxFailure(
                source: Fixtures.corpus("mb__video.mp4"), destination: folder.file("out.mp4"), metadata: EmbeddedMetadata(tags: [tag]))
            #expect(error?.kind == .other)
        }
    }

    // MARK: - Concurrency

    @Test func concurrentRemuxesMatchSequential() async throws {
        let folder = TemporaryDirectory()
        let files = ["mb__video.mp4", "mb__rotate-buck-bunny.mp4", "mb__mpeg4-aac.mov", "mb__trim-buck-bunny.webm", "mb__multi-cluster.mkv", "mp4ff__prog_8s.mp4"]
        let tags = Self.tags
        let remux: @Sendable (String, String) throws(MediaError) -> MediaInfo = { file, name in
            let output = folder.file(name + "." + (file as NSString).pathExtension)
            try Remuxer.remux(source: Fixtures.corpus(file), destination: output, metadata: EmbeddedMetadata(tags: tags))
            return try MediaProbe.probe(path: output)
        }
        let sequential = files.map { file in Result { () throws(MediaError) in try remux(file, "seq-\(file)") } }
        let concurrent = await withTaskGroup(of: (Int, Result<MediaInfo, MediaError>).self) { group in
            for round in 0..<2 {
                for (i, file) in files.enumerated() {
                    group.addTask { (i, Result { () throws(MediaError) in try remux(file, "par\(round)-\(file)") }) }
                }
            }
            var results: [(Int, Result<MediaInfo, MediaError>)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == files.count * 2)
        for (i, result) in concurrent {
            // Every call owns its libav state: what the outputs hold must not depend on what ran beside it.
            #expect(result == sequential[i], "\(files[i])")
        }
        #expect(sequential.allSatisfy { (try? $0.get()) != nil })
    }

    // MARK: - Helpers

    /// Per stream: type, codec, packets, size, and with `timing` start and length, as ffprobe reports them.
    func streamSummary(_ output: FFprobe.Output, timing: Bool = true) -> [String] {
        (output.streams ?? []).map {
            [$0.codec_type, $0.codec_name, $0.nb_read_packets, $0.width.map(String.init), $0.height.map(String.init)]
                .map { $0 ?? "-" }.joined(separator: " ") + (timing ? " \($0.start_time ?? "-") \($0.duration ?? "-")" : "")
        }
    }

    /// Runs a remux that must fail; returns its error and checks it left nothing at `destination`.
    func expectRemuxFailure(
        source: String, destination: String, metadata: EmbeddedMetadata, destinationShouldExist: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> MediaError? {
        defer {
            #expect(FileManager.default.fileExists(atPath: destination) == destinationShouldExist, sourceLocation: sourceLocation)
        }
        do {
            try Remuxer.remux(source: source, destination: destination, metadata: metadata)
            Issue.record("remuxing \(source) succeeded", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            #expect(error.code < 0, sourceLocation: sourceLocation)
            return error
        }
    }

    /// The process's umask, read without changing it (umask(2) would race with tests creating files).
    func currentUmask() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        return line.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) } ?? 0o022
    }
}
