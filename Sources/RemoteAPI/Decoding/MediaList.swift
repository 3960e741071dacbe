/// Collects an item's files in a fixed order (video, video_raw, thumbnail, last_frame, source
/// images), one per role and ordinal: the first source of a role that has a URL wins.
struct MediaList {
    private(set) var media: [RemoteMedia] = []

    mutating func add(_ role: MediaRole, _ field: MediaField?, ordinal: Int = 0) {
        guard let field, !field.url.isEmpty, !media.contains(where: { $0.role == role && $0.ordinal == ordinal }) else { return }
        media.append(RemoteMedia(role: role, url: field.url, width: field.width, height: field.height, ordinal: ordinal))
    }

    mutating func add(_ role: MediaRole, url: String?, ordinal: Int = 0) {
        add(role, url.map { MediaField(url: $0) }, ordinal: ordinal)
    }
}
