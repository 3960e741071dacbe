import Foundation
import Media
import Testing
import TestSupport

/// The simulator's synthetic media: real (libav and ffmpeg read it), shaped as asked, deterministic and distinct.
@Suite struct ClipEncoderTests {
    static let shapes: [ClipSpec] = [
        ClipSpec(width: 160, height: 90, duration: 5, fps: 8, audio: true, seed: 1),  // 16:9
        ClipSpec(width: 90, height: 160, duration: 3, fps: 12, audio: true, seed: 2),  // 9:16
        ClipSpec(width: 64, height: 64, duration: 2, fps: 8, audio: false, seed: 3),  // 1:1
        // 2.3 s × 24 fps = 55.2: the clip rounds to 55 whole frames.
        ClipSpec(width: 320, height: 180, duration: 2.3, fps: 24, audio: false, seed: 4, watermark: true),
        ClipSpec(width: 16, height: 16, duration: 0.1, fps: 30, audio: true, seed: 5),  // the smallest, 3 frames
    ]

    // MARK: - Shape

    @Test(arguments: shapes)
    func mp4HasTheShapeAsked(spec: ClipSpec) throws {
        let folder = TemporaryDirectory()
        let bytes = try ClipEncoder.mp4(spec)
        let info = try probe(bytes, as: "clip.mp4", in: folder)

        #expect(info.formatName == "mov,mp4,m4a,3gp,3g2,mj2")
        #expect(info.videoStreams.count == 1)
        let video = try #require(info.firstVideoStream)
        #expect(video.codecName == "h264")
        #expect(video.width == spec.width && video.height == spec.height)
        #expect(video.pixelFormat == "yuv420p")
        #expect(video.avgFrameRate == Double(spec.fps))
        #expect(video.frameCount == Int64(spec.frameCount))
        let duration = try #require(info.duration)
        #expect(abs(duration - spec.duration) <= 1 / Double(spec.fps), "duration \(duration)")

        if spec.audio {
            #expect(info.audioStreams.count == 1)
            let audio = try #require(info.firstAudioStream)
            #expect(audio.codecName == "aac")
            #expect(audio.sampleRate == 48_000)
            #expect(audio.channels == 1)
            let audioDuration = try #require(audio.duration)
            #expect(abs(audioDuration - spec.duration) <= 1 / Double(spec.fps), "audio duration \(audioDuration)")
        } else {
            #expect(!info.hasAudio)
        }

        // +faststart: the index comes before the media. Bit-exact: no libavformat version tag.
        let boxes = topLevelBoxes(bytes)
        let moov = try #require(boxes.firstIndex(of: "moov")), mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "\(boxes)")
        #expect(info.tags["encoder"] == nil)
        #expect(info.tags["creation_time"] == nil)
        #expect(!info.isTruncated)
    }

    @Test(arguments: [(160, 90), (90, 160), (64, 64)])
    func clipJPEGIsABaselineJPEGOfTheClipsSize(width: Int, height: Int) throws {
        let folder = TemporaryDirectory()
        let spec = ClipSpec(width: width, height: height, duration: 2, fps: 8, seed: 9, watermark: true)
        for frame in [0, spec.frameCount - 1] {
            let bytes = try ClipEncoder.jpeg(spec, frame: frame)
            try expectBaselineJPEG(bytes)
            let video = try #require(try probe(bytes, as: "frame\(frame).jpg", in: folder).firstVideoStream)
            #expect(video.codecName == "mjpeg")
            #expect(video.width == width && video.height == height)
        }
    }

    @Test(arguments: [(640, 480), (480, 640), (16, 16), (17, 31)])
    func imageIsABaselineJPEGOfTheSizeAsked(width: Int, height: Int) throws {
        let folder = TemporaryDirectory()
        let bytes = try ClipEncoder.image(width: width, height: height, seed: 11)
        try expectBaselineJPEG(bytes)
        let video = try #require(try probe(bytes, as: "image.jpg", in: folder).firstVideoStream)
        #expect(video.codecName == "mjpeg")
        #expect(video.width == width && video.height == height)
    }

    @Test func ffmpegDecodesEverythingWithoutAComplaint() throws {
        let ffmpeg = try #require(
            Shell.which("ffmpeg"),
            "ffmpeg is not on PATH; ClipEncoderTests use it to decode the output (Debian: apt-get install ffmpeg)")
        let folder = TemporaryDirectory()
        let files: [(String, [UInt8])] = [
            ("landscape.mp4", try ClipEncoder.mp4(ClipSpec(width: 160, height: 90, duration: 5, fps: 8, seed: 21))),
            ("portrait.mp4", try ClipEncoder.mp4(ClipSpec(width: 180, height: 320, duration: 1.5, fps: 30, seed: 22, watermark: true))),
            ("silent.mp4", try ClipEncoder.mp4(ClipSpec(width: 64, height: 64, duration: 1, fps: 8, audio: false, seed: 23))),
            ("frame.jpg", try ClipEncoder.jpeg(ClipSpec(width: 160, height: 90, duration: 5, fps: 8, seed: 21), frame: 39)),
            ("image.jpg", try ClipEncoder.image(width: 333, height: 200, seed: 24)),
        ]
        for (name, bytes) in files {
            let path = folder.file(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try Shell.run(ffmpeg, ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"], check: false)
            #expect(result.status == 0, "\(name): ffmpeg exited \(result.status)")
            #expect(result.stderr.isEmpty, "\(name): \(result.stderr)")
        }
    }

    @Test func watermarkIsAWhiteSquareWithADarkBorderInTheCorner() throws {
        let ffmpeg = try #require(Shell.which("ffmpeg"), "ffmpeg is not on PATH; ClipEncoderTests use it to decode the output")
        let folder = TemporaryDirectory()
        let clean = ClipSpec(width: 160, height: 90, duration: 1, fps: 8, seed: 31)
        var marked = clean
        marked.watermark = true
        // 160×90: an 18-pixel square 4 pixels in from the bottom-right corner, with a 2-pixel border.
        func luma(_ spec: ClipSpec, _ x: Int, _ y: Int) throws -> UInt8 {
            let path = folder.file("\(spec.watermark).jpg")
            try Data(try ClipEncoder.jpeg(spec, frame: 0)).write(to: URL(fileURLWithPath: path))
            let gray = try Shell.run(ffmpeg, ["-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"])
            try #require(gray.stdoutData.count == 160 * 90)
            return gray.stdoutData[y * 160 + x]
        }
        #expect(try luma(marked, 147, 77) > 240)  // the middle of the square
        #expect(try luma(marked, 138, 68) < 60)  // its border
        #expect(try luma(clean, 147, 77) < 200)  // the same spot without the mark
    }

    // MARK: - Determinism

    @Test func equalSpecsGiveIdenticalBytes() throws {
        let spec = ClipSpec(width: 160, height: 90, duration: 5, fps: 8, audio: true, seed: 42, watermark: true)
        let first = try ClipEncoder.mp4(spec)
        #expect(try ClipEncoder.mp4(spec) == first)
        #expect(try ClipEncoder.mp4(spec) == first)
        #expect(try ClipEncoder.jpeg(spec, frame: 7) == (try ClipEncoder.jpeg(spec, frame: 7)))
        #expect(try ClipEncoder.image(width: 300, height: 200, seed: 42) == (try ClipEncoder.image(width: 300, height: 200, seed: 42)))
    }

    @Test func concurrentEncodesMatchSequential() async throws {
        let specs = (0..<4).map { ClipSpec(width: 128, height: 72, duration: 2, fps: 12, audio: $0 % 2 == 0, seed: UInt64(100 + $0)) }
        let sequential = try specs.map { try ClipEncoder.mp4($0) }
        // Each spec three times, all at once, so calls overlap.
        let concurrent = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for slot in 0..<(specs.count * 3) {
                group.addTask { (slot, try ClipEncoder.mp4(specs[slot % specs.count])) }
            }
            var results = [[UInt8]](repeating: [], count: specs.count * 3)
            for try await (slot, bytes) in group { results[slot] = bytes }
            return results
        }
        for (slot, bytes) in concurrent.enumerated() {
            #expect(bytes == sequential[slot % specs.count], "spec \(slot % specs.count)")
        }
    }

    // MARK: - Distinctness

    @Test func differentSeedsGiveDifferentFiles() throws {
        let seeds: [UInt64] = [0, 1, 2, 3, .max]
        let specs = seeds.map { ClipSpec(width: 160, height: 90, duration: 2, fps: 8, seed: $0) }
        #expect(Set(try specs.map { try ClipEncoder.mp4($0) }).count == seeds.count)
        #expect(Set(try specs.map { try ClipEncoder.jpeg($0, frame: 0) }).count == seeds.count)
        #expect(Set(try seeds.map { try ClipEncoder.image(width: 160, height: 90, seed: $0) }).count == seeds.count)
    }

    @Test func watermarkedAndCleanFilesDiffer() throws {
        let clean = ClipSpec(width: 160, height: 90, duration: 2, fps: 8, seed: 5)
        var marked = clean
        marked.watermark = true
        #expect(try ClipEncoder.mp4(clean) != (try ClipEncoder.mp4(marked)))
        #expect(try ClipEncoder.jpeg(clean, frame: 0) != (try ClipEncoder.jpeg(marked, frame: 0)))
    }

    @Test func firstAndLastFramesDiffer() throws {
        let spec = ClipSpec(width: 160, height: 90, duration: 5, fps: 8, seed: 6)
        #expect(try ClipEncoder.jpeg(spec, frame: 0) != (try ClipEncoder.jpeg(spec, frame: spec.frameCount - 1)))
    }

    // MARK: - Bad input

    static let badSpecs: [ClipSpec] = [
        ClipSpec(width: 161, height: 90, duration: 1, fps: 8),  // odd
        ClipSpec(width: 160, height: 91, duration: 1, fps: 8),
        ClipSpec(width: 14, height: 90, duration: 1, fps: 8),  // tiny
        ClipSpec(width: 0, height: 0, duration: 1, fps: 8),
        ClipSpec(width: -160, height: 90, duration: 1, fps: 8),
        ClipSpec(width: 8192, height: 90, duration: 1, fps: 8),  // huge
        ClipSpec(width: 160, height: 90, duration: 0, fps: 8),
        ClipSpec(width: 160, height: 90, duration: -1, fps: 8),
        ClipSpec(width: 160, height: 90, duration: .nan, fps: 8),
        ClipSpec(width: 160, height: 90, duration: .infinity, fps: 8),
        ClipSpec(width: 160, height: 90, duration: 1e300, fps: 8),
        ClipSpec(width: 160, height: 90, duration: 1, fps: 0),
        ClipSpec(width: 160, height: 90, duration: 1, fps: -8),
        ClipSpec(width: 160, height: 90, duration: 1, fps: 1000),
    ]

    @Test(arguments: badSpecs)
    func badSpecsThrowInsteadOfTrapping(spec: ClipSpec) {
        let mp4Error = #expect(throws: MediaError.self) { try ClipEncoder.mp4(spec) }
        #expect(mp4Error?.kind == .other)
        #expect(mp4Error?.message.isEmpty == false)
        let jpegError = #expect(throws: MediaError.self) { try ClipEncoder.jpeg(spec, frame: 0) }
        #expect(jpegError?.kind == .other)
    }

    @Test func framesOutsideTheClipThrow() {
        let spec = ClipSpec(width: 160, height: 90, duration: 1, fps: 8)
        for frame in [-1, spec.frameCount, .max] {
            let error = #expect(throws: MediaError.self) { try ClipEncoder.jpeg(spec, frame: frame) }
            #expect(error?.kind == .other)
        }
    }

    @Test(arguments: [(15, 100), (100, 0), (-1, 20), (5000, 100)])
    func badImageSizesThrow(width: Int, height: Int) {
        let error = #expect(throws: MediaError.self) { try ClipEncoder.image(width: width, height: height, seed: 1) }
        #expect(error?.kind == .other)
    }
}
