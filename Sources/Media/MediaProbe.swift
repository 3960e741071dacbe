import CFFmpeg

/// Reads container and stream information from media files with libavformat.
public enum MediaProbe {
    /// Opens the file at `path`, reads its stream information and closes it again.
    ///
    /// Does what `ffprobe -show_format -show_streams` does short of opening decoders:
    /// `avformat_open_input` plus `avformat_find_stream_info` (which decodes only what the
    /// demuxer needs to fill in missing parameters). Safe to call concurrently from several
    /// threads on different files; each call owns its own libav state.
    ///
    /// - Parameter path: A local file path. It is always opened as a file, never as a URL
    ///   or another libav protocol, even if it contains a colon.
    /// - Returns: The file's format and streams.
    /// - Throws: ``MediaError``, e.g. ``MediaError/Kind/notMediaFile`` for data no demuxer
    ///   recognises, ``MediaError/Kind/noStreams`` for a container that declares no streams.
    public static func probe(path: String) throws(MediaError) -> MediaInfo {
        FFmpegLogging.silence()
        let input = try InputFile.open(path: path)
        try input.findStreamInfo()
        return input.mediaInfo()
    }
}

/// Sole owner of one `AVFormatContext`: opened by ``open(path:)``, closed in `deinit`.
/// Used by every reader of local files, so all open them the same guarded way.
final class InputFile {
    /// Borrowed by callers for as long as they hold this owner; never closed by them.
    private(set) var context: UnsafeMutablePointer<AVFormatContext>?
    private let path: String

    private init(context: UnsafeMutablePointer<AVFormatContext>, path: String) {
        self.context = context
        self.path = path
    }

    deinit { avformat_close_input(&context) }

    static func open(path: String) throws(MediaError) -> InputFile {
        try requireFilePath(path)

        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        // Same as ffprobe, so MPEG-TS files list the same streams.
        av_dict_set(&options, "scan_all_pmts", "1", 0)
        // Playlists and reference files must not make a local probe reach the network.
        av_dict_set(&options, "protocol_whitelist", "file,crypto,data", 0)

        var context: UnsafeMutablePointer<AVFormatContext>?
        // "file:" keeps names like "clip:1.mp4" or "http:x" from selecting another protocol.
        let status = ("file:" + path).withCString { avformat_open_input(&context, $0, nil, &options) }
        // On failure avformat_open_input frees the context itself.
        guard status >= 0, let context else { throw MediaError(code: status < 0 ? status : AVError.invalidData, path: path) }
        return InputFile(context: context, path: path)
    }

    func findStreamInfo() throws(MediaError) {
        guard let context else { return }
        let status = avformat_find_stream_info(context, nil)
        // ffprobe gives up when this fails, so a "media file" it cannot describe is an error here too.
        if status < 0 { throw MediaError(code: status, path: path) }
        if context.pointee.nb_streams == 0 {
            throw MediaError(code: AVError.streamNotFound, path: path, kind: .noStreams)
        }
    }

    /// Where an MP4 or MOV whose sample index reaches past its last byte (see ``MediaInfo/isTruncated``) ends.
    var truncation: (indexedDataEnd: Int64, size: Int64)? {
        guard let fmt = context?.pointee, let end = indexedDataEnd(fmt), let pb = fmt.pb else { return nil }
        let size = avio_size(pb)
        return size >= 0 && end > size ? (end, size) : nil
    }

    func mediaInfo() -> MediaInfo {
        guard let context else { return MediaInfo(formatName: "") }
        let fmt = context.pointee
        let streams = (0..<Int(fmt.nb_streams)).compactMap { i in
            fmt.streams[i].map { streamInfo(context: context, stream: $0) }
        }
        let size = fmt.pb.map { avio_size($0) } ?? -1
        return MediaInfo(
            formatName: string(fmt.iformat?.pointee.name) ?? "",
            formatLongName: string(fmt.iformat?.pointee.long_name),
            duration: seconds(fmt.duration, timeBase: AVRational(num: 1, den: reel_av_time_base())),
            startTime: seconds(fmt.start_time, timeBase: AVRational(num: 1, den: reel_av_time_base())),
            bitRate: fmt.bit_rate > 0 ? fmt.bit_rate : nil,
            size: size >= 0 ? size : nil,
            tags: tags(fmt.metadata),
            streams: streams,
            indexedDataEnd: indexedDataEnd(fmt),
            hasPackets: readsAPacket(context))
    }
}

/// Throws for a path C would read as another: an interior NUL makes C open a different, shorter path.
func requireFilePath(_ path: String) throws(MediaError) {
    guard !path.utf8.contains(0) else { throw MediaError(code: reel_averror(ENOENT), path: path) }
}

/// Whether the demuxer yields at least one packet. After `avformat_find_stream_info` the first packets
/// are already buffered, so this costs no extra reading for a file with media.
private func readsAPacket(_ context: UnsafeMutablePointer<AVFormatContext>) -> Bool {
    guard let packet = av_packet_alloc() else { return true }
    var owned: UnsafeMutablePointer<AVPacket>? = packet
    defer { av_packet_free(&owned) }
    return av_read_frame(context, packet) >= 0
}

/// The furthest byte any stream's sample index reaches. MP4 and MOV index every sample in the header,
/// so a file cut short (an interrupted download) is seen without reading its media.
private func indexedDataEnd(_ fmt: AVFormatContext) -> Int64? {
    var end: Int64?
    for i in 0..<Int(fmt.nb_streams) {
        guard let stream = fmt.streams[i] else { continue }
        let count = avformat_index_get_entries_count(stream)
        for entry in 0..<count {
            guard let e = avformat_index_get_entry(stream, entry)?.pointee, e.pos >= 0 else { continue }
            end = max(end ?? 0, e.pos + Int64(e.size))
        }
    }
    return end
}

// MARK: - Field extraction, following ffprobe 5.1's show_stream/show_format

private func streamInfo(
    context: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>
) -> StreamInfo {
    let st = stream.pointee
    var info = StreamInfo(index: Int(st.index), codecType: "unknown")
    info.duration = seconds(st.duration, timeBase: st.time_base)
    info.frameCount = st.nb_frames > 0 ? st.nb_frames : nil
    info.avgFrameRate = rate(st.avg_frame_rate)
    info.realFrameRate = rate(st.r_frame_rate)
    info.isAttachedPicture = st.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
    info.tags = tags(st.metadata)
    info.rotation = rotation(stream)

    guard let par = st.codecpar?.pointee else { return info }
    info.codecType = string(av_get_media_type_string(par.codec_type)) ?? "unknown"
    if let descriptor = avcodec_descriptor_get(par.codec_id) {
        info.codecName = string(descriptor.pointee.name)
        info.codecLongName = string(descriptor.pointee.long_name)
    }
    if let name = string(avcodec_profile_name(par.codec_id, par.profile)) {
        info.profile = name
    } else if par.profile != FF_PROFILE_UNKNOWN {
        info.profile = String(par.profile)
    }
    info.bitRate = par.bit_rate > 0 ? par.bit_rate : nil

    switch par.codec_type {
    case AVMEDIA_TYPE_VIDEO:
        info.width = Int(par.width)
        info.height = Int(par.height)
        // Container SAR wins over the codec's, as in ffprobe.
        let sar = av_guess_sample_aspect_ratio(context, stream, nil)
        if sar.num != 0 { info.sampleAspectRatio = "\(sar.num):\(sar.den)" }
        info.pixelFormat = string(av_get_pix_fmt_name(AVPixelFormat(rawValue: par.format)))
        if par.color_range != AVCOL_RANGE_UNSPECIFIED { info.colorRange = string(av_color_range_name(par.color_range)) }
        if par.color_space != AVCOL_SPC_UNSPECIFIED { info.colorSpace = string(av_color_space_name(par.color_space)) }
        if par.color_trc != AVCOL_TRC_UNSPECIFIED { info.colorTransfer = string(av_color_transfer_name(par.color_trc)) }
        if par.color_primaries != AVCOL_PRI_UNSPECIFIED {
            info.colorPrimaries = string(av_color_primaries_name(par.color_primaries))
        }
    case AVMEDIA_TYPE_AUDIO:
        info.sampleRate = Int(par.sample_rate)
        info.channels = Int(par.ch_layout.nb_channels)
        if par.ch_layout.order != AV_CHANNEL_ORDER_UNSPEC {
            info.channelLayout = describe(st.codecpar)
        }
    default:
        break
    }
    return info
}

/// ffprobe prints `(int)av_display_rotation_get(matrix)`, so truncate the same way.
private func rotation(_ stream: UnsafeMutablePointer<AVStream>) -> Double? {
    guard let matrix = displayMatrix(stream) else { return nil }
    let degrees = av_display_rotation_get(matrix)
    // A degenerate matrix yields NaN; there is no meaningful rotation to report.
    guard degrees.isFinite else { return nil }
    return degrees.rounded(.towardZero) + 0  // + 0 turns -0 into 0
}

/// The stream's display matrix (3×3, fixed point, row-major as libav stores it), if the container has one.
func displayMatrix(_ stream: UnsafeMutablePointer<AVStream>) -> [Int32]? {
    var size = 0
    let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size)
    return displayMatrix(data, size: size)
}

/// A display matrix from side data; `nil` when there is none or it is too short to be one.
func displayMatrix(_ data: UnsafePointer<UInt8>?, size: Int) -> [Int32]? {
    guard let data, size >= 9 * MemoryLayout<Int32>.size else { return nil }
    // Side data comes from av_malloc, aligned for Int32; loadUnaligned spares relying on it.
    let raw = UnsafeRawPointer(data)
    return (0..<9).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) }
}

private func describe(_ par: UnsafeMutablePointer<AVCodecParameters>?) -> String? {
    guard let par else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer in
        let base = buffer.baseAddress!
        guard av_channel_layout_describe(&par.pointee.ch_layout, base, buffer.count) > 0 else { return nil }
        return String(cString: base)
    }
}

private func tags(_ dictionary: OpaquePointer?) -> [String: String] {
    var result: [String: String] = [:]
    var entry: UnsafeMutablePointer<AVDictionaryEntry>?
    while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
        entry = next
        guard let key = string(next.pointee.key) else { continue }
        // AVDictionary can repeat a key; keep the first, as av_dict_get(key) would.
        if result[key] == nil { result[key] = string(next.pointee.value) ?? "" }
    }
    return result
}

private func seconds(_ timestamp: Int64, timeBase: AVRational) -> Double? {
    guard timestamp != reel_av_nopts_value(), timeBase.den != 0 else { return nil }
    return Double(timestamp) * av_q2d(timeBase)
}

private func rate(_ r: AVRational) -> Double? {
    guard r.num != 0, r.den != 0 else { return nil }
    return av_q2d(r)
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}
