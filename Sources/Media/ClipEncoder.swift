import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``ClipEncoder`` draws and encodes: the size, length and look of one synthetic clip.
///
/// Every field feeds the output, so two specs that differ in anything give different files,
/// and equal specs give identical bytes.
public struct ClipSpec: Sendable, Hashable {
    /// Width in pixels: even, 16 up to ``ClipEncoder/maxDimension``.
    public var width: Int
    /// Height in pixels: even, 16 up to ``ClipEncoder/maxDimension``.
    public var height: Int
    /// Length in seconds: more than 0, at most ``ClipEncoder/maxDuration``. Rounded to whole frames.
    public var duration: Double
    /// Frames per second, within ``ClipEncoder/frameRates``.
    public var fps: Int
    /// Whether the MP4 carries an AAC track (a sine tone).
    public var audio: Bool
    /// Picks the colours, the motion and the tone's pitch: different seeds give visibly different clips.
    public var seed: UInt64
    /// Whether to draw a white square with a dark border in the bottom-right corner, as a service
    /// marks a preview, so the watermarked and clean files of one generation differ.
    public var watermark: Bool

    /// Creates a spec; see the properties for the accepted ranges, which ``ClipEncoder`` checks.
    public init(
        width: Int, height: Int, duration: Double, fps: Int, audio: Bool = true, seed: UInt64 = 0,
        watermark: Bool = false
    ) {
        self.width = width
        self.height = height
        self.duration = duration
        self.fps = fps
        self.audio = audio
        self.seed = seed
        self.watermark = watermark
    }

    /// How many frames the clip has: `duration × fps` rounded, at least 1; 0 when duration or fps is unusable.
    ///
    /// The last frame's index, for ``ClipEncoder/jpeg(_:frame:)``, is `frameCount - 1`.
    public var frameCount: Int {
        let frames = duration * Double(fps)
        // The upper bound keeps the Int conversion from trapping on absurd values.
        guard fps > 0, frames.isFinite, frames > 0, frames < Double(Int32.max) else { return 0 }
        return max(1, Int(frames.rounded()))
    }
}

/// Makes small, real, deterministic media: H.264/AAC MP4 clips and JPEG stills.
///
/// The API simulator serves one distinct, playable clip per simulated generation without storing
/// any: it encodes on request from a ``ClipSpec``. The same spec always gives the same bytes, in any
/// process, with the same FFmpeg and x264 libraries (x264 runs single-threaded, all bit-exact flags
/// are set and nothing reads the clock). A different library build may encode differently.
///
/// All functions are safe to call concurrently from several threads: each call owns its libav state.
public enum ClipEncoder {
    /// The largest width or height accepted, in pixels.
    public static let maxDimension = 4096
    /// The longest clip accepted, in seconds.
    public static let maxDuration: Double = 600
    /// The frame rates accepted, in frames per second.
    public static let frameRates: ClosedRange<Int> = 1...120

    /// The tone's sample rate, in Hz.
    static let sampleRate = 48_000

    /// An H.264 (libx264, yuv420p) MP4 of the clip `spec` describes, with an AAC track when `spec.audio`,
    /// its `moov` box before the media (`+faststart`) so players can start before the download ends.
    ///
    /// The picture is a seed-coloured gradient with a bar that sweeps across once and a block that
    /// bounces twice; the audio is a seed-pitched sine tone. Keyframes fall every two seconds.
    ///
    /// - Returns: The whole file. Identical for equal specs.
    /// - Throws: ``MediaError`` of kind ``MediaError/Kind/other`` when `spec` is out of range
    ///   (odd or tiny size, duration or fps not positive, …) or libav fails.
    public static func mp4(_ spec: ClipSpec) throws(MediaError) -> [UInt8] {
        FFmpegLogging.silence()
        let label = "<clip.mp4>"
        try validate(spec, label: label)
        return try encodeMP4(spec, label: label)
    }

    /// A baseline JPEG (mjpeg, yuvj420p) of one frame of the clip `spec` describes: the same shapes and
    /// colours ``mp4(_:)`` encodes for that frame, watermark included.
    ///
    /// - Parameters:
    ///   - spec: The clip; ``ClipSpec/audio`` is ignored.
    ///   - frame: 0 for the first frame (the thumbnail), `spec.frameCount - 1` for the last.
    /// - Returns: The whole JPEG file. Identical for equal arguments.
    /// - Throws: ``MediaError`` of kind ``MediaError/Kind/other`` when `spec` is out of range,
    ///   `frame` is not in `0..<spec.frameCount`, or libav fails.
    public static func jpeg(_ spec: ClipSpec, frame: Int) throws(MediaError) -> [UInt8] {
        FFmpegLogging.silence()
        let label = "<clip.jpg>"
        try validate(spec, label: label)
        let count = spec.frameCount
        guard (0..<count).contains(frame) else {
            throw specError(label, "frame \(frame) is not in the clip's frames 0...\(count - 1)")
        }
        let painter = ClipPainter(
            width: spec.width, height: spec.height, look: ClipLook(seed: spec.seed), matrix: .bt601Full,
            watermark: spec.watermark)
        return try StillJPEG.encode(width: spec.width, height: spec.height, label: label) { planes in
            painter.paintFrame(frame, of: count, into: planes)
        }
    }

    /// A baseline JPEG of a still picture, standing in for a user's upload or a source image:
    /// a seed-coloured gradient with a band and a block.
    ///
    /// - Parameters:
    ///   - width: 16 up to ``maxDimension``; odd sizes are fine.
    ///   - height: 16 up to ``maxDimension``; odd sizes are fine.
    ///   - seed: Picks the colours and layout; different seeds give different pictures.
    /// - Returns: The whole JPEG file. Identical for equal arguments.
    /// - Throws: ``MediaError`` of kind ``MediaError/Kind/other`` for a size out of range or a libav failure.
    public static func image(width: Int, height: Int, seed: UInt64) throws(MediaError) -> [UInt8] {
        FFmpegLogging.silence()
        let label = "<image.jpg>"
        for (name, value) in [("width", width), ("height", height)] where !(16...maxDimension).contains(value) {
            throw specError(label, "image \(name) must be 16...\(maxDimension), not \(value)")
        }
        let painter = ClipPainter(
            width: width, height: height, look: ClipLook(seed: seed), matrix: .bt601Full, watermark: false)
        return try StillJPEG.encode(width: width, height: height, label: label) { painter.paintStill(into: $0) }
    }

    // MARK: - Checking specs

    private static func validate(_ spec: ClipSpec, label: String) throws(MediaError) {
        // 4:2:0 chroma needs even sizes; x264 refuses odd ones.
        for (name, value) in [("width", spec.width), ("height", spec.height)] {
            guard (16...maxDimension).contains(value), value % 2 == 0 else {
                throw specError(label, "clip \(name) must be even and 16...\(maxDimension), not \(value)")
            }
        }
        guard spec.duration.isFinite, spec.duration > 0, spec.duration <= maxDuration else {
            throw specError(label, "clip duration must be more than 0 and at most \(maxDuration) seconds, not \(spec.duration)")
        }
        guard frameRates.contains(spec.fps) else {
            throw specError(label, "clip fps must be \(frameRates.lowerBound)...\(frameRates.upperBound), not \(spec.fps)")
        }
    }

    // MARK: - MP4

    private static func encodeMP4(_ spec: ClipSpec, label: String) throws(MediaError) -> [UInt8] {
        let look = ClipLook(seed: spec.seed)
        let frameCount = spec.frameCount
        let muxer = try ClipMuxer.make(label: label)

        // Keyframes every two seconds, as services typically deliver.
        let gop = 2 * spec.fps
        let video = try ClipCodec(encoder: "libx264", label: label)
        do {
            let c = video.pointer
            c.pointee.width = Int32(spec.width)
            c.pointee.height = Int32(spec.height)
            c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            c.pointee.time_base = AVRational(num: 1, den: Int32(spec.fps))
            c.pointee.framerate = AVRational(num: Int32(spec.fps), den: 1)
            c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
            c.pointee.color_range = AVCOL_RANGE_MPEG
            c.pointee.colorspace = AVCOL_SPC_BT709
            c.pointee.color_primaries = AVCOL_PRI_BT709
            c.pointee.color_trc = AVCOL_TRC_BT709
            c.pointee.gop_size = Int32(gop)
            // One thread: x264's output depends on its thread count, which otherwise follows the machine's cores.
            c.pointee.thread_count = 1
            c.pointee.flags |= AV_CODEC_FLAG_BITEXACT | muxer.codecFlags
        }
        // ultrafast: no B-frames or lookahead, so packets come out at once and encoding costs little;
        // a flat synthetic picture compresses well anyway. No scene-cut detection: an IDR frame exactly
        // every `gop` frames, whatever the picture does.
        try video.open(options: [("preset", "ultrafast"), ("x264-params", "keyint=\(gop):scenecut=0")])
        let videoStream = try muxer.addStream(for: video, frameRate: video.pointer.pointee.framerate)

        var audio: ClipCodec?
        var audioStream: UnsafeMutablePointer<AVStream>?
        if spec.audio {
            let codec = try ClipCodec(encoder: "aac", label: label)
            let c = codec.pointer
            c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
            c.pointee.sample_rate = Int32(sampleRate)
            av_channel_layout_default(&c.pointee.ch_layout, 1)
            // Plenty for a mono tone; at 64 kb/s the encoder's rate loop takes about three times as long.
            c.pointee.bit_rate = 32_000
            c.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
            // Without BITEXACT the AAC encoder writes its version into the first frame.
            c.pointee.flags |= AV_CODEC_FLAG_BITEXACT | muxer.codecFlags
            // The default "twoloop" search takes several times as long; a pure tone gains nothing from it.
            try codec.open(options: [("aac_coder", "fast")])
            audioStream = try muxer.addStream(for: codec, frameRate: nil)
            audio = codec
        }

        try muxer.writeHeader()

        let packet = try ClipPacket(label: label)
        let picture = try ClipFrame(label: label)
        picture.pointer.pointee.width = Int32(spec.width)
        picture.pointer.pointee.height = Int32(spec.height)
        picture.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        picture.pointer.pointee.color_range = AVCOL_RANGE_MPEG
        try picture.allocate()
        let painter = ClipPainter(
            width: spec.width, height: spec.height, look: look, matrix: .bt709Limited, watermark: spec.watermark)

        // The tone lasts exactly as long as the frames, however the duration rounded.
        let totalSamples = audio == nil ? 0 : (frameCount * sampleRate + spec.fps / 2) / spec.fps
        let tone = ClipTone(frequency: look.toneFrequency, sampleRate: sampleRate, totalSamples: totalSamples)
        var samples: ClipFrame?
        if let audio {
            let frame = try ClipFrame(label: label)
            let f = frame.pointer
            f.pointee.nb_samples = audio.pointer.pointee.frame_size
            f.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            f.pointee.sample_rate = Int32(sampleRate)
            try encoderCheck(av_channel_layout_copy(&f.pointee.ch_layout, &audio.pointer.pointee.ch_layout), label, "copy the channel layout")
            try frame.allocate()
            samples = frame
        }

        // Feed whichever stream is behind, so the muxer interleaves without buffering a whole stream.
        var nextFrame = 0, nextSample = 0
        while nextFrame < frameCount || nextSample < totalSamples {
            let videoTurn = nextSample >= totalSamples
                || (nextFrame < frameCount && nextFrame * sampleRate <= nextSample * spec.fps)
            if videoTurn {
                try picture.makeWritable()
                painter.paintFrame(nextFrame, of: frameCount, into: picture.planes)
                picture.pointer.pointee.pts = Int64(nextFrame)
                try video.send(picture.pointer)
                try drain(video, into: videoStream, muxer: muxer, packet: packet)
                nextFrame += 1
            } else if let audio, let audioStream, let samples {
                try samples.makeWritable()
                let count = min(Int(audio.pointer.pointee.frame_size), totalSamples - nextSample)
                samples.pointer.pointee.nb_samples = Int32(count)
                let data = UnsafeMutableRawPointer(samples.pointer.pointee.data.0!)
                tone.render(into: data.assumingMemoryBound(to: Float.self), start: nextSample, count: count)
                samples.pointer.pointee.pts = Int64(nextSample)
                try audio.send(samples.pointer)
                try drain(audio, into: audioStream, muxer: muxer, packet: packet)
                nextSample += count
            }
        }

        try video.send(nil)
        try drain(video, into: videoStream, muxer: muxer, packet: packet)
        if let audio, let audioStream {
            try audio.send(nil)
            try drain(audio, into: audioStream, muxer: muxer, packet: packet)
        }
        return try muxer.finish()
    }

    /// Moves every packet the encoder has ready into the muxer.
    private static func drain(
        _ encoder: ClipCodec, into stream: UnsafeMutablePointer<AVStream>, muxer: ClipMuxer, packet: ClipPacket
    ) throws(MediaError) {
        let p = packet.pointer
        while try encoder.receive(p) {
            p.pointee.stream_index = stream.pointee.index
            // libx264 leaves durations unset; the muxer needs the last frame's to get the clip's length right.
            if p.pointee.duration == 0 && encoder.pointer.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                p.pointee.duration = 1
            }
            av_packet_rescale_ts(p, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            try muxer.write(p)
        }
    }
}

// MARK: - Errors

/// A bad argument or an unexpected encoder result: kind `.other`, code `AVERROR(EINVAL)`.
func specError(_ label: String, _ message: String) -> MediaError {
    MediaError(code: reel_averror(EINVAL), path: label, kind: .other, message: message)
}

/// Throws for a negative libav status, naming the step that failed.
func encoderCheck(_ status: Int32, _ label: String, _ step: @autoclosure () -> String) throws(MediaError) {
    guard status < 0 else { return }
    throw MediaError(code: status, path: label, kind: .other, message: "cannot \(step()): \(MediaError.describe(status))")
}

func outOfMemory(_ label: String) -> MediaError {
    MediaError(code: reel_averror(ENOMEM), path: label, kind: .other)
}

// MARK: - libav handles

/// Sole owner of one encoder's `AVCodecContext`: allocated in `init`, freed in `deinit`.
final class ClipCodec {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    private let name: String
    private let label: String

    init(encoder name: String, label: String) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            // AVERROR_ENCODER_NOT_FOUND
            throw MediaError(
                code: AVError.tag(0xF8, "E", "N", "C"), path: label, kind: .other,
                message: "this FFmpeg build has no \(name) encoder")
        }
        guard let pointer = avcodec_alloc_context3(codec) else { throw outOfMemory(label) }
        self.pointer = pointer
        self.name = name
        self.label = label
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// Opens the encoder with private options (e.g. x264's `preset`).
    func open(options: [(String, String)]) throws(MediaError) {
        var dictionary: OpaquePointer?
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try encoderCheck(avcodec_open2(pointer, nil, &dictionary), label, "open the \(name) encoder")
        // libav hands back what it did not recognise; a misspelt option would silently change the output.
        if let unused = av_dict_get(dictionary, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw specError(label, "the \(name) encoder has no option \(String(cString: unused.pointee.key))")
        }
    }

    /// Sends a frame, or `nil` to start draining.
    func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        try encoderCheck(avcodec_send_frame(pointer, frame), label, "encode with \(name)")
    }

    /// Fills `packet` with the next encoded packet; false when the encoder needs more input or is drained.
    func receive(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Bool {
        let status = avcodec_receive_packet(pointer, packet)
        if status == reel_averror(EAGAIN) || status == reel_averror_eof() { return false }
        try encoderCheck(status, label, "encode with \(name)")
        return true
    }
}

/// Sole owner of one `AVFrame` and its buffers.
final class ClipFrame {
    let pointer: UnsafeMutablePointer<AVFrame>
    private let label: String

    init(label: String) throws(MediaError) {
        guard let pointer = av_frame_alloc() else { throw outOfMemory(label) }
        self.pointer = pointer
        self.label = label
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// Allocates buffers for the size and format already set, zeroed: libav leaves alignment padding
    /// uninitialised, and an encoder that peeks at it must not see different bytes on each run.
    func allocate() throws(MediaError) {
        try encoderCheck(av_frame_get_buffer(pointer, 0), label, "allocate a frame")
        zeroBuffers()
    }

    /// Sets the picture's size and pixel format, then allocates it as ``allocate()`` does.
    func allocate(width: Int, height: Int, format: AVPixelFormat) throws(MediaError) {
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = format.rawValue
        try allocate()
    }

    /// Gets buffers of its own again if an encoder still holds a reference to the last ones.
    func makeWritable() throws(MediaError) {
        guard av_frame_is_writable(pointer) == 0 else { return }
        try encoderCheck(av_frame_make_writable(pointer), label, "copy a frame")
        zeroBuffers()  // every caller repaints the whole picture next
    }

    private func zeroBuffers() {
        let b = pointer.pointee.buf
        for case let buffer? in [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7] {
            memset(buffer.pointee.data, 0, buffer.pointee.size)
        }
    }

    /// The first three planes, for painting a 4:2:0 picture.
    var planes: ClipPlanes {
        let f = pointer.pointee
        return ClipPlanes(
            y: f.data.0!, yStride: Int(f.linesize.0), u: f.data.1!, uStride: Int(f.linesize.1),
            v: f.data.2!, vStride: Int(f.linesize.2), width: Int(f.width), height: Int(f.height))
    }
}

/// Sole owner of one `AVPacket`.
final class ClipPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init(label: String) throws(MediaError) {
        guard let pointer = av_packet_alloc() else { throw outOfMemory(label) }
        self.pointer = pointer
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

// MARK: - Muxing into memory

/// Sole owner of one mp4 `AVFormatContext`, writing into a ``ClipMemoryFile`` rather than a file.
///
/// `+faststart` writes the media first, then moves it along to put `moov` in front, reading the output
/// back through a second AVIOContext it gets from `io_open`. Both contexts here work on the same
/// in-memory bytes, which spares the simulator a temp file per request: no disk I/O, nothing to
/// clean up after an error or a crash, no dependence on a writable temp directory.
private final class ClipMuxer {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let file: ClipMemoryFile
    /// The writing AVIOContext; `pointer.pb` points at it but does not own it.
    private let output: ClipMemoryStream
    private let label: String

    private init(pointer: UnsafeMutablePointer<AVFormatContext>, file: ClipMemoryFile, output: ClipMemoryStream, label: String) {
        self.pointer = pointer
        self.file = file
        self.output = output
        self.label = label
    }

    deinit {
        // Does not touch pb, which `output` frees after this.
        avformat_free_context(pointer)
    }

    static func make(label: String) throws(MediaError) -> ClipMuxer {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try encoderCheck(avformat_alloc_output_context2(&context, nil, "mp4", nil), label, "create an mp4 muxer")
        guard let context else { throw outOfMemory(label) }
        let file = ClipMemoryFile()
        guard let output = ClipMemoryStream(file: file, writable: true) else {
            avformat_free_context(context)
            throw outOfMemory(label)
        }
        context.pointee.pb = output.context
        // No "encoder" tag naming the libavformat version.
        context.pointee.flags |= AVFMT_FLAG_BITEXACT
        // io_open below finds the bytes through opaque; the muxer holds `file` for as long as the context lives.
        context.pointee.opaque = Unmanaged.passUnretained(file).toOpaque()
        context.pointee.io_open = { context, pb, _, flags, _ in
            guard let opaque = context?.pointee.opaque, let pb, flags & AVIO_FLAG_WRITE == 0 else {
                return reel_averror(EINVAL)
            }
            let file = Unmanaged<ClipMemoryFile>.fromOpaque(opaque).takeUnretainedValue()
            guard let stream = ClipMemoryStream(file: file, writable: false) else { return reel_averror(ENOMEM) }
            // The context's opaque is the stream itself; this reference keeps it alive until io_close2.
            _ = Unmanaged.passRetained(stream)
            pb.pointee = stream.context
            return 0
        }
        context.pointee.io_close2 = { _, pb in
            guard let opaque = pb?.pointee.opaque else { return 0 }
            Unmanaged<ClipMemoryStream>.fromOpaque(opaque).release()
            return 0
        }
        return ClipMuxer(pointer: context, file: file, output: output, label: label)
    }

    /// Flags encoders need for this container (global headers for mp4).
    var codecFlags: Int32 {
        pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 ? AV_CODEC_FLAG_GLOBAL_HEADER : 0
    }

    func addStream(for encoder: ClipCodec, frameRate: AVRational?) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(pointer, nil) else { throw outOfMemory(label) }
        try encoderCheck(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.pointer), label, "set up a stream")
        stream.pointee.time_base = encoder.pointer.pointee.time_base
        if let frameRate { stream.pointee.avg_frame_rate = frameRate }
        return stream
    }

    func writeHeader() throws(MediaError) {
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        av_dict_set(&options, "movflags", "+faststart", 0)
        try encoderCheck(avformat_write_header(pointer, &options), label, "write the mp4 header")
    }

    /// Hands a packet (with timestamps in its stream's time base) to the muxer, which takes its data.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
        try encoderCheck(av_interleaved_write_frame(pointer, packet), label, "write a packet")
    }

    /// Writes the trailer (moving `moov` to the front) and returns the file.
    func finish() throws(MediaError) -> [UInt8] {
        try encoderCheck(av_write_trailer(pointer), label, "finish the mp4")
        avio_flush(output.context)
        try encoderCheck(output.context.pointee.error, label, "write the mp4")
        return file.bytes
    }
}

/// The bytes of one in-memory file, grown with `realloc`: what AVIOContexts read and write.
private final class ClipMemoryFile {
    private var storage: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    /// The file's length: one past the furthest byte written.
    private(set) var count = 0

    deinit { free(storage) }

    /// Writes at `offset`, growing the file; a gap left by seeking past the end reads as zeros.
    func write(_ source: UnsafePointer<UInt8>, count length: Int, at offset: Int) -> Bool {
        let end = offset + length
        if end > capacity {
            let newCapacity = max(end, capacity * 2, 64 * 1024)
            guard let grown = realloc(storage, newCapacity) else { return false }
            storage = grown.assumingMemoryBound(to: UInt8.self)
            capacity = newCapacity
        }
        guard let storage else { return false }
        if offset > count { memset(storage + count, 0, offset - count) }
        memcpy(storage + offset, source, length)
        count = max(count, end)
        return true
    }

    /// Copies up to `length` bytes from `offset`; returns how many there were.
    func read(into target: UnsafeMutablePointer<UInt8>, count length: Int, at offset: Int) -> Int {
        guard let storage, offset < count else { return 0 }
        let available = min(length, count - offset)
        memcpy(target, storage + offset, available)
        return available
    }

    var bytes: [UInt8] {
        guard let storage else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            memcpy(buffer.baseAddress!, storage, count)
            initialized = count
        }
    }
}

/// One position in a ``ClipMemoryFile``, and the AVIOContext (``CustomIO``) that reads or writes there.
private final class ClipMemoryStream: CustomIOEndpoint {
    private var io: CustomIO?
    private let file: ClipMemoryFile
    private var position = 0

    var context: UnsafeMutablePointer<AVIOContext> { io!.context }

    init?(file: ClipMemoryFile, writable: Bool) {
        self.file = file
        guard let io = CustomIO(endpoint: self, bufferSize: 32 * 1024, writable: writable) else { return nil }
        self.io = io
    }

    func read(_ target: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int32 {
        let n = file.read(into: target, count: size, at: position)
        guard n > 0 else { return reel_averror_eof() }
        position += n
        return Int32(n)
    }

    func write(_ source: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        guard file.write(source, count: size, at: position) else { return reel_averror(ENOMEM) }
        position += size
        return Int32(size)
    }

    func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 { return Int64(file.count) }
        let base: Int
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = file.count
        default: return Int64(reel_averror(EINVAL))
        }
        let target = Int64(base) + offset
        guard target >= 0, target <= Int64(Int32.max) else { return Int64(reel_averror(EINVAL)) }
        position = Int(target)
        return target
    }
}
