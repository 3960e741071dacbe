import Foundation
import Media
import Testing
import TestSupport

/// Poster frames: a JPEG of the first clean frame, upright, at the display size, from real files only.
@Suite struct PosterFrameTests {
    // MARK: - Synthetic clips

    @Test func clipPosterIsAJPEGOfTheClipsSize() throws {
        let folder = TemporaryDirectory()
        let spec = ClipSpec(width: 160, height: 90, duration: 2, fps: 8, seed: 41, watermark: true)
        let clip = try writeFile(ClipEncoder.mp4(spec), as: "clip.mp4", in: folder)

        let poster = try PosterFrame.jpeg(fromVideoAt: clip)
        try expectBaselineJPEG(poster)
        try expectJPEG(poster, width: 160, height: 90, in: folder)

        let small = try PosterFrame.jpeg(fromVideoAt: clip, maxDimension: 64)
        try expectJPEG(small, width: 64, height: 36, in: folder)
        // Never scaled up.
        try expectJPEG(try PosterFrame.jpeg(fromVideoAt: clip, maxDimension: 1000), width: 160, height: 90, in: folder)
    }

    @Test func clipPosterLooksLikeTheClipsFirstFrame() throws {
        let folder = TemporaryDirectory()
        let spec = ClipSpec(width: 160, height: 90, duration: 2, fps: 8, seed: 42, watermark: true)
        let clip = try writeFile(ClipEncoder.mp4(spec), as: "clip.mp4", in: folder)
        let poster = try pixels(PosterFrame.jpeg(fromVideoAt: clip), in: folder)
        let first = try pixels(ClipEncoder.jpeg(spec, frame: 0), in: folder)
        let last = try pixels(ClipEncoder.jpeg(spec, frame: spec.frameCount - 1), in: folder)

        try #require(poster.width == first.width && poster.height == first.height)
        // H.264 (BT.709, limited range) then JPEG (BT.601, full range) against a JPEG painted directly: about
        // 2 levels of coding noise. Reading the H.264 as BT.601 gives about 6; the last frame about 30.
        let toFirst = meanAbsoluteDifference(poster.pixels, first.pixels)
        let toLast = meanAbsoluteDifference(poster.pixels, last.pixels)
        #expect(toFirst < 3, "poster vs frame 0: \(toFirst)")
        #expect(toLast > 4 * toFirst, "poster vs last frame: \(toLast), vs frame 0: \(toFirst)")
    }

    // MARK: - Corpus

    /// Display sizes (square pixels, upright), rounded down to even numbers.
    static let corpusSizes: [(file: String, width: Int, height: Int)] = [
        ("mp4ff__prog_8s.mp4", 640, 360),  // plain H.264
        ("mb__rotate-buck-bunny.mp4", 1080, 1920),  // coded 1920×1080, rotation 90
        ("ax__sample_rotate_and_reflect.mp4", 720, 1080),  // coded 1080×720, turned and mirrored
        ("ax__sample_portrait.mp4", 720, 1080),  // coded portrait, no rotation
        ("ax__bear-vp9-odd-dimensions.webm", 160, 120),  // 161×121
        ("mb__sar_2x1.mp4", 1280, 360),  // coded 640×360, pixels twice as wide as tall
        ("ax__roadtrip-vp92-10bit.webm", 426, 240),  // 10-bit VP9
        ("ax__sample_empty_track.mp4", 1080, 720),  // a second, empty video track
        ("mb__multi-cluster.mkv", 320, 240),  // Matroska
    ]

    @Test(arguments: corpusSizes)
    func corpusPosterHasTheDisplaySize(file: String, width: Int, height: Int) throws {
        try #require(Fixtures.corpusFiles.contains(file), "\(file) is not in the corpus")
        let path = Fixtures.corpus(file)
        #expect(try MediaProbe.probe(path: path).hasVideo)
        let folder = TemporaryDirectory()

        let poster = try PosterFrame.jpeg(fromVideoAt: path)
        try expectBaselineJPEG(poster)
        try expectJPEG(poster, width: width, height: height, in: folder)

        // Fitted into 200×200, aspect kept: the long side 200, the short one scaled and made even.
        let long = max(width, height), short = min(width, height)
        guard long > 200 else { return }
        let fittedShort = Int((Double(short) * 200 / Double(long)).rounded()) & ~1
        let small = try PosterFrame.jpeg(fromVideoAt: path, maxDimension: 200)
        try expectJPEG(small, width: width >= height ? 200 : fittedShort, height: width >= height ? fittedShort : 200, in: folder)
    }

    @Test func ffmpegAgreesOnTheUprightSize() throws {
        // Only an oracle: without ffmpeg the sizes above still stand.
        guard let ffmpeg = Shell.which("ffmpeg") else { return }
        let folder = TemporaryDirectory()
        // ffmpeg turns by the display matrix but keeps non-square pixels, so compare square-pixel files.
        for (file, width, height) in Self.corpusSizes where file != "mb__sar_2x1.mp4" {
            let png = folder.file("\(file).png")
            try Shell.run(ffmpeg, ["-nostdin", "-v", "error", "-i", Fixtures.corpus(file), "-frames:v", "1", png])
            let video = try #require(try MediaProbe.probe(path: png).firstVideoStream)
            #expect((video.width ?? 0) & ~1 == width && (video.height ?? 0) & ~1 == height, "\(file)")
        }
    }

    @Test func turningAndMirroringFollowTheDisplayMatrix() throws {
        // The same media twice: once plain, once with a matrix that swaps the axes (a turn plus a mirror).
        let plain = try PosterFrame.rgba(fromVideoAt: Fixtures.corpus("ax__sample.mp4"), maxDimension: 240)
        let turned = try PosterFrame.rgba(fromVideoAt: Fixtures.corpus("ax__sample_rotate_and_reflect.mp4"), maxDimension: 240)
        try #require(plain.width == 240 && plain.height == 160)
        try #require(turned.width == plain.height && turned.height == plain.width)
        // Pixel (x, y) of one is pixel (y, x) of the other.
        var transposed = [UInt8](repeating: 0, count: plain.pixels.count)
        for y in 0..<plain.height {
            for x in 0..<plain.width {
                let from = (y * plain.width + x) * 4, to = (x * turned.width + y) * 4
                transposed[to..<to + 4] = plain.pixels[from..<from + 4]
            }
        }
        #expect(meanAbsoluteDifference(turned.pixels, transposed) < 0.5)
        // And the picture is not one flat colour, which would match any turn.
        #expect(Set(plain.pixels).count > 50)
    }

    /// Every corpus file either gives a poster or throws a `MediaError` of a kind that says why.
    @Test func everyCorpusFileGivesAPosterOrAReason() throws {
        // Video that cannot make a poster here: encrypted, a broken bitstream, a codec FFmpeg 5.1 cannot decode.
        let undecodable: Set = ["mp4ff__cbcs.mp4", "ax__invalid-bitstream.webm", "mp4ff__vvc_400kbps_2s.mp4"]
        let folder = TemporaryDirectory()
        var posters = 0
        for file in Fixtures.corpusFiles {
            let path = Fixtures.corpus(file)
            let info = try? MediaProbe.probe(path: path)
            let playable = info.map { $0.hasVideo && $0.hasPackets } ?? false
            switch Result(catching: { () throws(MediaError) in try PosterFrame.jpeg(fromVideoAt: path, maxDimension: 128) }) {
            case .success(let poster):
                let video = try #require(try probe(poster, as: "\(file).jpg", in: folder).firstVideoStream, "\(file)")
                let (w, h) = (video.width ?? 0, video.height ?? 0)
                #expect(max(w, h) <= 128 && w % 2 == 0 && h % 2 == 0 && min(w, h) >= 2, "\(file): \(w)×\(h)")
                #expect(playable, "\(file): a poster from a file without video")
                posters += 1
            case .failure(let error):
                #expect(!playable || undecodable.contains(file), "\(file): \(error)")
                #expect(!error.message.isEmpty && !error.message.contains("\n"), "\(file)")
            }
        }
        #expect(posters > 0)
    }

    // MARK: - Bad input

    @Test func textAndEmptyFilesAreNotMedia() throws {
        let folder = TemporaryDirectory()
        let text = try folder.write("notes.mp4", "just some text, not a movie\n")
        let empty = try folder.write("empty.mp4", "")
        for path in [text, empty] {
            let error = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: path) }
            #expect(error?.kind == .notMediaFile)
            #expect(error?.path == path)
        }
        let missing = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: folder.file("nope.mp4")) }
        #expect(missing?.kind == .fileNotFound)
        let directory = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: folder.path) }
        #expect(directory?.kind == .isDirectory)
        // Never a URL, as for probes.
        let url = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: "http://127.0.0.1:9/clip.mp4") }
        #expect(url?.kind == .fileNotFound)
    }

    @Test(arguments: ["ax__sample_audio_only.mp4", "mb__Toothsome-Meme.VBRv2.mp3", "ax__bear-id3.mp3"])
    func audioHasNoVideoStream(file: String) {
        // ax__bear-id3.mp3 carries cover art, which is a picture but not video.
        let error = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: Fixtures.corpus(file)) }
        #expect(error?.kind == .noVideoStream)
        #expect(error?.description == "\(Fixtures.corpus(file)): no video stream to take a poster frame from")
    }

    @Test func headerWithoutMediaHasNoDecodableFrame() throws {
        let folder = TemporaryDirectory()
        let clip = try ClipEncoder.mp4(ClipSpec(width: 64, height: 64, duration: 1, fps: 8, seed: 43))
        // The clip's moov comes first (faststart): cutting at mdat leaves a complete header and no media.
        let mdat = try #require(topLevelBoxOffsets(clip).first { $0.type == "mdat" })
        let header = try writeFile(Array(clip[..<mdat.offset]), as: "header-only.mp4", in: folder)
        #expect(try MediaProbe.probe(path: header).hasVideo)

        let error = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: header) }
        #expect(error?.kind == .noDecodableFrame)
        #expect(error?.message.hasPrefix("no video frame could be decoded") == true, "\(String(describing: error))")
        // The same from a real init segment.
        let initSegment = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: Fixtures.corpus("mp4ff__av1_init.mp4")) }
        #expect(initSegment?.kind == .noDecodableFrame)
    }

    @Test func garbledMediaHasNoDecodableFrame() throws {
        let folder = TemporaryDirectory()
        var clip = try ClipEncoder.mp4(ClipSpec(width: 64, height: 64, duration: 1, fps: 8, audio: false, seed: 44))
        // Keep the header and the mdat box header; overwrite every sample with noise.
        let mdat = try #require(topLevelBoxOffsets(clip).first { $0.type == "mdat" })
        var noise = SplitMix64(seed: 44)
        for i in (mdat.offset + 8)..<clip.count { clip[i] = UInt8(truncatingIfNeeded: noise.next()) }
        let path = try writeFile(clip, as: "garbled.mp4", in: folder)
        let error = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: path) }
        #expect(error?.kind == .noDecodableFrame)
    }

    @Test func encryptedVideoSaysSo() {
        let error = #expect(throws: MediaError.self) { try PosterFrame.jpeg(fromVideoAt: Fixtures.corpus("mp4ff__cbcs.mp4")) }
        #expect(error?.kind == .noDecodableFrame)
        #expect(error?.message == "the video is encrypted")
    }

    @Test func maxDimensionBelowTwoThrows() throws {
        for bad in [1, 0, -5] {
            let error = #expect(throws: MediaError.self) {
                try PosterFrame.jpeg(fromVideoAt: Fixtures.corpus("mp4ff__prog_8s.mp4"), maxDimension: bad)
            }
            #expect(error?.kind == .other)
        }
        let folder = TemporaryDirectory()
        try expectJPEG(try PosterFrame.jpeg(fromVideoAt: Fixtures.corpus("mp4ff__prog_8s.mp4"), maxDimension: 2), width: 2, height: 2, in: folder)
    }

    // MARK: - Concurrency

    @Test func concurrentPostersMatchSequential() async throws {
        let paths = ["mp4ff__prog_8s.mp4", "ax__sample_rotate_and_reflect.mp4", "mb__sar_2x1.mp4", "ax__bear-vp9.webm"]
            .map { Fixtures.corpus($0) }
        let sequential = try paths.map { try PosterFrame.jpeg(fromVideoAt: $0, maxDimension: 160) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for slot in 0..<(paths.count * 3) {
                group.addTask { (slot, try PosterFrame.jpeg(fromVideoAt: paths[slot % paths.count], maxDimension: 160)) }
            }
            var results = [[UInt8]](repeating: [], count: paths.count * 3)
            for try await (slot, bytes) in group { results[slot] = bytes }
            return results
        }
        for (slot, bytes) in concurrent.enumerated() {
            #expect(bytes == sequential[slot % paths.count], "\(paths[slot % paths.count])")
        }
    }

    // MARK: - Helpers

    /// libavformat reads the bytes back as one mjpeg picture of the size given.
    func expectJPEG(
        _ bytes: [UInt8], width: Int, height: Int, in folder: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(bytes.prefix(2) == [0xFF, 0xD8] && bytes.suffix(2) == [0xFF, 0xD9], sourceLocation: sourceLocation)
        let info = try probe(bytes, as: "poster-\(UUID().uuidString).jpg", in: folder)
        #expect(info.videoStreams.count == 1, sourceLocation: sourceLocation)
        let video = try #require(info.firstVideoStream, sourceLocation: sourceLocation)
        #expect(video.codecName == "mjpeg", sourceLocation: sourceLocation)
        #expect(video.width == width && video.height == height, "\(video.width ?? 0)×\(video.height ?? 0)", sourceLocation: sourceLocation)
    }

    /// A JPEG's pixels, decoded by libavcodec.
    func pixels(_ jpeg: [UInt8], in folder: TemporaryDirectory) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        try PosterFrame.rgba(fromVideoAt: writeFile(jpeg, as: "picture-\(UUID().uuidString).jpg", in: folder))
    }

    /// Mean absolute difference per RGB channel, 0...255; alpha is left out.
    func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count else { return .infinity }
        var total = 0, count = 0
        for i in a.indices where i % 4 != 3 {
            total += abs(Int(a[i]) - Int(b[i]))
            count += 1
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }
}
