import Media

/// What makes a file worth keeping as a generation's media: libavformat reads it, it is whole, and it
/// holds frames. One rule for `reel import` and for files `reel sync` downloads.
enum MediaCheck {
    /// Throws a one-line reason (naming `subject`) when the reading shows a file that is not whole media.
    static func requirePlayable(_ info: MediaInfo, subject: String) throws(ReelError) {
        if info.isTruncated, let size = info.size, let end = info.indexedDataEnd {
            throw ReelError(
                "\(subject): truncated: the file ends at byte \(size) but its media runs to byte \(end) (an incomplete download?)",
                status: .dataError)
        }
        if !info.hasPackets {
            throw ReelError("\(subject): no frames: the file holds only a header (an init segment or an empty recording)",
                status: .dataError)
        }
        guard info.hasVideo else {
            throw ReelError("\(subject): no video stream (\(info.hasAudio ? "audio only" : "nothing to play"))", status: .dataError)
        }
    }
}
