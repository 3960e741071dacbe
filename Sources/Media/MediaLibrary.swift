import CFFmpeg

/// Facts about the FFmpeg libraries `Media` is running against.
public enum MediaLibrary {
    /// Runtime versions of the linked libraries, e.g. `["libavformat": "59.27.100", …]`.
    ///
    /// These are the shared libraries actually loaded, which may differ from the headers built against.
    public static var versions: [String: String] {
        [
            "libavformat": dotted(avformat_version()),
            "libavcodec": dotted(avcodec_version()),
            "libavutil": dotted(avutil_version()),
            "libswscale": dotted(swscale_version()),
        ]
    }

    /// `AV_VERSION_MAJOR/MINOR/MICRO`: the version is packed as `major << 16 | minor << 8 | micro`.
    private static func dotted(_ version: UInt32) -> String {
        "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)"
    }
}

/// Keeps libav from writing to stderr: a library must not talk on its host's terminal,
/// and broken files would otherwise print warnings on every probe.
enum FFmpegLogging {
    // Global initialisers run exactly once, guarded by swift_once, so this is thread-safe.
    private static let silenced: Void = av_log_set_level(AV_LOG_QUIET)

    static func silence() { _ = silenced }
}
