import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to write into a remuxed file's container.
public struct EmbeddedMetadata: Sendable, Equatable {
    /// One container tag: a key libavformat's muxer knows (`title`, `description`, `synopsis`, `comment`,
    /// `date`, `genre`, …) and any Unicode text, newlines included.
    public struct Tag: Sendable, Hashable {
        /// The tag's name, as libavformat spells it (e.g. `"title"`); not empty, no NUL.
        public var key: String
        /// The tag's text; no NUL.
        public var value: String

        /// Creates a tag.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Container tags in order, e.g. `title`, `description`, `synopsis`, `comment`, `date`, `genre`.
    /// A later tag replaces an earlier one with the same key (keys match case-insensitively, as in libavformat).
    public var tags: [Tag]
    /// The path of a JPEG to embed as cover art (MP4 only: see ``RemuxContainer/holdsCoverArt``), or nil.
    public var coverJPEG: String?

    /// Creates the metadata to embed.
    public init(tags: [Tag] = [], coverJPEG: String? = nil) {
        self.tags = tags
        self.coverJPEG = coverJPEG
    }
}

/// A container family ``Remuxer`` can copy a file into with tags: the source's own family.
public enum RemuxContainer: String, Sendable, CaseIterable {
    /// MP4 (also for M4A, 3GP, … sources): tags go into `moov/udta/meta/ilst` (title as `©nam`, …).
    case mp4
    /// QuickTime, for `.mov` sources: every tag goes into `moov/meta` as an `mdta` key of the same name.
    case mov
    /// Matroska, for `.mkv` and other non-WebM sources: tags go into the segment's `Tags`.
    case matroska
    /// WebM, for `.webm` sources: as Matroska, with WebM's codecs only.
    case webm

    /// Whether ``EmbeddedMetadata/coverJPEG`` can be embedded: MP4 only. libavformat 5.1's mov muxer writes
    /// cover art (`covr`) only in MP4 mode and drops it in a `.mov`; a Matroska cover would be an attachment.
    public var holdsCoverArt: Bool { self == .mp4 }

    /// The family of a file libavformat opened with the demuxer named `demuxer`, or nil when tags cannot be
    /// written into it by a stream copy. The extension picks the muxer within a family.
    init?(demuxer: String, path: String) {
        let name = path.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        switch demuxer {
        case "mov,mp4,m4a,3gp,3g2,mj2": self = ext == "mov" ? .mov : .mp4
        case "matroska,webm": self = ext == "webm" ? .webm : .matroska
        default: return nil
        }
    }

    /// The metadata key the muxer writes as the tag demuxers read back as `encoder`, when set before the trailer.
    var encoderKey: String? {
        switch self {
        // MP4's ©too comes from "encoding_tool" (or names libavformat); the muxer never reads "encoder" there.
        case .mp4: "encoding_tool"
        case .mov: "encoder"
        // Matroska writes its tags with the header, after libavformat has named itself.
        case .matroska, .webm: nil
        }
    }

    /// Options for `avformat_write_header`.
    var muxerOptions: [(String, String)] {
        switch self {
        // faststart: players can start before the download ends. In MOV mode libavformat writes only a
        // fixed set of QuickTime atoms (no description, no synopsis) unless every tag goes into mdta keys.
        case .mp4: [("movflags", "+faststart")]
        case .mov: [("movflags", "+faststart+use_metadata_tags")]
        case .matroska, .webm: []
        }
    }
}

/// Writes a copy of a media file with container tags and cover art: a stream copy with libavformat, never
/// a re-encode, as `ffmpeg -i IN -map 0 -c copy -metadata … OUT` does.
///
/// Safe to call concurrently from several threads on different files: each call owns its libav state.
public enum Remuxer {
    /// The largest cover picture accepted, in bytes.
    public static let coverSizeLimit = 16 << 20

    /// The container family a file can be remuxed into with tags, from libavformat's input format name.
    ///
    /// MP4/MOV/M4A/3GP/… (`mov` demuxer) give ``RemuxContainer/mov`` for a `.mov` file and ``RemuxContainer/mp4``
    /// otherwise; Matroska/WebM give ``RemuxContainer/webm`` for a `.webm` file and ``RemuxContainer/matroska``
    /// otherwise.
    ///
    /// - Parameter path: A local file path, always opened as a file.
    /// - Returns: The family, or nil when unsupported (MPEG-TS, AVI, FLV, raw streams, audio-only formats…).
    /// - Throws: ``MediaError`` when the file cannot be opened or is not media (``MediaError/Kind/notMediaFile``).
    public static func container(ofFile path: String) throws(MediaError) -> RemuxContainer? {
        FFmpegLogging.silence()
        let input = try InputFile.open(path: path)
        return RemuxContainer(demuxer: demuxerName(input.context), path: path)
    }

    private static func hasFamilyExtension(_ path: String) -> Bool {
        let name = path.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        return ["mp4", "m4v", "m4a", "mov", "mkv", "webm"].contains(ext)
    }

    /// Stream-copies `source` into a new file at `destination` with `metadata`'s tags and cover art.
    ///
    /// - The destination is created as `open(O_CREAT | O_EXCL, 0644)` does: it must not exist yet.
    ///   On any failure the partial destination is removed; an existing file is never touched.
    /// - The output is the source's container family (``container(ofFile:)``), the muxer within it chosen by
    ///   the destination's extension when it has one of the family's (else the source's); MP4 and MOV get
    ///   `movflags=+faststart` (`moov` before the media).
    /// - Every stream the output muxer accepts is copied with its parameters, time base, tags (language,
    ///   handler…), disposition and side data (the display matrix that rotates a clip, ICC profiles…).
    ///   Data, subtitle and attachment streams the muxer refuses, or whose codec libav does not know, are
    ///   left out; an audio or video stream it refuses is an error. With a new cover, old cover art is left out.
    /// - Timestamps and start offsets follow `ffmpeg -c copy`: the file starts at 0, each stream at its first
    ///   keyframe, and broken timestamps (a DTS after its PTS, a DTS that goes back) are repaired as ffmpeg does.
    /// - Only `metadata`'s tags are written, not the source's other tags. The source's `encoder` tag is kept,
    ///   unless `metadata` has one of its own, in MP4 and MOV; Matroska always names libavformat.
    ///
    /// - Throws: ``MediaError``: the kinds ``MediaProbe/probe(path:)`` throws for a `source` (or cover) that
    ///   cannot be opened or is not media, ``MediaError/Kind/unsupportedContainer`` for a source
    ///   ``container(ofFile:)`` has no family for or a cover outside MP4, ``MediaError/Kind/fileNotFound``
    ///   when the destination's folder is missing, ``MediaError/Kind/other`` when the destination exists
    ///   (`EEXIST`), for a tag with an empty key or a NUL, for a source cut short (an MP4 whose index reaches
    ///   past its end: a copy would pass for the whole clip), and for read or write errors.
    public static func remux(source: String, destination: String, metadata: EmbeddedMetadata) throws(MediaError) {
        FFmpegLogging.silence()
        try requireFilePath(destination)
        for tag in metadata.tags where tag.key.isEmpty || tag.key.utf8.contains(0) || tag.value.utf8.contains(0) {
            throw specError(destination, "a tag needs a key, and neither key nor value may contain NUL (tag \"\(tag.key)\")")
        }

        let input = try InputFile.open(path: source)
        try input.findStreamInfo()
        guard let inputContext = input.context else { throw outOfMemory(source) }
        // The destination's extension picks the muxer within the family when it names one (a stored blob has
        // no extension; the export's temporary name ends in the final one).
        let named = RemuxContainer(demuxer: demuxerName(inputContext), path: destination)
        let guessed = RemuxContainer(demuxer: demuxerName(inputContext), path: source)
        guard let container = Self.hasFamilyExtension(destination) ? named : guessed else {
            let name = demuxerName(inputContext).split(separator: ",").first.map(String.init) ?? "these"
            throw unsupportedContainer(source, "cannot write tags into \(name) files")
        }
        // An interrupted download: the demuxer would just stop where the bytes do, and the copy pass for the whole clip.
        if let cut = input.truncation {
            throw MediaError(
                code: AVError.invalidData, path: source, kind: .other,
                message: "the file is cut short: its index reaches byte \(cut.indexedDataEnd) but it has \(cut.size) bytes")
        }
        var cover: CoverArt?
        if let coverPath = metadata.coverJPEG {
            guard container.holdsCoverArt else {
                throw unsupportedContainer(source, "cover art needs an MP4 file; libavformat cannot write it into \(container.rawValue)")
            }
            cover = try CoverArt.load(path: coverPath, limit: coverSizeLimit)
        }

        // Everything is set up and checked before the destination exists.
        let output = try RemuxOutput(container: container, destination: destination)
        let streams = try output.addStreams(copying: inputContext, leavingOutCovers: cover != nil, source: source)
        var coverStream: UnsafeMutablePointer<AVStream>?
        if let cover { coverStream = try output.addCover(cover) }
        for tag in metadata.tags { try output.setTag(tag.key, tag.value) }

        try output.create()
        try output.writeHeader()
        // avformat_write_header has just named libavformat as the encoder. MP4 and MOV write their tags with the
        // trailer (moov), so setting it again here keeps the source's.
        let ownEncoder = metadata.tags.last { $0.key.lowercased() == "encoder" }?.value
        if let encoder = ownEncoder ?? dictionaryValue("encoder", in: inputContext.pointee.metadata), let key = container.encoderKey {
            try output.setTag(key, encoder)
        }
        if let cover, let coverStream { try output.write(cover, to: coverStream) }
        try copyPackets(from: inputContext, source: source, to: streams, output: output)
        try output.finish()
    }

    /// Moves every packet of the copied streams from the source to the output, timestamps adjusted as
    /// `ffmpeg -c copy` does (see ``remux(source:destination:metadata:)``).
    private static func copyPackets(
        from input: UnsafeMutablePointer<AVFormatContext>, source: String, to streams: [UnsafeMutablePointer<AVStream>?],
        output: RemuxOutput
    ) throws(MediaError) {
        let packet = try ClipPacket(label: source)
        let p = packet.pointer
        let nopts = reel_av_nopts_value()
        let startTime = input.pointee.start_time
        var started = [Bool](repeating: false, count: streams.count)
        var lastDTS = [Int64](repeating: nopts, count: streams.count)
        // Whether the muxer takes two packets of a stream with the same DTS (Matroska does, MP4 does not).
        let strict = output.pointer.pointee.oformat.map { $0.pointee.flags & AVFMT_TS_NONSTRICT == 0 } ?? true
        while true {
            let status = av_read_frame(input, p)
            if status == reel_averror_eof() { return }
            // A read error is not taken for the end: a copy cut short would pass for the whole clip.
            if status < 0 { throw MediaError(code: status, path: source, message: "cannot read the source: \(MediaError.describe(status))") }
            defer { av_packet_unref(p) }
            let index = Int(p.pointee.stream_index)
            guard streams.indices.contains(index), let target = streams[index], let stream = input.pointee.streams[index] else { continue }
            let timeBase = stream.pointee.time_base

            // The file starts at 0, whatever its first timestamp (negative after an edit list, positive after a cut).
            if startTime != nopts {
                let shift = av_rescale_q(startTime, AVRational(num: 1, den: reel_av_time_base()), timeBase)
                // Wrapping: absurd timestamps in a hostile file must not trap.
                if p.pointee.pts != nopts { p.pointee.pts &-= shift }
                if p.pointee.dts != nopts { p.pointee.dts &-= shift }
            }
            // Frames before a stream's first keyframe would not decode. (Earlier ones that decode but do not show,
            // such as AAC priming before an edit list's start, are kept: the muxer writes the edit list again.)
            if !started[index] {
                guard p.pointee.flags & AV_PKT_FLAG_KEY != 0 else { continue }
                started[index] = true
            }
            p.pointee.stream_index = target.pointee.index
            p.pointee.pos = -1
            av_packet_rescale_ts(p, timeBase, target.pointee.time_base)
            let type = target.pointee.codecpar?.pointee.codec_type
            repairTimestamps(
                p, lastDTS: &lastDTS[index], strict: strict,
                monotonic: type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO || type == AVMEDIA_TYPE_SUBTITLE)
            try output.write(p)
        }
    }

    /// The repairs ffmpeg makes before muxing, without which the muxer refuses packets of some real files
    /// (iPhone HEVC whose DTS runs ahead of its PTS): a DTS after its PTS makes both the median of the two and
    /// the last DTS + 1; in audio, video and subtitles a DTS that does not increase is moved up to just after
    /// the last one. Timestamps are in the output stream's time base.
    private static func repairTimestamps(
        _ p: UnsafeMutablePointer<AVPacket>, lastDTS: inout Int64, strict: Bool, monotonic: Bool
    ) {
        let nopts = reel_av_nopts_value()
        let (pts, dts) = (p.pointee.pts, p.pointee.dts)
        if pts != nopts, dts != nopts, dts > pts {
            let guess = lastDTS == nopts ? pts : [pts, dts, lastDTS &+ 1].sorted()[1]
            p.pointee.pts = guess
            p.pointee.dts = guess
        }
        if monotonic, p.pointee.dts != nopts, lastDTS != nopts {
            let least = lastDTS &+ (strict ? 1 : 0)
            if p.pointee.dts < least {
                if p.pointee.pts >= p.pointee.dts { p.pointee.pts = max(p.pointee.pts, least) }
                p.pointee.dts = least
            }
        }
        lastDTS = p.pointee.dts
    }
}

private func unsupportedContainer(_ path: String, _ message: String) -> MediaError {
    MediaError(code: reel_averror(ENOTSUP), path: path, kind: .unsupportedContainer, message: message)
}

private func demuxerName(_ context: UnsafeMutablePointer<AVFormatContext>?) -> String {
    context?.pointee.iformat?.pointee.name.map { String(cString: $0) } ?? ""
}

private func dictionaryValue(_ key: String, in dictionary: OpaquePointer?) -> String? {
    av_dict_get(dictionary, key, nil, 0)?.pointee.value.map { String(cString: $0) }
}

// MARK: - Cover art

/// A JPEG to embed as cover art: its bytes and the size its frame header declares.
struct CoverArt {
    let bytes: [UInt8]
    let width: Int
    let height: Int

    /// Reads the JPEG at `path`; throws when it is missing, larger than `limit` bytes, or not a JPEG.
    static func load(path: String, limit: Int) throws(MediaError) -> CoverArt {
        try requireFilePath(path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MediaError(code: reel_averror(errno), path: path) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw MediaError(code: reel_averror(errno), path: path) }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        guard bytes.count <= limit else {
            throw MediaError(code: reel_averror(EFBIG), path: path, kind: .other, message: "cover art larger than \(limit) bytes")
        }
        guard let size = jpegSize(bytes) else {
            throw MediaError(code: AVError.invalidData, path: path, kind: .notMediaFile, message: "not a JPEG picture")
        }
        return CoverArt(bytes: bytes, width: size.width, height: size.height)
    }
}

/// The picture size in a JPEG's frame header (SOFn), or nil when `bytes` is not a JPEG with one before its scan.
/// Walks the marker segments by their lengths, so an Exif thumbnail (a whole JPEG inside APP1) is stepped over.
package func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
    var i = 2
    while i + 4 <= bytes.count {
        guard bytes[i] == 0xFF else { return nil }
        let marker = bytes[i + 1]
        switch marker {
        case 0xFF: i += 1  // fill byte
        case 0x01, 0xD0...0xD7: i += 2  // markers without a segment
        case 0xD9, 0xDA: return nil  // the image ends or its scan begins with no frame header seen
        default:
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2 else { return nil }
            // SOF0…SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard length >= 7, i + 9 <= bytes.count else { return nil }
                let height = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                let width = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
                return width > 0 && height > 0 ? (width, height) : nil
            }
            i += 2 + length
        }
    }
    return nil
}

// MARK: - The output

/// Sole owner of one remux's output `AVFormatContext`; the file it writes is ``NewFile``'s.
private final class RemuxOutput {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let container: RemuxContainer
    private let destination: String
    /// Set by ``create()``; `pointer.pb` points at its AVIOContext but does not own it.
    private var file: NewFile?

    init(container: RemuxContainer, destination: String) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        // The name matters for faststart only, which reads the file back through it: "file:" as in InputFile.
        let status = ("file:" + destination).withCString { avformat_alloc_output_context2(&context, nil, container.rawValue, $0) }
        try encoderCheck(status, destination, "create a \(container.rawValue) muxer")
        guard let context else { throw outOfMemory(destination) }
        pointer = context
        self.container = container
        self.destination = destination
    }

    deinit {
        // Does not touch pb, which `file` frees after this.
        avformat_free_context(pointer)
    }

    /// Adds an output stream for each input stream to copy, set up as `ffmpeg -map 0 -c copy` sets it up.
    /// - Returns: Each input stream's output stream, nil for those left out.
    func addStreams(
        copying input: UnsafeMutablePointer<AVFormatContext>, leavingOutCovers: Bool, source: String
    ) throws(MediaError) -> [UnsafeMutablePointer<AVStream>?] {
        var streams: [UnsafeMutablePointer<AVStream>?] = []
        for i in 0..<Int(input.pointee.nb_streams) {
            guard let stream = input.pointee.streams[i], try copies(stream, leavingOutCovers: leavingOutCovers, source: source) else {
                streams.append(nil)
                continue
            }
            streams.append(try addStream(copying: stream))
        }
        guard streams.contains(where: { $0 != nil }) else {
            throw MediaError(
                code: AVError.streamNotFound, path: source, kind: .noStreams,
                message: "no stream \(container.rawValue) can hold")
        }
        return streams
    }

    /// Whether to copy `stream`; throws for audio or video the muxer cannot hold, which would make a different clip.
    private func copies(_ stream: UnsafeMutablePointer<AVStream>, leavingOutCovers: Bool, source: String) throws(MediaError) -> Bool {
        guard let par = stream.pointee.codecpar?.pointee else { return false }
        let isCover = stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
        if isCover && leavingOutCovers { return false }
        // Nothing says what such a stream holds (timed metadata tracks, a track without a sample description).
        if par.codec_id == AV_CODEC_ID_NONE { return false }
        // 1: accepted; 0: refused; negative: the muxer cannot tell, and writing the header will.
        let accepted = avformat_query_codec(pointer.pointee.oformat, par.codec_id, FF_COMPLIANCE_NORMAL)
        let isMedia = (par.codec_type == AVMEDIA_TYPE_VIDEO && !isCover) || par.codec_type == AVMEDIA_TYPE_AUDIO
        if isMedia && accepted == 0 {
            let codec = avcodec_get_name(par.codec_id).map { String(cString: $0) } ?? "unknown"
            let type = av_get_media_type_string(par.codec_type).map { String(cString: $0) } ?? "media"
            throw unsupportedContainer(source, "\(container.rawValue) files cannot hold \(codec) \(type)")
        }
        return isMedia ? true : accepted == 1
    }

    private func addStream(copying source: UnsafeMutablePointer<AVStream>) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(pointer, nil) else { throw outOfMemory(destination) }
        let from = source.pointee
        guard let parameters = stream.pointee.codecpar, let original = from.codecpar else { throw outOfMemory(destination) }
        try encoderCheck(avcodec_parameters_copy(parameters, original), destination, "copy stream \(from.index)'s parameters")
        if !keepsCodecTag(original.pointee) { parameters.pointee.codec_tag = 0 }
        stream.pointee.time_base = from.time_base
        stream.pointee.avg_frame_rate = from.avg_frame_rate
        stream.pointee.r_frame_rate = from.r_frame_rate
        if parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
            // The muxer refuses a stream whose two aspect ratios differ; the container's wins, as in ffmpeg.
            let sar = from.sample_aspect_ratio.num != 0 ? from.sample_aspect_ratio : original.pointee.sample_aspect_ratio
            stream.pointee.sample_aspect_ratio = sar
            parameters.pointee.sample_aspect_ratio = sar
        }
        stream.pointee.duration = from.duration  // a hint for the muxer, in the same time base
        stream.pointee.disposition = from.disposition
        try encoderCheck(av_dict_copy(&stream.pointee.metadata, from.metadata, 0), destination, "copy stream \(from.index)'s tags")
        // Side data that applies to the whole stream: the display matrix that turns a clip shot upright, ICC profiles…
        for j in 0..<Int(from.nb_side_data) {
            guard let side = from.side_data?[j] else { break }
            guard let data = side.data, side.size > 0 else { continue }
            guard let copy = av_stream_new_side_data(stream, side.type, side.size) else { throw outOfMemory(destination) }
            memcpy(copy, data, side.size)
        }
        return stream
    }

    /// ffmpeg's rule: keep the source's codec tag (avc1, hvc1, …) unless the muxer maps it to another codec
    /// and has a tag of its own for this one, which it then chooses itself.
    private func keepsCodecTag(_ par: AVCodecParameters) -> Bool {
        guard let tags = pointer.pointee.oformat?.pointee.codec_tag else { return true }
        if av_codec_get_id(tags, par.codec_tag) == par.codec_id { return true }
        var own: UInt32 = 0
        return av_codec_get_tag2(tags, par.codec_id, &own) == 0
    }

    /// Adds the stream for `cover`, as `ffmpeg -i in.mp4 -i cover.jpg -map 0 -map 1 -c copy -disposition:v:1 attached_pic` does.
    func addCover(_ cover: CoverArt) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(pointer, nil) else { throw outOfMemory(destination) }
        guard let par = stream.pointee.codecpar else { throw outOfMemory(destination) }
        par.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        par.pointee.codec_id = AV_CODEC_ID_MJPEG
        par.pointee.width = Int32(cover.width)
        par.pointee.height = Int32(cover.height)
        // Exactly this flag: the mov muxer takes a stream for cover art only when it is the whole disposition.
        stream.pointee.disposition = AV_DISPOSITION_ATTACHED_PIC
        stream.pointee.time_base = AVRational(num: 1, den: 90_000)
        return stream
    }

    func setTag(_ key: String, _ value: String) throws(MediaError) {
        try encoderCheck(av_dict_set(&pointer.pointee.metadata, key, value, 0), destination, "set the \(key) tag")
    }

    /// Creates the destination file, which must not exist yet.
    func create() throws(MediaError) {
        let file = try NewFile(path: destination)
        self.file = file
        pointer.pointee.pb = file.context
        pointer.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
    }

    func writeHeader() throws(MediaError) {
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        for (key, value) in container.muxerOptions { av_dict_set(&options, key, value, 0) }
        // Faststart reopens the file by name to read it back: never through anything but the file protocol.
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        try encoderCheck(avformat_write_header(pointer, &options), destination, "write the \(container.rawValue) header")
        // libav hands back what it did not recognise; a misspelt option would silently change the output.
        if let unused = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw specError(destination, "the \(container.rawValue) muxer has no option \(String(cString: unused.pointee.key))")
        }
    }

    /// Hands a packet (with timestamps in its output stream's time base) to the muxer, which takes its data.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
        try encoderCheck(av_interleaved_write_frame(pointer, packet), destination, "write a packet")
    }

    /// Writes the cover as the one packet of its stream.
    func write(_ cover: CoverArt, to stream: UnsafeMutablePointer<AVStream>) throws(MediaError) {
        let packet = try ClipPacket(label: destination)
        let p = packet.pointer
        try encoderCheck(av_new_packet(p, Int32(cover.bytes.count)), destination, "hold the cover art")
        cover.bytes.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress, let target = p.pointee.data { memcpy(target, source, bytes.count) }
        }
        p.pointee.flags |= AV_PKT_FLAG_KEY
        p.pointee.stream_index = stream.pointee.index
        p.pointee.pts = 0
        p.pointee.dts = 0
        try write(p)
    }

    /// Writes the trailer (for MP4 and MOV the `moov`, then moved to the front) and closes the file, which is then kept.
    func finish() throws(MediaError) {
        try encoderCheck(av_write_trailer(pointer), destination, "finish the \(container.rawValue) file")
        guard let file else { throw outOfMemory(destination) }
        try file.keep()
    }
}

// MARK: - The new file

/// Sole owner of a file created by this process: its descriptor, an AVIOContext writing to it (the context's
/// `opaque` points back here, unretained) and the file itself, which `deinit` removes unless ``keep()`` succeeded.
/// Writing through our own descriptor, rather than libavformat reopening the path, is what makes the
/// O_EXCL creation mean something: the file written is the one this call created.
private final class NewFile: CustomIOEndpoint {
    private var io: CustomIO?
    var context: UnsafeMutablePointer<AVIOContext>? { io?.context }
    private var descriptor: Int32
    private let path: String
    /// The file's device and inode, so `deinit` removes this file and never one put in its place.
    private let identity: (device: UInt64, inode: UInt64)?
    private var kept = false

    init(path: String) throws(MediaError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw MediaError(
                code: reel_averror(code), path: path,
                message: code == EEXIST ? "already exists; a remux never overwrites a file" : nil)
        }
        var status = stat()
        identity = fstat(descriptor, &status) == 0 ? (UInt64(status.st_dev), UInt64(status.st_ino)) : nil
        self.descriptor = descriptor
        self.path = path

        guard let io = CustomIO(endpoint: self, bufferSize: 256 * 1024, writable: true) else { throw outOfMemory(path) }
        self.io = io
    }

    deinit {
        io = nil
        if descriptor >= 0 { close(descriptor) }
        guard !kept else { return }
        var status = stat()
        let same = lstat(path, &status) == 0 && (identity.map { $0 == (UInt64(status.st_dev), UInt64(status.st_ino)) } ?? true)
        if same { unlink(path) }
    }

    /// Writes out what the context still buffers and closes the file: from here on it stays.
    func keep() throws(MediaError) {
        guard let context else { throw outOfMemory(path) }
        avio_flush(context)
        try encoderCheck(context.pointee.error, path, "write the file")
        let status = close(descriptor)
        let code = errno
        descriptor = -1
        // close reports what the last writes could not do on some file systems (NFS, a full quota).
        if status != 0 { try encoderCheck(reel_averror(code), path, "write the file") }
        kept = true
    }

    func write(_ source: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        var done = 0
        while done < size {
            let count = Glibc.write(descriptor, source + done, size - done)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return reel_averror(errno) }
            done += count
        }
        return Int32(size)
    }

    func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 {
            var status = stat()
            return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : Int64(reel_averror(errno))
        }
        let position = lseek(descriptor, off_t(offset), whence & ~AVSEEK_FORCE)
        return position < 0 ? Int64(reel_averror(errno)) : Int64(position)
    }
}


