import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Takes a poster frame from a video file: a JPEG still of its first picture, as a library shows it.
///
/// Everything runs in this process with libavformat, libavcodec and libswscale; no `ffmpeg` is needed.
/// Safe to call concurrently from several threads: each call owns its libav state.
public enum PosterFrame {
    /// The longest side a poster may have, whatever `maxDimension` asks: an absurd sample aspect ratio
    /// must not make one call allocate gigabytes.
    public static let dimensionLimit = 8192

    /// How many packets of the video stream to feed the decoder before giving up on a picture: enough
    /// for a stream that starts far from a keyframe, short of reading a large file whose video never decodes.
    static let packetLimit = 600

    /// A baseline JPEG (mjpeg, yuvj420p) of the first frame of the file's video that decodes cleanly.
    ///
    /// - The video stream is libavformat's best one (`av_find_best_stream`); cover art is not video.
    /// - Frames the decoder could only patch up (concealed errors) are passed over, and encrypted video is
    ///   refused: both would give a grey or smeared picture. A first frame that is merely black is kept.
    /// - The picture is shown as a player would: turned and mirrored by the display matrix
    ///   (right angles only, as ffmpeg's autorotate does; any other angle is left unturned) and stretched
    ///   by the sample aspect ratio to square pixels. So the JPEG's size is the video's display size,
    ///   rounded down to even numbers, or that size scaled down to fit `maxDimension`.
    /// - Colours are converted from the video's matrix (BT.709 when untagged HD, as players guess) to JPEG's
    ///   BT.601 full range. HDR video is not tone-mapped and looks flat.
    ///
    /// - Parameters:
    ///   - path: A local file path, always opened as a file (never a URL or another libav protocol).
    ///   - maxDimension: When given, the poster is scaled down, keeping its aspect ratio, until neither side
    ///     is longer; never scaled up. At least 2. Capped at ``dimensionLimit`` either way.
    /// - Returns: The whole JPEG file.
    /// - Throws: ``MediaError``: the kinds ``MediaProbe/probe(path:)`` throws for a file that cannot be
    ///   opened or is not media; ``MediaError/Kind/noVideoStream`` for a file with no video (audio only);
    ///   ``MediaError/Kind/noDecodableFrame`` when no frame decodes (no decoder in this FFmpeg build,
    ///   encrypted or corrupt video, a header without media); ``MediaError/Kind/other`` for a bad
    ///   `maxDimension` or a libav failure.
    public static func jpeg(fromVideoAt path: String, maxDimension: Int? = nil) throws(MediaError) -> [UInt8] {
        let picture = try uprightPicture(fromVideoAt: path, maxDimension: maxDimension)
        let (width, height) = (Int(picture.pointer.pointee.width), Int(picture.pointer.pointee.height))
        let toJPEG = try Scaler(from: picture.pointer, to: width, height, AV_PIX_FMT_YUVJ420P, label: path)
        return try StillJPEG.encode(width: width, height: height, label: path) { planes throws(MediaError) in
            try toJPEG.scale(picture.pointer, into: [planes.y, planes.u, planes.v], strides: [planes.yStride, planes.uStride, planes.vStride])
        }
    }

    /// The picture ``jpeg(fromVideoAt:maxDimension:)`` encodes, before encoding: RGBA, 4 bytes a pixel,
    /// rows top to bottom without padding. Lets tests in this package compare pictures pixel by pixel
    /// (a JPEG file decodes too: libavformat reads it as a one-frame video).
    package static func rgba(
        fromVideoAt path: String, maxDimension: Int? = nil
    ) throws(MediaError) -> (width: Int, height: Int, pixels: [UInt8]) {
        let picture = try uprightPicture(fromVideoAt: path, maxDimension: maxDimension)
        // The frame owns the pixels: it must outlive the copy.
        return withExtendedLifetime(picture) {
            let f = picture.pointer.pointee
            let (width, height, stride) = (Int(f.width), Int(f.height), Int(f.linesize.0))
            var pixels: [UInt8] = []
            pixels.reserveCapacity(width * height * 4)
            for row in 0..<height {
                pixels.append(contentsOf: UnsafeBufferPointer(start: f.data.0! + row * stride, count: width * 4))
            }
            return (width, height, pixels)
        }
    }

    /// The first clean frame of the file's video as RGBA, upright, at the poster's size.
    private static func uprightPicture(fromVideoAt path: String, maxDimension: Int?) throws(MediaError) -> ClipFrame {
        FFmpegLogging.silence()
        if let maxDimension, maxDimension < 2 {
            throw MediaError(
                code: reel_averror(EINVAL), path: path, kind: .other, message: "maxDimension must be at least 2, not \(maxDimension)")
        }
        let input = try InputFile.open(path: path)
        try input.findStreamInfo()
        guard let context = input.context else { throw outOfMemory(path) }

        let (stream, codec) = try videoStream(in: context, path: path)
        let decoder = try VideoDecoder(stream: stream, codec: codec, path: path)
        let frame = try decoder.firstFrame(from: context)
        let f = frame.pointer

        let frameMatrix = av_frame_get_side_data(f, AV_FRAME_DATA_DISPLAYMATRIX).flatMap { displayMatrix($0.pointee.data, size: $0.pointee.size) }
        let orientation = Orientation(displayMatrix: frameMatrix ?? displayMatrix(stream))
        let size = posterSize(
            width: Int(f.pointee.width), height: Int(f.pointee.height),
            sampleAspectRatio: av_guess_sample_aspect_ratio(context, stream, f), orientation: orientation,
            maxDimension: min(maxDimension ?? dimensionLimit, dimensionLimit))

        // Scale into RGB first: swscale converts between YUV matrices only on the way through RGB, and the
        // turn is simplest on whole pixels. The turn swaps the sides, so scale to the unturned size.
        let scaled = try rgbaPicture(
            of: frame, width: orientation.transpose ? size.height : size.width,
            height: orientation.transpose ? size.width : size.height, path: path)
        return try orientation.apply(to: scaled, label: path)
    }
}

// MARK: - Choosing and decoding the stream

/// The video stream to decode and its decoder: libavformat's pick, except that cover art (an attached
/// picture) is not video here, as ``MediaInfo/videoStreams`` does not count it either.
private func videoStream(
    in context: UnsafeMutablePointer<AVFormatContext>, path: String
) throws(MediaError) -> (UnsafeMutablePointer<AVStream>, UnsafePointer<AVCodec>) {
    let fmt = context.pointee
    let moving = (0..<Int(fmt.nb_streams)).compactMap { fmt.streams[$0] }.filter {
        $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO && $0.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0
    }
    guard let first = moving.first else {
        throw MediaError(code: AVError.streamNotFound, path: path, kind: .noVideoStream, message: "no video stream to take a poster frame from")
    }
    var decoder: UnsafePointer<AVCodec>?
    var index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
    // libavformat picks cover art over a video it has no decoder for; then ask about the video itself.
    if !moving.contains(where: { $0.pointee.index == index }) {
        index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, first.pointee.index, -1, &decoder, 0)
    }
    guard index >= 0, let decoder, let stream = fmt.streams[Int(index)] else {
        let id = first.pointee.codecpar.pointee.codec_id
        let codec = id == AV_CODEC_ID_NONE ? "its" : String(cString: avcodec_get_name(id))
        throw MediaError(
            code: AVError.decoderNotFound, path: path, kind: .noDecodableFrame,
            message: "this FFmpeg build has no decoder for \(codec) video")
    }
    return (stream, decoder)
}

/// Sole owner of one decoder's `AVCodecContext`: allocated and opened in `init`, freed in `deinit`.
private final class VideoDecoder {
    private let pointer: UnsafeMutablePointer<AVCodecContext>
    private let streamIndex: Int32
    private let path: String

    init(stream: UnsafeMutablePointer<AVStream>, codec: UnsafePointer<AVCodec>, path: String) throws(MediaError) {
        guard let pointer = avcodec_alloc_context3(codec) else { throw outOfMemory(path) }
        self.pointer = pointer
        self.streamIndex = stream.pointee.index
        self.path = path
        // From here deinit frees the context, whichever step below throws.
        let name = String(cString: codec.pointee.name)
        try encoderCheck(avcodec_parameters_to_context(pointer, stream.pointee.codecpar), path, "set up the \(name) decoder")
        pointer.pointee.pkt_timebase = stream.pointee.time_base
        // One thread: frame threading would hold back the first picture until several packets are in.
        pointer.pointee.thread_count = 1
        let status = avcodec_open2(pointer, codec, nil)
        if status < 0 {
            throw MediaError(
                code: status, path: path, kind: .noDecodableFrame,
                message: "cannot open the \(name) decoder: \(MediaError.describe(status))")
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// Reads the file from where it is until the decoder returns a clean picture. Packets the decoder rejects
    /// and pictures it could only patch up are skipped: a damaged start should not cost the whole poster, and
    /// a patched-up picture of encrypted or broken video is a grey or smeared rectangle, not a poster.
    func firstFrame(from context: UnsafeMutablePointer<AVFormatContext>) throws(MediaError) -> ClipFrame {
        let packet = try ClipPacket(label: path)
        let frame = try ClipFrame(label: path)
        var outcome = Outcome()
        var fed = 0
        while fed < PosterFrame.packetLimit {
            let status = av_read_frame(context, packet.pointer)
            if status < 0 {
                // The end, or a read error such as a file cut short: what the decoder holds may still be a picture.
                if status != reel_averror_eof() { outcome.error = status }
                break
            }
            defer { av_packet_unref(packet.pointer) }
            guard packet.pointer.pointee.stream_index == streamIndex else { continue }
            // Without the key, encrypted (CENC) samples decode without complaint to a grey picture.
            if av_packet_get_side_data(packet.pointer, AV_PKT_DATA_ENCRYPTION_INFO, nil) != nil {
                throw MediaError(
                    code: AVError.invalidData, path: path, kind: .noDecodableFrame, message: "the video is encrypted")
            }
            fed += 1
            let sent = avcodec_send_packet(pointer, packet.pointer)
            if sent < 0 { outcome.error = sent }
            if receiveCleanFrame(into: frame, &outcome) { return frame }
        }
        // Drain: decoders with a delay (B-frames, one-frame files) hand over their pictures only now.
        _ = avcodec_send_packet(pointer, nil)
        if receiveCleanFrame(into: frame, &outcome) { return frame }
        throw outcome.failure(path: path)
    }

    /// What went wrong while looking for a picture, for the error that says so.
    private struct Outcome {
        var error: Int32?
        var damagedFrames = 0

        func failure(path: String) -> MediaError {
            if damagedFrames > 0 {
                return MediaError(
                    code: AVError.invalidData, path: path, kind: .noDecodableFrame,
                    message: "every video frame decoded was damaged (encrypted or corrupt video)")
            }
            let reason = error.map { ": \(MediaError.describe($0))" } ?? ""
            return MediaError(
                code: error ?? reel_averror_eof(), path: path, kind: .noDecodableFrame,
                message: "no video frame could be decoded\(reason)")
        }
    }

    /// Takes pictures from the decoder until a clean one comes (true) or it has none ready (false).
    private func receiveCleanFrame(into frame: ClipFrame, _ outcome: inout Outcome) -> Bool {
        while true {
            let status = avcodec_receive_frame(pointer, frame.pointer)
            if status == reel_averror(EAGAIN) || status == reel_averror_eof() { return false }
            if status < 0 {
                outcome.error = status
                return false
            }
            let f = frame.pointer.pointee
            if f.decode_error_flags == 0 && f.flags & AV_FRAME_FLAG_CORRUPT == 0 && f.width > 0 && f.height > 0 { return true }
            outcome.damagedFrames += 1
        }
    }
}

// MARK: - Geometry

/// How to turn a decoded picture upright: a transpose, then mirroring, chosen from the display matrix as
/// ffmpeg's autorotate chooses its transpose/hflip/vflip filters.
struct Orientation: Equatable {
    /// Swap rows and columns (any quarter turn).
    var transpose = false
    /// Mirror left to right, after the transpose.
    var flipX = false
    /// Mirror top to bottom, after the transpose.
    var flipY = false

    init(transpose: Bool = false, flipX: Bool = false, flipY: Bool = false) {
        self.transpose = transpose
        self.flipX = flipX
        self.flipY = flipY
    }

    /// Upright for no matrix, a degenerate one, or an angle that is not a right angle.
    init(displayMatrix m: [Int32]?) {
        self.init()
        guard let m, m.count == 9 else { return }
        let degrees = av_display_rotation_get(m)
        guard degrees.isFinite else { return }
        // The matrix turns counter-clockwise; the picture must turn the other way, normalised to 0..<360.
        var theta = -degrees.rounded()
        theta -= 360 * (theta / 360 + 0.9 / 360).rounded(.down)
        func near(_ angle: Double) -> Bool { abs(theta - angle) < 1 }
        if near(90) {
            // ffmpeg: transpose=cclock_flip when m[3] > 0 (mirrored), else transpose=clock.
            self = m[3] > 0 ? Orientation(transpose: true) : Orientation(transpose: true, flipX: true)
        } else if near(180) {
            self = Orientation(flipX: m[0] < 0, flipY: m[4] < 0)
        } else if near(270) {
            // ffmpeg: transpose=clock_flip when m[3] < 0 (mirrored), else transpose=cclock.
            self = m[3] < 0 ? Orientation(transpose: true, flipX: true, flipY: true) : Orientation(transpose: true, flipY: true)
        } else if near(0) {
            self = Orientation(flipY: m[4] < 0)
        }
    }

    var isUpright: Bool { self == Orientation() }

    /// `picture` (RGBA) turned upright: the same frame when already upright, else a new one.
    func apply(to picture: ClipFrame, label: String) throws(MediaError) -> ClipFrame {
        guard !isUpright else { return picture }
        let source = picture.pointer.pointee
        let (width, height) = transpose ? (source.height, source.width) : (source.width, source.height)
        let result = try ClipFrame(label: label)
        try result.allocate(width: Int(width), height: Int(height), format: AV_PIX_FMT_RGBA)
        let target = result.pointer.pointee
        let from = UnsafeRawPointer(source.data.0!), fromStride = Int(source.linesize.0)
        let to = UnsafeMutableRawPointer(target.data.0!), toStride = Int(target.linesize.0)
        let (w, h) = (Int(width), Int(height))
        // Target pixel (x, y) comes from source (sx, sy): mirror first, then swap for a transpose.
        for y in 0..<h {
            let my = flipY ? h - 1 - y : y
            let row = to + y * toStride
            for x in 0..<w {
                let mx = flipX ? w - 1 - x : x
                let (sx, sy) = transpose ? (my, mx) : (mx, my)
                let pixel = from.loadUnaligned(fromByteOffset: sy * fromStride + sx * 4, as: UInt32.self)
                row.storeBytes(of: pixel, toByteOffset: x * 4, as: UInt32.self)
            }
        }
        return result
    }
}

/// The poster's size: the display size (square pixels, turned upright), scaled down to fit `maxDimension`,
/// rounded down to even numbers (4:2:0 chroma covers 2×2 pixels), at least 2×2.
func posterSize(
    width: Int, height: Int, sampleAspectRatio sar: AVRational, orientation: Orientation, maxDimension: Int
) -> (width: Int, height: Int) {
    var w = Double(width), h = Double(height)
    if sar.num > 0 && sar.den > 0 { w *= Double(sar.num) / Double(sar.den) }
    if orientation.transpose { swap(&w, &h) }
    let scale = min(1, Double(maxDimension) / max(w, h))
    func even(_ side: Double) -> Int { max(2, Int((side * scale).rounded()) & ~1) }
    return (even(w), even(h))
}

// MARK: - Pixels

/// The decoded `frame` scaled to `width`×`height` RGBA, its YUV read with the frame's own matrix and range.
private func rgbaPicture(of frame: ClipFrame, width: Int, height: Int, path: String) throws(MediaError) -> ClipFrame {
    let scaler = try Scaler(from: frame.pointer, to: width, height, AV_PIX_FMT_RGBA, label: path)
    scaler.readColours(of: frame.pointer.pointee)
    let result = try ClipFrame(label: path)
    try result.allocate(width: width, height: height, format: AV_PIX_FMT_RGBA)
    let r = result.pointer.pointee
    try scaler.scale(frame.pointer, into: [r.data.0], strides: [Int(r.linesize.0)])
    return result
}

/// Sole owner of one `SwsContext`, from a frame's size and format to another: made in `init`, freed in `deinit`.
private final class Scaler {
    private let context: OpaquePointer
    private let label: String

    init(
        from source: UnsafeMutablePointer<AVFrame>, to width: Int, _ height: Int, _ format: AVPixelFormat, label: String
    ) throws(MediaError) {
        let s = source.pointee
        let sourceFormat = AVPixelFormat(rawValue: s.format)
        // Bicubic like ffmpeg's scale filter; full chroma and accurate rounding cost little for one picture.
        let flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
        guard let context = sws_getContext(s.width, s.height, sourceFormat, Int32(width), Int32(height), format, flags, nil, nil, nil)
        else {
            let name = av_get_pix_fmt_name(sourceFormat).map { String(cString: $0) } ?? "unknown"
            throw MediaError(
                code: reel_averror(EINVAL), path: label, kind: .other, message: "cannot convert \(name) pictures of \(s.width)×\(s.height)")
        }
        self.context = context
        self.label = label
    }

    deinit { sws_freeContext(context) }

    /// Reads YUV with the frame's matrix and range rather than swscale's BT.601 guess. Untagged HD video is
    /// read as BT.709, as players read it.
    func readColours(of frame: AVFrame) {
        var inverse: UnsafeMutablePointer<Int32>?, table: UnsafeMutablePointer<Int32>?
        var sourceFull: Int32 = 0, targetFull: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        // Cannot fail for the RGB target used here; if it did, swscale's own guess would stand.
        guard sws_getColorspaceDetails(context, &inverse, &sourceFull, &table, &targetFull, &brightness, &contrast, &saturation) >= 0
        else { return }
        var space = Int32(frame.colorspace.rawValue)
        if frame.colorspace == AVCOL_SPC_UNSPECIFIED { space = frame.height >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT }
        // yuvj formats already make swscale read full range; others say so in color_range.
        let full: Int32 = sourceFull != 0 || frame.color_range == AVCOL_RANGE_JPEG ? 1 : 0
        _ = sws_setColorspaceDetails(context, sws_getCoefficients(space), full, table, targetFull, brightness, contrast, saturation)
    }

    /// Converts the whole of `source` into the planes `target` points at.
    func scale(
        _ source: UnsafeMutablePointer<AVFrame>, into target: [UnsafeMutablePointer<UInt8>?], strides: [Int]
    ) throws(MediaError) {
        let s = source.pointee
        let planes: [UnsafePointer<UInt8>?] = [s.data.0, s.data.1, s.data.2, s.data.3].map { $0.map { UnsafePointer($0) } }
        let lineSizes = [s.linesize.0, s.linesize.1, s.linesize.2, s.linesize.3]
        let height = sws_scale(context, planes, lineSizes, 0, s.height, target, strides.map { Int32($0) })
        guard height > 0 else {
            throw MediaError(code: reel_averror(EINVAL), path: label, kind: .other, message: "cannot scale the poster frame")
        }
    }
}
