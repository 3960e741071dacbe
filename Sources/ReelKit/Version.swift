import ContentStore
import HTTP
import Media
import SQLite

/// reel's version and the versions of the C libraries it runs on (for bug reports).
public enum ReelVersion {
    public static let number = "0.1.0"

    /// "reel 0.1.0 (SQLite 3.40.1, libavformat 59.27.100, OpenSSL 3.0.17, libcurl 7.88.1)".
    public static var full: String {
        let av = MediaLibrary.versions["libavformat"] ?? "?"
        let ssl = SHA256.libraryVersion.split(separator: " ").dropFirst().first.map(String.init) ?? SHA256.libraryVersion
        return "reel \(number) (SQLite \(Connection.libraryVersion), libavformat \(av), OpenSSL \(ssl), libcurl \(Curl.libraryVersion))"
    }
}
