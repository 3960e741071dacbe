/// What libavformat knows about one media file: the container and its streams.
///
/// Values mirror `ffprobe -show_format -show_streams`, and the `Codable` form uses
/// ffprobe's JSON key names (`format_name`, `codec_name`, …) so the stored JSON reads
/// like ffprobe's. Unlike ffprobe, numbers are JSON numbers, absent values are omitted
/// and the file path is not included: the same file may live at different paths.
public struct MediaInfo: Sendable, Equatable, Codable {
    /// Short name(s) of the demuxer, e.g. `"mov,mp4,m4a,3gp,3g2,mj2"` or `"matroska,webm"`.
    public var formatName: String
    /// Human-readable demuxer name, e.g. `"QuickTime / MOV"`.
    public var formatLongName: String?
    /// Container duration in seconds; `nil` when the container does not know it.
    public var duration: Double?
    /// Container start time in seconds; `nil` when unknown.
    public var startTime: Double?
    /// Overall bit rate in bits per second; `nil` when unknown or zero.
    public var bitRate: Int64?
    /// File size in bytes as seen by libavformat's I/O layer; `nil` when unknown.
    public var size: Int64?
    /// Container metadata (e.g. `title`, `major_brand`, `creation_time`).
    public var tags: [String: String]
    /// All streams in container order; `streams[i].index == i`.
    public var streams: [StreamInfo]
    /// Where the container's sample index says the last sample ends, in bytes; `nil` when the container
    /// has no index up front (MPEG-TS, raw streams). Not an ffprobe field: ffprobe does not notice truncation.
    public var indexedDataEnd: Int64?

    /// False when not one packet of media could be read: a header with no frames (an MP4 init segment,
    /// an empty recording). Not an ffprobe field.
    public var hasPackets: Bool

    /// True when the index points past the end of the file: a cut-off download or copy.
    public var isTruncated: Bool {
        guard let indexedDataEnd, let size else { return false }
        return indexedDataEnd > size
    }

    /// Creates a value from its parts; ``MediaProbe/probe(path:)`` is the usual source.
    public init(
        formatName: String, formatLongName: String? = nil, duration: Double? = nil,
        startTime: Double? = nil, bitRate: Int64? = nil, size: Int64? = nil,
        tags: [String: String] = [:], streams: [StreamInfo] = [], indexedDataEnd: Int64? = nil, hasPackets: Bool = true
    ) {
        self.formatName = formatName
        self.formatLongName = formatLongName
        self.duration = duration
        self.startTime = startTime
        self.bitRate = bitRate
        self.size = size
        self.tags = tags
        self.streams = streams
        self.indexedDataEnd = indexedDataEnd
        self.hasPackets = hasPackets
    }

    /// Video streams that are real pictures in motion (attached cover art excluded).
    public var videoStreams: [StreamInfo] { streams.filter(\.isVideo) }
    /// Audio streams.
    public var audioStreams: [StreamInfo] { streams.filter(\.isAudio) }
    /// The first real video stream, if any.
    public var firstVideoStream: StreamInfo? { streams.first(where: \.isVideo) }
    /// The first audio stream, if any.
    public var firstAudioStream: StreamInfo? { streams.first(where: \.isAudio) }
    /// Whether the file has at least one real video stream.
    public var hasVideo: Bool { firstVideoStream != nil }
    /// Whether the file has at least one audio stream.
    public var hasAudio: Bool { firstAudioStream != nil }

    /// ffprobe's layout: `{"format": {...}, "streams": [...]}`.
    enum CodingKeys: String, CodingKey {
        case format, streams
    }

    enum FormatKeys: String, CodingKey {
        case formatName = "format_name"
        case formatLongName = "format_long_name"
        case duration
        case startTime = "start_time"
        case bitRate = "bit_rate"
        case size
        case tags
        case indexedDataEnd = "indexed_data_end"
        case hasPackets = "has_packets"
    }

    /// Decodes the ffprobe-shaped form written by ``encode(to:)``; missing `tags` mean none.
    public init(from decoder: any Decoder) throws {
        let root = try decoder.container(keyedBy: CodingKeys.self)
        let c = try root.nestedContainer(keyedBy: FormatKeys.self, forKey: .format)
        formatName = try c.decode(String.self, forKey: .formatName)
        formatLongName = try c.decodeIfPresent(String.self, forKey: .formatLongName)
        duration = try c.decodeIfPresent(Double.self, forKey: .duration)
        startTime = try c.decodeIfPresent(Double.self, forKey: .startTime)
        bitRate = try c.decodeIfPresent(Int64.self, forKey: .bitRate)
        size = try c.decodeIfPresent(Int64.self, forKey: .size)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
        indexedDataEnd = try c.decodeIfPresent(Int64.self, forKey: .indexedDataEnd)
        hasPackets = try c.decodeIfPresent(Bool.self, forKey: .hasPackets) ?? true
        streams = try root.decodeIfPresent([StreamInfo].self, forKey: .streams) ?? []
    }

    /// Encodes as ffprobe's `-show_format -show_streams` JSON does, omitting `nil` values and empty `tags`.
    public func encode(to encoder: any Encoder) throws {
        var root = encoder.container(keyedBy: CodingKeys.self)
        var c = root.nestedContainer(keyedBy: FormatKeys.self, forKey: .format)
        try c.encode(formatName, forKey: .formatName)
        try c.encodeIfPresent(formatLongName, forKey: .formatLongName)
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encodeIfPresent(startTime, forKey: .startTime)
        try c.encodeIfPresent(bitRate, forKey: .bitRate)
        try c.encodeIfPresent(size, forKey: .size)
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
        try c.encodeIfPresent(indexedDataEnd, forKey: .indexedDataEnd)
        if !hasPackets { try c.encode(false, forKey: .hasPackets) }
        try root.encode(streams, forKey: .streams)
    }
}

/// One stream of a media file, as ffprobe's `-show_streams` describes it.
///
/// Fields that ffprobe only prints for one kind of stream follow the same rule here:
/// `width`/`height`/`pixelFormat`/colour fields are set for video streams only (even
/// when zero, as ffprobe prints them), `sampleRate`/`channels` for audio streams only.
public struct StreamInfo: Sendable, Equatable, Codable {
    /// Position of the stream in the container, starting at 0.
    public var index: Int
    /// `"video"`, `"audio"`, `"subtitle"`, `"data"`, `"attachment"` or `"unknown"`.
    public var codecType: String
    /// libavcodec's short codec name, e.g. `"h264"`, `"aac"`; `nil` when libavcodec has no id for it.
    public var codecName: String?
    /// libavcodec's descriptive codec name, e.g. `"H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10"`.
    public var codecLongName: String?
    /// Codec profile name, e.g. `"High"`, `"LC"`, `"Main 10"`; the number when it has no name.
    public var profile: String?
    /// Coded picture width in pixels (video only).
    public var width: Int?
    /// Coded picture height in pixels (video only).
    public var height: Int?
    /// Display-matrix rotation in degrees exactly as ffprobe prints it (e.g. `-90`);
    /// `nil` when the stream has no display matrix.
    public var rotation: Double?
    /// Sample (pixel) aspect ratio as `"num:den"`, e.g. `"2:1"`; `nil` when unknown.
    public var sampleAspectRatio: String?
    /// Average frame rate in frames per second; `nil` when unknown (`0/0`).
    public var avgFrameRate: Double?
    /// libavformat's "real base" frame rate (ffprobe's `r_frame_rate`) in frames per second; `nil` when unknown.
    public var realFrameRate: Double?
    /// Pixel format name, e.g. `"yuv420p"`, `"yuv420p10le"` (video only).
    public var pixelFormat: String?
    /// Colour range, e.g. `"tv"`, `"pc"`; `nil` when unspecified.
    public var colorRange: String?
    /// Colour matrix, e.g. `"bt709"`; `nil` when unspecified.
    public var colorSpace: String?
    /// Transfer characteristic, e.g. `"bt709"`, `"smpte2084"`, `"arib-std-b67"`; `nil` when unspecified.
    public var colorTransfer: String?
    /// Colour primaries, e.g. `"bt709"`, `"bt2020"`; `nil` when unspecified.
    public var colorPrimaries: String?
    /// Audio sample rate in Hz (audio only; 0 when the container does not say).
    public var sampleRate: Int?
    /// Number of audio channels (audio only).
    public var channels: Int?
    /// Channel layout as ffprobe describes it, e.g. `"mono"`, `"stereo"`, `"5.1(side)"`.
    public var channelLayout: String?
    /// Stream bit rate in bits per second; `nil` when unknown or zero.
    public var bitRate: Int64?
    /// Stream duration in seconds; `nil` when unknown.
    public var duration: Double?
    /// Number of frames the container declares (ffprobe's `nb_frames`); `nil` when not declared.
    public var frameCount: Int64?
    /// Whether this is a still picture attached to the file (e.g. MP3 cover art), not real video.
    public var isAttachedPicture: Bool
    /// Stream metadata (e.g. `language`, `handler_name`).
    public var tags: [String: String]

    /// Creates a value from its parts; ``MediaProbe/probe(path:)`` is the usual source.
    public init(
        index: Int, codecType: String, codecName: String? = nil, codecLongName: String? = nil,
        profile: String? = nil, width: Int? = nil, height: Int? = nil, rotation: Double? = nil,
        sampleAspectRatio: String? = nil, avgFrameRate: Double? = nil, realFrameRate: Double? = nil,
        pixelFormat: String? = nil, colorRange: String? = nil, colorSpace: String? = nil,
        colorTransfer: String? = nil, colorPrimaries: String? = nil, sampleRate: Int? = nil,
        channels: Int? = nil, channelLayout: String? = nil, bitRate: Int64? = nil,
        duration: Double? = nil, frameCount: Int64? = nil, isAttachedPicture: Bool = false,
        tags: [String: String] = [:]
    ) {
        self.index = index
        self.codecType = codecType
        self.codecName = codecName
        self.codecLongName = codecLongName
        self.profile = profile
        self.width = width
        self.height = height
        self.rotation = rotation
        self.sampleAspectRatio = sampleAspectRatio
        self.avgFrameRate = avgFrameRate
        self.realFrameRate = realFrameRate
        self.pixelFormat = pixelFormat
        self.colorRange = colorRange
        self.colorSpace = colorSpace
        self.colorTransfer = colorTransfer
        self.colorPrimaries = colorPrimaries
        self.sampleRate = sampleRate
        self.channels = channels
        self.channelLayout = channelLayout
        self.bitRate = bitRate
        self.duration = duration
        self.frameCount = frameCount
        self.isAttachedPicture = isAttachedPicture
        self.tags = tags
    }

    /// A real video stream: `codecType == "video"` and not attached cover art.
    public var isVideo: Bool { codecType == "video" && !isAttachedPicture }
    /// An audio stream.
    public var isAudio: Bool { codecType == "audio" }
    /// A subtitle stream.
    public var isSubtitle: Bool { codecType == "subtitle" }

    /// The `language` tag (usually ISO 639-2, e.g. `"eng"`), if present.
    public var language: String? { tags["language"] }

    /// Whether the display matrix turns the picture on its side (±90° or ±270°).
    public var isRotatedQuarterTurn: Bool {
        guard let rotation else { return false }
        let r = abs(rotation)
        return r == 90 || r == 270
    }

    /// Width as displayed: ``width``, or ``height`` when the rotation is a quarter turn.
    public var displayWidth: Int? { isRotatedQuarterTurn ? height : width }
    /// Height as displayed: ``height``, or ``width`` when the rotation is a quarter turn.
    public var displayHeight: Int? { isRotatedQuarterTurn ? width : height }

    enum CodingKeys: String, CodingKey {
        case index
        case codecType = "codec_type"
        case codecName = "codec_name"
        case codecLongName = "codec_long_name"
        case profile
        case width, height, rotation
        // Written for readers of the JSON; derived from width, height and rotation, so not read back.
        case displayWidth = "display_width"
        case displayHeight = "display_height"
        case sampleAspectRatio = "sample_aspect_ratio"
        case avgFrameRate = "avg_frame_rate"
        case realFrameRate = "r_frame_rate"
        case pixelFormat = "pix_fmt"
        case colorRange = "color_range"
        case colorSpace = "color_space"
        case colorTransfer = "color_transfer"
        case colorPrimaries = "color_primaries"
        case sampleRate = "sample_rate"
        case channels
        case channelLayout = "channel_layout"
        case bitRate = "bit_rate"
        case duration
        case frameCount = "nb_frames"
        case isAttachedPicture = "attached_pic"
        case tags
    }

    /// Decodes the ffprobe-keyed form written by ``encode(to:)``; missing `attached_pic` means
    /// `false` and missing `tags` mean none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        codecType = try c.decode(String.self, forKey: .codecType)
        codecName = try c.decodeIfPresent(String.self, forKey: .codecName)
        codecLongName = try c.decodeIfPresent(String.self, forKey: .codecLongName)
        profile = try c.decodeIfPresent(String.self, forKey: .profile)
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        height = try c.decodeIfPresent(Int.self, forKey: .height)
        rotation = try c.decodeIfPresent(Double.self, forKey: .rotation)
        sampleAspectRatio = try c.decodeIfPresent(String.self, forKey: .sampleAspectRatio)
        avgFrameRate = try c.decodeIfPresent(Double.self, forKey: .avgFrameRate)
        realFrameRate = try c.decodeIfPresent(Double.self, forKey: .realFrameRate)
        pixelFormat = try c.decodeIfPresent(String.self, forKey: .pixelFormat)
        colorRange = try c.decodeIfPresent(String.self, forKey: .colorRange)
        colorSpace = try c.decodeIfPresent(String.self, forKey: .colorSpace)
        colorTransfer = try c.decodeIfPresent(String.self, forKey: .colorTransfer)
        colorPrimaries = try c.decodeIfPresent(String.self, forKey: .colorPrimaries)
        sampleRate = try c.decodeIfPresent(Int.self, forKey: .sampleRate)
        channels = try c.decodeIfPresent(Int.self, forKey: .channels)
        channelLayout = try c.decodeIfPresent(String.self, forKey: .channelLayout)
        bitRate = try c.decodeIfPresent(Int64.self, forKey: .bitRate)
        duration = try c.decodeIfPresent(Double.self, forKey: .duration)
        frameCount = try c.decodeIfPresent(Int64.self, forKey: .frameCount)
        isAttachedPicture = try c.decodeIfPresent(Bool.self, forKey: .isAttachedPicture) ?? false
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
    }

    /// Encodes with ffprobe's key names, omitting `nil` values, empty `tags` and a false `attached_pic`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(codecType, forKey: .codecType)
        try c.encodeIfPresent(codecName, forKey: .codecName)
        try c.encodeIfPresent(codecLongName, forKey: .codecLongName)
        try c.encodeIfPresent(profile, forKey: .profile)
        try c.encodeIfPresent(width, forKey: .width)
        try c.encodeIfPresent(height, forKey: .height)
        try c.encodeIfPresent(rotation, forKey: .rotation)
        if codecType == "video" {
            try c.encodeIfPresent(displayWidth, forKey: .displayWidth)
            try c.encodeIfPresent(displayHeight, forKey: .displayHeight)
        }
        try c.encodeIfPresent(sampleAspectRatio, forKey: .sampleAspectRatio)
        try c.encodeIfPresent(avgFrameRate, forKey: .avgFrameRate)
        try c.encodeIfPresent(realFrameRate, forKey: .realFrameRate)
        try c.encodeIfPresent(pixelFormat, forKey: .pixelFormat)
        try c.encodeIfPresent(colorRange, forKey: .colorRange)
        try c.encodeIfPresent(colorSpace, forKey: .colorSpace)
        try c.encodeIfPresent(colorTransfer, forKey: .colorTransfer)
        try c.encodeIfPresent(colorPrimaries, forKey: .colorPrimaries)
        try c.encodeIfPresent(sampleRate, forKey: .sampleRate)
        try c.encodeIfPresent(channels, forKey: .channels)
        try c.encodeIfPresent(channelLayout, forKey: .channelLayout)
        try c.encodeIfPresent(bitRate, forKey: .bitRate)
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encodeIfPresent(frameCount, forKey: .frameCount)
        if isAttachedPicture { try c.encode(true, forKey: .isAttachedPicture) }
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
    }
}
